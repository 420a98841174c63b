import { AcceleratedClock, type Clock } from '@hearth/platform/clock/clock';
import type { EventStore } from '@hearth/event-store/event-store.port';
import { defaultCalendar, defaultRuleBook, OrgDirectory, SYSTEM_ACTOR } from '@hearth/domain';
import { decideLadderStep } from '@hearth/domain/deadlines/deadline.decisions';
import { evolveDeadlines, type Deadlines } from '@hearth/domain/deadlines/deadline.state';
import { isDeadlineEvent, type DeadlineEvent, type DeadlineOpenedData, type LadderEntry } from '@hearth/domain/deadlines/deadline.events';
import { DeadlineScheduler, DeadlineTimerWorker, countPending, deadlineJobId, indexValueOf, type DeadlineJobData } from '@hearth/scheduling';
import { append, delayedTimers, dueIn, Env, ev, met, quietLogger, realTimeOf, setup, sleep, waitFor } from './support';

const org = new OrgDirectory([
  { id: 'city', name: 'city', level: 1 },
  { id: 'd1', name: 'district', level: 2, parentId: 'city' },
  { id: 's1', name: 'street', level: 3, parentId: 'd1' },
  { id: 'g1', name: 'grassroots', level: 4, parentId: 's1' },
]);

/** A deadline owned by the grassroots union whose ladder rungs lie `offsets` real ms from now (the due time is `missed`). */
function ladderOpened(clock: Clock, deadlineId: string, offsets: { approaching: number; dueSoon: number; due: number; l2: number; l3: number }) {
  const at = (ms: number) => dueIn(clock, ms);
  const dueAt = at(offsets.due);
  const ladder: LadderEntry[] = [
    { step: 'approaching', at: at(offsets.approaching) },
    { step: 'dueSoon', at: at(offsets.dueSoon) },
    { step: 'missed', level: 1, at: dueAt },
    { step: 'escalated', level: 2, at: at(offsets.l2) },
    { step: 'escalated', level: 3, at: at(offsets.l3) },
  ];
  const data: DeadlineOpenedData = {
    deadlineId,
    kind: 'acceptance',
    duty: 'decide acceptance',
    ownerOrgUnit: 'g1',
    startDate: dueAt.slice(0, 10),
    days: 15,
    unit: 'calendar',
    dueDate: dueAt.slice(0, 10),
    dueAt,
    onExpiry: 'miss',
    legalBasis: '信访工作条例 art. 23',
    calendarVersion: 'cn-2025',
    calendarCovered: true,
    ladder,
  };
  return { event: ev('DeadlineOpened', data), ladder, dueAt };
}

/**
 * The timer → command path with the real shared deadline decision (no mocks): fold the stream's deadline events,
 * decide the rung, append. Not due by the domain clock → the decision throws DEADLINE_NOT_DUE, as the real command does.
 */
function ladderFire(store: EventStore, clock: Clock) {
  const calls: Array<DeadlineJobData & { realAt: number; decided: string[] }> = [];
  const fire = async (job: DeadlineJobData): Promise<void> => {
    const events = await store.readStream(job.streamId);
    let deadlines: Deadlines = {};
    for (const e of events) if (isDeadlineEvent(e as never)) deadlines = evolveDeadlines(deadlines, e as unknown as DeadlineEvent);
    const ctx = { actor: SYSTEM_ACTOR, now: clock.now().toISOString(), calendar: defaultCalendar(), rules: defaultRuleBook(), org, jurisdiction: 'national' };
    const decided = decideLadderStep(deadlines, { deadlineId: job.deadlineId, step: job.step, level: job.level, at: job.at }, ctx);
    calls.push({ ...job, realAt: Date.now(), decided: decided.map((e) => e.type) });
    if (decided.length) await store.append(job.streamId, decided.map((e) => ev(e.type, e.data)), events.length - 1);
  };
  return { fire, calls };
}

describe('DeadlineScheduler: the ladder, one rung at a time', () => {
  let env: Env;
  const schedulers: DeadlineScheduler[] = [];
  let worker: DeadlineTimerWorker | undefined;

  const scheduler = (clock: Clock = env.clock) => {
    const s = new DeadlineScheduler({ store: env.store, redis: env.client, clock, leaseRetryMs: 100, watchIntervalMs: 200, retryDelayMs: 100, logger: quietLogger });
    schedulers.push(s);
    s.start();
    return s;
  };
  const types = async (streamId: string) => (await env.store.readStream(streamId)).map((e) => e.type);

  beforeEach(async () => {
    env = await setup();
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await env.close();
  });

  it('arms only the first rung; each step event hands over to the next; every rung fires once, at (not before) its time, up to the city', async () => {
    // The scheduler's clock runs 150 real ms ahead: its timers fire early and must be postponed to each rung's instant.
    const ahead = new AcceleratedClock(env.clock.speed, env.clock.now().getTime(), Date.now() - 150);
    const s = scheduler(ahead);
    const { fire, calls } = ladderFire(env.store, env.clock);
    worker = new DeadlineTimerWorker({ connection: { host: '127.0.0.1', port: env.redis.port }, fire, clock: env.clock, logger: quietLogger });

    const { event, ladder } = ladderOpened(env.clock, 'acceptance-1', { approaching: 600, dueSoon: 1_000, due: 1_400, l2: 1_800, l3: 2_200 });
    const p = await append(env.store, 'petition-l', event);
    await s.waitForPosition(p);
    // One timer, for the first rung, with a rung-specific deterministic id and the rung on the job.
    const first = deadlineJobId('petition-l', 'acceptance-1', ladder[0].at, 'approaching');
    expect([...(await delayedTimers(env.queue)).keys()]).toEqual([first]);
    expect(first).toBe(`petition-l.acceptance-1.approaching.${Date.parse(ladder[0].at)}`);
    expect((await env.queue.getJob(first))!.data).toEqual({ streamId: 'petition-l', deadlineId: 'acceptance-1', dueAt: ladder[2].at, step: 'approaching', at: ladder[0].at });

    const pendingSeen: number[] = [];
    await waitFor(
      'the whole ladder',
      async () => {
        pendingSeen.push(await countPending(env.queue));
        return (await types('petition-l')).length === 6;
      },
      8_000,
    );
    expect(await types('petition-l')).toEqual(['DeadlineOpened', 'DeadlineApproaching', 'DeadlineDueSoon', 'DeadlineMissed', 'DeadlineEscalated', 'DeadlineEscalated']);
    const recorded = (await env.store.readStream('petition-l')).slice(1).map((e) => e.data as { escalateTo?: string; level?: number });
    expect(recorded.slice(2).map((d) => [d.level, d.escalateTo])).toEqual([
      [1, 's1'],
      [2, 'd1'],
      [3, 'city'],
    ]);
    // Never more than one live timer for the deadline.
    expect(Math.max(...pendingSeen)).toBeLessThanOrEqual(1);
    const decisive = calls.filter((c) => c.decided.length);
    expect(decisive.map((c) => `${c.step}${c.level ?? ''}`)).toEqual(['approaching', 'dueSoon', 'missed1', 'escalated2', 'escalated3']);
    decisive.forEach((c, i) => {
      const realDue = realTimeOf(env.clock, ladder[i].at);
      expect(c.realAt).toBeGreaterThanOrEqual(realDue - 2);
      expect(c.realAt - realDue).toBeLessThan(400);
    });
    // The last rung names no next one: nothing left, index emptied.
    await s.waitForPosition(await env.store.headPosition());
    expect(await countPending(env.queue)).toBe(0);
    expect(await env.admin.hlen('hearth:deadlines:timers')).toBe(0);
  });

  it('fulfilling the duty mid-ladder removes the pending rung: nothing more fires', async () => {
    const s = scheduler();
    const { fire, calls } = ladderFire(env.store, env.clock);
    worker = new DeadlineTimerWorker({ connection: { host: '127.0.0.1', port: env.redis.port }, fire, clock: env.clock, logger: quietLogger });
    const { event, ladder } = ladderOpened(env.clock, 'handling-1', { approaching: 300, dueSoon: 900, due: 1_200, l2: 1_500, l3: 1_800 });
    await append(env.store, 'petition-m', event);
    await waitFor('approaching recorded', async () => (await types('petition-m')).includes('DeadlineApproaching'), 5_000);
    const p1 = await env.store.headPosition();
    await s.waitForPosition(p1);
    expect([...(await delayedTimers(env.queue)).keys()]).toEqual([deadlineJobId('petition-m', 'handling-1', ladder[1].at, 'dueSoon')]);
    const p = await append(env.store, 'petition-m', met('handling-1'));
    await s.waitForPosition(p);
    expect(await countPending(env.queue)).toBe(0);
    await sleep(1_000);
    expect(await types('petition-m')).toEqual(['DeadlineOpened', 'DeadlineApproaching', 'DeadlineMet']);
    expect(calls.map((c) => c.step)).toEqual(['approaching']);
  });

  it('after a FLUSHALL the rebuild arms exactly the next rung not yet reached, and the ladder carries on', async () => {
    const s = scheduler();
    const { fire } = ladderFire(env.store, env.clock);
    worker = new DeadlineTimerWorker({ connection: { host: '127.0.0.1', port: env.redis.port, retryStrategy: () => 100 }, fire, clock: env.clock, logger: quietLogger });
    const { event, ladder } = ladderOpened(env.clock, 'acceptance-1', { approaching: 300, dueSoon: 1_800, due: 2_100, l2: 2_400, l3: 2_700 });
    await append(env.store, 'petition-f', event);
    await waitFor('approaching recorded', async () => (await types('petition-f')).includes('DeadlineApproaching'), 5_000);
    await s.waitForPosition(await env.store.headPosition());
    const rebuilds = s.stats.rebuilds;
    await env.admin.flushall();
    await waitFor('rebuilt', () => s.stats.rebuilds === rebuilds + 1, 5_000);
    expect([...(await delayedTimers(env.queue)).keys()]).toEqual([deadlineJobId('petition-f', 'acceptance-1', ladder[1].at, 'dueSoon')]);
    expect(await env.admin.hgetall('hearth:deadlines:timers')).toEqual({
      'petition-f.acceptance-1': indexValueOf('petition-f.acceptance-1', deadlineJobId('petition-f', 'acceptance-1', ladder[1].at, 'dueSoon')),
    });
    await waitFor('rest of the ladder', async () => (await types('petition-f')).length === 6, 6_000);
    expect(await types('petition-f')).toEqual(['DeadlineOpened', 'DeadlineApproaching', 'DeadlineDueSoon', 'DeadlineMissed', 'DeadlineEscalated', 'DeadlineEscalated']);
  });

  it('a move re-arms the new ladder’s first rung and drops the old timer', async () => {
    const s = scheduler();
    const { event } = ladderOpened(env.clock, 'handling-1', { approaching: 20_000, dueSoon: 21_000, due: 22_000, l2: 23_000, l3: 24_000 });
    await append(env.store, 'petition-v', event);
    const moved = ladderOpened(env.clock, 'handling-1', { approaching: 30_000, dueSoon: 31_000, due: 32_000, l2: 33_000, l3: 34_000 });
    const data = moved.event.data as DeadlineOpenedData;
    const p = await append(
      env.store,
      'petition-v',
      ev('DeadlineMoved', { deadlineId: 'handling-1', kind: 'handling', dueDate: data.dueDate, dueAt: data.dueAt, reason: 'extension', calendarVersion: 'cn-2025', ladder: data.ladder }),
    );
    await s.waitForPosition(p);
    expect([...(await delayedTimers(env.queue)).keys()]).toEqual([deadlineJobId('petition-v', 'handling-1', moved.ladder[0].at, 'approaching')]);
    // An escalation rung has the level in its id.
    expect(deadlineJobId('petition-v', 'handling-1', moved.ladder[4].at, 'escalated', 3)).toBe(`petition-v.handling-1.escalated3.${Date.parse(moved.ladder[4].at)}`);
  });
});
