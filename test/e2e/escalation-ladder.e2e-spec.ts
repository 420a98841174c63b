import { HearthUnderTest, SseClient } from '@hearth/testing/hearth-process';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * A petition left alone at a grassroots union climbs the whole deadline ladder (domain-spec §0) with the demo
 * configuration (three escalation levels, config/local-rules.json): approaching → the grassroots officers, due − 1 day
 * → its head, missed → the street's supervisors (催办), +5 working days → the district's, +10 → the city federation's
 * (督办). Every step is an event recorded by the timer, and reaches exactly the right inboxes and SSE streams.
 * The controlled clock starts at Tue 2025-09-23 09:00 CST (acceptance due Thu 10/9, §0 worked example) and the test
 * moves it to each rung in turn.
 */
describe('escalation ladder from the grassroots union to the city federation (e2e)', () => {
  let h: HearthUnderTest;
  const streams = new Map<string, SseClient>();

  const RECIPIENTS: Record<string, [kind: string, level: number, target: string]> = {
    'officer.east-s1-g1': ['approaching', 0, 'east-s1-g1'],
    'head.east-s1-g1': ['dueSoon', 0, 'east-s1-g1'],
    'supervisor.east-s1': ['missed', 1, 'east-s1'],
    'supervisor.east': ['escalated', 2, 'east'],
    'supervisor.city': ['escalated', 3, 'city'],
  };
  const BYSTANDERS = ['officer.east-s1-g2', 'intake.east-s1-g1', 'head.east-s1', 'head.east', 'head.city', 'supervisor.east-s2', 'supervisor.west', 'officer.city'];
  const AUDITORS = ['auditor.east', 'auditor.city'];

  beforeAll(async () => {
    h = await HearthUnderTest.start({ controlledClock: true, clockStart: '2025-09-23T09:00:00+08:00' });
  }, 180_000);
  afterAll(async () => {
    for (const s of streams.values()) s.close();
    await h?.stop();
  });

  it('each rung is an event and reaches the right inbox and SSE stream, and no other', async () => {
    for (const u of [...Object.keys(RECIPIENTS), ...BYSTANDERS, ...AUDITORS]) streams.set(u, new SseClient(`${h.baseUrl}/alerts/stream`, h.token(u)));
    await Promise.all([...streams.values()].map((s) => s.ready));

    const reg = await h.request('intake.east-s1-g1', 'POST', '/petitions', {
      orgUnit: 'east-s1-g1',
      channel: 'letter',
      category: 'claim',
      subject: '拖欠加班费',
      facts: '公司拖欠加班费三个月',
      request: '补发加班费',
      petitioners: [{ name: '钱七', address: '东城区某街道' }],
      headcount: 1,
      identityKnown: true,
    });
    expect(reg.status).toBe(201);
    const id: string = reg.body.id;

    // The ladder is on the DeadlineOpened event, computed once from the calendar and the configuration.
    const opened = (await h.request('auditor.city', 'GET', `/petitions/${id}/history`)).body.events.find((e: any) => e.type === 'DeadlineOpened');
    expect(opened.data).toMatchObject({ kind: 'acceptance', ownerOrgUnit: 'east-s1-g1', dueAt: '2025-10-09T16:00:00.000Z' });
    expect(opened.data.ladder).toEqual([
      { step: 'approaching', at: '2025-09-28T16:00:00.000Z' },
      { step: 'dueSoon', at: '2025-10-08T16:00:00.000Z' },
      { step: 'missed', level: 1, at: '2025-10-09T16:00:00.000Z' },
      { step: 'escalated', level: 2, at: '2025-10-15T16:00:00.000Z' },
      { step: 'escalated', level: 3, at: '2025-10-22T16:00:00.000Z' },
    ]);

    // Left alone: the clock moved to each rung in turn; each rung's step is recorded before the next move.
    const STEP_EVENTS = ['DeadlineApproaching', 'DeadlineDueSoon', 'DeadlineMissed', 'DeadlineEscalated'];
    const recordedSteps = async () => (await h.request('auditor.city', 'GET', `/petitions/${id}/history`)).body.events.filter((e: any) => STEP_EVENTS.includes(e.type));
    for (const [i, rung] of (opened.data.ladder as { step: string; at: string }[]).entries()) {
      await h.advanceClock(rung.at);
      await h.eventually(async () => (await recordedSteps()).length === i + 1, 60_000, `the ${rung.step} step at ${rung.at}`);
    }
    // Past the last rung, nothing more happens: a further week adds no step.
    await h.advanceClock({ days: 7 });
    await h.eventually(async () => streams.get('supervisor.city')!.events.length > 0, 60_000, 'the city-level escalation on the SSE stream');
    await h.eventually(async () => (streams.get('auditor.city')!.events as any[]).length === 5, 60_000, 'every alert on the auditor\'s stream');

    const history = (await h.request('auditor.city', 'GET', `/petitions/${id}/history`)).body.events;
    const steps = history.filter((e: any) => STEP_EVENTS.includes(e.type));
    expect(steps.map((e: any) => [e.type, e.data.level ?? null, e.data.escalateTo ?? null])).toEqual([
      ['DeadlineApproaching', null, null],
      ['DeadlineDueSoon', null, null],
      ['DeadlineMissed', 1, 'east-s1'],
      ['DeadlineEscalated', 2, 'east'],
      ['DeadlineEscalated', 3, 'city'],
    ]);
    steps.forEach((e: any, i: number) => {
      expect(e).toMatchObject({ actorId: 'system', cause: 'timer' });
      // Recorded at its rung: the clock stood there when the timer fired.
      expect(e.occurredAt).toBe(opened.data.ladder[i].at);
    });

    for (const [user, [kind, level, target]] of Object.entries(RECIPIENTS)) {
      const live = streams.get(user)!.events as any[];
      expect(live.map((a) => [a.kind, a.level, a.targetOrgUnit, a.caseId])).toEqual([[kind, level, target, id]]);
      expect(live[0].recipients).toContain(user);
      const inbox = (await h.request(user, 'GET', '/alerts')).body;
      expect(inbox.items.map((a: any) => a.id)).toEqual([live[0].id]);
    }
    for (const user of BYSTANDERS) {
      expect([user, streams.get(user)!.events]).toEqual([user, []]);
      expect([user, (await h.request(user, 'GET', '/alerts?status=all')).body.total]).toEqual([user, 0]);
    }
    // Auditors read everything addressed within their subtree: the district's auditor all but the city's alert.
    expect((streams.get('auditor.east')!.events as any[]).map((a) => a.kind)).toEqual(['approaching', 'dueSoon', 'missed', 'escalated']);
    expect((streams.get('auditor.city')!.events as any[]).map((a) => a.level)).toEqual([0, 0, 1, 2, 3]);
    expect((await h.request('auditor.east', 'GET', '/alerts')).body.total).toBe(4);
    // Supervisors' overview of their subtree (oldest first).
    const overview = (await h.request('supervisor.east', 'GET', '/alerts?scope=subtree')).body;
    expect(overview.items.map((a: any) => a.kind)).toEqual(['approaching', 'dueSoon', 'missed', 'escalated']);
    expect((await h.request('officer.east-s1-g1', 'GET', '/alerts?scope=subtree')).status).toBe(403);

    // Acknowledging: for the level's own unit (or above); not reminders; one level does not stop another.
    const l3 = (streams.get('supervisor.city')!.events as any[])[0];
    const l1 = (streams.get('supervisor.east-s1')!.events as any[])[0];
    const approaching = (streams.get('officer.east-s1-g1')!.events as any[])[0];
    const ack = (user: string, alertId: string) => h.request(user, 'POST', `/alerts/${encodeURIComponent(alertId)}/acknowledgement`, { note: '已督促' });
    expect((await ack('supervisor.east', l3.id)).status).toBe(403);
    expect((await ack('officer.east-s1-g1', approaching.id)).status).toBe(403);
    expect((await ack('head.east-s1-g1', approaching.id)).body.code).toBe('NOT_AN_ESCALATION');
    const acked = await ack('supervisor.city', l3.id);
    expect(acked.status).toBe(200);
    expect(acked.body.events).toEqual(['EscalationAcknowledged']);
    await h.eventually(async () => (await h.request('supervisor.city', 'GET', '/alerts?status=acknowledged')).body.total === 1);
    expect((await h.request('supervisor.east-s1', 'GET', '/alerts')).body.items.map((a: any) => a.id)).toEqual([l1.id]);

    // Fulfilling the duty (a late acceptance) closes every alert of the deadline, in every inbox.
    expect((await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/acceptance`, { signedBy: 'head.east-s1-g1' })).status).toBe(200);
    for (const user of Object.keys(RECIPIENTS))
      await h.eventually(async () => {
        const r = (await h.request(user, 'GET', '/alerts?status=resolved')).body;
        return r.total === 1 && r.items[0].resolution === 'met';
      }, 60_000, `resolved in ${user}'s inbox`);
    // The change reached the recipients' streams too, and still nobody else's.
    await h.eventually(async () => (streams.get('supervisor.city')!.events as any[]).some((a) => a.status === 'resolved'), 60_000);
    for (const user of BYSTANDERS) expect(streams.get(user)!.events).toEqual([]);
  }, 300_000);
});
