import { HearthUnderTest } from '@hearth/testing/hearth-process';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Issue 11 defect 2: the repeat rule (信访工作条例 art. 19, 36) must not be an oracle of the accuser's identity
 * (art. 46(5)), nor let anyone append to a case outside their subtree. An accusation filed at the district `east`
 * against the grassroots union east-s1-g1; a user of the accused union and a user of the other district then
 * register a petition with the accuser's ID number and the accusation's subject. Each must get the answer a fresh
 * registration gets (201, their own case, no `repeatOf`), nothing of theirs on the accusation, and the accusation
 * must still learn of the repeat: Hearth links it, as `system`, caused by their registration. A user who may read the
 * accusation is still told which case the repeat joined.
 */
describe('repeat petitions: no accuser-identity oracle (HTTP)', () => {
  let h: HearthUnderTest;

  beforeAll(async () => {
    h = await HearthUnderTest.start();
  });
  afterAll(async () => h?.stop());

  const accuser = { name: '冯二', idNumber: '110101198504041238' };
  const subject = '基层工会挪用会费';
  const petition = (orgUnit: string, idNumber: string, over: Record<string, unknown> = {}) => ({
    orgUnit,
    channel: 'visit',
    category: 'claim',
    subject,
    facts: '听说有人检举',
    request: '了解情况',
    petitioners: [{ name: '某人', idNumber }],
    headcount: 1,
    identityKnown: true,
    ...over,
  });
  /** What a submitter can compare between two answers: everything but the ids and positions. */
  const shape = (r: { status: number; body: any; headers: Headers }) => ({
    status: r.status,
    keys: Object.keys(r.body).sort(),
    events: r.body.events,
    revision: r.body.revision,
    replayed: r.body.replayed,
    location: r.headers.get('location') === `/petitions/${r.body.id}`,
  });

  it('the accused org and another district get a fresh case’s answer; Hearth links the repeat to the accusation', async () => {
    const filed = await h.request(
      'intake.east',
      'POST',
      '/petitions',
      petition('east', accuser.idNumber, { category: 'accusation', accusedOrgUnit: 'east-s1-g1', petitioners: [accuser], facts: '挪用会费', request: '查处' }),
    );
    expect(filed.status).toBe(201);
    const accusation = filed.body.id as string;
    // Whatever index an implementation keeps, it has caught up with the accusation before anyone guesses.
    await h.eventually(async () => (await h.request('officer.east', 'GET', `/petitions/${accusation}`)).status === 200);

    for (const user of ['intake.east-s1-g1', 'intake.west']) {
      const unit = user.slice('intake.'.length);
      const control = await h.request(user, 'POST', '/petitions', petition(unit, '110101199912121230'));
      const guess = await h.request(user, 'POST', '/petitions', petition(unit, accuser.idNumber));
      expect(control.status).toBe(201);
      expect(shape(guess)).toEqual(shape(control));
      expect(guess.body.id).not.toBe(accusation);
      expect(guess.body).not.toHaveProperty('repeatOf');
      expect(JSON.stringify(guess.body)).not.toContain(accusation);
      // Their own case is theirs to read, and says nothing of the accusation.
      const own = await h.request(user, 'GET', `/petitions/${guess.body.id}/history`);
      expect(own.status).toBe(200);
      expect(JSON.stringify(own.body)).not.toContain(accusation);
      expect((await h.request(user, 'GET', `/petitions/${accusation}`)).status).toBe(403);
    }

    // Nothing of theirs was appended to the accusation; Hearth linked both repeats to it, caused by the registrations.
    const history = (await h.request('auditor.city', 'GET', `/petitions/${accusation}/history`)).body.events as any[];
    const repeats = history.filter((e) => e.type === 'RepeatPetitionReceived');
    expect(repeats.map((e) => e.data.receivedBy)).toEqual(['system', 'system']);
    expect(repeats.map((e) => e.data.receivedAtOrgUnit)).toEqual(['east-s1-g1', 'west']);
    expect(repeats.every((e) => typeof e.data.linkedPetitionId === 'string')).toBe(true);
    expect(history.some((e) => e.type === 'RepeatPetitionReceived' && /^intake\./.test(e.data.receivedBy))).toBe(false);
  });

  it('a user who may read the existing case is told the repeat joined it', async () => {
    const idNumber = '110101197003031235';
    const first = await h.request('intake.east-s1', 'POST', '/petitions', petition('east-s1', idNumber, { subject: '加班费' }));
    expect(first.status).toBe(201);
    const again = await h.request('intake.east', 'POST', '/petitions', petition('east', idNumber, { subject: '加班费' }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, repeatOf: first.body.id, events: ['RepeatPetitionReceived'] });
  });

  it('once the petitioner is erased (crypto-shredding), their next petition on the subject opens a new case', async () => {
    const idNumber = '110101196806061232';
    const first = await h.request('intake.east-s1', 'POST', '/petitions', petition('east-s1', idNumber, { subject: '工伤认定' }));
    expect(first.status).toBe(201);
    const subject = await h.request('auditor.city', 'POST', '/privacy/subjects/lookup', { idNumber });
    expect(subject.status).toBe(200);
    const subjectId = subject.body.subjectId as string;
    // Four eyes: one person asks, a second approves (apps/api/src/privacy).
    const asked = await h.request('head.city', 'POST', `/privacy/subjects/${subjectId}/erasure`, { reason: 'data_subject_request', reference: 'REQ-1' });
    expect(asked.status).toBeLessThan(300);
    const approved = await h.request('supervisor.city', 'POST', `/privacy/subjects/${subjectId}/erasure/approval`, { requestId: asked.body.requestId });
    expect([approved.status, approved.body.status]).toEqual([expect.any(Number), 'erased']);
    const next = await h.request('intake.east-s1', 'POST', '/petitions', petition('east-s1', idNumber, { subject: '工伤认定' }));
    expect(next.status).toBe(201);
    expect(next.body.id).not.toBe(first.body.id);
    expect(next.body).not.toHaveProperty('repeatOf');
    // The new case holds the key now: the person's next repeat joins it.
    const third = await h.request('intake.east-s1', 'POST', '/petitions', petition('east-s1', idNumber, { subject: '工伤认定' }));
    expect([third.status, third.body.repeatOf]).toEqual([200, next.body.id]);
  });
});
