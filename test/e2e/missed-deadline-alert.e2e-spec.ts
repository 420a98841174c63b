import { HearthUnderTest, SseClient } from '@hearth/testing/hearth-process';

/**
 * An ignored petition: nobody decides on it within the 15-day notice period, the BullMQ timer fires in the
 * worker, the decider records DeadlineMissed, and the supervisors of the unit above get an alert — in their
 * inbox and live on the SSE stream — which they acknowledge.
 * A controlled clock from 2025-09-23 09:00 CST, the worked example of domain-spec §0, moved past the due time by the test.
 */
describe('missed acceptance deadline → alert on the SSE stream (e2e)', () => {
  let h: HearthUnderTest;

  beforeAll(async () => {
    h = await HearthUnderTest.start({ controlledClock: true, clockStart: '2025-09-23T09:00:00+08:00' });
  }, 180_000);
  afterAll(async () => h?.stop());

  it('raises the alert for the supervisors one level up, live, and records the acknowledgement', async () => {
    const upper = new SseClient(`${h.baseUrl}/alerts/stream`, h.token('supervisor.east-s1'));
    const otherBranch = new SseClient(`${h.baseUrl}/alerts/stream`, h.token('supervisor.west-s1'));
    await Promise.all([upper.ready, otherBranch.ready]);

    const reg = await h.request('intake.east-s1-g1', 'POST', '/petitions', {
      orgUnit: 'east-s1-g1',
      channel: 'letter',
      category: 'claim',
      subject: '工伤待遇',
      facts: '工伤认定后单位未支付待遇',
      request: '支付工伤待遇',
      petitioners: [{ name: '赵六', address: '东城区某街道' }],
      headcount: 1,
      identityKnown: true,
    });
    expect(reg.status).toBe(201);
    const id: string = reg.body.id;

    // Received 9/23: 15 days end 10/8, a holiday, so the notice is due on 10/9 (民法典 art. 201, 203).
    const detail = await h.eventually(async () => {
      const r = await h.request('officer.east-s1-g1', 'GET', `/petitions/${id}`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(detail.deadlines[0]).toMatchObject({ kind: 'acceptance', dueAt: '2025-10-09T16:00:00.000Z' });

    // Nobody decides: an hour past the due time the alert has reached the upper supervisor's stream.
    await h.advanceClock('2025-10-09T17:00:00.000Z');
    const alert: any = await h.eventually(async () => upper.events[0], 60_000, 'an alert on the SSE stream'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(alert).toMatchObject({ caseId: id, kind: 'missed', deadlineKind: 'acceptance', ownerOrgUnit: 'east-s1-g1', targetOrgUnit: 'east-s1', status: 'open' });
    expect(otherBranch.events).toEqual([]);

    const history = (await h.request('auditor.city', 'GET', `/petitions/${id}/history`)).body.events;
    const missed = history.find((e: { type: string }) => e.type === 'DeadlineMissed');
    expect(missed).toMatchObject({ actorId: 'system', cause: 'timer', data: { escalateTo: 'east-s1', level: 1 } });
    expect(missed.occurredAt).toBe('2025-10-09T17:00:00.000Z');

    const inbox = (await h.request('supervisor.east-s1', 'GET', '/alerts')).body;
    expect(inbox.items.map((a: { id: string }) => a.id)).toEqual([alert.id]);
    expect((await h.request('supervisor.west-s1', 'GET', '/alerts')).body.total).toBe(0);
    expect((await h.request('supervisor.west-s1', 'GET', `/alerts/${encodeURIComponent(alert.id)}`)).status).toBe(403);

    const ack = await h.request('supervisor.east-s1', 'POST', `/alerts/${encodeURIComponent(alert.id)}/acknowledgement`, { note: '已督促基层工会受理' });
    expect(ack.status).toBe(200);
    expect(ack.body.events).toEqual(['EscalationAcknowledged']);
    const acked = await h.eventually(async () => {
      const r = await h.request('supervisor.east-s1', 'GET', `/alerts/${encodeURIComponent(alert.id)}`);
      return r.body.status === 'acknowledged' ? r.body : undefined;
    });
    expect(acked).toMatchObject({ acknowledgedBy: 'supervisor.east-s1', note: '已督促基层工会受理' });
    await h.eventually(async () => upper.events.some((e: any) => e.status === 'acknowledged'), 60_000, 'the acknowledgement on the stream'); // eslint-disable-line @typescript-eslint/no-explicit-any

    // Accepting late fulfils the duty: the alert is resolved, and the acceptance counts as late.
    const late = await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/acceptance`, { signedBy: 'head.east-s1-g1' });
    expect(late.status).toBe(200);
    await h.eventually(async () => (await h.request('supervisor.east-s1', 'GET', `/alerts/${encodeURIComponent(alert.id)}`)).body.status === 'resolved');
    const stats = (await h.request('head.east-s1', 'GET', '/petitions/stats')).body;
    expect(stats).toMatchObject({ received: 1, accepted: 1, acceptedOnTime: 0, overdueNow: 0 });
    upper.close();
    otherBranch.close();
  }, 300_000);
});
