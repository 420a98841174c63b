import { HearthUnderTest } from '@hearth/testing/hearth-process';

/**
 * A petition walked end to end over HTTP, with the api and the worker as separate processes and the clock
 * running an hour per second: register → accept → assign → extend → answer → review → close.
 */
describe('petition lifecycle over HTTP (e2e)', () => {
  let h: HearthUnderTest;
  const base = {
    orgUnit: 'east-s1-g1',
    channel: 'visit',
    category: 'claim',
    subject: '拖欠工资三个月',
    facts: '某建筑公司拖欠农民工工资三个月',
    request: '补发工资',
    petitioners: [{ name: '王五', idNumber: '110101199003071234', contact: '13800000000' }],
    headcount: 1,
    identityKnown: true,
  };

  beforeAll(async () => {
    h = await HearthUnderTest.start({ clockSpeed: 3600 });
  });
  afterAll(async () => h?.stop());

  const eventsOf = async (id: string): Promise<string[]> =>
    (await h.request('auditor.city', 'GET', `/petitions/${id}/history`)).body.events.map((e: { type: string }) => e.type);

  it('walks a petition from registration to closure, every step recorded with its actor', async () => {
    const reg = await h.request('intake.east-s1-g1', 'POST', '/petitions', base, { 'Idempotency-Key': 'visit-0001' });
    expect(reg.status).toBe(201);
    expect(reg.body.events).toEqual(['PetitionRegistered', 'DeadlineOpened']);
    const id: string = reg.body.id;

    // A retried request (same Idempotency-Key) returns the first result and appends nothing.
    const retry = await h.request('intake.east-s1-g1', 'POST', '/petitions', base, { 'Idempotency-Key': 'visit-0001' });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id, revision: reg.body.revision, replayed: true });
    expect(await eventsOf(id)).toHaveLength(2);

    const steps: [string, string, unknown][] = [
      ['officer.east-s1-g1', 'acceptance', { signedBy: 'head.east-s1-g1' }],
      ['officer.east-s1-g1', 'handler', { officerId: 'officer.east-s1-g1' }],
      ['head.east-s1-g1', 'extension', { reason: '需要向用人单位调取工资记录', days: 20 }],
      ['officer.east-s1-g1', 'progress', { note: '已约谈用人单位', attachments: ['doc://minutes/1'] }],
      ['officer.east-s1-g1', 'answer-draft', { outcome: 'support', facts: '查明拖欠属实', legalBasis: '劳动合同法 art. 30' }],
      ['head.east-s1-g1', 'answer-approval', undefined],
      ['officer.east-s1-g1', 'review-request', { reasons: '补发金额不足' }],
      ['head.east-s1', 'review-decision', { outcome: 'upheld', facts: '复查维持', legalBasis: '信访工作条例 art. 35' }],
      ['head.east-s1-g1', 'closure', { reason: 'resolved', note: '已补发' }],
    ];
    let revision = reg.body.revision as number;
    for (const [user, step, body] of steps) {
      const res = await h.request(user, 'POST', `/petitions/${id}/${step}`, body ?? {}, { 'If-Match': String(revision) });
      expect({ step, status: res.status, body: res.body }).toMatchObject({ step, status: 200 });
      expect(res.body.revision).toBeGreaterThan(revision);
      revision = res.body.revision;
    }

    const history = (await h.request('auditor.city', 'GET', `/petitions/${id}/history`)).body;
    const types = history.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'PetitionRegistered',
        'PetitionAccepted',
        'HandlerAssigned',
        'HandlingExtended',
        'DeadlineMoved',
        'ProgressRecorded',
        'AnswerDrafted',
        'PetitionAnswered',
        'ReviewRequested',
        'ReviewDecided',
        'PetitionClosed',
      ]),
    );
    const approved = history.events.find((e: { type: string }) => e.type === 'PetitionAnswered');
    expect(approved).toMatchObject({ actorId: 'head.east-s1-g1', role: 'head', orgUnit: 'east-s1-g1', cause: 'ApproveAnswer' });
    expect(history.events.find((e: { type: string }) => e.type === 'HandlingExtended').legalBasis).toMatch(/art\. 34/);

    // The read model follows: closed, no open deadline, counted in every unit up the tree.
    const detail = await h.eventually(async () => {
      const r = await h.request('officer.east-s1-g1', 'GET', `/petitions/${id}`);
      return r.status === 200 && r.body.status === 'Closed' ? r.body : undefined;
    }, 15_000, 'read model to show the petition closed');
    expect(detail.deadlines).toEqual([]);
    const stats = (await h.request('head.city', 'GET', '/petitions/stats?orgUnit=east')).body;
    expect(stats).toMatchObject({ received: 1, accepted: 1, acceptedOnTime: 1, answered: 1, answeredOnTime: 1, closed: 1, reviews: 1 });
    const listed = (await h.request('officer.east-s1-g1', 'GET', '/petitions?status=Closed&channel=visit')).body;
    expect(listed.items.map((i: { id: string }) => i.id)).toEqual([id]);
  });

  it('refuses bad input, the wrong people and stale writes with clear errors, and writes nothing', async () => {
    const reg = await h.request('intake.east-s1-g1', 'POST', '/petitions', base);
    expect(reg.status).toBe(201);
    const id: string = reg.body.id;
    const before = await eventsOf(id);

    // 400: malformed input, with field messages.
    // (A head: the role table lets only heads extend, and a role that may never extend is refused before validation.)
    const bad = await h.request('head.east-s1-g1', 'POST', `/petitions/${id}/extension`, { reason: '', days: 'ten' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['days', 'reason']);
    expect((await h.request('intake.east-s1-g1', 'POST', '/petitions', '{"not json')).status).toBe(400);
    expect((await h.request('intake.east-s1-g1', 'POST', '/petitions', { ...base, unknownField: 1 })).status).toBe(400);
    expect((await h.request('officer.east-s1-g1', 'POST', '/petitions/not-a-uuid/acceptance', { signedBy: 'x' })).status).toBe(400);

    // 401: no token or a forged one.
    expect((await h.request(null, 'GET', '/petitions')).status).toBe(401);
    const forged = await h.request(null, 'GET', '/petitions', undefined, { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' });
    expect(forged.status).toBe(401);

    // 403: auditors run no command; a unit outside the case's subtree may not touch it; a role may not extend.
    expect((await h.request('auditor.city', 'POST', `/petitions/${id}/acceptance`, { signedBy: 'head.city' })).body).toMatchObject({ statusCode: 403, code: 'ROLE_NOT_ALLOWED' });
    expect((await h.request('officer.west-s1-g1', 'POST', `/petitions/${id}/acceptance`, { signedBy: 'head.west-s1-g1' })).body).toMatchObject({
      statusCode: 403,
      code: 'OUTSIDE_ORG_SUBTREE',
    });
    expect((await h.request('officer.west', 'GET', `/petitions/${id}`)).status).toBe(403);
    expect((await h.request('officer.west', 'GET', '/petitions?orgUnit=east')).status).toBe(403);

    // 404: no such case.
    expect((await h.request('officer.east-s1-g1', 'POST', '/petitions/00000000-0000-4000-8000-000000000000/acceptance', { signedBy: 'h' })).status).toBe(404);

    // 422: a forbidden transition carries the rule's code.
    const early = await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/answer-approval`, {});
    expect(early.status).toBe(403); // approving is the head's
    const answerFirst = await h.request('head.east-s1-g1', 'POST', `/petitions/${id}/answer-approval`, {});
    expect(answerFirst.status).toBe(422);
    expect(answerFirst.body.code).toMatch(/INVALID_TRANSITION|NO_DRAFT_ANSWER/);

    // 409: a stale If-Match, with the current revision.
    const stale = await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/acceptance`, { signedBy: 'head.east-s1-g1' }, { 'If-Match': '0' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'CONCURRENCY_CONFLICT', currentRevision: reg.body.revision });

    // The same Idempotency-Key with another body is refused.
    const k = { 'Idempotency-Key': 'accept-once' };
    expect((await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/receipt-notice`, { method: 'sms' }, k)).status).toBe(200);
    const reused = await h.request('officer.east-s1-g1', 'POST', `/petitions/${id}/receipt-notice`, { method: 'letter' }, k);
    expect(reused.body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });

    // Nothing but the one receipt notice was written by all of the above.
    expect(await eventsOf(id)).toEqual([...before, 'PetitionReceiptNotified']);
  });

  it('serves its OpenAPI document', async () => {
    const doc = await h.request(null, 'GET', '/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/petitions', '/petitions/{id}/acceptance', '/alerts/stream']));
  });
});
