import { ControlledClock } from '@hearth/platform/clock/controlled-clock';
import { DeadlineScheduler, DeadlineTimerWorker, DEADLINE_NOT_DUE, countPending, deadlineJobId, type DeadlineJobData } from '@hearth/scheduling';
import { append, CLOCK_START, domainFire, Env, opened, quietLogger, setup, waitFor } from './support';

const MINUTE = 60_000;
/** Generous: these bound waits for conditions, never how long anything should take. */
const PATIENCE = 60_000;

/**
 * The timer worker on controlled clocks: domain time moves only when the test says so, so what fires when does not
 * depend on the machine's speed.
 */
describe('DeadlineTimerWorker', () => {
  let env: Env;
  let clock: ControlledClock;
  let scheduler: DeadlineScheduler | undefined;
  let worker: DeadlineTimerWorker | undefined;

  beforeEach(async () => {
    clock = new ControlledClock(CLOCK_START);
    env = await setup({ clock });
  });
  afterEach(async () => {
    await worker?.close();
    await scheduler?.stop();
    worker = scheduler = undefined;
    await env.close();
  });

  const connection = () => ({ host: '127.0.0.1', port: env.redis.port });

  it('a timer that fires early by domain time (DEADLINE_NOT_DUE) waits, parked, until the clock reaches its due time, then succeeds', async () => {
    // The scheduler's clock is an hour ahead of the domain clock: by its time the timer is due at once.
    const ahead = new ControlledClock(Date.parse(CLOCK_START) + 60 * MINUTE);
    scheduler = new DeadlineScheduler({ store: env.store, redis: env.client, clock: ahead, logger: quietLogger });
    scheduler.start();
    const { fire, calls } = domainFire(env.store, env.clock);
    worker = new DeadlineTimerWorker({ connection: connection(), fire, clock, logger: quietLogger });

    const due = new Date(Date.parse(CLOCK_START) + 30 * MINUTE).toISOString();
    const jobId = deadlineJobId('petition-e', 'acceptance-1', due);
    await append(env.store, 'petition-e', opened('acceptance-1', due));

    // Fired early, refused by the domain clock, and parked: delayed, without using up an attempt.
    await waitFor('the early call', () => calls.length === 1, PATIENCE);
    await waitFor('the timer parked', async () => (await env.queue.getJob(jobId))?.isDelayed() ?? false, PATIENCE);
    expect(calls.map((c) => c.outcome)).toEqual(['not-due']);
    expect((await env.queue.getJob(jobId))!.attemptsMade).toBe(0);

    // A minute short of the due time: still parked (the promoter only releases timers that are due).
    clock.set(Date.parse(due) - MINUTE);
    await worker.promoteDue();
    expect(await (await env.queue.getJob(jobId))!.isDelayed()).toBe(true);
    expect(calls.map((c) => c.outcome)).toEqual(['not-due']);

    clock.set(due);
    await waitFor('missed recorded', () => calls.some((c) => c.outcome === 'missed'), PATIENCE);
    expect(calls.map((c) => c.outcome)).toEqual(['not-due', 'missed']);
    const events = await env.store.readStream('petition-e');
    expect(events.map((e) => e.type)).toEqual(['DeadlineOpened', 'DeadlineMissed']);
    expect((events[1].data as { missedAt: string }).missedAt).toBe(due);
    // Completed and removed (removeOnComplete).
    await waitFor('the timer removed', async () => (await env.queue.getJob(jobId)) === undefined, PATIENCE);
  });

  it('a timer not yet due is not fired until the clock is advanced to it', async () => {
    scheduler = new DeadlineScheduler({ store: env.store, redis: env.client, clock, logger: quietLogger });
    scheduler.start();
    const { fire, calls } = domainFire(env.store, env.clock);
    worker = new DeadlineTimerWorker({ connection: connection(), fire, clock, logger: quietLogger });

    const due = new Date(Date.parse(CLOCK_START) + 15 * 86_400_000).toISOString();
    const jobId = deadlineJobId('petition-f', 'acceptance-1', due);
    await append(env.store, 'petition-f', opened('acceptance-1', due));
    await waitFor('the timer scheduled, parked', async () => (await env.queue.getJob(jobId))?.isDelayed() ?? false, PATIENCE);
    clock.advance(14 * 86_400_000);
    await worker.promoteDue();
    expect(await (await env.queue.getJob(jobId))!.isDelayed()).toBe(true);
    expect(calls).toEqual([]);

    clock.advance(86_400_000);
    await waitFor('missed recorded', () => calls.some((c) => c.outcome === 'missed'), PATIENCE);
    expect(calls.map((c) => c.outcome)).toEqual(['missed']);
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
    // The first calls wait until four run at once: proves concurrency 4 is reached whatever the machine's speed
    // (with less, the gate would never open and the test would time out).
    let gateOpen = false;
    const fire = async (job: DeadlineJobData) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (inFlight >= 4) gateOpen = true;
      try {
        const list = attempts.get(job.streamId) ?? [];
        list.push(Date.now());
        attempts.set(job.streamId, list);
        await waitFor('four timers in flight', () => gateOpen, PATIENCE, 5);
        if (job.streamId === 'petition-flaky' && list.length < 3) throw new Error('command bus unavailable');
        if (job.streamId === 'petition-broken') throw new Error('always broken');
      } finally {
        inFlight--;
      }
    };
    const errors: string[] = [];
    worker = new DeadlineTimerWorker({ connection: connection(), fire, concurrency: 4, logger: { ...quietLogger, error: (m) => errors.push(m) } });

    // Due now: every timer is released at once.
    const due = clock.now().toISOString();
    await append(env.store, 'petition-flaky', opened('acceptance-1', due));
    await append(env.store, 'petition-broken', opened('acceptance-1', due));
    for (let i = 0; i < 6; i++) await append(env.store, `petition-ok${i}`, opened('acceptance-1', due));

    await waitFor('all attempts made', async () => (await env.queue.getFailedCount()) === 1 && attempts.get('petition-flaky')?.length === 3, PATIENCE);
    const flaky = attempts.get('petition-flaky')!;
    // Backoff 100 ms, then 200 ms (exponential): lower bounds only, which a slow machine can only exceed.
    expect(flaky[1] - flaky[0]).toBeGreaterThanOrEqual(90);
    expect(flaky[2] - flaky[1]).toBeGreaterThanOrEqual(190);
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
    const due = clock.now().toISOString();
    await append(env.store, 'petition-n', opened('acceptance-1', due));
    await waitFor('three calls', () => seen.length === 3, PATIENCE);
    // Lower bounds only: 100 ms, then 200 ms.
    expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(90);
    expect(seen[2] - seen[1]).toBeGreaterThanOrEqual(190);
    // The third call succeeded: the timer is gone (completed, removed), so there is no fourth; nothing failed.
    await waitFor('the timer completed', async () => (await env.queue.getJob(deadlineJobId('petition-n', 'acceptance-1', due))) === undefined, PATIENCE);
    expect(seen).toHaveLength(3);
    expect(await env.queue.getFailedCount()).toBe(0);
  });
});
