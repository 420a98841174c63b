import { DeadlineScheduler, DeadlineTimerWorker, countPending, deadlineJobId } from '@hearth/scheduling';
import { append, cancelled, delayedTimers, domainFire, dueIn, Env, met, moved, opened, quietLogger, realTimeOf, setup, sleep, waitFor } from './support';

/**
 * The one rule: everything in Redis is derived from the log. Lose Redis (FLUSHALL, or a kill -9 and an empty
 * restart) and the scheduler rebuilds exactly the pending timers, with delays recomputed from the clock.
 */
describe('DeadlineScheduler recovery when Redis loses everything', () => {
  let env: Env;
  let scheduler: DeadlineScheduler;
  let worker: DeadlineTimerWorker;
  let fired: ReturnType<typeof domainFire>;

  beforeEach(async () => {
    env = await setup();
    scheduler = new DeadlineScheduler({
      store: env.store,
      redis: env.client,
      clock: env.clock,
      watchIntervalMs: 200,
      retryDelayMs: 100,
      leaseRetryMs: 100,
      // Small pages and chunks: an Opened and its Met land in different pages of the rebuild, timers in several addBulk calls.
      rebuildPageSize: 7,
      bulkChunkSize: 4,
      logger: quietLogger,
    });
    fired = domainFire(env.store, env.clock);
    worker = new DeadlineTimerWorker({
      connection: { host: '127.0.0.1', port: env.redis.port, retryStrategy: () => 100 },
      fire: fired.fire,
      clock: env.clock,
      logger: quietLogger,
    });
    scheduler.start();
  });
  afterEach(async () => {
    await worker.close();
    await scheduler.stop();
    await env.close();
  });

  /**
   * 3 deadlines due almost at once (they fire, DeadlineMissed is recorded, before Redis is lost);
   * 12 later ones of which 3 are met, 2 cancelled and 3 moved (later). Returns the pending job ids.
   */
  async function scenario(laterMs: number): Promise<{ pending: Set<string>; early: string[] }> {
    const early: string[] = [];
    for (let i = 0; i < 3; i++) {
      const due = dueIn(env.clock, 150);
      await append(env.store, `petition-early${i}`, opened('acceptance-1', due));
      early.push(`petition-early${i}`);
    }
    const pending = new Set<string>();
    let last = -1;
    for (let i = 0; i < 12; i++) {
      const stream = `petition-late${i}`;
      const due = dueIn(env.clock, laterMs + i * 40);
      last = await append(env.store, stream, opened('handling-1', due));
      if (i < 3) last = await append(env.store, stream, met('handling-1'));
      else if (i < 5) last = await append(env.store, stream, cancelled('handling-1'));
      else if (i < 8) {
        const to = dueIn(env.clock, laterMs + 400 + i * 40);
        last = await append(env.store, stream, moved('handling-1', to));
        pending.add(deadlineJobId(stream, 'handling-1', to));
      } else pending.add(deadlineJobId(stream, 'handling-1', due));
    }
    await scheduler.waitForPosition(last);
    await waitFor('early deadlines missed', () => fired.calls.filter((c) => c.outcome === 'missed').length === 3, 5_000);
    await scheduler.waitForPosition(await env.store.headPosition());
    return { pending, early };
  }

  async function expectAllFireOnce(pending: Set<string>, early: string[]): Promise<void> {
    await waitFor('every pending deadline fired', () => fired.calls.filter((c) => c.outcome === 'missed').length === 3 + pending.size, 10_000);
    await sleep(300);
    const missed = fired.calls.filter((c) => c.outcome === 'missed');
    expect(missed).toHaveLength(3 + pending.size);
    expect(new Set(missed.map((c) => c.streamId)).size).toBe(missed.length); // once each
    expect(missed.filter((c) => early.includes(c.streamId))).toHaveLength(3); // the early ones not again
    expect(new Set(missed.filter((c) => !early.includes(c.streamId)).map((c) => deadlineJobId(c.streamId, c.deadlineId, c.dueAt)))).toEqual(pending);
    // Fired at (not before) the due time, and not much after.
    for (const c of missed) {
      const realDue = realTimeOf(env.clock, c.dueAt);
      expect(c.at).toBeGreaterThanOrEqual(realDue - 2);
      expect(c.at - realDue).toBeLessThan(1_000);
    }
    const dueNow = await env.store.headPosition();
    await scheduler.waitForPosition(dueNow);
    expect(await countPending(env.queue)).toBe(0);
  }

  it('FLUSHALL mid-work: the scheduler notices, restores exactly the pending set with correct delays, and they fire once', async () => {
    const { pending, early } = await scenario(2_500);
    const before = await delayedTimers(env.queue);
    expect(new Set(before.keys())).toEqual(pending);
    const rebuilds = scheduler.stats.rebuilds;

    await env.admin.flushall();
    expect(await countPending(env.queue)).toBe(0);
    await waitFor('scheduler rebuilt', () => scheduler.stats.rebuilds === rebuilds + 1, 5_000);

    const after = await delayedTimers(env.queue);
    expect(new Set(after.keys())).toEqual(pending);
    for (const [id, at] of after) expect(Math.abs(at - before.get(id)!)).toBeLessThan(50);
    expect(await env.admin.get('hearth:ckpt:deadlines')).toBe(String(await env.store.headPosition()));

    await expectAllFireOnce(pending, early);
  });

  it('kill -9 of redis and an empty restart: scheduler and worker recover, pending timers rebuilt and fired', async () => {
    const { pending, early } = await scenario(3_000);
    const before = await delayedTimers(env.queue);
    expect(new Set(before.keys())).toEqual(pending);
    const rebuilds = scheduler.stats.rebuilds;

    await env.redis.restart();
    await waitFor('scheduler rebuilt', () => scheduler.stats.rebuilds === rebuilds + 1, 8_000);
    const after = await delayedTimers(env.queue);
    expect(new Set(after.keys())).toEqual(pending);
    for (const [id, at] of after) expect(Math.abs(at - before.get(id)!)).toBeLessThan(50);

    // New work after the restart is scheduled and fired as well.
    const lateDue = dueIn(env.clock, 1_500);
    const p = await append(env.store, 'petition-after', opened('acceptance-1', lateDue));
    await scheduler.waitForPosition(p);
    pending.add(deadlineJobId('petition-after', 'acceptance-1', lateDue));

    await expectAllFireOnce(pending, early);
  });
});
