import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SqliteEventStore } from '@hearth/event-store';
import { configFromEnv } from '@hearth/platform';
import { TestRedis } from '../support/redis-server';
import { Readiness } from '../../apps/api/src/health/readiness.service';

/** Readiness of the SQLite log: a writer thread that dies (as on a crash inside it) makes the event store part fail. */
describe('readiness: the SQLite writer thread', () => {
  let redis: TestRedis;
  let client: Redis;
  let dir: string;
  let store: SqliteEventStore;

  beforeAll(async () => {
    redis = await TestRedis.start();
    client = new Redis(redis.url);
    dir = mkdtempSync(join(tmpdir(), 'hearth-ready-'));
    store = new SqliteEventStore({ file: join(dir, 'log.sqlite'), writerThread: true });
  });
  afterAll(async () => {
    client.disconnect();
    await store.close().catch(() => undefined);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is up while the thread commits, down once it has died', async () => {
    const readiness = new Readiness(new HealthIndicatorService(), store, client, configFromEnv({ HEARTH_JWT_SECRET: 'readiness-test-secret', REDIS_URL: redis.url }));
    await store.append('petition-1', [{ id: 'e1', type: 'T', data: {}, metadata: {} as never }], 'no_stream');
    expect(await readiness.eventStore()).toMatchObject({ eventStore: { status: 'up', writable: true, kind: 'sqlite' } });

    // Kill the thread from outside, as a fatal error inside it would.
    const worker = (store as unknown as { thread: { channel: { worker: { terminate(): Promise<number> } } } }).thread.channel.worker;
    await worker.terminate();
    const down = await readiness.eventStore();
    expect(down.eventStore).toMatchObject({ status: 'down', kind: 'sqlite' });
    expect(String(down.eventStore.message)).toContain('writer thread exited');
  });
});
