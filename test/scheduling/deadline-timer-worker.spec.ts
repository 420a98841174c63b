import { AcceleratedClock } from '@hearth/platform/clock/clock';
import { DeadlineScheduler, DeadlineTimerWorker, DEADLINE_NOT_DUE, countPending, deadlineJobId, type DeadlineJobData } from '@hearth/scheduling';
import { append, domainFire, dueIn, Env, opened, quietLogger, setup, sleep, waitFor } from './support';

describe('DeadlineTimerWorker', () => {
  let env: Env;
  let scheduler: DeadlineScheduler | undefined;
  let worker: DeadlineTimerWorker | undefined;

  beforeEach(async () => {
    env = await setup();
  });
  afterEach(async () => {
    await worker?.close();
    await scheduler?.stop();
    worker = scheduler = undefined;
    await env.close();
  });

  const connection = () => ({ host: '127.0.0.1', port: env.redis.port });

  it('a timer that fires early by domain time (DEADLINE_NOT_DUE) is postponed to its due time and then succeeds', async () => {
    // The scheduler's clock runs 400 real ms ahead of the domain clock: its timers fire 400 ms early.
    const ahead = new AcceleratedClock(env.clock.speed, env.clock.now().getTime(), Date.now() - 400);
    scheduler = new DeadlineScheduler({ store: env.store, redis: env.client, clock: ahead, logger: quietLogger });
    scheduler.start();
    const { fire, calls } = domainFire(env.store, env.clock);
    worker = new DeadlineTimerWorker({ connection: connection(), fire, clock: env.clock, logger: quietLogger });

    const due = dueIn(env.clock, 800);
    const realDue = Date.now() + env.clock.realDelayUntil(due);
    await append(env.store, 'petition-e', opened('acceptance-1', due));

    await waitFor('missed recorded', () => calls.some((c) => c.outcome === 'missed'), 5_000);
    expect(calls.map((c) => c.outcome)).toEqual(['not-due', 'missed']);
    expect(calls[0].at).toBeLessThan(realDue);
    expect(calls[1].at).toBeGreaterThanOrEqual(realDue);
    expect(calls[1].at - realDue).toBeLessThan(300);
    const job = await env.queue.getJob(deadlineJobId('petition-e', 'acceptance-1', due));
    // Completed and removed (removeOnComplete).
    expect(job).toBeUndefined();
  });

  it('other errors are retried with exponential backoff, a bounded number of times; concurrency is configurable', async () => {
    scheduler = new DeadlineScheduler({
      store: env.store,
      redis: env.client,
      clock: env.clock,
      timerAttempts: 3,
      timerBackoffMs: 100,
      logger: quietLogger,
    });
    scheduler.start();
    const attempts = new Map<string, number[]>();
    let inFlight = 0;
    let maxInFlight = 0;
    const fire = async (job: DeadlineJobData) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const list = attempts.get(job.streamId) ?? [];
        list.push(Date.now());
        attempts.set(job.streamId, list);
        await sleep(50);
        if (job.streamId === 'petition-flaky' && list.length < 3) throw new Error('command bus unavailable');
        if (job.streamId === 'petition-broken') throw new Error('always broken');
      } finally {
        inFlight--;
      }
    };
    const errors: string[] = [];
    worker = new DeadlineTimerWorker({ connection: connection(), fire, concurrency: 4, logger: { ...quietLogger, error: (m) => errors.push(m) } });

    const due = dueIn(env.clock, 200);
    await append(env.store, 'petition-flaky', opened('acceptance-1', due));
    await append(env.store, 'petition-broken', opened('acceptance-1', due));
    for (let i = 0; i < 6; i++) await append(env.store, `petition-ok${i}`, opened('acceptance-1', due));

    await waitFor('all attempts made', async () => (await env.queue.getFailedCount()) === 1 && attempts.get('petition-flaky')?.length === 3, 5_000);
    const flaky = attempts.get('petition-flaky')!;
    // backoff 100 ms, then 200 ms (exponential); fire itself takes 50 ms.
    expect(flaky[1] - flaky[0]).toBeGreaterThanOrEqual(140);
    expect(flaky[2] - flaky[1]).toBeGreaterThanOrEqual(240);
    expect(attempts.get('petition-broken')).toHaveLength(3);
    for (let i = 0; i < 6; i++) expect(attempts.get(`petition-ok${i}`)).toHaveLength(1);
    expect(maxInFlight).toBe(4);
    const failed = await env.queue.getFailed();
    expect(failed.map((j) => j.id)).toEqual([deadlineJobId('petition-broken', 'acceptance-1', due)]);
    expect(failed[0].attemptsMade).toBe(3);
    expect(await countPending(env.queue)).toBe(0);
    expect(errors).toEqual([expect.stringContaining('failed for good after 3 attempts: always broken')]);
  });

  it('DEADLINE_NOT_DUE without a clock: retried after a short, doubling delay, using up no attempt', async () => {
    // One attempt only: a postponement must not count as one.
    scheduler = new DeadlineScheduler({ store: env.store, redis: env.client, clock: env.clock, timerAttempts: 1, logger: quietLogger });
    scheduler.start();
    const seen: number[] = [];
    const fire = async () => {
      seen.push(Date.now());
      if (seen.length < 3) throw Object.assign(new Error('not yet'), { code: DEADLINE_NOT_DUE });
    };
    worker = new DeadlineTimerWorker({ connection: connection(), fire, notDueRetryMs: 100, logger: quietLogger });
    await append(env.store, 'petition-n', opened('acceptance-1', dueIn(env.clock, 0)));
    await waitFor('three calls', () => seen.length === 3, 5_000);
    expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(90);
    expect(seen[2] - seen[1]).toBeGreaterThanOrEqual(190);
    await sleep(200);
    expect(seen).toHaveLength(3);
    expect(await env.queue.getFailedCount()).toBe(0);
  });
});
