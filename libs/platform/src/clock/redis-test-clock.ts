import Redis from 'ioredis';
import type { Clock } from './clock';
import { ControlledClock } from './controlled-clock';

/**
 * The keys of one test's shared clock in that test's own Redis:
 * - `<key>`: domain epoch ms (the truth; read at start);
 * - `<key>:advanced`: channel announcing a new value;
 * - `<key>:seen`: hash process id (pid) → the value that process now uses (its acknowledgement).
 */
export function testClockKeys(key: string) {
  return { value: key, channel: `${key}:advanced`, seen: `${key}:seen` };
}

/** The Redis-shared test clock: a ControlledClock that follows the test's key and acknowledges every value it takes. */
export class RedisTestClock extends ControlledClock {
  private constructor(
    start: number,
    private readonly subscriber: Redis,
    private readonly writer: Redis,
  ) {
    super(start);
  }

  /**
   * Subscribes first, then reads the key, so that no advance is missed between the two; answers only once the
   * process knows the current value (and said so in the `seen` hash).
   */
  static async connect(redisUrl: string, key: string, processId = String(process.pid)): Promise<RedisTestClock> {
    const keys = testClockKeys(key);
    const subscriber = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    const writer = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    let start: number;
    try {
      await Promise.all([subscriber.connect(), writer.connect()]);
      await subscriber.subscribe(keys.channel);
      const raw = await writer.get(keys.value);
      start = Number(raw);
      if (raw === null || !Number.isFinite(start)) throw new Error(`HEARTH_TEST_CLOCK: key ${key} holds no domain time`);
    } catch (err) {
      subscriber.disconnect();
      writer.disconnect();
      throw err;
    }
    const clock = new RedisTestClock(start, subscriber, writer);
    const acknowledge = (ms: number) => writer.hset(keys.seen, processId, String(ms)).catch(() => undefined);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== keys.channel) return;
      const ms = Number(message);
      if (!Number.isFinite(ms)) return;
      clock.set(ms);
      void acknowledge(clock.now().getTime());
    });
    await acknowledge(start);
    return clock;
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.writer.disconnect();
  }
}

/**
 * The test clock when a test enables it (HEARTH_TEST_CLOCK=redis, key HEARTH_TEST_CLOCK_KEY, default
 * `hearth-test:clock`, in the deployment's Redis); undefined otherwise, and then the ordinary clock applies.
 */
export function testClockFromEnv(env: NodeJS.ProcessEnv, redisUrl: string): Promise<Clock> | undefined {
  const mode = env.HEARTH_TEST_CLOCK;
  if (!mode) return undefined;
  if (mode !== 'redis') throw new Error(`HEARTH_TEST_CLOCK=${mode}: only "redis" is known`);
  return RedisTestClock.connect(redisUrl, env.HEARTH_TEST_CLOCK_KEY || 'hearth-test:clock');
}
