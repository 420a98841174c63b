import type Redis from 'ioredis';
import { Alert, AlertProjection, AlertQueries, reminderIdOf, RepeatPetitionProjection, RepeatPetitionQueries } from '@hearth/read-models';
import { CaseWriter, Env, eventually, org, setup, sleep, ts } from './support';

/**
 *   city ── d1 ── s1 ─┬─ g1        users: officers o1.g1 and o2.g1, head.g1, head.s1, sup.s1, sup.d1, sup.city,
 *        │            └─ g2               head.d2 (d2 has no supervisor: its head is addressed instead)
 *        └── d2 ── g3
 */
const users = [
  { id: 'o1.g1', role: 'officer', orgUnit: 'g1' },
  { id: 'o2.g1', role: 'officer', orgUnit: 'g1' },
  { id: 'head.g1', role: 'head', orgUnit: 'g1' },
  { id: 'head.s1', role: 'head', orgUnit: 's1' },
  { id: 'sup.s1', role: 'supervisor', orgUnit: 's1' },
  { id: 'sup.d1', role: 'supervisor', orgUnit: 'd1' },
  { id: 'sup.city', role: 'supervisor', orgUnit: 'city' },
  { id: 'head.d2', role: 'head', orgUnit: 'd2' },
  { id: 'officer.g3', role: 'officer', orgUnit: 'g3' },
];
const sys = { id: 'system', role: 'system', orgUnit: 'system' };
const ids = (p: { items: Alert[] }) => p.items.map((a) => a.id);

describe('alerts: the ladder, per-user inboxes, other triggers (real redis + sqlite)', () => {
  let env: Env;
  let q: AlertQueries;
  let w: CaseWriter;
  let sub: Redis;
  const published: Alert[] = [];
  const delivered: Alert[] = [];

  const step = (stream: string, type: string, data: Record<string, unknown>, at: string) => w.emit(stream, type, data, at, sys);
  const ladderOf = (stream: string, deadlineId: string, owner: string, dueAt: string) => ({
    approaching: (at: string, assignee?: string) =>
      step(stream, 'DeadlineApproaching', { deadlineId, kind: 'handling', dueAt, raisedAt: at, ownerOrgUnit: owner, ...(assignee ? { assignee } : {}), next: null }, at),
    dueSoon: (at: string) => step(stream, 'DeadlineDueSoon', { deadlineId, kind: 'handling', dueAt, raisedAt: at, ownerOrgUnit: owner, next: null }, at),
    missed: (at: string) =>
      step(stream, 'DeadlineMissed', { deadlineId, kind: 'handling', dueAt, missedAt: at, ownerOrgUnit: owner, escalateTo: org.lineage(owner)[1] ?? null, level: 1, next: null }, at),
    escalated: (at: string, level: number) =>
      step(stream, 'DeadlineEscalated', { deadlineId, kind: 'handling', dueAt, escalatedAt: at, ownerOrgUnit: owner, escalateTo: org.lineage(owner)[level], level, next: null }, at),
  });

  beforeAll(async () => {
    env = await setup();
    w = new CaseWriter(env.store);
    sub = env.redis.duplicate();
    await sub.subscribe('hearth:alerts');
    sub.on('message', (_ch, msg: string) => published.push(JSON.parse(msg) as Alert));
    await sleep(100);
    env
      .newRunner({
        projections: [
          new AlertProjection({
            org,
            users,
            deliver: async (alerts) => {
              delivered.push(...alerts);
            },
          }),
          new RepeatPetitionProjection(),
        ],
      })
      .start();
    q = new AlertQueries(env.redis);
  });
  afterAll(async () => {
    sub.disconnect();
    await env.close();
  });

  const settle = async () => {
    const head = await env.store.headPosition();
    expect(await env.runners[0].waitFor(head, 5000)).toBe(true);
  };

  it('one alert per ladder step, addressed to a unit and role and resolved to its users', async () => {
    await w.register('a1', { orgUnit: 'g1', channel: 'letter', category: 'claim', receivedAt: ts('2025-09-01') });
    await w.open('a1', 'handling-1', 'handling', 'g1', '2025-10-31', ts('2025-09-01'));
    const l = ladderOf('petition-a1', 'handling-1', 'g1', '2025-10-31T16:00:00.000Z');
    await l.approaching(ts('2025-10-28'));
    await l.dueSoon(ts('2025-10-30'));
    await l.missed('2025-10-31T16:00:00.000Z');
    await l.escalated(ts('2025-11-07'), 2);
    await l.escalated(ts('2025-11-14'), 3);
    await settle();

    const approaching = (await q.userInbox('o1.g1')).items;
    expect(approaching).toHaveLength(1);
    expect(approaching[0]).toMatchObject({
      kind: 'approaching',
      targetOrgUnit: 'g1',
      targetRole: 'officer',
      recipients: ['o1.g1', 'o2.g1'],
      level: 0,
      dueAt: '2025-10-31T16:00:00.000Z',
      raisedAt: ts('2025-10-28'),
      caseId: 'a1',
      status: 'open',
    });
    expect(ids(await q.userInbox('o2.g1'))).toEqual(ids({ items: approaching }));
    expect((await q.userInbox('head.g1')).items.map((a) => [a.kind, a.targetRole])).toEqual([['dueSoon', 'head']]);
    expect((await q.userInbox('sup.s1')).items.map((a) => [a.id, a.kind, a.level])).toEqual([['petition-a1.handling-1.L1', 'missed', 1]]);
    expect((await q.userInbox('sup.d1')).items.map((a) => [a.id, a.kind, a.level, a.targetOrgUnit])).toEqual([['petition-a1.handling-1.L2', 'escalated', 2, 'd1']]);
    expect((await q.userInbox('sup.city')).items.map((a) => [a.id, a.kind, a.level])).toEqual([['petition-a1.handling-1.L3', 'escalated', 3]]);
    // Nobody else: the street's head is addressed no escalation (only its supervisors), the other branch nothing.
    for (const u of ['head.s1', 'head.d2', 'officer.g3']) expect((await q.userInbox(u, { status: 'all' })).total).toBe(0);
    // Unit inboxes stay, and the subtree overview: d1 sees everything addressed within it, not the city's level.
    expect(ids(await q.inbox('s1', 'supervisor'))).toEqual(['petition-a1.handling-1.L1']);
    expect((await q.subtree('d1')).items.map((a) => a.kind)).toEqual(['approaching', 'dueSoon', 'missed', 'escalated']);
    expect((await q.subtree('city')).total).toBe(5);
    expect((await q.subtree('d2')).total).toBe(0);
  });

  it('the assignee alone gets the approaching reminder; a unit without supervisors has its head addressed', async () => {
    await w.register('a2', { orgUnit: 'g3', channel: 'online', category: 'claim', receivedAt: ts('2025-09-01') });
    const l = ladderOf('petition-a2', 'handling-1', 'g3', '2025-10-31T16:00:00.000Z');
    await l.approaching(ts('2025-10-28'), 'officer.g3');
    await l.missed('2025-10-31T16:00:00.000Z');
    const l1 = ladderOf('petition-a1', 'acceptance-9', 'g1', '2025-10-31T16:00:00.000Z');
    await l1.approaching(ts('2025-10-28'), 'o2.g1');
    // A handler of another unit (the case was assigned down since): the unit's officers instead.
    const l3 = ladderOf('petition-a1', 'assignedDown-9', 'g1', '2025-11-30T16:00:00.000Z');
    await l3.approaching(ts('2025-11-25'), 'officer.g3');
    await settle();
    expect((await q.get(reminderIdOf('petition-a1', 'assignedDown-9', 'approaching', '2025-11-30T16:00:00.000Z')))!.recipients).toEqual(['o1.g1', 'o2.g1']);
    expect((await q.userInbox('officer.g3')).items.map((a) => a.recipients)).toEqual([['officer.g3']]);
    expect((await q.userInbox('head.d2')).items.map((a) => [a.kind, a.targetRole, a.targetOrgUnit])).toEqual([['missed', 'supervisor', 'd2']]);
    expect((await q.get(reminderIdOf('petition-a1', 'acceptance-9', 'approaching', '2025-10-31T16:00:00.000Z')))!.recipients).toEqual(['o2.g1']);
    expect((await q.userInbox('o1.g1')).total).toBe(2);
  });

  it('acknowledging changes that level only; meeting the duty resolves every alert of the deadline in every inbox', async () => {
    await step('petition-a1', 'EscalationAcknowledged', { deadlineId: 'handling-1', level: 1, acknowledgedBy: 'sup.s1', note: '已督促', acknowledgedAt: ts('2025-11-01') }, ts('2025-11-01'));
    await settle();
    expect((await q.userInbox('sup.s1', { status: 'acknowledged' })).items.map((a) => a.note)).toEqual(['已督促']);
    expect((await q.userInbox('sup.s1')).total).toBe(0);
    expect((await q.userInbox('sup.d1')).total).toBe(1);

    await w.met('a1', 'handling-1', 'handling', ts('2025-11-20'), true);
    await settle();
    for (const u of ['o1.g1', 'head.g1', 'sup.s1', 'sup.d1', 'sup.city']) {
      const resolved = (await q.userInbox(u, { status: 'resolved' })).items.filter((a) => a.deadlineId === 'handling-1');
      expect(resolved.length).toBeGreaterThan(0);
      expect(resolved.every((a) => a.resolution === 'met' && a.resolvedAt === ts('2025-11-20'))).toBe(true);
    }
    expect((await q.subtree('city', { status: 'open' })).items.filter((a) => a.caseId === 'a1').map((a) => a.deadlineId)).toEqual(['acceptance-9', 'assignedDown-9']);
  });

  it('a move resolves the old reminders only; 交办 and 督办 alert the head of the unit given the duty', async () => {
    await w.register('a3', { orgUnit: 'g1', channel: 'online', category: 'claim', receivedAt: ts('2025-09-01') });
    const l = ladderOf('petition-a3', 'handling-1', 'g1', '2025-10-31T16:00:00.000Z');
    await l.approaching(ts('2025-10-28'));
    await l.missed('2025-10-31T16:00:00.000Z');
    await step('petition-a3', 'DeadlineMoved', { deadlineId: 'handling-1', kind: 'handling', dueDate: '2025-11-30', dueAt: '2025-11-30T16:00:00.000Z', reason: 'extension', calendarVersion: 'x' }, ts('2025-11-01'));
    for (const [kind, id] of [
      ['assignedDown', 'assignedDown-1'],
      ['supervisionReply', 'supervisionReply-1'],
    ])
      await w.open('a3', id, kind, 'g1', '2025-11-20', ts('2025-11-02'));
    await settle();
    expect((await q.get(reminderIdOf('petition-a3', 'handling-1', 'approaching', '2025-10-31T16:00:00.000Z')))).toMatchObject({ status: 'resolved', resolution: 'moved' });
    expect(await q.get('petition-a3.handling-1.L1')).toMatchObject({ status: 'open' });
    const head = (await q.userInbox('head.g1')).items.filter((a) => a.caseId === 'a3');
    expect(head.map((a) => [a.kind, a.deadlineId, a.dueAt])).toEqual([
      ['assigned', 'assignedDown-1', '2025-11-20T16:00:00.000Z'],
      ['supervised', 'supervisionReply-1', '2025-11-20T16:00:00.000Z'],
    ]);
    await w.met('a3', 'supervisionReply-1', 'supervisionReply', ts('2025-11-10'));
    await settle();
    expect(await q.get(head[1].id)).toMatchObject({ status: 'resolved', resolution: 'met' });
    expect(await q.get(head[0].id)).toMatchObject({ status: 'open' });
  });

  it('collective, urgent and major cases are reported upward at once; repeat petitions alert the case unit; closing resolves both', async () => {
    await w.register('a4', { orgUnit: 'g1', channel: 'visit', category: 'claim', receivedAt: ts('2025-09-10'), collective: true, urgent: true });
    await step('petition-a4', 'PetitionReportedUpward', { reasons: ['collective', 'urgent'], orgUnit: 'g1', reportedTo: 's1', headcount: 6, reportedAt: ts('2025-09-10'), legalBasis: 'art. 25' }, ts('2025-09-10'));
    await step('petition-a4', 'RepeatPetitionReceived', { orgUnit: 'g1', receivedAtOrgUnit: 'd1', channel: 'visit', headcount: 2, receivedAt: ts('2025-09-12'), receivedBy: 'intake.d1', afterRecheck: false, legalBasis: 'x' }, ts('2025-09-12'));
    // A collective labour dispute (mediation workflow) too: reported to the unit above the mediating one.
    await w.emit('mediation-m1', 'MediationApplied', { orgUnit: 'g3', collective: true, headcount: 12, receivedAt: ts('2025-09-11') }, ts('2025-09-11'), sys);
    await w.emit('mediation-m2', 'MediationApplied', { orgUnit: 'g3', collective: false, headcount: 1, receivedAt: ts('2025-09-11') }, ts('2025-09-11'), sys);
    await settle();
    expect(await q.get('petition-a4.reported')).toMatchObject({ kind: 'reported', reasons: ['collective', 'urgent'], targetOrgUnit: 's1', recipients: ['sup.s1'] });
    expect((await q.userInbox('o1.g1')).items.filter((a) => a.kind === 'repeat').map((a) => a.caseId)).toEqual(['a4']);
    expect(await q.get('mediation-m1.reported')).toMatchObject({ workflow: 'mediation', targetOrgUnit: 'd2', recipients: ['head.d2'], reasons: ['collective'] });
    expect(await q.get('mediation-m2.reported')).toBeUndefined();
    await w.emit('petition-a4', 'PetitionClosed', { reason: 'resolved', closedAt: ts('2025-10-01'), closedBy: 'head.g1' }, ts('2025-10-01'), sys);
    await settle();
    expect(await q.get('petition-a4.reported')).toMatchObject({ status: 'resolved', resolution: 'closed' });
    expect((await q.userInbox('o1.g1', { status: 'resolved' })).items.some((a) => a.kind === 'repeat' && a.resolution === 'closed')).toBe(true);
  });

  it('hands every new alert of a live event to delivery once, and publishes each change; nothing personal in any key or alert', async () => {
    await eventually(
      async () => published.length,
      (n) => n > 0,
    );
    const raised = delivered.map((a) => a.id);
    expect(new Set(raised).size).toBe(raised.length);
    expect(raised).toEqual(expect.arrayContaining(['petition-a1.handling-1.L3', 'petition-a4.reported', 'mediation-m1.reported']));
    expect(delivered.every((a) => a.status === 'open')).toBe(true);
    // Replaying the whole log into a fresh runner (history, not live) raises nothing for delivery again.
    const before = delivered.length;
    const replay = env.newRunner({ name: 'replay', prefix: 'replay:', liveWindowMs: 1, projections: [new AlertProjection({ org, users, deliver: async (a) => void delivered.push(...a) })] });
    replay.start();
    expect(await replay.waitFor(await env.store.headPosition(), 5000)).toBe(true);
    expect(delivered.length).toBe(before);
    expect((await new AlertQueries(env.redis, 'replay:').userInbox('sup.city', { status: 'all' })).total).toBe(1);

    const keys = await env.redis.keys('hearth:*');
    const values = await env.redis.mget(...keys.filter((k) => k.startsWith('hearth:alert:')));
    for (const text of [...keys, ...values.map(String), ...published.map((a) => JSON.stringify(a))]) {
      expect(text).not.toMatch(/张三|13800000000|110101199001011234/);
    }
  });

  it('the repeat index finds the open case of a petitioner on a subject, and forgets it when the case closes (not after 复核)', async () => {
    const key = (n: number) => `k${n}`.padEnd(43, 'x');
    const reg = (id: string, subject: string, keys: string[]) =>
      w.emit(`petition-${id}`, 'PetitionRegistered', { petitionId: id, orgUnit: 'g1', subject, petitionerKeys: keys, receivedAt: ts('2025-09-01') }, ts('2025-09-01'), sys);
    await reg('r1', '拖欠 工资', [key(1), key(2)]);
    await reg('r2', '工伤待遇', [key(1)]);
    await reg('r3', '社保', [key(3)]);
    await settle();
    const rq = new RepeatPetitionQueries(env.redis);
    expect(await rq.find([key(1)], '拖欠  工资 ')).toBe('r1');
    expect(await rq.find([key(9), key(2)], '拖欠 工资')).toBe('r1');
    expect(await rq.find([key(1)], '工伤待遇')).toBe('r2');
    expect(await rq.find([key(3)], '拖欠 工资')).toBeUndefined();
    // A repeat adds the new petitioner's key to the case.
    await w.emit('petition-r1', 'RepeatPetitionReceived', { orgUnit: 'g1', petitionerKeys: [key(4)], receivedAt: ts('2025-09-05') }, ts('2025-09-05'), sys);
    await w.emit('petition-r2', 'PetitionClosed', { reason: 'resolved', closedAt: ts('2025-09-06'), closedBy: 'x' }, ts('2025-09-06'), sys);
    await w.emit('petition-r3', 'PetitionClosed', { reason: 'rechecked', closedAt: ts('2025-09-06'), closedBy: 'x' }, ts('2025-09-06'), sys);
    await settle();
    expect(await rq.find([key(4)], '拖欠工资'.replace('工资', ' 工资'))).toBe('r1');
    expect(await rq.find([key(1)], '工伤待遇')).toBeUndefined();
    expect(await rq.find([key(3)], '社保')).toBe('r3');
    const repKeys = await env.redis.keys('hearth:pet:rep:*');
    expect(repKeys.every((k) => !/[\u4e00-\u9fff]/.test(k))).toBe(true);
  });
});
