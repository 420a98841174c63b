import Redis from 'ioredis';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PostgresEventStore } from '@hearth/event-store';
import { configFromEnv } from '@hearth/platform';
import { TestPostgres } from '../support/postgres-server';
import { TestRedis } from '../support/redis-server';
import { Readiness } from '../../apps/api/src/health/readiness.service';
import { freshStream, newEvent } from './event-store.contract';

/** Readiness on PostgreSQL: down (within the probe budget, never a hang) while the database is down, up again by itself. */
describe('readiness: the PostgreSQL log', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let client: Redis;
  let store: PostgresEventStore;

  beforeAll(async () => {
    [pg, redis] = await Promise.all([TestPostgres.start(), TestRedis.start()]);
    client = new Redis(redis.url);
    store = await PostgresEventStore.open({ connectionString: pg.url, connectTimeoutMs: 1_000 });
  }, 120_000);
  afterAll(async () => {
    client?.disconnect();
    await store?.close().catch(() => undefined);
    await redis?.stop();
    await pg?.stop();
  });

  it('is up with the write probe, down while the database is down, up again once it is back', async () => {
    const config = configFromEnv({ HEARTH_JWT_SECRET: 'readiness-test-secret', REDIS_URL: redis.url, HEARTH_POSTGRES_URL: pg.url, HEARTH_READY_TIMEOUT_MS: '2000' });
    const readiness = new Readiness(new HealthIndicatorService(), store, client, config);
    await store.append(freshStream(), [newEvent()], 'no_stream');
    expect(await readiness.eventStore()).toMatchObject({ eventStore: { status: 'up', writable: true, kind: 'postgres', headPosition: 1 } });

    await pg.kill();
    expect((await readiness.eventStore()).eventStore).toMatchObject({ status: 'down', kind: 'postgres' });

    await pg.resume();
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = (await readiness.eventStore()).eventStore.status === 'up';
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    expect(up).toBe(true);
  }, 120_000);
});
