import { DeadlineScheduler, DeadlineTimerWorker, countPending, deadlineJobId, indexValueOf, pendingDeadlines } from '@hearth/scheduling';
import {
  append,
  cancelled,
  delayedTimers,
  domainFire,
  dueIn,
  Env,
  met,
  moved,
  opened,
  other,
  quietLogger,
  setup,
  sleep,
  waitFor,
} from './support';

describe('DeadlineScheduler (SQLite log → BullMQ delayed jobs)', () => {
  let env: Env;
  const schedulers: DeadlineScheduler[] = [];
  const workers: DeadlineTimerWorker[] = [];

  const scheduler = (holder = 'test-a') => {
    const s = new DeadlineScheduler({
      store: env.store,
      redis: env.client,
      clock: env.clock,
      holder,
      leaseRetryMs: 100,
      watchIntervalMs: 200,
      retryDelayMs: 100,
      logger: quietLogger,
    });
    schedulers.push(s);
    return s;
  };

  beforeEach(async () => {
    env = await setup();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await env.close();
  });

  it('adds a delayed job per opened deadline with a deterministic id and the real delay; a met deadline has none', async () => {
    const s = scheduler();
    s.start();
    const dueA = dueIn(env.clock, 5_000);
    const dueB = dueIn(env.clock, 8_000);
    const dueC = dueIn(env.clock, 9_000);
    await append(env.store, 'petition-a', other(), opened('acceptance-1', dueA));
    await append(env.store, 'petition-b', opened('notice-1', dueB), opened('handling-1', dueC));
    const last = await append(env.store, 'petition-b', met('notice-1'), other('AnswerDrafted'));
    await s.waitForPosition(last);

    const timers = await delayedTimers(env.queue);
    expect([...timers.keys()].sort()).toEqual(
      [deadlineJobId('petition-a', 'acceptance-1', dueA), deadlineJobId('petition-b', 'handling-1', dueC)].sort(),
    );
    expect(deadlineJobId('petition-a', 'acceptance-1', dueA)).toBe(`petition-a.acceptance-1.${Date.parse(dueA)}`);
    // Fire time ≈ now + 5 s / 9 s real (one domain day per real second).
    const realDueA = Date.now() + env.clock.realDelayUntil(dueA);
    expect(Math.abs(timers.get(deadlineJobId('petition-a', 'acceptance-1', dueA))! - realDueA)).toBeLessThan(100);
    const job = await env.queue.getJob(deadlineJobId('petition-a', 'acceptance-1', dueA));
    expect(job!.data).toEqual({ streamId: 'petition-a', deadlineId: 'acceptance-1', dueAt: dueA });
    expect(job!.delay).toBeGreaterThan(4_500);
    expect(job!.delay).toBeLessThanOrEqual(5_000);
    expect(await countPending(env.queue)).toBe(2);
    expect((await pendingDeadlines(env.queue)).delayed).toBe(2);
    expect(await env.admin.get('hearth:ckpt:deadlines')).toBe(String(last));
  });

  it('a moved deadline fires at the new time, not the old; a cancelled one never fires; each fires exactly once', async () => {
    const s = scheduler();
    s.start();
    const { fire, calls } = domainFire(env.store, env.clock);
    workers.push(new DeadlineTimerWorker({ connection: { host: '127.0.0.1', port: env.redis.port }, fire, clock: env.clock, logger: quietLogger }));

    const oldDue = dueIn(env.clock, 600);
    const newDue = dueIn(env.clock, 1_800);
    const plainDue = dueIn(env.clock, 900);
    await append(env.store, 'petition-m', opened('handling-1', oldDue));
    await append(env.store, 'petition-c', opened('acceptance-1', dueIn(env.clock, 700)));
    await append(env.store, 'petition-p', opened('acceptance-1', plainDue));
    const p = await append(env.store, 'petition-m', moved('handling-1', newDue));
    const q = await append(env.store, 'petition-c', cancelled('acceptance-1'));
    await s.waitForPosition(Math.max(p, q));

    expect(await env.queue.getJob(deadlineJobId('petition-m', 'handling-1', oldDue))).toBeUndefined();
    expect(await env.queue.getJob(deadlineJobId('petition-m', 'handling-1', newDue))).toBeDefined();

    await waitFor('both pending deadlines fired', () => calls.filter((c) => c.outcome === 'missed').length === 2, 5_000);
    await sleep(300);
    const missed = calls.filter((c) => c.outcome === 'missed');
    expect(missed.map((c) => c.streamId).sort()).toEqual(['petition-m', 'petition-p']);
    expect(calls.filter((c) => c.streamId === 'petition-c')).toEqual([]);
    const m = missed.find((c) => c.streamId === 'petition-m')!;
    expect(m.dueAt).toBe(newDue);
    expect(calls.every((c) => c.dueAt !== oldDue)).toBe(true);
    expect(env.clock.now().getTime()).toBeGreaterThanOrEqual(Date.parse(newDue));
    // The worker's DeadlineMissed reached the scheduler too: no timer left, index emptied.
    const end = await env.store.headPosition();
    await s.waitForPosition(end);
    expect(await countPending(env.queue)).toBe(0);
    expect(await env.admin.hlen('hearth:deadlines:timers')).toBe(0);
  });

  it('replaying a batch after a crash before its checkpoint was saved changes nothing', async () => {
    const s1 = scheduler();
    s1.start();
    const p1 = await append(env.store, 'petition-r', opened('acceptance-1', dueIn(env.clock, 20_000)), opened('notice-1', dueIn(env.clock, 21_000)));
    await s1.waitForPosition(p1);
    const ckpt = await env.admin.get('hearth:ckpt:deadlines');
    const index = await env.admin.hgetall('hearth:deadlines:timers');

    const moveTo = dueIn(env.clock, 25_000);
    await append(env.store, 'petition-r', moved('acceptance-1', moveTo), met('notice-1'));
    const p2 = await append(env.store, 'petition-s', opened('acceptance-1', dueIn(env.clock, 22_000)), opened('notice-1', dueIn(env.clock, 23_000)), cancelled('notice-1'));
    await s1.waitForPosition(p2);
    await s1.stop();
    const before = await delayedTimers(env.queue);
    expect(before.size).toBe(2);
    expect(before.has(deadlineJobId('petition-r', 'acceptance-1', moveTo))).toBe(true);

    // The jobs of the second part were added/removed but (as if the process died) checkpoint and index were not saved.
    await env.admin.multi().set('hearth:ckpt:deadlines', ckpt!).del('hearth:deadlines:timers').hset('hearth:deadlines:timers', index).exec();
    const s2 = scheduler('test-b');
    s2.start();
    await s2.waitForPosition(p2);
    expect(s2.stats.rebuilds).toBe(0);
    expect(s2.stats.batches).toBeGreaterThan(0);
    expect(await delayedTimers(env.queue)).toEqual(before);
    expect(await env.admin.hgetall('hearth:deadlines:timers')).toEqual({
      'petition-r.acceptance-1': indexValueOf('petition-r.acceptance-1', deadlineJobId('petition-r', 'acceptance-1', moveTo)),
      'petition-s.acceptance-1': indexValueOf('petition-s.acceptance-1', [...before.keys()].find((k) => k.startsWith('petition-s.'))!),
    });
  });

  it('a second scheduler does not schedule while the first holds the lease, and takes over from its checkpoint', async () => {
    const a = scheduler('holder-a');
    a.start();
    await waitFor('a leads', () => a.isLeader);
    const b = scheduler('holder-b');
    b.start();
    const p1 = await append(env.store, 'petition-1', opened('acceptance-1', dueIn(env.clock, 30_000)));
    const p2 = await append(env.store, 'petition-2', opened('acceptance-1', dueIn(env.clock, 31_000)));
    await a.waitForPosition(Math.max(p1, p2));
    await sleep(400);
    expect(b.isLeader).toBe(false);
    expect(b.stats).toMatchObject({ batches: 0, rebuilds: 0, jobsAdded: 0 });
    expect(a.stats.jobsAdded).toBe(2);
    expect(await env.admin.get('hearth:lease:deadlines')).toBe('holder-a');

    await a.stop();
    await waitFor('b takes over', () => b.isLeader, 5_000);
    const p3 = await append(env.store, 'petition-3', opened('acceptance-1', dueIn(env.clock, 32_000)));
    await b.waitForPosition(p3);
    expect(b.stats.rebuilds).toBe(0);
    expect(b.stats.jobsAdded).toBe(1);
    expect(await countPending(env.queue)).toBe(3);
  });
});
