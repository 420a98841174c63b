import type { Pool, PoolClient } from 'pg';

/**
 * Runs `fn` on a client checked out of the pool. A checked-out client whose connection breaks emits 'error' besides
 * failing its query, and an 'error' nobody listens to would crash the process: here it is heard, and the client is
 * destroyed rather than returned. `keep(err)` tells which failures leave the connection usable (a conflict, a
 * constraint) so the client goes back to the pool.
 */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, keep: (err: unknown) => boolean = () => false): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    if (!keep(err)) broken ??= err as Error;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
