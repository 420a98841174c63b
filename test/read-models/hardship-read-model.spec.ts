import { randomUUID } from 'node:crypto';
import {
  Actor,
  addDays,
  defaultCalendar,
  dibaoLineFragment,
  DecisionContext,
  DomainError,
  FundCommand,
  fundDecider,
  HardshipCommand,
  hardshipFileDecider,
  HouseholdPersonal,
  HouseholdStats,
  mergeRuleFragments,
  RULE_TABLES,
  RuleBook,
  SYSTEM_ACTOR,
} from '@hearth/domain';
import { CommandRunner } from '@hearth/platform/commands/command-runner';
import type { Clock } from '@hearth/platform/clock/clock';
import { generationPrefix, HardshipProjection, HardshipQueries, readModelStatus, requestGenerationRebuild } from '@hearth/read-models';
import { dumpState, Env, eventually, org, setup, sleep } from './support';

/**
 * The hardship read model fed by events the real deciders produce (CommandRunner on a real SQLite log, a
 * hand-driven clock), projected into a real Redis: counters per org subtree, exit rate, aid sums, funds,
 * lists — and not one personal value anywhere in Redis.
 */

const at = (date: string, hh = 10): string => new Date(`${date}T${String(hh).padStart(2, '0')}:00:00+08:00`).toISOString();

class HandClock implements Clock {
  readonly speed = 1;
  t = Date.parse('2025-01-01T00:00:00Z');
  now(): Date {
    return new Date(this.t);
  }
  realDelayUntil(): number {
    return 0;
  }
}

const officer = (u: string): Actor => ({ id: `officer.${u}`, role: 'officer', orgUnit: u });
const head = (u: string): Actor => ({ id: `head.${u}`, role: 'head', orgUnit: u });
const intake = (u: string): Actor => ({ id: `intake.${u}`, role: 'intake', orgUnit: u });

const stats = (over: Partial<HouseholdStats>): HouseholdStats => ({
  membersCount: 3,
  monthlyIncomeYuan: 2000,
  rigidExpenses: { medicalYuan: 500 },
  migrantWorker: false,
  monthsEmployed: 60,
  ...over,
});
// per-capita net (2000 − 500) / 3 = 500 < 1400 (the 2025 低保 line) → deep
const DEEP = stats({});
// 6000 / 3 = 2000: between 1 × and 2 × the line → relative
const RELATIVE = stats({ monthlyIncomeYuan: 6000, rigidExpenses: {} });
// far above the line, but an injury → accident
const ACCIDENT = stats({ membersCount: 2, monthlyIncomeYuan: 20000, rigidExpenses: {}, accident: 'injury' });
const MIGRANT_SHORT = stats({ migrantWorker: true, monthsEmployed: 6 });

/** Every personal value the scenario writes into the log; none may reach Redis. */
const SECRETS: string[] = [];
const personal = (n: number): HouseholdPersonal => {
  const p: HouseholdPersonal = {
    headName: `户主${n}号李秀英`,
    idNumber: `11010119800101${String(1000 + n)}`,
    phone: `1390000${String(1000 + n)}`,
    address: `东城区幸福路${n}号院`,
    bankAccount: `62220200000${String(10000 + n)}`,
    members: [{ name: `家属${n}号王建国`, relation: 'spouse', age: 44, healthNotes: `尿毒症透析${n}`, idNumber: `11010119790101${String(2000 + n)}` }],
    employer: `某某机械厂${n}`,
    situation: `丈夫患病长期透析，家庭困难${n}`,
  };
  SECRETS.push(p.headName, p.idNumber, p.phone!, p.address!, p.bankAccount!, p.members[0].name, p.members[0].healthNotes!, p.members[0].idNumber!, p.employer!, p.situation!);
  return p;
};

describe('hardship read model (deciders → sqlite log → projection → redis)', () => {
  let env: Env;
  let q: HardshipQueries;
  const clock = new HandClock();
  let runner: CommandRunner;
  const rules = new RuleBook(
    mergeRuleFragments([
      ...RULE_TABLES,
      dibaoLineFragment('national', '2025-01-01', [
        { orgUnit: 'city', year: 2025, yuan: 1400 },
        { orgUnit: 'city', year: 2026, yuan: 1450 },
      ]),
    ]),
  );
  const calendar = defaultCalendar();
  const contextFor = (actor: Actor, now: string): DecisionContext => ({ actor, now, calendar, rules, org, jurisdiction: 'national' });

  const file = (id: string, command: HardshipCommand, actor: Actor, when: string) => {
    clock.t = Date.parse(when);
    return runner.execute(hardshipFileDecider, id, command, actor, { commandId: randomUUID() });
  };
  const fund = (id: string, command: FundCommand, actor: Actor, when: string) => {
    clock.t = Date.parse(when);
    return runner.execute(fundDecider, id, command, actor, { commandId: randomUUID() });
  };
  const pendingDeadline = async (id: string, kind: string) => {
    const { state } = await runner.stateOf(hardshipFileDecider, id);
    return Object.values(state.deadlines).find((d) => d.kind === kind && (d.status === 'open' || d.status === 'missed'))!;
  };
  /** The timer fires a minute after the due time. */
  const expire = async (id: string, kind: string) => {
    const d = await pendingDeadline(id, kind);
    return file(id, { type: 'ExpireDeadline', deadlineId: d.deadlineId }, SYSTEM_ACTOR, new Date(Date.parse(d.dueAt) + 60_000).toISOString());
  };
  /** Applied on `day`, walked through the pre-registration steps; the notice is left running. Returns the date the notice ends. */
  const toNotice = async (id: string, unit: string, s: HouseholdStats, n: number, day: string): Promise<void> => {
    const p = personal(n);
    await file(id, { type: 'ApplyForHardshipFile', fileId: id, orgUnit: unit, stats: s, personal: p }, intake(unit), at(day));
    await file(id, { type: 'PreScreen', note: `初审意见${p.headName}` }, officer(unit), at(addDays(day, 1)));
    await file(id, { type: 'RecordHomeVisit', visitDate: addDays(day, 1), visitors: [`officer.${unit}`], findings: `入户看到${p.address}` }, officer(unit), at(addDays(day, 1), 15));
    await file(id, { type: 'RecordConsent', signedDate: addDays(day, 2), scopes: ['collect', 'public_notice'], signedByName: p.headName }, officer(unit), at(addDays(day, 2)));
    await file(id, { type: 'RecordEconomicCheck', stats: s, sources: ['civil_affairs'], note: `核对${p.bankAccount}` }, officer(unit), at(addDays(day, 3)));
    await file(id, { type: 'StartPublicNotice', days: 5, where: '厂务公开栏' }, officer(unit), at(addDays(day, 4)));
  };
  const toRegistered = async (id: string, unit: string, s: HouseholdStats, n: number, day: string): Promise<void> => {
    await toNotice(id, unit, s, n, day);
    const out = await expire(id, 'publicNotice');
    expect(out.events).toEqual(['DeadlineLapsed', 'PublicNoticeCompleted']);
    await file(id, { type: 'RegisterFile' }, head(unit), at(addDays(day, 11)));
  };
  const aid = async (id: string, unit: string, aidId: string, kind: string, amountYuan: number, fundId: string, day: string, approver = head(unit)) => {
    await file(id, { type: 'ProposeAid', aidId, kind: kind as never, amountYuan, fundId, note: '申请理由涉及病情' }, officer(unit), at(day));
    await file(id, { type: 'ApproveAid', aidId }, approver, at(day, 11));
  };
  const disburse = async (id: string, unit: string, aidId: string, day: string) => {
    const { state } = await runner.stateOf(hardshipFileDecider, id);
    const a = state.aids[aidId];
    await fund(a.fundId!, { type: 'DrawFromFund', aidId, fileId: id, amountYuan: a.amountYuan, kind: a.kind, month: day.slice(0, 7) }, officer(unit), at(day, 14));
    await file(id, { type: 'RecordDisbursement', aidId, reference: `V-${aidId}` }, officer(unit), at(day, 15));
  };

  beforeAll(async () => {
    env = await setup();
    runner = new CommandRunner(env.store, contextFor, clock);

    await fund('d1-2025', { type: 'OpenFund', fundId: 'd1-2025', year: 2025, source: 'union_dues', budgetYuan: 100000, orgUnit: 'd1' }, head('d1'), at('2025-01-05'));
    await fund('city-2025', { type: 'OpenFund', fundId: 'city-2025', year: 2025, source: 'government', budgetYuan: 40000, orgUnit: 'city' }, head('city'), at('2025-01-05'));
    await fund('city-2025', { type: 'AdjustBudget', budgetYuan: 50000, reason: '追加预算' }, head('city'), at('2025-02-01'));

    // A @g1, deep: three aids (one above the street's threshold, one revoked after payment), reviewed on time, exits 脱困 in 2026.
    await toRegistered('file-a', 'g1', DEEP, 1, '2025-03-01');
    await aid('file-a', 'g1', 'a1', 'living', 3000, 'd1-2025', '2025-04-10');
    await disburse('file-a', 'g1', 'a1', '2025-04-10');
    await file('file-a', { type: 'AcknowledgeAid', aidId: 'a1', receiptRef: 'R-1' }, officer('g1'), at('2025-04-12'));
    await file('file-a', { type: 'ProposeAid', aidId: 'a2', kind: 'serious_illness', amountYuan: 25000, fundId: 'city-2025' }, officer('g1'), at('2025-05-20'));
    await expect(file('file-a', { type: 'ApproveAid', aidId: 'a2' }, head('g1'), at('2025-05-20', 11))).rejects.toMatchObject({ code: 'UPPER_LEVEL_APPROVAL_REQUIRED' });
    await file('file-a', { type: 'ApproveAid', aidId: 'a2' }, head('s1'), at('2025-05-20', 12));
    await disburse('file-a', 'g1', 'a2', '2025-05-20');
    await aid('file-a', 'g1', 'a3', 'temporary', 1000, 'd1-2025', '2025-05-21');
    await disburse('file-a', 'g1', 'a3', '2025-05-21');
    await file('file-a', { type: 'RevokeAid', aidId: 'a3', reason: '重复发放' }, head('g1'), at('2025-05-25'));
    await fund('d1-2025', { type: 'ReturnToFund', aidId: 'a3', reason: 'aid revoked' }, head('g1'), at('2025-05-25', 11));
    await file('file-a', { type: 'StartAnnualReview' }, officer('g1'), at('2026-03-01'));
    await file('file-a', { type: 'CompleteAnnualReview', stats: DEEP, outcome: 'continue', note: '仍在透析' }, officer('g1'), at('2026-03-02'));
    await file('file-a', { type: 'ExitFile', reason: 'income_above_line_6_months', monthsAboveLine: 6, note: '再就业' }, head('g1'), at('2026-06-01'));

    // B @g2, relative: one aid, exits 解困 in 2025, relapses (返困) and is registered again.
    await toRegistered('file-b', 'g2', RELATIVE, 2, '2025-04-01');
    await aid('file-b', 'g2', 'b1', 'living', 2000, 'd1-2025', '2025-06-03');
    await disburse('file-b', 'g2', 'b1', '2025-06-03');
    await file('file-b', { type: 'ExitFile', reason: 'safety_net_covered' }, head('g2'), at('2025-09-01'));
    await file('file-b', { type: 'ReopenFile', reason: '再次失业' }, officer('g2'), at('2025-11-01'));
    await file('file-b', { type: 'RecordEconomicCheck', stats: RELATIVE, sources: ['civil_affairs'] }, officer('g2'), at('2025-11-02'));
    await file('file-b', { type: 'StartPublicNotice', days: 7 }, officer('g2'), at('2025-11-03'));
    await file('file-b', { type: 'RaiseObjection', objectionId: 'o1', content: '邻居反映其有房产出租', objectorName: '匿名群众' }, intake('g2'), at('2025-11-04'));
    await expire('file-b', 'publicNotice');
    await expect(file('file-b', { type: 'RegisterFile' }, head('g2'), at('2025-11-12'))).rejects.toMatchObject({ code: 'OBJECTION_UNRESOLVED' });
    await file('file-b', { type: 'ResolveObjection', objectionId: 'o1', outcome: 'dismissed', note: '经核实无房产' }, officer('g2'), at('2025-11-12', 11));
    await file('file-b', { type: 'RegisterFile' }, head('g2'), at('2025-11-12', 12));

    // C @g3 (other district), accident: its annual review is missed and still open.
    await toRegistered('file-c', 'g3', ACCIDENT, 3, '2025-06-01');
    await expire('file-c', 'annualReview');

    // D @g1, deep: review missed, then done late.
    await toRegistered('file-d', 'g1', DEEP, 4, '2025-03-10');
    await expire('file-d', 'annualReview');
    await file('file-d', { type: 'StartAnnualReview' }, officer('g1'), at('2026-04-01'));
    await file('file-d', { type: 'CompleteAnnualReview', stats: DEEP, outcome: 'continue' }, officer('g1'), at('2026-04-02'));

    // E @g1: rejected after the pre-screen.
    await file('file-e', { type: 'ApplyForHardshipFile', fileId: 'file-e', orgUnit: 'g1', stats: DEEP, personal: personal(5) }, intake('g1'), at('2025-05-01'));
    await file('file-e', { type: 'PreScreen' }, officer('g1'), at('2025-05-02'));
    await file('file-e', { type: 'RejectFile', reason: '有隐瞒收入' }, officer('g1'), at('2025-05-03'));

    // M @g2, migrant worker employed 6 months: not eligible as computed; a head's override (with a reason) registers it.
    await toNotice('file-m', 'g2', MIGRANT_SHORT, 6, '2025-07-01');
    await expire('file-m', 'publicNotice');
    const refused = await file('file-m', { type: 'RegisterFile' }, head('g2'), at('2025-07-12')).catch((e: DomainError) => e);
    expect(refused).toMatchObject({ code: 'NOT_ELIGIBLE', details: { ineligibleReason: 'migrant_employment_too_short' } });
    await file('file-m', { type: 'OverrideCategory', category: 'relative', reason: '工伤停工期间工龄中断，实际在本企业工作三年' }, head('g2'), at('2025-07-12', 11));
    await file('file-m', { type: 'RegisterFile' }, head('g2'), at('2025-07-12', 12));

    const runnerOfRm = env.newRunner({ batchSize: 3, projections: [new HardshipProjection({ org })] });
    runnerOfRm.start();
    expect(await runnerOfRm.waitFor(await env.store.headPosition(), 15_000)).toBe(true);
    q = new HardshipQueries(env.redis);
  });
  afterAll(() => env.close());

  it('counts households on file by category, new files, exits by reason and the 解困脱困率 per year', async () => {
    const city = await q.stats('city');
    expect(city).toMatchObject({
      applied: 6,
      registered: 5,
      reregistered: 1,
      rejected: 1,
      reopened: 1,
      onFile: 4,
      onFileByCategory: { deep: 1, relative: 2, accident: 1 },
      newFilesByYear: { '2025': 5 },
      reregisteredByYear: { '2025': 1 },
      exited: 2,
      exitsByReason: { safety_net_covered: 1, income_above_line_6_months: 1 },
      exitsByYear: {
        '2025': { total: 1, byReason: { safety_net_covered: 1 } },
        '2026': { total: 1, byReason: { income_above_line_6_months: 1 } },
      },
    });
    // 2025: 6 registrations, 1 out of hardship (B, 解困); 2026: 5 carried over, 1 out (A, 脱困).
    expect(city.exitRateByYear).toEqual({
      '2025': { outOfHardship: 1, onFileDuringYear: 6, rate: 1 / 6 },
      '2026': { outOfHardship: 1, onFileDuringYear: 5, rate: 0.2 },
    });
    const [d1, d2, g1, g2, s1] = Object.values(await q.statsOf(['d1', 'd2', 'g1', 'g2', 's1']));
    expect(d1).toMatchObject({ applied: 5, registered: 4, onFile: 3, onFileByCategory: { deep: 1, relative: 2 }, exited: 2 });
    expect(s1).toMatchObject({ applied: 5, onFile: 3 });
    expect(g1).toMatchObject({ applied: 3, registered: 2, rejected: 1, onFile: 1, onFileByCategory: { deep: 1 }, exitsByReason: { income_above_line_6_months: 1 } });
    expect(g2).toMatchObject({ applied: 2, registered: 2, reregistered: 1, reopened: 1, onFile: 2, onFileByCategory: { relative: 2 }, exitsByReason: { safety_net_covered: 1 } });
    expect(d2).toMatchObject({ applied: 1, registered: 1, onFile: 1, onFileByCategory: { accident: 1 }, exited: 0, exitRateByYear: { '2025': { outOfHardship: 0, onFileDuringYear: 1, rate: 0 } } });
    expect(await q.stats('nowhere')).toMatchObject({ applied: 0, onFile: 0, exitRateByYear: {}, aid: { averagePerHousehold: null } });
  });

  it('counts reviews done on time and annual reviews overdue now (the ladder)', async () => {
    const city = await q.stats('city');
    expect(city.reviews).toEqual({ done: 2, onTime: 1, onTimeRate: 0.5, byYear: { '2026': { done: 2, onTime: 1 } }, overdueNow: 1 });
    expect(city.overdueNow).toBe(1);
    expect((await q.stats('d2')).reviews).toMatchObject({ done: 0, overdueNow: 1 });
    expect((await q.stats('d1')).reviews).toMatchObject({ done: 2, onTime: 1, overdueNow: 0 });
    const c = (await q.get('file-c'))!;
    expect(c.deadlines).toEqual([expect.objectContaining({ kind: 'annualReview', ownerOrgUnit: 'g3', missedLevel: 1, overdue: true })]);
    expect(c.missed).toBe(true);
  });

  it('sums aid disbursed by kind, fund, month and year, with the average per household; revoked aid is taken back', async () => {
    const { aid } = await q.stats('city');
    expect(aid).toEqual({
      proposed: 4,
      approved: 4,
      approvedByUpperLevel: 1,
      revoked: 1,
      disbursed: 3,
      acknowledged: 1,
      disbursedYuan: 30000,
      byKind: { living: { yuan: 5000, count: 2 }, serious_illness: { yuan: 25000, count: 1 } },
      byMonth: { '2025-04': 3000, '2025-05': 25000, '2025-06': 2000 },
      byFund: { 'd1-2025': 5000, 'city-2025': 25000 },
      byYear: { '2025': 30000 },
      householdsAided: 2,
      householdsAidedByYear: { '2025': 2 },
      averagePerHousehold: 15000,
      averagePerHouseholdByYear: { '2025': 15000 },
    });
    expect((await q.stats('g2')).aid).toMatchObject({ disbursedYuan: 2000, householdsAided: 1, averagePerHousehold: 2000, byFund: { 'd1-2025': 2000 } });
    expect((await q.stats('d2')).aid).toMatchObject({ disbursedYuan: 0, householdsAided: 0, averagePerHousehold: null, byKind: {} });
  });

  it('keeps funds: budget per year and source, drawn net of returns, visible from below and above', async () => {
    expect(await q.fund('d1-2025')).toMatchObject({ fundId: 'd1-2025', year: 2025, source: 'union_dues', orgUnit: 'd1', budgetYuan: 100000, drawnYuan: 5000, remainingYuan: 95000, draws: 3, returns: 1 });
    expect(await q.fund('city-2025')).toMatchObject({ budgetYuan: 50000, drawnYuan: 25000, remainingYuan: 25000, draws: 1, returns: 0 });
    expect((await q.stats('city')).funds).toEqual({
      '2025': {
        union_dues: { budgetYuan: 100000, drawnYuan: 5000, remainingYuan: 95000 },
        government: { budgetYuan: 50000, drawnYuan: 25000, remainingYuan: 25000 },
      },
    });
    expect((await q.stats('d1')).funds).toEqual({ '2025': { union_dues: { budgetYuan: 100000, drawnYuan: 5000, remainingYuan: 95000 } } });
    const ids = async (unit: string, year?: number) => (await q.funds(unit, org.lineage(unit).slice(1), year)).map((f) => f.fundId);
    expect(await ids('g1')).toEqual(['city-2025', 'd1-2025']);
    expect(await ids('city')).toEqual(['city-2025', 'd1-2025']);
    expect(await ids('d2')).toEqual(['city-2025']);
    expect(await ids('g1', 2026)).toEqual([]);
    expect(await q.fund('nope')).toBeUndefined();
  });

  it('serves file detail and lists by subtree, status, category and deadline', async () => {
    const a = (await q.get('hardship-file-a'))!;
    expect(a).toMatchObject({
      id: 'file-a',
      status: 'Exited',
      orgUnit: 'g1',
      category: 'deep',
      registrations: 1,
      registeredDate: '2025-03-12',
      publicNotice: { startDate: '2025-03-05', endDate: '2025-03-10', completed: true, objections: {} },
      lastReview: { date: '2026-03-02', onTime: true },
      exit: { reason: 'income_above_line_6_months', date: '2026-06-01', retentionUntil: '2036-06-01' },
      disbursedYuan: 28000,
      deadlines: [],
    });
    expect(a.aids).toEqual([
      { aidId: 'a1', kind: 'living', amountYuan: 3000, status: 'Acknowledged', fundId: 'd1-2025', upperLevelApproval: false, disbursedMonth: '2025-04' },
      { aidId: 'a2', kind: 'serious_illness', amountYuan: 25000, status: 'Disbursed', fundId: 'city-2025', upperLevelApproval: true, disbursedMonth: '2025-05' },
      { aidId: 'a3', kind: 'temporary', amountYuan: 1000, status: 'Revoked', fundId: 'd1-2025', upperLevelApproval: false, disbursedMonth: '2025-05' },
    ]);
    expect(a.timeline.at(-1)).toMatchObject({ type: 'DeadlineCancelled', actorId: 'head.g1' });
    expect((await q.get('file-b'))!).toMatchObject({ status: 'Registered', category: 'relative', registrations: 2, publicNotice: { objections: { o1: 'dismissed' } } });
    expect((await q.get('file-m'))!).toMatchObject({ status: 'Registered', category: 'relative', categoryOverridden: true });
    expect((await q.get('file-e'))!).toMatchObject({ status: 'Rejected', rejectedFrom: 'PreScreened', category: null });
    expect(await q.get('missing')).toBeUndefined();

    const ids = async (query: Parameters<HardshipQueries['list']>[0]) => (await q.list({ limit: 50, ...query })).items.map((i) => i.id);
    expect(await ids({ orgUnit: 'city', order: 'asc' })).toEqual(['file-a', 'file-d', 'file-b', 'file-e', 'file-c', 'file-m']);
    expect((await q.list({ orgUnit: 'city', limit: 2, offset: 1 })).total).toBe(6);
    expect(await ids({ orgUnit: 'g2', category: 'relative', order: 'asc' })).toEqual(['file-b', 'file-m']);
    expect(await ids({ orgUnit: 'city', category: 'deep' })).toEqual(['file-d']);
    expect(await ids({ orgUnit: 'city', status: 'Exited' })).toEqual(['file-a']);
    expect(await ids({ orgUnit: 'd1', status: 'Registered', order: 'asc' })).toEqual(['file-d', 'file-b', 'file-m']);
    // Overdue against domain time: only C's missed review; by due date, C's review comes first.
    expect(await ids({ orgUnit: 'city', overdue: true, now: at('2026-07-01') })).toEqual(['file-c']);
    expect((await ids({ orgUnit: 'city', sort: 'due' }))[0]).toBe('file-c');
    expect(await ids({ orgUnit: 'd1', dueBefore: at('2026-12-31') })).toEqual(['file-m', 'file-b']);
  });

  it('holds no personal data anywhere in Redis', async () => {
    const everything = JSON.stringify(await dumpState(env.redis, ''));
    expect(everything).toContain('file-a'); // the dump is not empty
    expect(SECRETS.length).toBeGreaterThan(40);
    const leaked = [...SECRETS, '申请理由涉及病情', '邻居反映其有房产出租', '匿名群众', '工伤停工期间', '再次失业', '有隐瞒收入', '仍在透析'].filter((s) => everything.includes(s));
    expect(leaked).toEqual([]);
  });

  it('rebuilds from the log to exactly the same state (one big batch vs batches of 3)', async () => {
    const other = env.newRunner({ prefix: 'again:', name: 'again', batchSize: 1000, projections: [new HardshipProjection({ org })] });
    other.start();
    expect(await other.waitFor(await env.store.headPosition(), 15_000)).toBe(true);
    await other.stop();
    // Counters that went up and back down within a batch are never written; across batches they stay as "0".
    const noZeros = (v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== '0')) : v;
    const strip = (s: Record<string, unknown>) => Object.fromEntries(Object.entries(s).filter(([k]) => k.startsWith('hs:')).map(([k, v]) => [k, noZeros(v)]));
    const incremental = strip(await dumpState(env.redis, 'hearth:'));
    expect(Object.keys(incremental).length).toBeGreaterThan(20);
    expect(strip(await dumpState(env.redis, 'again:'))).toEqual(incremental);
  });

  it('rebuilds without downtime into a new generation; the same query object follows the switch', async () => {
    const hsState = async (prefix: string) => Object.fromEntries(Object.entries(await dumpState(env.redis, prefix)).filter(([k]) => k.startsWith('hs:')));
    const before = await hsState('hearth:');
    const stats = await q.statsOf(['city', 'd1', 'g2']);
    const list = await q.list({ orgUnit: 'city', limit: 50 });
    const detail = await q.get('file-b');
    expect(list.total).toBe(6);
    const builder = env.newRunner({ mode: 'rebuild', projections: [new HardshipProjection({ org })], retireGraceMs: 300 });
    builder.start();
    const { target } = await requestGenerationRebuild(env.redis);
    await eventually(() => readModelStatus(env.redis), (s) => s.generation === target, 15_000);
    // Batches of 1000 instead of 3: counters that went up and back down are absent rather than "0".
    const noZeros = (s: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== '0')) : v]));
    expect(noZeros(await hsState(generationPrefix('hearth:', target)))).toEqual(noZeros(before));
    await eventually(() => hsState('hearth:'), (s) => Object.keys(s).length === 0, 15_000);
    await sleep(300);
    expect(await q.statsOf(['city', 'd1', 'g2'])).toEqual(stats);
    expect(await q.list({ orgUnit: 'city', limit: 50 })).toEqual(list);
    expect(await q.get('file-b')).toEqual(detail);
  });
});
