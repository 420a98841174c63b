import { PetitionQueries } from '@hearth/read-models';
import { CaseWriter, Env, org, setup, writeScenario } from './support';

describe('petition read model (real redis + sqlite)', () => {
  let env: Env;
  let q: PetitionQueries;
  const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id);

  beforeAll(async () => {
    env = await setup();
    const head = await writeScenario(new CaseWriter(env.store));
    const runner = env.newRunner({ batchSize: 7 });
    runner.start();
    expect(await runner.waitFor(head, 10_000)).toBe(true);
    q = new PetitionQueries(env.redis);
  });
  afterAll(() => env.close());

  it('lists a subtree, newest first by default, with totals', async () => {
    const city = await q.list({ orgUnit: 'city', limit: 50 });
    expect(city.total).toBe(8);
    expect(ids(city)).toEqual(['p8', 'p7', 'p6', 'p5', 'p4', 'p3', 'p2', 'p1']);
    // Transferred (p8 → g2) and assigned down (p7 → g1) cases moved into their new unit's subtree.
    expect(ids(await q.list({ orgUnit: 'd1', order: 'asc' }))).toEqual(['p1', 'p2', 'p3', 'p5', 'p7', 'p8']);
    expect(ids(await q.list({ orgUnit: 's1', order: 'asc' }))).toEqual(['p1', 'p2', 'p3', 'p5', 'p7', 'p8']);
    expect(ids(await q.list({ orgUnit: 'g1', order: 'asc' }))).toEqual(['p1', 'p2', 'p7']);
    expect(ids(await q.list({ orgUnit: 'g2', order: 'asc' }))).toEqual(['p3', 'p8']);
    expect(ids(await q.list({ orgUnit: 'd2', order: 'asc' }))).toEqual(['p4', 'p6']);
    expect((await q.list({ orgUnit: 'nowhere' })).total).toBe(0);
  });

  it('paginates', async () => {
    const page = await q.list({ orgUnit: 'city', offset: 2, limit: 3 });
    expect(page.total).toBe(8);
    expect(ids(page)).toEqual(['p6', 'p5', 'p4']);
    const asc = await q.list({ orgUnit: 'city', order: 'asc', offset: 6, limit: 5 });
    expect(ids(asc)).toEqual(['p7', 'p8']);
    const filtered = await q.list({ orgUnit: 'city', category: 'claim', offset: 1, limit: 2 });
    expect(filtered.total).toBe(5);
    expect(ids(filtered)).toEqual(['p6', 'p5']);
  });

  it('filters by status, open, assignee, channel, category, and combinations', async () => {
    const sorted = async (query: Parameters<PetitionQueries['list']>[0]) => ids(await q.list({ order: 'asc', limit: 100, ...query }));
    expect(await sorted({ orgUnit: 'city', status: 'Closed' })).toEqual(['p4', 'p5', 'p6']);
    expect(await sorted({ orgUnit: 'city', status: 'open' })).toEqual(['p1', 'p2', 'p3', 'p7', 'p8']);
    expect(await sorted({ orgUnit: 'city', status: 'InHandling' })).toEqual(['p1', 'p2']);
    expect(await sorted({ orgUnit: 'city', status: 'Registered' })).toEqual(['p3', 'p7', 'p8']);
    expect(await sorted({ orgUnit: 'city', assignee: 'officer-a' })).toEqual(['p1', 'p5']);
    expect(await sorted({ orgUnit: 'g1', assignee: 'officer-a' })).toEqual(['p1']);
    expect(await sorted({ orgUnit: 'city', assignee: 'officer-a', status: 'open' })).toEqual(['p1']);
    expect(await sorted({ orgUnit: 'city', channel: 'online' })).toEqual(['p1', 'p5', 'p7']);
    expect(await sorted({ orgUnit: 's1', channel: 'visit' })).toEqual(['p3', 'p8']);
    expect(await sorted({ orgUnit: 'city', category: 'suggestion' })).toEqual(['p2', 'p7']);
    expect(await sorted({ orgUnit: 'g2', category: 'claim', channel: 'visit', status: 'Registered' })).toEqual(['p3', 'p8']);
    expect(await sorted({ orgUnit: 'd2', channel: 'visit' })).toEqual([]);
  });

  it('sorts by due and filters overdue / dueBefore against the given domain time', async () => {
    const due = await q.list({ orgUnit: 'city', sort: 'due' });
    expect(due.total).toBe(5);
    expect(ids(due)).toEqual(['p3', 'p7', 'p8', 'p1', 'p2']);
    expect(due.items[0]).toMatchObject({ id: 'p3', nextDueAt: '2025-09-18T16:00:00.000Z', missed: true });
    expect(ids(await q.list({ orgUnit: 'city', sort: 'due', order: 'desc', limit: 2 }))).toEqual(['p2', 'p1']);

    expect(ids(await q.list({ orgUnit: 'city', overdue: true, now: '2025-09-22T00:00:00Z', sort: 'due' }))).toEqual(['p3', 'p7']);
    expect(ids(await q.list({ orgUnit: 'city', overdue: true, now: '2025-09-25T00:00:00Z', sort: 'due' }))).toEqual(['p3', 'p7', 'p8']);
    expect(ids(await q.list({ orgUnit: 'g1', overdue: true, now: '2025-09-25T00:00:00Z' }))).toEqual(['p7']);
    const notOverdue = await q.list({ orgUnit: 'city', status: 'open', overdue: false, now: '2025-09-22T00:00:00Z', order: 'asc' });
    expect(ids(notOverdue)).toEqual(['p1', 'p2', 'p8']);

    const before = await q.list({ orgUnit: 'city', dueBefore: '2025-10-01T00:00:00Z' });
    expect(before.total).toBe(3);
    expect(ids(before)).toEqual(['p8', 'p7', 'p3']); // received, newest first
    expect(ids(await q.list({ orgUnit: 'city', dueBefore: Date.parse('2025-10-01T00:00:00Z'), sort: 'due', status: 'Registered' }))).toEqual([
      'p3',
      'p7',
      'p8',
    ]);
    expect(ids(await q.list({ orgUnit: 'city', dueBefore: '2025-12-01T00:00:00Z', overdue: true, now: '2025-09-19T00:00:00Z' }))).toEqual(['p3']);
  });

  it('returns detail with pending deadlines and the timeline, and nothing personal', async () => {
    const p3 = (await q.get('p3', '2025-09-22T00:00:00Z'))!;
    expect(p3).toMatchObject({
      id: 'p3',
      streamId: 'petition-p3',
      status: 'Registered',
      channel: 'visit',
      category: 'claim',
      orgUnit: 'g2',
      collective: true,
      urgent: true,
      extended: false,
      headcount: 6,
      receivedAt: '2025-09-03T02:00:00.000Z',
    });
    expect(p3.deadlines).toEqual([
      { deadlineId: 'acceptance-1', kind: 'acceptance', dueAt: '2025-09-18T16:00:00.000Z', ownerOrgUnit: 'g2', missedLevel: 1, overdue: true },
    ]);
    expect(p3.timeline.map((t) => t.type)).toEqual(['PetitionRegistered', 'DeadlineOpened', 'DeadlineMissed', 'EscalationAcknowledged']);
    expect(p3.timeline[0]).toEqual({ type: 'PetitionRegistered', at: '2025-09-03T02:00:00.000Z', actorId: 'intake-1' });
    expect(p3.timeline[3].actorId).toBe('sup-s1');

    const p5 = (await q.get('petition-p5'))!;
    expect(p5).toMatchObject({
      status: 'Closed',
      assignee: 'officer-a',
      extended: true,
      decision: 'accepted',
      decidedOnTime: true,
      answerOutcome: 'support',
      answeredOnTime: true,
      reviewOutcome: 'reversed',
      closeReason: 'resolved',
      deadlines: [],
    });
    expect(p5.timeline).toHaveLength(13);
    expect(p5.timeline.at(-1)).toEqual({ type: 'PetitionClosed', at: '2025-11-02T02:00:00.000Z', actorId: 'head-s1' });
    expect((await q.get('p8'))!).toMatchObject({ orgUnit: 'g2', registeredOrgUnit: 'd1', transferredFrom: 'd1' });
    expect((await q.get('p7'))!).toMatchObject({ orgUnit: 'g1', assignedDownDue: '2025-09-20', deadlines: [expect.objectContaining({ missedLevel: 2 })] });
    expect((await q.get('p4'))!).toMatchObject({ decision: 'not_accepted', status: 'Closed' });
    expect(await q.get('missing')).toBeUndefined();

    const raw = JSON.stringify(await env.redis.get('hearth:pet:p3'));
    for (const secret of ['张三', '13800000000', '110101199001011234', '拖欠三个月', '请求工会']) expect(raw).not.toContain(secret);
  });

  it('caps the timeline (oldest entries dropped)', async () => {
    const { PetitionProjection } = await import('@hearth/read-models');
    const r = env.newRunner({ prefix: 'cap:', name: 'cap', projections: [new PetitionProjection({ org, timelineCap: 3 })] });
    r.start();
    expect(await r.waitFor(await env.store.headPosition(), 10_000)).toBe(true);
    const p5 = (await new PetitionQueries(env.redis, 'cap:').get('p5'))!;
    expect(p5.timeline.map((t) => t.type)).toEqual(['ReviewRequested', 'ReviewDecided', 'PetitionClosed']);
    expect(p5.status).toBe('Closed');
    expect(await r.waitFor(1e9, 50)).toBe(false);
  });

  it('keeps subtree counters', async () => {
    const c = await q.countersOf(['city', 'd1', 's1', 'g1', 'g2', 'd2', 'g3']);
    expect(c.city).toEqual({
      received: 8,
      accepted: 5,
      acceptedOnTime: 4,
      notAccepted: 1,
      routedOut: 1,
      routedToMediation: 0,
      answered: 1,
      answeredOnTime: 1,
      closed: 3,
      overdueNow: 2,
      reviews: 1,
      rechecks: 0,
      reversals: 1,
      collective: 1,
      urgent: 1,
      transferred: 1,
      assignedDown: 1,
      byChannel: { online: 3, letter: 2, visit: 2, hotline: 1 },
      byCategory: { claim: 5, suggestion: 2, accusation: 1 },
    });
    expect(c.d1).toMatchObject({ received: 5, accepted: 3, acceptedOnTime: 2, answered: 1, closed: 1, overdueNow: 2, transferred: 1, assignedDown: 0 });
    expect(c.s1).toMatchObject({ received: 4, accepted: 3, acceptedOnTime: 2, overdueNow: 2, reviews: 1, reversals: 1, collective: 1 });
    expect(c.g1).toMatchObject({ received: 2, accepted: 2, acceptedOnTime: 1, overdueNow: 1, closed: 0 });
    expect(c.g2).toMatchObject({ received: 1, overdueNow: 1, collective: 1 });
    expect(c.d2).toMatchObject({ received: 2, accepted: 2, acceptedOnTime: 2, notAccepted: 1, routedOut: 1, closed: 2, overdueNow: 0 });
    expect(c.g3).toMatchObject({ received: 1, notAccepted: 1, closed: 1 });
    expect(await q.counters('nowhere')).toMatchObject({ received: 0, overdueNow: 0, byChannel: {} });
    expect(org.lineage('g1')).toEqual(['g1', 's1', 'd1', 'city']);
  });
});
