import { JwtService } from '@nestjs/jwt';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

const DAY = 86_400_000;

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Access control over HTTP (domain-spec §0, issue 3): deny by default; every query and command scoped to the caller's
 * org subtree; auditors read everything in their subtree and run no command; supervisors act from above. A matrix of
 * role × endpoint group, each cell an expected status, with the case at the street union east-s1 and callers there,
 * above it and in the other branch. Plus the accuser's identity kept from the accused org (art. 46(5)) and repeat
 * petitions linked to the open case.
 * Clock: half a day per second from Tue 2025-09-23 09:00 CST, so a 督办 due tomorrow is missed within seconds.
 */
describe('access control: role × endpoint matrix (HTTP)', () => {
  let h: HearthUnderTest;

  beforeAll(async () => {
    h = await HearthUnderTest.start({ clockSpeed: DAY / 2 / 1000, clockStart: '2025-09-23T09:00:00+08:00', clockAnchorDelayMs: 1500 });
    await h.untilAnchor();
  });
  afterAll(async () => h?.stop());

  const petition = (over: Record<string, unknown> = {}) => ({
    orgUnit: 'east-s1',
    channel: 'letter',
    category: 'claim',
    subject: '拖欠工资',
    facts: '拖欠三个月工资',
    request: '补发',
    petitioners: [{ name: '周九', address: '东城区' }],
    headcount: 1,
    identityKnown: true,
    ...over,
  });
  const register = async (over: Record<string, unknown> = {}) => {
    const r = await h.request('intake.east-s1', 'POST', '/petitions', petition(over));
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const accepted = async () => {
    const id = await register();
    expect((await h.request('officer.east-s1', 'POST', `/petitions/${id}/acceptance`, { signedBy: 'head.east-s1' })).status).toBe(200);
    return id;
  };

  /** Runs `call` for every user and compares the whole row at once (so a failure shows every cell). */
  async function row(expected: Record<string, number>, call: (user: string) => Promise<{ status: number }>) {
    const got: Record<string, number> = {};
    for (const user of Object.keys(expected)) got[user] = (await call(user)).status;
    expect(got).toEqual(expected);
  }

  it('authentication: no token, an unknown user, a role or unit the user does not have, a foreign signature → 401', async () => {
    expect((await h.request(null, 'GET', '/petitions')).status).toBe(401);
    const ours = new JwtService({ secret: h.secret });
    const theirs = new JwtService({ secret: 'not-the-hearth-secret-at-all' });
    const call = (token: string) => fetch(`${h.baseUrl}/petitions`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await call(ours.sign({ sub: 'nobody.east', role: 'head', org: 'east' }))).toBe(401);
    expect(await call(ours.sign({ sub: 'officer.east-s1', role: 'head', org: 'east-s1' }))).toBe(401);
    expect(await call(ours.sign({ sub: 'officer.east-s1', role: 'officer', org: 'city' }))).toBe(401);
    expect(await call(ours.sign({ sub: 'system', role: 'system', org: 'city' }))).toBe(401);
    expect(await call(theirs.sign({ sub: 'officer.east-s1', role: 'officer', org: 'east-s1' }))).toBe(401);
    expect(await call(ours.sign({ sub: 'officer.east-s1', role: 'officer', org: 'east-s1' }))).toBe(200);
  });

  it('register: intake and officers of the subtree; not heads, mediators, supervisors, auditors; never outside the subtree', async () => {
    await row(
      {
        'intake.east-s1': 201,
        'officer.east-s1': 201,
        // The petition decider lets intake and officers register (the route admits heads; the decider refuses them).
        'head.east-s1': 403,
        'intake.east': 201,
        'mediator.east-s1': 403,
        'supervisor.east-s1': 403,
        'auditor.east': 403,
        'intake.west': 403,
        'officer.west': 403,
        'head.west': 403,
        'intake.east-s1-g1': 403,
      },
      (u) => h.request(u, 'POST', '/petitions', petition()),
    );
  });

  it('case commands: officers and heads of the subtree; not intake, mediators, supervisors or auditors; never outside', async () => {
    await row(
      {
        'officer.east-s1': 200,
        'head.east-s1': 200,
        'officer.east': 200,
        'head.city': 200,
        'intake.east-s1': 403,
        'mediator.east-s1': 403,
        'supervisor.east-s1': 403,
        'supervisor.east': 403,
        'auditor.east': 403,
        'auditor.city': 403,
        'officer.west': 403,
        'head.west': 403,
        'officer.east-s1-g1': 403,
      },
      async (u) => h.request(u, 'POST', `/petitions/${await register()}/acceptance`, { signedBy: 'head.east-s1' }),
    );
    // Auditors are refused at the edge, before any decider runs.
    const id = await register();
    const r = await h.request('auditor.city', 'POST', `/petitions/${id}/progress`, { note: 'x' });
    expect([r.status, r.body.code]).toEqual([403, 'ROLE_NOT_ALLOWED']);
  });

  it('queries: everyone whose subtree holds the case, auditors included; nobody from the other branch or below', async () => {
    const id = await register();
    await h.eventually(async () => (await h.request('officer.east-s1', 'GET', `/petitions/${id}`)).status === 200);
    const allowed = ['intake.east-s1', 'officer.east-s1', 'mediator.east-s1', 'head.east-s1', 'supervisor.east-s1', 'auditor.east', 'supervisor.east', 'auditor.city', 'officer.city'];
    const denied = ['intake.west', 'officer.west', 'head.west', 'supervisor.west', 'auditor.west', 'officer.east-s1-g1', 'head.east-s2'];
    const expected = Object.fromEntries([...allowed.map((u) => [u, 200]), ...denied.map((u) => [u, 403])]);
    await row(expected, (u) => h.request(u, 'GET', `/petitions/${id}`));
    await row(expected, (u) => h.request(u, 'GET', `/petitions/${id}/history`));
    await row(expected, (u) => h.request(u, 'GET', '/petitions?orgUnit=east-s1'));
    await row(expected, (u) => h.request(u, 'GET', '/petitions/stats?orgUnit=east-s1'));
    // Default scope is one's own unit: the other branch sees its own subtree, without this case.
    const west = (await h.request('officer.west', 'GET', '/petitions')).body;
    expect(west.items.map((p: any) => p.id)).not.toContain(id);
  });

  it('督办: supervisors and heads above the case; not the case unit itself, not officers, intake, mediators or auditors', async () => {
    await row(
      {
        'supervisor.east': 200,
        'head.east': 200,
        'supervisor.city': 200,
        'supervisor.east-s1': 403,
        'head.east-s1': 403,
        'officer.east': 403,
        'intake.east': 403,
        'mediator.east-s1': 403,
        'auditor.east': 403,
        'supervisor.west': 403,
      },
      async (u) => h.request(u, 'POST', `/petitions/${await accepted()}/supervision`, { dueDate: '2025-10-20', instructions: '书面报告办理情况' }),
    );
    // The written reply: the supervised unit's officers and head.
    const replyRow: Record<string, number> = { 'officer.east-s1': 200, 'head.east-s1': 200, 'supervisor.east': 403, 'auditor.east': 403, 'intake.east-s1': 403, 'officer.east': 403, 'officer.west': 403 };
    await row(replyRow, async (u) => {
      const id = await accepted();
      expect((await h.request('supervisor.east', 'POST', `/petitions/${id}/supervision`, { dueDate: '2025-10-20', instructions: '报告' })).status).toBe(200);
      return h.request(u, 'POST', `/petitions/${id}/supervision-reply`, { supervisionId: 'supervisionReply-1', reply: '已办结' });
    });
  });

  it('alerts: everyone has an own inbox; the subtree overview, single alerts and acknowledgements by role and scope', async () => {
    // A 督办 due tomorrow (domain time) at a street case, left unanswered: missed → an escalation for the district's supervisors.
    const id = await accepted();
    const today = new Date(Date.parse((await h.request(null, 'GET', '/health')).body.domainTime) + 8 * 3600_000);
    const tomorrow = new Date(today.getTime() + DAY).toISOString().slice(0, 10);
    expect((await h.request('supervisor.east', 'POST', `/petitions/${id}/supervision`, { dueDate: tomorrow, instructions: '两日内报告' })).status).toBe(200);
    const alertId = `petition-${id}.supervisionReply-1.L1`;
    await h.eventually(async () => (await h.request('supervisor.east', 'GET', '/alerts')).body.items?.some((a: any) => a.id === alertId), 20_000, 'the missed 督办 alert');

    const everyone = ['intake.east-s1', 'officer.east-s1', 'mediator.east-s1', 'head.east-s1', 'supervisor.east-s1', 'auditor.east', 'supervisor.west'];
    await row(Object.fromEntries(everyone.map((u) => [u, 200])), (u) => h.request(u, 'GET', '/alerts'));
    await row(
      { 'supervisor.east-s1': 200, 'head.east-s1': 200, 'auditor.east': 200, 'intake.east-s1': 403, 'officer.east-s1': 403, 'mediator.east-s1': 403 },
      (u) => h.request(u, 'GET', '/alerts?scope=subtree'),
    );
    expect((await h.request('supervisor.east-s1', 'GET', '/alerts?scope=subtree&orgUnit=east')).status).toBe(403);
    await row(
      { 'supervisor.east': 200, 'auditor.east': 200, 'auditor.city': 200, 'head.city': 200, 'supervisor.east-s1': 403, 'officer.east': 403, 'auditor.west': 403, 'supervisor.west': 403 },
      (u) => h.request(u, 'GET', `/alerts/${encodeURIComponent(alertId)}`),
    );
    await row(
      { 'supervisor.east': 200, 'head.east': 200, 'supervisor.city': 200, 'supervisor.east-s1': 403, 'head.east-s1': 403, 'officer.east': 403, 'auditor.east': 403, 'supervisor.west': 403 },
      (u) => h.request(u, 'POST', `/alerts/${encodeURIComponent(alertId)}/acknowledgement`, { note: '已督促' }),
    );
    const acked = await h.request('auditor.city', 'GET', `/alerts/${encodeURIComponent(alertId)}`);
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'supervisor.east' });
  });

  it('admin: only the city federation’s heads and supervisors may rebuild read models', async () => {
    await row({ 'head.east': 403, 'supervisor.east': 403, 'officer.city': 403, 'auditor.city': 403, 'intake.city': 403 }, (u) => h.request(u, 'POST', '/admin/read-models/rebuild'));
  });

  it('an accusation never shows the accuser to users of the accused org, and never goes to it (art. 46(5))', async () => {
    expect((await h.request('intake.east-s1', 'POST', '/petitions', petition({ category: 'accusation' }))).body.code).toBe('ACCUSED_ORG_REQUIRED');
    const r = await h.request('intake.east-s1', 'POST', '/petitions', petition({ category: 'accusation', accusedOrgUnit: 'east-s1', petitioners: [{ name: '吴十', contact: '13700000000', idNumber: '110101199002021234' }] }));
    expect(r.status).toBe(201);
    const id = r.body.id;
    const registered = async (u: string) => {
      const res = await h.request(u, 'GET', `/petitions/${id}/history`);
      expect(res.status).toBe(200);
      return { body: res.body, data: res.body.events.find((e: any) => e.type === 'PetitionRegistered').data };
    };
    for (const u of ['officer.east-s1', 'head.east-s1', 'supervisor.east-s1']) {
      const { body, data } = await registered(u);
      expect(body.accuserRedacted).toBe(true);
      expect(data.petitioners).toEqual([{ redacted: true }]);
      expect(data).not.toHaveProperty('petitionerKeys');
      expect(JSON.stringify(body)).not.toMatch(/吴十|13700000000|110101199002021234/);
    }
    for (const u of ['officer.east', 'auditor.city']) {
      const { body, data } = await registered(u);
      expect(body.accuserRedacted).toBeUndefined();
      // The display policy (issue 11): the officer above sees whom to answer, never the ID number; auditors see masks.
      const masked = { personal: true, subjectId: expect.any(String), role: 'petitioner' };
      expect(data.petitioners).toEqual(
        u === 'officer.east' ? [{ name: '吴十', phone: '13700000000', idNumber: masked }] : [{ name: masked, phone: masked, idNumber: masked }],
      );
    }
    // Filed at the district against a grassroots union: never transferred to it.
    const up = await h.request('intake.east', 'POST', '/petitions', petition({ orgUnit: 'east', category: 'accusation', accusedOrgUnit: 'east-s1-g1' }));
    const moved = await h.request('officer.east', 'POST', `/petitions/${up.body.id}/transfer`, { toOrgUnit: 'east-s1-g1', reason: '属地' });
    expect([moved.status, moved.body.code]).toEqual([422, 'TARGET_IS_ACCUSED_ORG']);
  });

  it('a repeat petition (same ID number, same subject, case open) is linked to the case instead of opening a new one', async () => {
    const person = { name: '郑一', idNumber: '11010119880303123X' };
    const first = await h.request('intake.east-s1', 'POST', '/petitions', petition({ subject: '工伤待遇未落实', petitioners: [person] }));
    expect(first.status).toBe(201);
    const id = first.body.id;
    // The repeat index is a read model, written with the petition's own (same batch).
    await h.eventually(async () => (await h.request('officer.east-s1', 'GET', `/petitions/${id}`)).status === 200);
    // Received again, at the district, with a lower-case check character: the same person.
    const again = await h.request('intake.east', 'POST', '/petitions', petition({ orgUnit: 'east', channel: 'visit', subject: ' 工伤待遇未落实', petitioners: [{ ...person, idNumber: '11010119880303123x' }] }));
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(`/petitions/${id}`);
    expect(again.body).toMatchObject({ id, repeatOf: id, events: ['RepeatPetitionReceived'] });
    const history = (await h.request('auditor.city', 'GET', `/petitions/${id}/history`)).body.events;
    expect(history.find((e: any) => e.type === 'RepeatPetitionReceived').data).toMatchObject({ receivedAtOrgUnit: 'east', channel: 'visit', afterRecheck: false });
    // Another subject is a new petition; the ID number itself is stored nowhere but the registration's petitioners.
    const other = await h.request('intake.east-s1', 'POST', '/petitions', petition({ subject: '社保欠缴', petitioners: [person] }));
    expect(other.status).toBe(201);
    expect(JSON.stringify(history.find((e: any) => e.type === 'RepeatPetitionReceived'))).not.toContain('11010119880303123');
    // The repeat alerts the case unit's officers.
    await h.eventually(async () => (await h.request('officer.east-s1', 'GET', '/alerts')).body.items?.some((a: any) => a.kind === 'repeat' && a.caseId === id), 10_000, 'the repeat alert');
  });
});
