import { randomUUID } from 'node:crypto';
import { Actor, defaultCalendar, defaultRuleBook, MediationCommand, mediationDecider, MediationWorker, SYSTEM_ACTOR } from '@hearth/domain';
import { CommandRunner } from '@hearth/platform/commands/command-runner';
import type { Clock } from '@hearth/platform/clock/clock';
import { generationPrefix, MediationProjection, MediationQueries, readModelStatus, requestGenerationRebuild, requestRebuild } from '@hearth/read-models';
import { dumpState, Env, eventually, org, setup, sleep } from './support';

/** A clock the test sets: commands are decided at the domain time of the story. */
class StoryClock implements Clock {
  readonly speed = 1;
  private t = 0;
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.t);
  }
  realDelayUntil(): number {
    return 0;
  }
}

/** China Standard Time wall clock → ISO instant: cst('2025-11-03 10:00'). */
const cst = (local: string): string => new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();
const who = (role: Actor['role'], unit: string): Actor => ({ id: `${role}.${unit}`, role, orgUnit: unit });
const mediator = who('mediator', 's1');

const worker = (n: number, migrantWorker = true): MediationWorker => ({
  workerId: `w${n}`,
  name: `农民工${n}号`,
  idNumber: `11010119900101${String(1000 + n)}`,
  phone: `1390000${String(n).padStart(4, '0')}`,
  migrantWorker,
});

const SECRETS = ['农民工1号', '农民工2号', '110101199001011001', '13900000001', '某建筑工程有限公司', '拖欠六个月工资', '91110000MA0000000X', '张律师', '双方分歧较大'];

/**
 * Five mediation cases decided by the real decider through the real command runner into SQLite, projected into a
 * real Redis: November and December 2025, in three branches of the test org tree (city > d1 > s1 > g1, g2; city >
 * d2 > g3). The expected statistics below are worked out by hand from this story.
 */
describe('mediation read model (real redis + sqlite, events from the real decider)', () => {
  let env: Env;
  let q: MediationQueries;
  const clock = new StoryClock();
  const ids: Record<string, string> = {};
  const ctx = (actor: Actor, now: string) => ({ actor, now, calendar: defaultCalendar(), rules: defaultRuleBook(), org, jurisdiction: 'national' });
  let cmd: CommandRunner;

  const run = async (key: string, at: string, actor: Actor, command: MediationCommand) => {
    clock.set(cst(at));
    return cmd.execute(mediationDecider, ids[key], command, actor, { commandId: randomUUID() });
  };
  const apply = (key: string, orgUnit: string, workers: MediationWorker[], claims: { type: 'wages' | 'termination' | 'severance'; amountYuan: number }[], over: Partial<Extract<MediationCommand, { type: 'ApplyForMediation' }>> = {}) => {
    ids[key] = randomUUID();
    return {
      type: 'ApplyForMediation' as const,
      mediationId: ids[key],
      orgUnit,
      form: 'written' as const,
      workers,
      employer: { name: '某建筑工程有限公司', creditCode: '91110000MA0000000X' },
      facts: '拖欠六个月工资',
      claims,
      headcount: workers.length,
      commonClaim: false,
      disputeDate: '2025-10-15',
      ...over,
    };
  };
  const project = (prefix: string, name: string, batchSize?: number) => {
    const r = env.newRunner({ prefix, name, projections: [new MediationProjection({ org })], ...(batchSize ? { batchSize } : {}) });
    r.start();
    return r;
  };

  beforeAll(async () => {
    env = await setup();
    cmd = new CommandRunner(env.store, ctx, clock);

    // M1 @g1: collective wage arrears of 12 migrant workers → agreement → o1 paid, o2 missed and breached → arbitration.
    await run('m1', '2025-11-03 10:00', who('intake', 'g1'), {
      ...apply('m1', 'g1', Array.from({ length: 12 }, (_, i) => worker(i + 1)), [
        { type: 'wages', amountYuan: 240000 },
        { type: 'wages', amountYuan: 120000.5 },
        { type: 'severance', amountYuan: 60000 },
      ]),
      commonClaim: true,
      representatives: ['w1', 'w2'],
    });
    await run('m1', '2025-11-04 09:00', who('officer', 'g1'), { type: 'AcceptApplication' });
    await run('m1', '2025-11-04 10:00', who('officer', 'g1'), { type: 'AssignMediator', mediatorId: mediator.id });
    await run('m1', '2025-11-04 11:00', mediator, { type: 'ScheduleSession', at: cst('2025-11-06 09:00'), place: '街道调解室' });
    await run('m1', '2025-11-06 12:00', mediator, { type: 'RecordSessionHeld', sessionId: 'session-1', notes: '双方分歧较大' });
    await run('m1', '2025-11-10 10:00', mediator, {
      type: 'RecordAgreement',
      obligations: [
        { obligationId: 'o1', payer: 'employer', payee: 'worker', description: '第一期工资', amountYuan: 240000, dueDate: '2025-11-20', claimType: 'wages' },
        { obligationId: 'o2', payer: 'employer', payee: 'worker', description: '第二期工资', amountYuan: 120000.5, dueDate: '2025-11-30', claimType: 'wages' },
      ],
    });
    for (const party of ['worker', 'employer', 'mediator'] as const) await run('m1', '2025-11-10 11:00', mediator, { type: 'SignAgreement', party });
    await run('m1', '2025-11-10 15:00', who('head', 'g1'), { type: 'SealAgreement' });
    await run('m1', '2025-11-18 10:00', who('officer', 'g1'), { type: 'RecordPerformance', obligationId: 'o1', amountYuan: 240000, at: cst('2025-11-18 09:00') });
    await run('m1', '2025-12-01 00:30', SYSTEM_ACTOR, { type: 'ExpireDeadline', deadlineId: 'obligation-2' });
    await run('m1', '2025-12-01 10:00', who('officer', 'g1'), { type: 'RecordBreach', obligationId: 'o2', note: '到期未付' });
    await run('m1', '2025-12-02 10:00', who('officer', 'g1'), { type: 'ReferToArbitration', commission: '区劳动人事争议仲裁委员会' });
    await run('m1', '2025-12-02 11:00', who('officer', 'g1'), { type: 'RecordWorkerInformed', method: '书面告知' });
    await run('m1', '2025-12-03 10:00', who('officer', 'g1'), { type: 'RecordArbitrationFiled', filedAt: '2025-12-03' });
    await run('m1', '2025-12-04 10:00', who('head', 'g1'), { type: 'CloseMediation', reason: '已移送仲裁' });

    // M2 @g2: one worker, termination claim → agreement performed in full → closed.
    await run('m2', '2025-11-05 10:00', who('officer', 's1'), apply('m2', 'g2', [worker(1, false)], [{ type: 'termination', amountYuan: 20000 }]));
    await run('m2', '2025-11-05 15:00', who('officer', 's1'), { type: 'AcceptApplication' });
    await run('m2', '2025-11-05 16:00', who('officer', 's1'), { type: 'AssignMediator', mediatorId: mediator.id });
    await run('m2', '2025-11-05 17:00', mediator, { type: 'ScheduleSession', at: cst('2025-11-07 09:00'), place: '公司会议室' });
    await run('m2', '2025-11-07 12:00', mediator, { type: 'RecordSessionHeld', sessionId: 'session-1', notes: '' });
    await run('m2', '2025-11-12 10:00', mediator, {
      type: 'RecordAgreement',
      obligations: [{ obligationId: 'o1', payer: 'employer', payee: 'worker', description: '经济补偿', amountYuan: 20000, dueDate: '2025-11-25', claimType: 'severance' }],
    });
    for (const party of ['worker', 'employer', 'mediator'] as const) await run('m2', '2025-11-12 11:00', mediator, { type: 'SignAgreement', party });
    await run('m2', '2025-11-12 15:00', who('head', 's1'), { type: 'SealAgreement' });
    await run('m2', '2025-11-24 10:00', who('officer', 's1'), { type: 'RecordPerformance', obligationId: 'o1', amountYuan: 20000, at: cst('2025-11-24 09:00') });
    await run('m2', '2025-11-26 10:00', who('head', 's1'), { type: 'CloseMediation', reason: '履行完毕' });

    // M3 @g3 (other district): rejected on time → the workers may go to arbitration; closed.
    await run('m3', '2025-11-10 10:00', who('intake', 'g3'), apply('m3', 'g3', [worker(1), worker(2, false)], [{ type: 'wages', amountYuan: 8000 }]));
    await run('m3', '2025-11-11 10:00', who('officer', 'g3'), { type: 'RejectApplication', reason: '已进入诉讼程序' });
    await run('m3', '2025-11-12 10:00', who('head', 'g3'), { type: 'CloseMediation', reason: '不予受理' });

    // M4 @s1: legal aid for three migrant workers (no means test), mediation fails; still open.
    await run('m4', '2025-11-17 10:00', who('intake', 's1'), apply('m4', 's1', [worker(1), worker(2), worker(3)], [{ type: 'wages', amountYuan: 15000 }]));
    await run('m4', '2025-11-17 11:00', who('officer', 's1'), { type: 'RequestLegalAid', workerIds: ['w1', 'w2', 'w3'], migrantWageClaim: true });
    await run('m4', '2025-11-18 10:00', who('officer', 's1'), { type: 'AcceptApplication' });
    await run('m4', '2025-11-18 10:30', who('head', 's1'), { type: 'DecideLegalAid', granted: true, reason: '农民工讨薪免予经济困难审查' });
    await run('m4', '2025-11-18 11:00', who('officer', 's1'), { type: 'AssignMediator', mediatorId: mediator.id });
    await run('m4', '2025-11-18 12:00', mediator, { type: 'ScheduleSession', at: cst('2025-11-19 09:00'), place: '街道调解室' });
    await run('m4', '2025-11-19 10:00', who('officer', 's1'), { type: 'AssignLegalAidLawyer', lawyer: { name: '张律师', firm: '某律师事务所' } });
    await run('m4', '2025-11-19 12:00', mediator, { type: 'RecordSessionHeld', sessionId: 'session-1', notes: '' });
    await run('m4', '2025-11-20 10:00', mediator, { type: 'RecordMediationFailed', reason: 'no_agreement' });

    // M5 @g1 in December: nobody decides; the acceptance deadline is missed, the statutory 15 days lapse.
    await run('m5', '2025-12-01 10:00', who('intake', 'g1'), apply('m5', 'g1', [worker(1)], [{ type: 'wages', amountYuan: 5000 }]));
    await run('m5', '2025-12-05 00:30', SYSTEM_ACTOR, { type: 'ExpireDeadline', deadlineId: 'acceptance-1' });
    await run('m5', '2025-12-17 00:30', SYSTEM_ACTOR, { type: 'ExpireDeadline', deadlineId: 'statutory-1' });

    const r = project('hearth:', 'read-models', 7);
    expect(await r.waitFor(await env.store.headPosition(), 15_000)).toBe(true);
    q = new MediationQueries(env.redis);
  });
  afterAll(() => env.close());

  const listed = async (query: Omit<Parameters<MediationQueries['list']>[0], 'orgUnit'> & { orgUnit?: string }) =>
    (await q.list({ orgUnit: 'city', limit: 50, ...query })).items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id));

  it('lists a subtree newest first, filtered by status, mediator, collective and month of receipt', async () => {
    const all = await q.list({ orgUnit: 'city' });
    expect(all.total).toBe(5);
    expect(await listed({})).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
    expect(await listed({ orgUnit: 's1', order: 'asc' })).toEqual(['m1', 'm2', 'm4', 'm5']);
    expect(await listed({ orgUnit: 'g1' })).toEqual(['m5', 'm1']);
    expect(await listed({ orgUnit: 'd2' })).toEqual(['m3']);
    expect(await listed({ status: 'Closed', order: 'asc' })).toEqual(['m1', 'm2', 'm3']);
    expect(await listed({ status: 'open', order: 'asc' })).toEqual(['m4', 'm5']);
    expect(await listed({ status: 'Failed' })).toEqual(['m4']);
    expect(await listed({ mediatorId: mediator.id, order: 'asc' })).toEqual(['m1', 'm2', 'm4']);
    expect(await listed({ collective: true })).toEqual(['m1']);
    expect(await listed({ collective: false, order: 'asc' })).toEqual(['m2', 'm3', 'm4', 'm5']);
    expect(await listed({ month: '2025-11', order: 'asc' })).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(await listed({ month: '2025-12' })).toEqual(['m5']);
    expect(await listed({ month: '2025-10' })).toEqual([]);
    expect(await listed({ month: '2025-11', status: 'open' })).toEqual(['m4']);
    expect(await listed({ month: '2025-11', orgUnit: 'g1', mediatorId: mediator.id })).toEqual(['m1']);
    expect(await listed({ month: '2025-12', collective: false, orgUnit: 'g1' })).toEqual(['m5']);
    // Only M5 still has a pending deadline (its missed acceptance); paging keeps the total.
    expect(await listed({ sort: 'due' })).toEqual(['m5']);
    expect(await listed({ overdue: true, now: cst('2025-12-20 00:00') })).toEqual(['m5']);
    const page = await q.list({ orgUnit: 'city', offset: 1, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.items.map((i) => i.id)).toEqual([ids.m4, ids.m3]);
    const monthPage = await q.list({ orgUnit: 'city', month: '2025-11', offset: 3, limit: 2 });
    expect(monthPage).toMatchObject({ total: 4, items: [{ id: ids.m1 }] });
  });

  it('shows a case’s detail: agreement and obligations, arbitration milestones, legal aid, deadlines, timeline', async () => {
    const m1 = (await q.get(ids.m1))!;
    expect(m1).toMatchObject({
      status: 'Closed',
      orgUnit: 'g1',
      headcount: 12,
      collective: true,
      commonClaim: true,
      representatives: 2,
      involvesMigrantWorkers: true,
      migrantWorkersNamed: 12,
      claimTotalYuan: 420000.5,
      claimsByType: { wages: 360000.5, severance: 60000 },
      mediatorId: mediator.id,
      acceptance: { decision: 'accepted', onTime: true },
      sessions: { scheduled: 1, held: 1 },
      agreement: {
        version: 1,
        sealed: true,
        effectiveDate: '2025-11-10',
        daysToAgreement: 7,
        agreedTotalYuan: 360000.5,
        obligations: [
          { obligationId: 'o1', claimType: 'wages', payer: 'employer', amountYuan: 240000, dueDate: '2025-11-20', paidYuan: 240000, state: 'performed' },
          { obligationId: 'o2', claimType: 'wages', payer: 'employer', amountYuan: 120000.5, dueDate: '2025-11-30', paidYuan: 0, state: 'breached' },
        ],
      },
      arbitration: {
        eligible: true,
        grounds: ['agreement_breached'],
        workerToBeInformed: false,
        filedOn: '2025-12-03',
        awardDueDate: '2026-01-19',
        referred: true,
      },
      arbitrationLimitation: { date: '2026-10-15', recountedDate: '2026-11-03' },
      recoveredYuan: 240000,
      closeOutcome: 'referred_to_arbitration',
      deadlines: [],
    });
    expect(m1.agreement!.signedBy.sort()).toEqual(['employer', 'mediator', 'worker']);
    expect(m1.timeline.map((t) => t.type)).toEqual(expect.arrayContaining(['MediationApplied', 'AgreementEffective', 'DeadlineMissed', 'ObligationBreached', 'MediationClosed']));
    expect(m1.timeline[0]).toEqual({ type: 'MediationApplied', at: cst('2025-11-03 10:00'), actorId: 'intake.g1' });

    expect((await q.get(`mediation-${ids.m4}`))!).toMatchObject({
      status: 'Failed',
      failureReason: 'no_agreement',
      legalAid: { requestNo: 1, status: 'assigned', workerCount: 3, migrantWageClaim: true },
      arbitration: { eligible: true, grounds: ['mediation_failed'], workerToBeInformed: true },
      deadlines: [],
    });
    const m5 = (await q.get(ids.m5, cst('2025-12-20 00:00')))!;
    expect(m5).toMatchObject({
      status: 'Applied',
      missed: true,
      arbitration: { eligible: true, grounds: ['statutory_period_lapsed'], workerToBeInformed: true },
      deadlines: [{ deadlineId: 'acceptance-1', kind: 'acceptance', ownerOrgUnit: 'g1', missedLevel: 1, overdue: true, dueAt: '2025-12-04T16:00:00.000Z' }],
    });
    expect((await q.get(ids.m3))!).toMatchObject({ status: 'Closed', acceptance: { decision: 'rejected', onTime: true }, closeOutcome: 'rejected' });
    expect(await q.get(randomUUID())).toBeUndefined();
  });

  it('keeps no personal data in documents, indexes or counters', async () => {
    const state = JSON.stringify(await dumpState(env.redis));
    for (const secret of SECRETS) expect(state).not.toContain(secret);
  });

  it('counts §4 statistics per subtree, in total: applications, acceptance, success, days to agreement, yuan, workers', async () => {
    const city = await q.stats('city');
    expect(city).toEqual({
      orgUnit: 'city',
      applications: 5,
      collective: 1,
      migrantCases: 4,
      fromPetition: 0,
      workersCovered: 19,
      accepted: 3,
      acceptedOnTime: 4,
      rejected: 1,
      acceptanceRate: 0.75,
      acceptedOnTimeRate: 1,
      sessionsHeld: 3,
      extensions: 0,
      agreements: 2,
      failed: 1,
      periodLapsed: 0,
      successRate: 0.6667,
      averageDaysToAgreement: 7,
      workersInAgreements: 13,
      arbitrationEligible: 4,
      statutoryLapsed: 1,
      workersInformed: 1,
      performed: 1,
      workersInPerformedAgreements: 1,
      breached: 1,
      obligationsBreached: 1,
      referredToArbitration: 1,
      paymentOrdersAdvised: 0,
      arbitrationFiled: 1,
      legalAid: { requested: 1, granted: 1, denied: 0, decidedOnTime: 1, lawyersAssigned: 1 },
      closed: 3,
      claimedYuan: 468000.5,
      wageArrearsClaimedYuan: 388000.5,
      agreedYuan: 380000.5,
      recoveredYuan: 260000,
      wageArrearsRecoveredYuan: 240000,
      overdueNow: 1,
    });
    expect(await q.stats('d1')).toMatchObject({ applications: 4, workersCovered: 17, rejected: 0, agreements: 2, recoveredYuan: 260000, overdueNow: 1 });
    expect(await q.stats('g1')).toMatchObject({
      applications: 2,
      workersCovered: 13,
      agreements: 1,
      averageDaysToAgreement: 7,
      successRate: 1,
      wageArrearsClaimedYuan: 365000.5,
      wageArrearsRecoveredYuan: 240000,
      breached: 1,
      referredToArbitration: 1,
      overdueNow: 1,
    });
    expect(await q.stats('g2')).toMatchObject({ applications: 1, performed: 1, recoveredYuan: 20000, wageArrearsRecoveredYuan: 0, overdueNow: 0 });
    expect(await q.stats('d2')).toMatchObject({ applications: 1, rejected: 1, acceptanceRate: 0, successRate: null, averageDaysToAgreement: null, arbitrationEligible: 1 });
    expect(await q.stats('nowhere')).toMatchObject({ applications: 0, successRate: null, recoveredYuan: 0 });
  });

  it('counts each figure in the month of its event, per unit', async () => {
    const [nov, dec] = await q.monthly('city', ['2025-11', '2025-12']);
    expect(nov).toMatchObject({
      month: '2025-11',
      applications: 4,
      workersCovered: 18,
      accepted: 3,
      rejected: 1,
      agreements: 2,
      averageDaysToAgreement: 7,
      failed: 1,
      successRate: 0.6667,
      performed: 1,
      arbitrationEligible: 2,
      closed: 2,
      claimedYuan: 463000.5,
      wageArrearsClaimedYuan: 383000.5,
      agreedYuan: 380000.5,
      recoveredYuan: 260000,
      wageArrearsRecoveredYuan: 240000,
      breached: 0,
      legalAid: { requested: 1, granted: 1, denied: 0, decidedOnTime: 1, lawyersAssigned: 1 },
    });
    expect(nov.overdueNow).toBeUndefined();
    expect(dec).toMatchObject({
      month: '2025-12',
      applications: 1,
      workersCovered: 1,
      agreements: 0,
      averageDaysToAgreement: null,
      arbitrationEligible: 2,
      statutoryLapsed: 1,
      breached: 1,
      obligationsBreached: 1,
      referredToArbitration: 1,
      workersInformed: 1,
      arbitrationFiled: 1,
      closed: 1,
      claimedYuan: 5000,
      recoveredYuan: 0,
    });
    const [g1Nov, g2Nov, g3Nov] = await q.statsOf(['g1', 'g2', 'g3'], '2025-11');
    expect(g1Nov).toMatchObject({ orgUnit: 'g1', month: '2025-11', applications: 1, agreements: 1, recoveredYuan: 240000, workersCovered: 12 });
    expect(g2Nov).toMatchObject({ applications: 1, agreements: 1, performed: 1, recoveredYuan: 20000 });
    expect(g3Nov).toMatchObject({ applications: 1, rejected: 1, closed: 1 });
    expect(await q.stats('g1', '2025-12')).toMatchObject({ applications: 1, breached: 1, closed: 1, statutoryLapsed: 1 });
    await expect(q.stats('city', '2025-13')).rejects.toThrow(/YYYY-MM/);
  });

  const medState = async (prefix: string) => {
    const all = await dumpState(env.redis, prefix);
    return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('med:')));
  };

  it('rebuilds to the identical state: from scratch under another prefix, in other batch sizes, and after requestRebuild', async () => {
    const head = await env.store.headPosition();
    const before = await medState('hearth:');
    expect(Object.keys(before).length).toBeGreaterThan(20);

    for (const [prefix, batch] of [['ref1:', 1], ['ref2:', 500]] as const) {
      const r = project(prefix, 'reference', batch);
      expect(await r.waitFor(head, 15_000)).toBe(true);
      await r.stop();
      expect(await medState(prefix)).toEqual(before);
    }

    await requestRebuild(env.redis, 'hearth:');
    expect(await medState('hearth:')).toEqual({});
    const rebuilt = await eventually(
      () => medState('hearth:'),
      (s) => JSON.stringify(s) === JSON.stringify(before),
      15_000,
    );
    expect(rebuilt).toEqual(before);
    expect(await q.stats('city')).toMatchObject({ applications: 5, recoveredYuan: 260000, overdueNow: 1 });
  });

  it('rebuilds without downtime into a new generation; the same query object follows the switch', async () => {
    const before = await medState('hearth:');
    const stats = await q.statsOf(['city', 'd1', 'g1'], '2025-11');
    const list = await q.list({ orgUnit: 'city', limit: 50 });
    const detail = await q.get(list.items[0].id);
    expect(list.total).toBe(5);
    const builder = env.newRunner({ mode: 'rebuild', projections: [new MediationProjection({ org })], retireGraceMs: 300 });
    builder.start();
    const { target } = await requestGenerationRebuild(env.redis);
    await eventually(() => readModelStatus(env.redis), (s) => s.generation === target, 15_000);
    expect(await medState(generationPrefix('hearth:', target))).toEqual(before);
    // The old generation is deleted after the grace period; the query object now reads the new one.
    await eventually(() => medState('hearth:'), (s) => Object.keys(s).length === 0, 15_000);
    await sleep(300);
    expect(await q.statsOf(['city', 'd1', 'g1'], '2025-11')).toEqual(stats);
    expect(await q.list({ orgUnit: 'city', limit: 50 })).toEqual(list);
    expect(await q.get(list.items[0].id)).toEqual(detail);
  });
});
