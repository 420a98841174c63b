import { DeadlineScheduler, DeadlineTimerWorker, countPending } from '@hearth/scheduling';
import { append, domainFire, dueIn, Env, met, opened, quietLogger, setup, sleep, waitFor } from './support';

/** The scheduler leaves a fired timer to removeOnComplete, and still removes a timer whose duty was met. */
describe('DeadlineScheduler and the timer it just fired', () => {
  let env: Env;
  let s: DeadlineScheduler;
  let w: DeadlineTimerWorker | undefined;

  beforeEach(async () => {
    env = await setup();
    s = new DeadlineScheduler({ store: env.store, redis: env.client, clock: env.clock, holder: 'fired', leaseRetryMs: 100, watchIntervalMs: 200, logger: quietLogger });
    s.start();
  });
  afterEach(async () => {
    await w?.close();
    await s.stop();
    await env.close();
  });

  it('does not try to remove the timer whose step event it is processing (no Redis call per fired timer)', async () => {
    const { fire, calls } = domainFire(env.store, env.clock);
    w = new DeadlineTimerWorker({ connection: { host: '127.0.0.1', port: env.redis.port }, fire, clock: env.clock, logger: quietLogger });
    await s.waitForPosition(await append(env.store, 'petition-f', opened('acceptance-1', dueIn(env.clock, 300))));
    await waitFor('the timer fired', () => calls.some((c) => c.outcome === 'missed'), 5_000);
    await sleep(100);
    await s.waitForPosition(await env.store.headPosition());
    expect(s.stats.jobsRemoved + s.stats.removalsLocked).toBe(0);
    await waitFor('the fired timer is gone (removeOnComplete)', async () => (await countPending(env.queue)) === 0, 2_000);
    expect(await env.admin.hlen('hearth:deadlines:timers')).toBe(0);
  });

  it('still removes a pending timer when its duty is met', async () => {
    await s.waitForPosition(await append(env.store, 'petition-g', opened('acceptance-1', dueIn(env.clock, 60_000))));
    expect(await countPending(env.queue)).toBe(1);
    await s.waitForPosition(await append(env.store, 'petition-g', met('acceptance-1')));
    expect(s.stats.jobsRemoved).toBe(1);
    expect(await countPending(env.queue)).toBe(0);
  });
});
