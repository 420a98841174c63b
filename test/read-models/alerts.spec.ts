import type Redis from 'ioredis';
import { AlertQueries, Alert } from '@hearth/read-models';
import { CaseWriter, Env, eventually, setup, sleep, ts, writeScenario } from './support';

describe('alerts read model (real redis + sqlite)', () => {
  let env: Env;
  let q: AlertQueries;
  let w: CaseWriter;
  let sub: Redis;
  const published: Alert[] = [];
  const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id);

  beforeAll(async () => {
    env = await setup();
    w = new CaseWriter(env.store);
    const head = await writeScenario(w);
    sub = env.redis.duplicate();
    await sub.subscribe('hearth:alerts');
    sub.on('message', (_ch, msg: string) => published.push(JSON.parse(msg) as Alert));
    await sleep(150);
    // A runner that treats anything recorded more than 100 ms ago as history: the scenario is a replay.
    const runner = env.newRunner({ liveWindowMs: 100 });
    runner.start();
    expect(await runner.waitFor(head, 10_000)).toBe(true);
    q = new AlertQueries(env.redis);
  });
  afterAll(async () => {
    sub.disconnect();
    await env.close();
  });

  it('sends a missed deadline to the supervisors of the unit above only', async () => {
    const all = await q.inbox('s1', 'supervisor', { status: 'all' });
    expect(all.total).toBe(3);
    expect(ids(all)).toEqual(['petition-p2.acceptance-1.L1', 'petition-p3.acceptance-1.L1', 'petition-p7.assigned-1.L1']); // oldest first
    expect(ids(await q.inbox('s1', 'supervisor'))).toEqual([]); // none open
    expect(ids(await q.inbox('s1', 'supervisor', { status: 'acknowledged' }))).toEqual(['petition-p3.acceptance-1.L1', 'petition-p7.assigned-1.L1']);
    expect(ids(await q.inbox('s1', 'supervisor', { status: 'resolved' }))).toEqual(['petition-p2.acceptance-1.L1']);
    // Second level (督办) goes one more level up.
    expect(ids(await q.inbox('d1', 'supervisor'))).toEqual(['petition-p7.assigned-1.L2']);
    for (const unit of ['g1', 'g2', 'city', 'd2', 'g3']) expect((await q.inbox(unit, 'supervisor', { status: 'all' })).total).toBe(0);
    expect((await q.inbox('s1', 'supervisor', { status: 'all', offset: 1, limit: 1 })).items.map((a) => a.caseId)).toEqual(['p3']);
  });

  it('keeps acknowledgement and resolution details', async () => {
    expect(await q.get('petition-p3.acceptance-1.L1')).toEqual({
      id: 'petition-p3.acceptance-1.L1',
      kind: 'missed',
      streamId: 'petition-p3',
      workflow: 'petition',
      caseId: 'p3',
      deadlineId: 'acceptance-1',
      deadlineKind: 'acceptance',
      level: 1,
      dueAt: '2025-09-18T16:00:00.000Z',
      missedAt: ts('2025-09-19'),
      raisedAt: ts('2025-09-19'),
      ownerOrgUnit: 'g2',
      targetOrgUnit: 's1',
      targetRole: 'supervisor',
      // This runner has no org users: unit inboxes only (per-user inboxes: alerts-ladder.spec.ts).
      recipients: [],
      status: 'acknowledged',
      acknowledgedBy: 'sup-s1',
      acknowledgedAt: ts('2025-09-19', 6),
      note: '已督促',
      updatedAt: ts('2025-09-19', 6),
    });
    expect(await q.get('petition-p2.acceptance-1.L1')).toMatchObject({ status: 'resolved', resolution: 'met', resolvedAt: ts('2025-09-20') });
    expect(await q.get('petition-p7.assigned-1.L2')).toMatchObject({ status: 'open', targetOrgUnit: 'd1', ownerOrgUnit: 'g1', level: 2 });
    expect(await q.get('nope')).toBeUndefined();
  });

  it('did not publish the replayed history', () => {
    expect(published).toEqual([]);
  });

  it('publishes live changes, resolves on met and cancelled, for any workflow', async () => {
    await w.register('p9', { orgUnit: 'g3', channel: 'online', category: 'claim', receivedAt: ts('2025-10-01') });
    await w.open('p9', 'acceptance-1', 'acceptance', 'g3', '2025-10-16', ts('2025-10-01'));
    await w.missed('p9', 'acceptance-1', 'acceptance', 'g3', '2025-10-16', ts('2025-10-17'));
    await eventually(
      () => q.inbox('d2', 'supervisor'),
      (p) => p.total === 1,
    );
    await eventually(
      async () => published.length,
      (n) => n === 1,
    );
    expect(published[0]).toMatchObject({ id: 'petition-p9.acceptance-1.L1', status: 'open', targetOrgUnit: 'd2' });

    await w.emit('petition-p9', 'EscalationAcknowledged', { deadlineId: 'acceptance-1', level: 1, acknowledgedBy: 'sup-d2', note: 'ok', acknowledgedAt: ts('2025-10-17', 8) }, ts('2025-10-17', 8));
    await w.emit('petition-p9', 'DeadlineCancelled', { deadlineId: 'acceptance-1', kind: 'acceptance', reason: 'transferred' }, ts('2025-10-18'));
    await eventually(
      async () => published.map((a) => a.status),
      (s) => s.length === 3,
    );
    expect(published.map((a) => a.status)).toEqual(['open', 'acknowledged', 'resolved']);
    expect(published[2]).toMatchObject({ resolution: 'cancelled', acknowledgedBy: 'sup-d2', resolvedAt: ts('2025-10-18') });
    expect(ids(await q.inbox('d2', 'supervisor', { status: 'resolved' }))).toEqual(['petition-p9.acceptance-1.L1']);
    expect((await q.inbox('d2', 'supervisor', { status: 'acknowledged' })).total).toBe(0);

    // Another workflow's stream, and a missed deadline at the top (no unit above: no alert).
    await w.emit(
      'mediation-m1',
      'DeadlineMissed',
      { deadlineId: 'session-1', kind: 'session', dueAt: ts('2025-10-20'), missedAt: ts('2025-10-21'), ownerOrgUnit: 'g2', escalateTo: 's1', level: 1 },
      ts('2025-10-21'),
    );
    await w.emit(
      'mediation-m2',
      'DeadlineMissed',
      { deadlineId: 'session-1', kind: 'session', dueAt: ts('2025-10-20'), missedAt: ts('2025-10-21'), ownerOrgUnit: 'city', escalateTo: null, level: 1 },
      ts('2025-10-21'),
    );
    const s1 = await eventually(
      () => q.inbox('s1', 'supervisor'),
      (p) => p.total === 1,
    );
    expect(s1.items[0]).toMatchObject({ workflow: 'mediation', caseId: 'm1', streamId: 'mediation-m1' });
    await w.met('p9', 'acceptance-1', 'acceptance', ts('2025-10-22')); // already resolved: no change
    const head = await env.store.headPosition();
    expect(await env.runners[0].waitFor(head, 5000)).toBe(true);
    await sleep(100);
    expect(published).toHaveLength(4);
  });
});
