import { DeadlineScheduler, DeadlineTimerWorker, countPending, DEADLINE_JOB_NAME, deadlineJobId, type DeadlineJobData } from '@hearth/scheduling';
import { append, delayedTimers, domainFire, dueIn, Env, met, opened, quietLogger, setup, waitFor } from './support';

/**
 * Issue 11.9: after Redis was killed under load, timers stayed for deadlines the log shows as met. Jobs can outlive the
 * scheduler's checkpoint (a batch's addBulk that ioredis queued while Redis was down lands on the restarted, empty
 * Redis; an operator deletes Hearth's keys but not BullMQ's), and the rebuild used to add the pending timers without
 * removing the others. Now the rebuild leaves exactly the timers the log asks for.
 */
describe('DeadlineScheduler: no stale timer survives a rebuild', () => {
  let env: Env;
  const schedulers: DeadlineScheduler[] = [];
  let worker: DeadlineTimerWorker | undefined;

  const scheduler = (holder: string): DeadlineScheduler => {
    const s = new DeadlineScheduler({
      store: env.store,
      redis: env.client,
      clock: env.clock,
      holder,
      leaseRetryMs: 100,
      leaseTtlMs: 1_000,
      watchIntervalMs: 200,
      retryDelayMs: 100,
      bulkChunkSize: 2,
      logger: quietLogger,
    });
    schedulers.push(s);
    s.start();
    return s;
  };

  beforeEach(async () => {
    env = await setup();
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await env.close();
  });

  /** 9 deadlines due in a minute (real time); returns the streams and the timer ids. */
  async function openNine(s: DeadlineScheduler): Promise<{ streams: string[]; ids: Map<string, string> }> {
    const streams: string[] = [];
    const ids = new Map<string, string>();
    let last = -1;
    for (let i = 0; i < 9; i++) {
      const stream = `petition-stale${i}`;
      const due = dueIn(env.clock, 60_000 + i * 100);
      last = await append(env.store, stream, opened('acceptance-1', due));
      streams.push(stream);
      ids.set(stream, deadlineJobId(stream, 'acceptance-1', due));
    }
    await s.waitForPosition(last);
    expect(new Set((await delayedTimers(env.queue)).keys())).toEqual(new Set(ids.values()));
    return { streams, ids };
  }

  /** Met in the log while no scheduler runs: 6 of the 9. Returns the ids of the 3 still pending. */
  async function meetSix(streams: string[], ids: Map<string, string>): Promise<Set<string>> {
    for (const stream of streams.slice(0, 6)) await append(env.store, stream, met('acceptance-1'));
    return new Set(streams.slice(6).map((s) => ids.get(s)!));
  }

  it('Redis lost the checkpoint and index but kept the jobs: the rebuild removes the 6 met deadlines’ timers', async () => {
    const first = scheduler('first');
    const { streams, ids } = await openNine(first);
    await first.stop();
    const pending = await meetSix(streams, ids);
    await env.admin.del('hearth:ckpt:deadlines', 'hearth:deadlines:timers');

    const second = scheduler('second');
    await waitFor('the rebuild', () => second.stats.rebuilds === 1, 10_000);
    expect(new Set((await delayedTimers(env.queue)).keys())).toEqual(pending);
    expect(second.stats.jobsRemoved).toBe(6);
    expect(await env.admin.get('hearth:ckpt:deadlines')).toBe(String(await env.store.headPosition()));
  });

  it('kill -9 of Redis under way, the last batch’s jobs replayed onto the empty restart, deadlines met meanwhile, scheduler restarted: none stays', async () => {
    const first = scheduler('first');
    const { streams, ids } = await openNine(first);
    // What the scheduler's last addBulk carried (name, data, delay), as ioredis would resend it after reconnecting.
    const inFlight = (await env.queue.getDelayed(0, -1)).map((j) => ({ name: j.name, data: j.data as DeadlineJobData, opts: { jobId: j.id!, delay: j.delay, removeOnComplete: true } }));
    await env.redis.kill();
    await first.stop();
    const pending = await meetSix(streams, ids);
    await env.redis.restart();
    await waitFor('the admin client back', async () => (await env.admin.ping().catch(() => '')) === 'PONG', 10_000);
    await env.queue.addBulk(inFlight);
    expect(await countPending(env.queue)).toBe(9);

    const second = scheduler('second');
    await waitFor('the rebuild', () => second.stats.rebuilds === 1, 10_000);
    await second.waitForPosition(await env.store.headPosition());
    expect(new Set((await delayedTimers(env.queue)).keys())).toEqual(pending);
    expect(await countPending(env.queue)).toBe(3);
  });

  it('a stale timer that lands after the rebuild (another process’s late add) decides nothing when it fires and is removed', async () => {
    const s = scheduler('only');
    const stream = 'petition-late-add';
    const position = await append(env.store, stream, opened('acceptance-1', dueIn(env.clock, 60_000)), met('acceptance-1'));
    await s.waitForPosition(position);
    expect(await countPending(env.queue)).toBe(0);

    const { fire, calls } = domainFire(env.store, env.clock);
    worker = new DeadlineTimerWorker({ connection: { host: '127.0.0.1', port: env.redis.port }, fire, clock: env.clock, logger: quietLogger });
    const due = dueIn(env.clock, 200);
    const stale: DeadlineJobData = { streamId: stream, deadlineId: 'acceptance-1', dueAt: due };
    await env.queue.add(DEADLINE_JOB_NAME, stale, { jobId: deadlineJobId(stream, 'acceptance-1', due), delay: 200, removeOnComplete: true });
    await waitFor('the stale timer fired', () => calls.length > 0, 10_000);
    expect(calls.map((c) => c.outcome)).toEqual(['closed']);
    await waitFor('the fired timer removed', async () => (await countPending(env.queue)) === 0 && (await env.queue.getActiveCount()) === 0, 10_000);
    expect(await env.store.headPosition()).toBe(position);
  });
});
