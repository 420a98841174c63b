import Redis from 'ioredis';
import { HearthUnderTest, SseClient } from '@hearth/testing/hearth-process';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The controlled clock starts on Monday 2025-11-03 09:00 CST (no holidays in November 2025); the test moves it. */
const START = '2025-11-03T09:00:00+08:00';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Labour-dispute mediation over HTTP, api and worker as separate processes, a controlled clock the test advances:
 * - a collective wage-arrears case of 12 migrant workers: apply → legal aid → accept → mediator → session →
 *   extension with both parties' consent → agreement (two obligations) → signatures and seal → the first obligation
 *   paid → the second one's due date passes: its deadline is missed and the supervisors one level up get the alert
 *   → breach → referral to arbitration → worker informed → arbitration filed (external milestone) → closed;
 * - a second case nobody accepts: the statutory 15 days from receipt lapse → ArbitrationEligible, worker informed;
 * - statistics of §4 by org unit and month reflect both;
 * - a petition routed out to mediation opens exactly one linked case, also after the worker is killed and replays.
 */
describe('labour-dispute mediation: wage arrears of 12 migrant workers (e2e)', () => {
  let h: HearthUnderTest;
  const domainNow = (): number => h.now().getTime();
  /** CST date `days` from domain now. */
  const cstDate = (days = 0): string => new Date(domainNow() + 8 * 3600_000 + days * DAY).toISOString().slice(0, 10);

  const workers = Array.from({ length: 12 }, (_, i) => ({
    workerId: `w${i + 1}`,
    name: `农民工${i + 1}`,
    ...(i < 3 ? { idNumber: `51012319900101${String(1000 + i)}`, phone: `1390000000${i}` } : {}),
    migrantWorker: true,
  }));
  const application = {
    orgUnit: 'east-s1-g1',
    form: 'written',
    workers,
    employer: { name: '某建筑劳务有限公司', creditCode: '91110101MA00000001' },
    facts: '2025年5月至10月在某工地务工，工资共计九万六千元未付',
    claims: [
      { type: 'wages', amountYuan: 96000 },
      { type: 'social_insurance', amountYuan: 12000 },
    ],
    headcount: 12,
    commonClaim: true,
    representatives: ['w1', 'w2', 'w3'],
    disputeDate: '2025-10-31',
  };

  beforeAll(async () => {
    h = await HearthUnderTest.start({ controlledClock: true, clockStart: START });
  }, 180_000);
  afterAll(async () => h?.stop());

  const post = async (user: string, path: string, body: unknown = {}, headers: Record<string, string> = {}) => {
    const r = await h.request(user, 'POST', path, body, headers);
    return r;
  };
  const ok = async (user: string, path: string, body: unknown = {}, headers: Record<string, string> = {}) => {
    const r = await post(user, path, body, headers);
    expect({ path, status: r.status, body: r.body }).toMatchObject({ path, status: 200 });
    return r.body as Json;
  };
  const detail = (id: string, user = 'officer.east-s1-g1') =>
    h.eventually(async () => {
      const r = await h.request(user, 'GET', `/mediations/${id}`);
      return r.status === 200 ? (r.body as Json) : undefined;
    });
  const detailWhen = (id: string, cond: (d: Json) => boolean, what: string, user = 'officer.east-s1-g1', timeoutMs = 60_000) =>
    h.eventually(async () => {
      const r = await h.request(user, 'GET', `/mediations/${id}`);
      return r.status === 200 && cond(r.body) ? (r.body as Json) : undefined;
    }, timeoutMs, what);

  it('runs the collective case to referral, the statutory clock of an ignored case, and counts both', async () => {
    const upper = new SseClient(`${h.baseUrl}/alerts/stream`, h.token('supervisor.east-s1'));
    const otherBranch = new SseClient(`${h.baseUrl}/alerts/stream`, h.token('supervisor.west-s1'));
    await Promise.all([upper.ready, otherBranch.ready]);

    // ---- apply (and the edges: 400, 403, 422, idempotent retry) ---------------------------------------------
    const applied = await post('intake.east-s1-g1', '/mediations', application, { 'Idempotency-Key': 'wage-arrears-0001' });
    expect(applied.status).toBe(201);
    expect(applied.body.events).toEqual(['MediationApplied', 'DeadlineOpened', 'DeadlineOpened']);
    const id: string = applied.body.id;
    expect(applied.headers.get('location')).toBe(`/mediations/${id}`);
    const retry = await post('intake.east-s1-g1', '/mediations', application, { 'Idempotency-Key': 'wage-arrears-0001' });
    expect(retry.body).toMatchObject({ id, replayed: true, revision: applied.body.revision });

    const bad = await post('intake.east-s1-g1', '/mediations', {
      ...application,
      workers: [{ workerId: 'w1', name: '张三' }],
      claims: [{ type: 'wages', amountYuan: 1.234 }],
      disputeDate: '31/10/2025',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['claims.0.amountYuan', 'disputeDate', 'workers.0.migrantWorker']);
    expect((await post('intake.east-s1-g1', '/mediations', { ...application, shoeSize: 42 })).status).toBe(400);
    expect((await post('auditor.city', '/mediations', application)).body).toMatchObject({ statusCode: 403, code: 'ROLE_NOT_ALLOWED' });
    expect((await post('intake.west-s1-g1', '/mediations', application)).body).toMatchObject({ statusCode: 403, code: 'OUTSIDE_ORG_SUBTREE' });
    const noReps = await post('intake.east-s1-g1', '/mediations', { ...application, representatives: undefined });
    expect(noReps.body).toMatchObject({ statusCode: 422, code: 'REPRESENTATIVES_REQUIRED' });

    // A second case a few minutes later, nobody will accept it: its clocks run out below.
    await h.advanceClock({ ms: 5 * 60_000 });
    const ignored = await post('intake.east-s1-g2', '/mediations', {
      ...application,
      orgUnit: 'east-s1-g2',
      workers: [{ workerId: 'w1', name: '王五', migrantWorker: true }],
      claims: [{ type: 'wages', amountYuan: 5000 }],
      headcount: 1,
      commonClaim: false,
      representatives: [],
    });
    expect(ignored.status).toBe(201);
    const idB: string = ignored.body.id;

    // Two hours later, at the desk.
    await h.advanceClock({ ms: 2 * HOUR });

    // ---- legal aid side flow: migrant workers claiming wages skip the means test ----------------------------
    await ok('officer.east-s1-g1', `/mediations/${id}/legal-aid`, { workerIds: workers.map((w) => w.workerId), migrantWageClaim: true });
    const aid = await ok('head.east-s1-g1', `/mediations/${id}/legal-aid/decision`, { granted: true, reason: '农民工追索劳动报酬，免予经济困难审查' });
    expect(aid.events).toEqual(['LegalAidDecided', 'DeadlineMet', 'DeadlineOpened']);
    await ok('officer.east-s1-g1', `/mediations/${id}/legal-aid/lawyer`, { lawyer: { name: '陈律师', firm: '某法律援助中心' } });

    // ---- accept, mediator, session ---------------------------------------------------------------------------
    expect((await post('officer.west-s1-g1', `/mediations/${id}/acceptance`)).body).toMatchObject({ statusCode: 403, code: 'OUTSIDE_ORG_SUBTREE' });
    expect((await post('head.east-s1-g1', `/mediations/${id}/agreement/seal`)).body).toMatchObject({ statusCode: 422, code: 'INVALID_TRANSITION' });
    const accepted = await ok('officer.east-s1-g1', `/mediations/${id}/acceptance`);
    expect(accepted.events).toEqual(['MediationAccepted', 'DeadlineMet', 'DeadlineOpened']);
    await ok('officer.east-s1-g1', `/mediations/${id}/mediator`, { mediatorId: 'mediator.east-s1' });
    const session = await ok('mediator.east-s1', `/mediations/${id}/sessions`, { at: new Date(domainNow() + DAY / 2).toISOString(), place: '街道调解室' });
    expect(session.events).toEqual(['SessionScheduled']);
    expect((await post('mediator.east-s1', `/mediations/${id}/sessions/session-9/held`, { notes: '' })).body).toMatchObject({ statusCode: 404, code: 'SESSION_NOT_FOUND' });
    await ok('mediator.east-s1', `/mediations/${id}/sessions/session-1/held`, { notes: '用人单位承认欠薪，提出分期支付' });

    // ---- the body's own period: extended only with both parties' recorded consent ----------------------------
    await h.advanceClock({ ms: 2 * HOUR });
    const noConsent = await post('head.east-s1-g1', `/mediations/${id}/period-extension`, { days: 5 });
    expect(noConsent.body).toMatchObject({ statusCode: 422, code: 'CONSENT_REQUIRED' });
    const consentAt = new Date(domainNow() - 3600_000).toISOString();
    const extended = await ok('head.east-s1-g1', `/mediations/${id}/period-extension`, {
      days: 5,
      consent: { workerConsentRecordedAt: consentAt, employerConsentRecordedAt: consentAt },
    });
    expect(extended.events).toEqual(['MediationPeriodExtended', 'DeadlineMoved']);

    // ---- agreement: two obligations, each due date a deadline on the ladder ---------------------------------
    const o1Due = cstDate(2);
    const o2Due = cstDate(3);
    await ok('mediator.east-s1', `/mediations/${id}/agreement`, {
      obligations: [
        { obligationId: 'o1', payer: 'employer', payee: 'worker', description: '第一期工资', amountYuan: 60000, dueDate: o1Due, claimType: 'wages' },
        { obligationId: 'o2', payer: 'employer', payee: 'worker', description: '第二期工资', amountYuan: 36000, dueDate: o2Due, claimType: 'wages' },
      ],
    });
    await ok('mediator.east-s1', `/mediations/${id}/agreement/signatures`, { party: 'worker', signatoryId: 'w1' });
    await ok('mediator.east-s1', `/mediations/${id}/agreement/signatures`, { party: 'employer' });
    await ok('mediator.east-s1', `/mediations/${id}/agreement/signatures`, { party: 'mediator' });
    const sealed = await ok('head.east-s1-g1', `/mediations/${id}/agreement/seal`);
    expect(sealed.events).toEqual(['AgreementSealed', 'AgreementEffective', 'DeadlineMet', 'DeadlineMet', 'DeadlineOpened', 'DeadlineOpened']);
    const effective = await detailWhen(id, (d) => d.status === 'Performing', 'the agreement in effect');
    // Due at the end of the due date, CST.
    expect(effective.deadlines.map((d: Json) => [d.kind, d.dueAt])).toEqual([
      ['obligation', `${o1Due}T16:00:00.000Z`],
      ['obligation', `${o2Due}T16:00:00.000Z`],
    ]);

    // ---- the first obligation is paid; the second's due date passes unpaid ----------------------------------
    await h.advanceClock({ ms: HOUR });
    const paid = await ok('officer.east-s1-g1', `/mediations/${id}/obligations/o1/performance`, { amountYuan: 60000, at: new Date(domainNow() - 60_000).toISOString() });
    expect(paid.events).toEqual(['PerformanceRecorded', 'DeadlineMet']);
    expect((await post('officer.east-s1-g1', `/mediations/${id}/obligations/o2/breach`, { note: '未付' })).body).toMatchObject({ statusCode: 422, code: 'OBLIGATION_NOT_DUE' });
    // An hour after the end of o2's due date (CST).
    await h.advanceClock(new Date(Date.parse(`${o2Due}T16:00:00.000Z`) + HOUR));

    const alert: Json = await h.eventually(
      async () => upper.events.find((a: Json) => a.caseId === id && a.deadlineKind === 'obligation' && a.kind === 'missed'),
      60_000,
      'the missed obligation alert on the upper supervisors’ stream',
    );
    expect(alert).toMatchObject({ workflow: 'mediation', streamId: `mediation-${id}`, ownerOrgUnit: 'east-s1-g1', targetOrgUnit: 'east-s1', level: 1, status: 'open' });
    expect(otherBranch.events.filter((a: Json) => a.caseId === id)).toEqual([]);
    const inbox = (await h.request('supervisor.east-s1', 'GET', '/alerts')).body;
    expect(inbox.items.map((a: Json) => a.id)).toContain(alert.id);

    // ---- breach → referral to arbitration (art. 15), worker informed, arbitration filed ----------------------
    const breach = await ok('officer.east-s1-g1', `/mediations/${id}/obligations/o2/breach`, { note: '到期未支付第二期工资' });
    expect(breach.events).toEqual(['ObligationBreached', 'DeadlineCancelled', 'ArbitrationEligible']);
    await h.eventually(async () => (await h.request('supervisor.east-s1', 'GET', `/alerts/${encodeURIComponent(alert.id)}`)).body.status === 'resolved', 60_000, 'the alert resolved by the breach');
    await ok('officer.east-s1-g1', `/mediations/${id}/arbitration-referral`, { commission: '东城区劳动人事争议仲裁委员会' });
    await ok('officer.east-s1-g1', `/mediations/${id}/worker-informed`, { method: '书面告知' });
    const filedOn = cstDate();
    await ok('officer.east-s1-g1', `/mediations/${id}/arbitration-filing`, { filedAt: filedOn, commission: '东城区劳动人事争议仲裁委员会' });
    await ok('head.east-s1-g1', `/mediations/${id}/closure`, { reason: '协议未履行，已移送仲裁' });

    const closed = await detailWhen(id, (d) => d.status === 'Closed', 'the case closed');
    expect(closed).toMatchObject({
      orgUnit: 'east-s1-g1',
      headcount: 12,
      collective: true,
      involvesMigrantWorkers: true,
      claimTotalYuan: 108000,
      mediatorId: 'mediator.east-s1',
      acceptance: { decision: 'accepted', onTime: true },
      sessions: { scheduled: 1, held: 1 },
      extensionDays: 5,
      agreement: {
        sealed: true,
        agreedTotalYuan: 96000,
        obligations: [
          { obligationId: 'o1', state: 'performed', paidYuan: 60000 },
          { obligationId: 'o2', state: 'breached', paidYuan: 0 },
        ],
      },
      arbitration: { eligible: true, grounds: ['agreement_breached'], workerToBeInformed: false, filedOn, referred: true },
      legalAid: { status: 'assigned', workerCount: 12, migrantWageClaim: true },
      recoveredYuan: 60000,
      closeOutcome: 'referred_to_arbitration',
      deadlines: [],
    });
    expect(closed.fromPetition).toBeUndefined();
    expect(JSON.stringify(closed)).not.toMatch(/农民工1|某建筑劳务|51012319900101/);

    const history = (await h.request('auditor.city', 'GET', `/mediations/${id}/history`)).body.events as Json[];
    const missed = history.find((e) => e.type === 'DeadlineMissed');
    expect(missed).toMatchObject({ actorId: 'system', cause: 'timer', data: { kind: 'obligation', escalateTo: 'east-s1', level: 1 } });
    expect(history.find((e) => e.type === 'ArbitrationEligible')).toMatchObject({ legalBasis: 'LDMAL art. 15', actorId: 'officer.east-s1-g1' });
    expect(history.find((e) => e.type === 'LegalAidDecided')).toMatchObject({ data: { meansTestWaived: true }, legalBasis: '法律援助法 art. 42, 43' });
    expect((await h.request('officer.west', 'GET', `/mediations/${id}/history`)).status).toBe(403);
    expect((await h.request('officer.west', 'GET', `/mediations/${id}`)).status).toBe(403);

    // ---- the ignored case: statutory 15 days from receipt (11/3 → 11/18) lapse → the worker may go to arbitration
    await h.advanceClock('2025-11-19T09:00:00+08:00');
    const eligible = await detailWhen(idB, (d) => d.arbitration.eligible, 'ArbitrationEligible on the ignored case', 'officer.east-s1-g2', 60_000);
    expect(eligible).toMatchObject({ status: 'Applied', arbitration: { grounds: ['statutory_period_lapsed'], workerToBeInformed: true } });
    expect(eligible.deadlines).toEqual([expect.objectContaining({ kind: 'acceptance', missedLevel: expect.any(Number) })]);
    const historyB = (await h.request('auditor.city', 'GET', `/mediations/${idB}/history`)).body.events as Json[];
    expect(historyB.find((e) => e.type === 'ArbitrationEligible')).toMatchObject({ actorId: 'system', cause: 'timer', legalBasis: 'LDMAL art. 14', data: { workerToBeInformed: true } });
    expect(historyB.find((e) => e.type === 'DeadlineLapsed')).toMatchObject({ data: { kind: 'statutory' } });
    expect(historyB.find((e) => e.type === 'DeadlineLapsed').occurredAt >= '2025-11-18T16:00:00.000Z').toBe(true);
    const told = await ok('officer.east-s1-g2', `/mediations/${idB}/worker-informed`, { method: '电话告知并寄送告知书' });
    expect(told.events).toEqual(['WorkerInformedOfArbitration']);
    expect((await post('officer.east-s1-g2', `/mediations/${idB}/worker-informed`, { method: '再次告知' })).body).toMatchObject({ statusCode: 422, code: 'NOTHING_TO_INFORM' });

    // ---- lists and statistics of §4, by org unit and month --------------------------------------------------
    const ids = async (path: string, user = 'head.east-s1') => ((await h.request(user, 'GET', path)).body.items as Json[]).map((i) => i.id);
    await h.eventually(async () => (await detail(idB, 'officer.east-s1-g2')).arbitration.workerToBeInformed === false, 60_000, 'worker informed in the read model');
    expect(await ids('/mediations?month=2025-11&order=asc')).toEqual([id, idB]);
    expect(await ids('/mediations?collective=true')).toEqual([id]);
    expect(await ids('/mediations?mediatorId=mediator.east-s1')).toEqual([id]);
    expect(await ids('/mediations?status=open')).toEqual([idB]);
    expect(await ids('/mediations?orgUnit=east-s1-g2')).toEqual([idB]);
    expect(await ids('/mediations?month=2025-10')).toEqual([]);
    expect((await h.request('head.east-s1', 'GET', '/mediations?month=2025-13')).status).toBe(400);
    expect((await h.request('head.east-s1', 'GET', '/mediations?orgUnit=west')).body).toMatchObject({ statusCode: 403, code: 'OUTSIDE_ORG_SUBTREE' });

    const stats = (await h.request('head.city', 'GET', '/mediations/stats?orgUnit=east&month=2025-11')).body;
    expect(stats).toMatchObject({
      orgUnit: 'east',
      month: '2025-11',
      applications: 2,
      collective: 1,
      migrantCases: 2,
      workersCovered: 13,
      accepted: 1,
      acceptedOnTime: 1,
      rejected: 0,
      acceptanceRate: 1,
      sessionsHeld: 1,
      extensions: 1,
      agreements: 1,
      failed: 0,
      successRate: 1,
      workersInAgreements: 12,
      performed: 0,
      breached: 1,
      obligationsBreached: 1,
      referredToArbitration: 1,
      paymentOrdersAdvised: 0,
      arbitrationEligible: 2,
      statutoryLapsed: 1,
      workersInformed: 2,
      arbitrationFiled: 1,
      legalAid: { requested: 1, granted: 1, denied: 0, decidedOnTime: 1, lawyersAssigned: 1 },
      closed: 1,
      claimedYuan: 113000,
      wageArrearsClaimedYuan: 101000,
      agreedYuan: 96000,
      recoveredYuan: 60000,
      wageArrearsRecoveredYuan: 60000,
    });
    expect(stats.averageDaysToAgreement).toBeGreaterThanOrEqual(0);
    expect(stats.averageDaysToAgreement).toBeLessThan(5);
    expect(stats.byUnit.map((u: Json) => [u.orgUnit, u.applications])).toEqual([
      ['east-s1', 2],
      ['east-s2', 0],
    ]);
    const total = (await h.request('head.east-s1', 'GET', '/mediations/stats')).body;
    expect(total).toMatchObject({ orgUnit: 'east-s1', applications: 2, overdueNow: 1, recoveredYuan: 60000 });
    expect(total.byUnit.map((u: Json) => [u.orgUnit, u.applications, u.referredToArbitration])).toEqual([
      ['east-s1-g1', 1, 1],
      ['east-s1-g2', 1, 0],
    ]);
    expect((await h.request('head.west', 'GET', '/mediations/stats?orgUnit=east')).status).toBe(403);
    expect((await h.request('head.east', 'GET', '/mediations/stats?month=11-2025')).status).toBe(400);
    upper.close();
    otherBranch.close();
  }, 300_000);

  it('routes a petition out to mediation: one linked case, shown on both sides, even after the worker crashes and replays', async () => {
    const register = async (subject: string) => {
      const r = await post('intake.east-s2-g1', '/petitions', {
        orgUnit: 'east-s2-g1',
        channel: 'visit',
        category: 'claim',
        subject,
        facts: '某装修公司拖欠三名农民工工资一万五千元',
        request: '协调支付欠薪',
        petitioners: [{ name: '赵一' }, { name: '钱二' }, { name: '孙三' }],
        headcount: 3,
        identityKnown: true,
      });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const mediationData = {
      employer: { name: '某装修公司' },
      claims: [{ type: 'wages', amountYuan: 15000 }],
      disputeDate: '2025-10-01',
      workers: [
        { workerId: 'w1', name: '赵一', migrantWorker: true },
        { workerId: 'w2', name: '钱二', migrantWorker: true },
        { workerId: 'w3', name: '孙三', migrantWorker: true },
      ],
    };
    const routeOut = { signedBy: 'head.east-s2-g1', procedure: 'mediation', target: '街道劳动争议调解委员会', reason: '属劳动争议，导入调解' };
    const pid = await register('农民工讨薪（转调解）');

    expect((await post('officer.east-s2-g1', `/petitions/${pid}/route-out`, routeOut)).body).toMatchObject({ statusCode: 422, code: 'MEDIATION_DATA_REQUIRED' });
    const badNested = await post('officer.east-s2-g1', `/petitions/${pid}/route-out`, { ...routeOut, mediation: { ...mediationData, workers: [{ workerId: 'w1', migrantWorker: true }] } });
    expect(badNested.status).toBe(400);
    expect(badNested.body.errors.map((e: { field: string }) => e.field)).toEqual(['mediation.workers.0.name']);
    expect((await post('officer.east-s2-g1', `/petitions/${pid}/route-out`, { ...routeOut, procedure: 'litigation', mediation: mediationData })).body).toMatchObject({
      statusCode: 422,
      code: 'MEDIATION_DATA_NOT_APPLICABLE',
    });
    const routed = await ok('officer.east-s2-g1', `/petitions/${pid}/route-out`, { ...routeOut, mediation: mediationData });
    expect(routed.events).toEqual(['PetitionRoutedOut', 'DeadlineMet']);

    const petition = await h.eventually(async () => {
      const r = await h.request('officer.east-s2-g1', 'GET', `/petitions/${pid}`);
      return r.status === 200 && r.body.mediationId ? (r.body as Json) : undefined;
    }, 20_000, 'the petition to show its linked mediation case');
    expect(petition).toMatchObject({ status: 'RoutedOut', decision: 'routed_out', routedTo: 'mediation' });
    const mid: string = petition.mediationId;
    const linked = await detail(mid, 'officer.east-s2-g1');
    expect(linked).toMatchObject({ status: 'Applied', orgUnit: 'east-s2-g1', fromPetition: { petitionId: pid }, headcount: 3, involvesMigrantWorkers: true, claimTotalYuan: 15000 });
    expect(linked.deadlines.map((d: Json) => d.kind).sort()).toEqual(['acceptance', 'statutory']);
    const linkedHistory = (await h.request('auditor.city', 'GET', `/mediations/${mid}/history`)).body.events as Json[];
    expect(linkedHistory[0]).toMatchObject({ type: 'MediationApplied', actorId: 'system', cause: 'PetitionRoutedOut', data: { fromPetition: { petitionId: pid } } });
    // The linked case runs like any other.
    expect((await ok('officer.east-s2-g1', `/mediations/${mid}/acceptance`)).events).toEqual(['MediationAccepted', 'DeadlineMet', 'DeadlineOpened']);

    // Crash the worker, lose the process manager's checkpoint (as after a Redis flush), start it again: the whole
    // log is replayed and the route-out is seen again — no second case.
    await h.killWorker();
    const redis = new Redis(h.redis.url);
    expect(await redis.del('hearth:ckpt:petition-to-mediation')).toBe(1);
    redis.disconnect();
    await h.startWorker();
    // A second route-out after the restart: once its case is open, the replay has passed the first one.
    const pid2 = await register('农民工讨薪（转调解）二');
    await ok('officer.east-s2-g1', `/petitions/${pid2}/route-out`, { ...routeOut, mediation: { ...mediationData, workers: mediationData.workers.slice(0, 1) } });
    const petition2 = await h.eventually(async () => {
      const r = await h.request('officer.east-s2-g1', 'GET', `/petitions/${pid2}`);
      return r.status === 200 && r.body.mediationId ? (r.body as Json) : undefined;
    }, 30_000, 'the second petition’s linked case after the restart');
    expect(petition2.mediationId).not.toBe(mid);

    const again = (await h.request('auditor.city', 'GET', `/mediations/${mid}/history`)).body.events as Json[];
    expect(again.filter((e) => e.type === 'MediationApplied')).toHaveLength(1);
    expect(again.filter((e) => e.cause === 'PetitionRoutedOut')).toHaveLength(linkedHistory.filter((e) => e.cause === 'PetitionRoutedOut').length);
    const linkedCases = (await h.request('head.east-s2', 'GET', '/mediations?orgUnit=east-s2')).body;
    expect(linkedCases.total).toBe(2);
    expect(linkedCases.items.map((i: Json) => i.fromPetition.petitionId).sort()).toEqual([pid, pid2].sort());
    const petitionStats = (await h.request('head.east-s2', 'GET', '/petitions/stats')).body;
    expect(petitionStats).toMatchObject({ received: 2, routedOut: 2, routedToMediation: 2 });
    expect((await h.request('head.east-s2', 'GET', '/mediations/stats')).body).toMatchObject({ applications: 2, fromPetition: 2, workersCovered: 6 });
  }, 300_000);

  it('documents every mediation endpoint in the OpenAPI document', async () => {
    const doc = await h.request(null, 'GET', '/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/mediations',
        '/mediations/stats',
        '/mediations/{id}',
        '/mediations/{id}/history',
        '/mediations/{id}/acceptance',
        '/mediations/{id}/rejection',
        '/mediations/{id}/mediator',
        '/mediations/{id}/sessions',
        '/mediations/{id}/sessions/{sessionId}/held',
        '/mediations/{id}/period-extension',
        '/mediations/{id}/agreement',
        '/mediations/{id}/agreement/signatures',
        '/mediations/{id}/agreement/seal',
        '/mediations/{id}/failure',
        '/mediations/{id}/worker-informed',
        '/mediations/{id}/obligations/{obligationId}/performance',
        '/mediations/{id}/obligations/{obligationId}/breach',
        '/mediations/{id}/obligations/{obligationId}/payment-order',
        '/mediations/{id}/arbitration-referral',
        '/mediations/{id}/arbitration-filing',
        '/mediations/{id}/legal-aid',
        '/mediations/{id}/legal-aid/decision',
        '/mediations/{id}/legal-aid/lawyer',
        '/mediations/{id}/closure',
      ]),
    );
    expect(doc.body.components.schemas.RouteOutDto.properties.mediation).toBeDefined();
  }, 300_000);
});
