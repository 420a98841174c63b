import Redis from 'ioredis';
import { clockFromEnv, SystemClock } from '@hearth/platform/clock/clock';
import { RedisTestClock, testClockFromEnv, testClockKeys } from '@hearth/platform/clock/redis-test-clock';
import { TestRedis } from '../support/redis-server';

const KEY = 'hearth-test:clock';
const keys = testClockKeys(KEY);

/** Poll a condition with a generous bound (never a fixed wait). */
async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RedisTestClock: one controlled domain time for every process of a test', () => {
  let redis: TestRedis;
  let admin: Redis;
  const clocks: RedisTestClock[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await Promise.all(clocks.map((c) => c.close()));
    admin.disconnect();
    await redis.stop();
  });

  it('starts at the key, acknowledges it, follows every advance and acknowledges each', async () => {
    await admin.set(keys.value, String(Date.parse('2025-09-23T01:00:00Z')));
    const api = await RedisTestClock.connect(redis.url, KEY, 'api-1');
    const worker = await RedisTestClock.connect(redis.url, KEY, 'worker-1');
    clocks.push(api, worker);
    expect(api.now().toISOString()).toBe('2025-09-23T01:00:00.000Z');
    expect(await admin.hgetall(keys.seen)).toEqual({ 'api-1': String(Date.parse('2025-09-23T01:00:00Z')), 'worker-1': String(Date.parse('2025-09-23T01:00:00Z')) });

    const next = Date.parse('2025-10-09T16:00:00Z');
    await admin.set(keys.value, String(next));
    await admin.publish(keys.channel, String(next));
    await until('both acknowledgements', async () => Object.values(await admin.hgetall(keys.seen)).every((v) => v === String(next)));
    expect(api.now().toISOString()).toBe('2025-10-09T16:00:00.000Z');
    expect(worker.now().toISOString()).toBe('2025-10-09T16:00:00.000Z');

    // A stale announcement does not move it back; it is acknowledged with the time in use.
    await admin.publish(keys.channel, String(Date.parse('2025-09-01T00:00:00Z')));
    await admin.hdel(keys.seen, 'api-1');
    await admin.publish(keys.channel, String(next));
    await until('the re-acknowledgement', async () => (await admin.hget(keys.seen, 'api-1')) === String(next));
    expect(api.now().toISOString()).toBe('2025-10-09T16:00:00.000Z');
  });

  it('refuses to start without a value (a test that forgot to set the clock fails loudly)', async () => {
    await expect(RedisTestClock.connect(redis.url, 'hearth-test:no-such-clock', 'x')).rejects.toThrow('holds no domain time');
  });

  it('exists only when the test setting enables it', async () => {
    expect(testClockFromEnv({}, redis.url)).toBeUndefined();
    expect(clockFromEnv({})).toBeInstanceOf(SystemClock);
    expect(() => testClockFromEnv({ HEARTH_TEST_CLOCK: 'wall' }, redis.url)).toThrow('only "redis"');
    const enabled = (await testClockFromEnv({ HEARTH_TEST_CLOCK: 'redis', HEARTH_TEST_CLOCK_KEY: KEY }, redis.url)) as RedisTestClock;
    clocks.push(enabled);
    expect(enabled.now().toISOString()).toBe('2025-10-09T16:00:00.000Z');
  });
});
