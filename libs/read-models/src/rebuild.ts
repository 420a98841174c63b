import type Redis from 'ioredis';
import { checkpointKey, DEFAULT_PREFIX, DEFAULT_RUNNER_NAME, escapeGlob, rebuildMarkerKey } from './keys';

/** Key namespaces (after the prefix) of every read model in this library. */
export const READ_MODEL_NAMESPACES: readonly string[] = ['pet:', 'alert:', 'inbox:', 'tmp:', 'hs:', 'med:'];

/** SCAN + UNLINK every key under `<prefix><namespace>` for each namespace. Returns the number of keys removed. */
export async function purgeNamespaces(redis: Redis, prefix: string, namespaces: readonly string[]): Promise<number> {
  let removed = 0;
  for (const ns of namespaces) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix + ns)}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  }
  return removed;
}

export interface RebuildOptions {
  /** Runners whose checkpoints are deleted (default: `read-models`, plus `alerts` if run separately). */
  runners?: readonly string[];
  /** Namespaces deleted (default: all read models of this library). */
  namespaces?: readonly string[];
  /** How long runners stay paused if this call dies half way (the marker expires). */
  markerTtlMs?: number;
}

/**
 * Throw the read models away so the running runner rebuilds them from position 0: SCAN + UNLINK under the
 * prefix (never FLUSHDB: BullMQ jobs, leases and other subscriptions' checkpoints stay).
 *
 * A marker key pauses the runners while keys are deleted (a runner WATCHes it, so a batch in flight aborts),
 * then the checkpoints go first and the data after them; when the marker is removed each runner finds its
 * checkpoint missing and rebuilds from the start. Returns the number of keys removed.
 */
export async function requestRebuild(redis: Redis, prefix = DEFAULT_PREFIX, options: RebuildOptions = {}): Promise<number> {
  const runners = options.runners ?? [DEFAULT_RUNNER_NAME, 'alerts'];
  const marker = rebuildMarkerKey(prefix);
  await redis.set(marker, String(Date.now()), 'PX', options.markerTtlMs ?? 120_000);
  try {
    let removed = await redis.unlink(...runners.map((r) => checkpointKey(prefix, r)));
    removed += await purgeNamespaces(redis, prefix, options.namespaces ?? READ_MODEL_NAMESPACES);
    return removed;
  } finally {
    await redis.del(marker);
  }
}
