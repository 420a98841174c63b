import Redis from 'ioredis';
import { HearthUnderTest } from '@hearth/testing/hearth-process';

/* eslint-disable @typescript-eslint/no-explicit-any */

const DAY = 86_400_000;

const stats = (over: Record<string, unknown> = {}) => ({
  membersCount: 3,
  monthlyIncomeYuan: 3000,
  rigidExpenses: { medicalYuan: 800 },
  migrantWorker: false,
  monthsEmployed: 60,
  ...over,
});
// (3000 − 800) / 3 = 733 < 1400 (the demo city's 2025 低保 line) → deep
const DEEP = stats();
// 6000 / 3 = 2000: between one and two lines → relative
const RELATIVE = stats({ monthlyIncomeYuan: 6000, rigidExpenses: {} });

const household = (n: number) => ({
  headName: `测试户主${n}陈桂兰`,
  idNumber: `3301061975030${String(4000 + n)}X`.slice(0, 17) + 'X',
  phone: `1370000${String(5000 + n)}`,
  address: `东城区和平里${n}号楼${n}单元`,
  bankAccount: `6217000000${String(900000 + n)}`,
  members: [{ name: `测试家属${n}周志强`, relation: 'spouse', age: 52, healthNotes: `肝硬化晚期${n}` }],
  employer: `东城纺织厂${n}`,
  situation: `配偶重病，子女上学${n}`,
});

/** Every string value of the household's personal data (nested), for the "not in Redis, not in logs" checks. */
const personalValues = (p: ReturnType<typeof household>): string[] => [
  p.headName,
  p.idNumber,
  p.idNumber.toLowerCase(),
  p.phone,
  p.address,
  p.bankAccount,
  p.members[0].name,
  p.members[0].healthNotes,
  p.employer,
  p.situation,
];

/** Every key of the Redis server with its full content, as one string per key. */
async function dumpRedis(url: string): Promise<Map<string, string>> {
  const r = new Redis(url);
  const out = new Map<string, string>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) {
        const type = await r.type(k);
        let v: unknown;
        if (type === 'string') v = await r.get(k);
        else if (type === 'hash') v = await r.hgetall(k);
        else if (type === 'zset') v = await r.zrange(k, 0, -1, 'WITHSCORES');
        else if (type === 'list') v = await r.lrange(k, 0, -1);
        else if (type === 'set') v = await r.smembers(k);
        else if (type === 'stream') v = await r.xrange(k, '-', '+');
        else v = type;
        out.set(k, `${k} ${JSON.stringify(v)}`);
      }
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return out;
}

/**
 * A household's hardship file over HTTP, api and worker as separate processes, a controlled clock from
 * 2025-07-01 09:00 CST that the test advances (the 金秋助学 campaign is open, 送温暖 is not): application → pre-screen → home
 * visit → consent → economic check → public notice (lapses by itself, objections resolved) → registration
 * (deep) → two aid grants (one approved a level up) and one revoked after payment → annual review on time →
 * exit → relapse; a migrant worker registered only through a head's override; the statistics of §4; and no
 * personal value anywhere in Redis or in the logs.
 */
describe('hardship household from application to exit (e2e)', () => {
  let h: HearthUnderTest;
  const A = household(1);
  const B = { ...household(2), idNumber: '330106198507150022' };
  const C = { ...household(3), idNumber: '330106199011110033' };
  const FUND = 'east-2025-dues';

  beforeAll(async () => {
    h = await HearthUnderTest.start({ controlledClock: true, clockStart: '2025-07-01T09:00:00+08:00' });
  }, 180_000);
  afterAll(async () => h?.stop());

  const ok = async (user: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await h.request(user, method, path, body ?? (method === 'POST' ? {} : undefined), headers);
    if (res.status >= 300) throw new Error(`${method} ${path} as ${user}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const fileOf = (id: string) => h.request('officer.east', 'GET', `/hardship-files/${id}`);
  const history = async (id: string) => (await h.request('auditor.city', 'GET', `/hardship-files/${id}/history`)).body.events as any[];

  /** Applied and walked to a running public notice of 5 days. */
  const toNotice = async (p: ReturnType<typeof household>, unit: string, s: unknown, key: string) => {
    const applied = await ok(`intake.${unit}`, 'POST', '/hardship-files', { orgUnit: unit, stats: s, personal: p }, { 'Idempotency-Key': key });
    const id: string = applied.id;
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${id}/pre-screen`, { note: `初审：${p.headName}情况属实` });
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${id}/home-visit`, { visitDate: '2025-07-01', visitors: [`officer.${unit}`], findings: `走访${p.address}` });
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${id}/consent`, { signedDate: '2025-07-01', scopes: ['collect', 'verify_income', 'public_notice'], signedByName: p.headName });
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${id}/economic-check`, { stats: s, sources: ['civil_affairs', 'social_security'], note: `银行流水${p.bankAccount}` });
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${id}/public-notice`, { days: 5, where: '厂务公开栏' });
    return { id, applied };
  };

  let fileA = '';
  let fileB = '';
  let objectionId = '';

  it('files a household once (一户一档), validates nested data, and walks it into the public notice', async () => {
    expect((await ok('head.east', 'POST', '/funds', { fundId: FUND, year: 2025, source: 'union_dues', budgetYuan: 50000, orgUnit: 'east' })).events).toEqual(['FundOpened']);

    // 400 with nested field paths; unknown nested fields refused too.
    const bad = await h.request('intake.east-s1-g1', 'POST', '/hardship-files', {
      orgUnit: 'east-s1-g1',
      stats: { ...DEEP, membersCount: 0, rigidExpenses: { medicalYuan: -1 } },
      personal: { ...A, idNumber: '123', members: [{ name: '', relation: 'x', age: 1 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['personal.idNumber', 'personal.members.0.name', 'stats.membersCount', 'stats.rigidExpenses.medicalYuan'].sort(),
    );
    expect((await h.request('intake.east-s1-g1', 'POST', '/hardship-files', { orgUnit: 'east-s1-g1', stats: DEEP, personal: { ...A, iban: 'x' } })).status).toBe(400);

    const { id, applied } = await toNotice(A, 'east-s1-g1', DEEP, 'apply-A');
    fileA = id;
    // Objections are taken while the notice runs (the clock stands still until the test moves it); registration must wait for its end.
    const obj = await ok('intake.east-s1-g1', 'POST', `/hardship-files/${fileA}/objections`, { content: '有人反映其家中有轿车', objectorName: '匿名' });
    expect(obj.events).toEqual(['ObjectionRaised']);
    objectionId = obj.objectionId;
    expect((await h.request('head.east-s1-g1', 'POST', `/hardship-files/${fileA}/registration`)).body).toMatchObject({ statusCode: 422, code: 'PUBLIC_NOTICE_NOT_COMPLETED' });
    await ok('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/objections/${objectionId}/resolution`, { outcome: 'dismissed', note: '车辆登记在他人名下' });
    expect(applied).toMatchObject({ events: ['HardshipFileApplied'], replayed: false });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // The same request again is a replay; the same household under another request is refused.
    const retry = await h.request('intake.east-s1-g1', 'POST', '/hardship-files', { orgUnit: 'east-s1-g1', stats: DEEP, personal: A }, { 'Idempotency-Key': 'apply-A' });
    expect(retry.body).toMatchObject({ id, replayed: true });
    const twice = await h.request('intake.east-s1-g1', 'POST', '/hardship-files', { orgUnit: 'east-s1-g1', stats: RELATIVE, personal: { ...A, idNumber: A.idNumber.toLowerCase() } });
    expect(twice.body).toMatchObject({ statusCode: 422, code: 'HARDSHIP_FILE_EXISTS', details: { fileId: id, orgUnit: 'east-s1-g1' } });
    const elsewhere = await h.request('intake.west-s1-g1', 'POST', '/hardship-files', { orgUnit: 'west-s1-g1', stats: DEEP, personal: A });
    expect(elsewhere.body).toMatchObject({ statusCode: 422, code: 'HARDSHIP_FILE_EXISTS' });
    expect(elsewhere.body.details).toBeUndefined(); // another district learns that the household is on record, not where

    // Look-up by ID number (blind index), within the subtree only.
    expect(await ok('officer.east-s1', 'POST', '/hardship-files/lookup', { idNumber: A.idNumber })).toMatchObject({ id, status: 'PublicNotice', orgUnit: 'east-s1-g1' });
    expect((await h.request('officer.west', 'POST', '/hardship-files/lookup', { idNumber: A.idNumber })).status).toBe(404);

    // Only the grassroots union pre-screens; auditors never command.
    const second = await toNotice(B, 'east-s1-g2', { ...RELATIVE, migrantWorker: true, monthsEmployed: 6 }, 'apply-B');
    fileB = second.id;
    const c = await ok('intake.east-s1-g1', 'POST', '/hardship-files', { orgUnit: 'east-s1-g1', stats: DEEP, personal: C });
    expect((await h.request('officer.east-s1', 'POST', `/hardship-files/${c.id}/pre-screen`, {})).body).toMatchObject({ statusCode: 403, code: 'GRASSROOTS_UNION_REQUIRED' });
    expect((await h.request('auditor.city', 'POST', `/hardship-files/${c.id}/pre-screen`, {})).status).toBe(403);
    await ok('officer.east-s1-g1', 'POST', `/hardship-files/${c.id}/rejection`, { reason: '申请材料不实' });
  }, 300_000);

  it('the notice period lapses by itself (timer), then the head registers with a computed category; an override needs a head and a reason', async () => {
    // Nine days on (Thu 2025-07-10), both five-day notices are over.
    await h.advanceClock('2025-07-10T09:00:00+08:00');
    const noticed = await h.eventually(async () => {
      const r = await fileOf(fileA);
      return r.status === 200 && r.body.publicNotice?.completed ? r.body : undefined;
    }, 60_000, 'the public notice of A to complete');
    expect(noticed.publicNotice).toMatchObject({ completed: true, objections: { [objectionId]: 'dismissed' } });
    expect(noticed.publicNotice.endDate > noticed.publicNotice.startDate).toBe(true);

    const reg = await ok('head.east-s1-g1', 'POST', `/hardship-files/${fileA}/registration`);
    expect(reg.events).toEqual(['HardshipFileRegistered', 'DeadlineOpened']);
    const registered = (await history(fileA)).find((e) => e.type === 'HardshipFileRegistered');
    expect(registered.data).toMatchObject({ category: 'deep', overridden: false, lowIncomeLineKey: 'hardship.dibaoLine.city.2025', computation: { lowIncomeLineYuan: 1400 } });

    // B: a migrant worker employed 6 months is not eligible as computed; the override is the head's, with a reason.
    await h.eventually(async () => (await fileOf(fileB)).body?.publicNotice?.completed, 60_000, 'the public notice of B to complete');
    const refused = await h.request('head.east-s1-g2', 'POST', `/hardship-files/${fileB}/registration`);
    expect(refused.body).toMatchObject({ statusCode: 422, code: 'NOT_ELIGIBLE', details: { ineligibleReason: 'migrant_employment_too_short' } });
    expect((await h.request('officer.east-s1-g2', 'POST', `/hardship-files/${fileB}/category-override`, { category: 'relative', reason: '工龄连续' })).body).toMatchObject({
      statusCode: 403,
      code: 'ROLE_NOT_ALLOWED',
    });
    expect((await h.request('head.east-s1-g2', 'POST', `/hardship-files/${fileB}/category-override`, { category: 'relative' })).status).toBe(400);
    await ok('head.east-s1-g2', 'POST', `/hardship-files/${fileB}/category-override`, { category: 'relative', reason: '原单位破产后由本单位接收，连续工龄三年' });
    await ok('head.east-s1-g2', 'POST', `/hardship-files/${fileB}/registration`);

    const a = await h.eventually(async () => {
      const r = await fileOf(fileA);
      return r.body.status === 'Registered' ? r.body : undefined;
    });
    expect(a).toMatchObject({ category: 'deep', registrations: 1, deadlines: [expect.objectContaining({ kind: 'annualReview', ownerOrgUnit: 'east-s1-g1', missedLevel: 0 })] });
    // The review is due a year after registration.
    expect(Date.parse(a.deadlines[0].dueAt) - Date.parse(`${a.registeredDate}T00:00:00+08:00`)).toBeGreaterThanOrEqual(365 * DAY);
    await h.eventually(async () => (await fileOf(fileB)).body.categoryOverridden === true);
  }, 300_000);

  it('grants aid: limits, campaign windows, approval a level up above the threshold, idempotent disbursement, return on revocation', async () => {
    const propose = (body: unknown) => h.request('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid`, body);
    expect((await propose({ kind: 'living', amountYuan: 20000, fundId: FUND })).body).toMatchObject({ statusCode: 422, code: 'AID_LIMIT_EXCEEDED' });
    expect((await propose({ kind: 'winter_relief', amountYuan: 1000, fundId: FUND })).body).toMatchObject({ statusCode: 422, code: 'CAMPAIGN_WINDOW_CLOSED' });
    expect((await propose({ kind: 'living', amountYuan: 10.001, fundId: FUND })).status).toBe(400);
    expect((await propose({ kind: 'golden_autumn_education', amountYuan: 2000, fundId: FUND, aidId: 'autumn-1' })).status).toBe(201); // 金秋助学 is open in July–August

    // Grant 1: living aid within the grassroots head's authority.
    const g1 = (await propose({ kind: 'living', amountYuan: 3000, fundId: FUND, note: '生活困难' })).body;
    expect(g1.aidId).toEqual(expect.any(String));
    await ok('head.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g1.aidId}/approval`);
    const paid = await ok('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g1.aidId}/disbursement`, { method: 'bank_transfer', reference: 'PZ-2025-001' }, { 'Idempotency-Key': 'pay-g1' });
    expect(paid).toMatchObject({ aidId: g1.aidId, fundId: FUND, events: ['AidDisbursed'], fundEvents: ['FundDrawn'], replayed: false });
    const paidAgain = await ok('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g1.aidId}/disbursement`, { method: 'bank_transfer', reference: 'PZ-2025-001' }, { 'Idempotency-Key': 'pay-g1' });
    expect(paidAgain).toMatchObject({ events: ['AidDisbursed'], replayed: true, revision: paid.revision });
    await ok('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g1.aidId}/acknowledgement`, { receiptRef: 'QL-001' });

    // Grant 2: serious-illness aid of 25,000 > 20,000 needs the level above.
    const g2 = (await propose({ kind: 'serious_illness', amountYuan: 25000, fundId: FUND, aidId: 'illness-1' })).body;
    expect((await h.request('head.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g2.aidId}/approval`)).body).toMatchObject({ statusCode: 422, code: 'UPPER_LEVEL_APPROVAL_REQUIRED' });
    const up = await ok('head.east-s1', 'POST', `/hardship-files/${fileA}/aid/${g2.aidId}/approval`);
    expect(up.events).toEqual(['AidApproved']);
    expect((await ok('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g2.aidId}/disbursement`)).fundEvents).toEqual(['FundDrawn']);

    // A third aid paid by mistake and revoked: its money goes back to the fund.
    const g3 = (await propose({ kind: 'temporary', amountYuan: 1000, fundId: FUND, aidId: 'temp-1' })).body;
    await ok('head.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g3.aidId}/approval`);
    await ok('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g3.aidId}/disbursement`);
    expect((await h.request('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g3.aidId}/revocation`, { reason: '重复' })).status).toBe(403);
    const revoked = await ok('head.east-s1-g1', 'POST', `/hardship-files/${fileA}/aid/${g3.aidId}/revocation`, { reason: '与临时救助重复发放' });
    expect(revoked).toMatchObject({ events: ['AidRevoked'], fundEvents: ['FundReturned'] });

    const fund = await h.eventually(async () => {
      const r = await h.request('officer.east-s1-g1', 'GET', `/funds/${FUND}`);
      return r.status === 200 && r.body.returns === 1 ? r.body : undefined;
    });
    expect(fund).toMatchObject({ year: 2025, source: 'union_dues', orgUnit: 'east', budgetYuan: 50000, drawnYuan: 28000, remainingYuan: 22000, draws: 3, returns: 1 });
    expect((await h.request('officer.west-s1-g1', 'GET', `/funds/${FUND}`)).status).toBe(404);
    expect((await ok('officer.east-s1-g1', 'GET', '/funds')).map((f: { fundId: string }) => f.fundId)).toEqual([FUND]);

    const a = await h.eventually(async () => {
      const r = await fileOf(fileA);
      return r.body.aids?.find((x: { aidId: string }) => x.aidId === 'temp-1')?.status === 'Revoked' ? r.body : undefined;
    });
    expect(a.aids).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ aidId: g1.aidId, status: 'Acknowledged', amountYuan: 3000, upperLevelApproval: false }),
        expect.objectContaining({ aidId: 'illness-1', status: 'Disbursed', amountYuan: 25000, upperLevelApproval: true }),
        expect.objectContaining({ aidId: 'autumn-1', status: 'Proposed' }),
      ]),
    );
    expect(a.disbursedYuan).toBe(28000);
  }, 300_000);

  it('completes the annual review on time, then exits with a reason and a retention date', async () => {
    await ok('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/annual-review`);
    const done = await ok('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/annual-review/completion`, { stats: DEEP, outcome: 'continue', note: '病情未好转' });
    expect(done.events).toEqual(['AnnualReviewCompleted', 'DeadlineMet', 'DeadlineOpened']);
    expect((await history(fileA)).find((e) => e.type === 'AnnualReviewCompleted').data).toMatchObject({ onTime: true, category: 'deep' });

    expect((await h.request('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/exit`, { reason: 'safety_net_covered' })).status).toBe(403);
    expect((await h.request('head.east-s1-g1', 'POST', `/hardship-files/${fileA}/exit`, { reason: 'won_lottery' })).status).toBe(400);
    const exit = await ok('head.east-s1-g1', 'POST', `/hardship-files/${fileA}/exit`, { reason: 'safety_net_covered', note: '纳入低保' });
    // The golden-autumn aid still only proposed is revoked with the file; the pending review is cancelled.
    expect(exit.events).toEqual(['HardshipFileExited', 'AidRevoked', 'DeadlineCancelled']);
    const exited = await h.eventually(async () => {
      const r = await fileOf(fileA);
      return r.body.status === 'Exited' ? r.body : undefined;
    });
    expect(exited.exit.reason).toBe('safety_net_covered');
    expect(exited.exit.retentionUntil).toBe(`${Number(exited.exit.date.slice(0, 4)) + 10}${exited.exit.date.slice(4)}`);
    expect(exited.deadlines).toEqual([]);
  }, 300_000);

  it('serves the statistics of §4 for the subtree; a relapse reopens the file', async () => {
    const stats = await h.eventually(async () => {
      const r = await h.request('head.east', 'GET', '/hardship-files/stats');
      return r.status === 200 && r.body.exited === 1 && r.body.rejected === 1 ? r.body : undefined;
    });
    expect(stats).toMatchObject({
      orgUnit: 'east',
      applied: 3,
      registered: 2,
      rejected: 1,
      onFile: 1,
      onFileByCategory: { relative: 1 },
      newFilesByYear: { '2025': 2 },
      exitsByReason: { safety_net_covered: 1 },
      exitRateByYear: { '2025': { outOfHardship: 1, onFileDuringYear: 2, rate: 0.5 } },
      reviews: { done: 1, onTime: 1, onTimeRate: 1, overdueNow: 0 },
      aid: {
        proposed: 4,
        approvedByUpperLevel: 1,
        revoked: 2,
        disbursed: 2,
        acknowledged: 1,
        disbursedYuan: 28000,
        byKind: { living: { yuan: 3000, count: 1 }, serious_illness: { yuan: 25000, count: 1 } },
        byFund: { [FUND]: 28000 },
        householdsAided: 1,
        averagePerHousehold: 28000,
      },
      funds: { '2025': { union_dues: { budgetYuan: 50000, drawnYuan: 28000, remainingYuan: 22000 } } },
    });
    expect(Object.values(stats.aid.byMonth as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(28000);
    expect(Object.keys(stats.aid.byMonth).every((m) => m.startsWith('2025-0'))).toBe(true);
    // Subtree scoping: the other district sees nothing, and may not look at this one.
    expect((await h.request('head.west', 'GET', '/hardship-files/stats')).body).toMatchObject({ applied: 0, onFile: 0 });
    expect((await h.request('head.west', 'GET', '/hardship-files/stats?orgUnit=east')).status).toBe(403);
    const list = (await h.request('officer.east-s1', 'GET', '/hardship-files?category=relative')).body;
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([fileB]);

    // Relapse (返困): the exited file is reopened, back to the economic check.
    expect((await ok('officer.east-s1-g1', 'POST', `/hardship-files/${fileA}/reopening`, { reason: '低保取消后再次陷入困难' })).events).toEqual(['HardshipFileReopened']);
    await h.eventually(async () => (await h.request('head.east', 'GET', '/hardship-files/stats')).body.reopened === 1, 60_000, 'reopened counted');
  }, 300_000);

  it('shows the history with personal parts withheld, and leaves no personal value in Redis or the logs', async () => {
    const events = await history(fileA);
    expect(events[0]).toMatchObject({ type: 'HardshipFileApplied', actorId: 'intake.east-s1-g1', role: 'intake', data: { orgUnit: 'east-s1-g1', personal: '[personal data withheld]' } });
    const text = JSON.stringify(events);
    for (const v of personalValues(A)) expect(text).not.toContain(v);
    expect((await h.request('officer.west', 'GET', `/hardship-files/${fileA}/history`)).status).toBe(403);

    const dump = await dumpRedis(h.redis.url);
    expect([...dump.keys()].some((k) => k.startsWith('hearth:hs:'))).toBe(true);
    // The search does see read-model contents (non-personal values are there).
    const all = [...dump.values()].join('\n');
    for (const visible of ['safety_net_covered', 'east-s1-g1', 'illness-1', FUND]) expect(all).toContain(visible);
    const secrets = [
      ...personalValues(A),
      ...personalValues(B),
      ...personalValues(C),
      '有人反映其家中有轿车',
      '车辆登记在他人名下',
      '原单位破产后由本单位接收',
      '与临时救助重复发放',
      '纳入低保',
      '低保取消后再次陷入困难',
      '生活困难',
    ];
    const leaks = [...dump.values()].flatMap((content) => secrets.filter((s) => content.includes(s)).map((s) => `${s} in ${content.slice(0, 80)}`));
    expect(leaks).toEqual([]);
    const logs = h.logs.join('');
    expect(secrets.filter((s) => logs.includes(s))).toEqual([]);
  }, 300_000);
});

/**
 * A registered file nobody reviews: the test moves the controlled clock past the review's due date, the
 * annual-review timer fires in the worker, the deadline is missed and the supervisors one level
 * up get the alert; the late review then resolves it and counts as not on time.
 */
describe('an annual review left to lapse climbs the ladder (e2e)', () => {
  let h: HearthUnderTest;
  const D = { ...household(4), idNumber: '330106197001010044' };

  beforeAll(async () => {
    h = await HearthUnderTest.start({ controlledClock: true, clockStart: '2025-03-03T09:00:00+08:00' });
  }, 180_000);
  afterAll(async () => h?.stop());

  it('misses the review → alert for the supervisors of the unit above → late review resolves it', async () => {
    const unit = 'east-s2-g1';
    const ok = async (user: string, path: string, body: unknown = {}) => {
      const r = await h.request(user, 'POST', path, body);
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const { id } = await ok(`intake.${unit}`, '/hardship-files', { orgUnit: unit, stats: DEEP, personal: D });
    await ok(`officer.${unit}`, `/hardship-files/${id}/pre-screen`);
    await ok(`officer.${unit}`, `/hardship-files/${id}/home-visit`, { visitDate: '2025-03-03', visitors: [`officer.${unit}`] });
    await ok(`officer.${unit}`, `/hardship-files/${id}/consent`, { signedDate: '2025-03-03', scopes: ['collect'] });
    await ok(`officer.${unit}`, `/hardship-files/${id}/economic-check`, { stats: DEEP, sources: ['civil_affairs'] });
    await ok(`officer.${unit}`, `/hardship-files/${id}/public-notice`, { days: 5 });
    await h.advanceClock('2025-03-12T09:00:00+08:00');
    await h.eventually(async () => (await h.request(`officer.${unit}`, 'GET', `/hardship-files/${id}`)).body?.publicNotice?.completed, 60_000, 'notice completed');
    await ok(`head.${unit}`, `/hardship-files/${id}/registration`);
    const review = await h.eventually(async () => {
      const r = await h.request(`officer.${unit}`, 'GET', `/hardship-files/${id}`);
      return (r.body?.deadlines as { kind: string; dueAt: string }[] | undefined)?.find((d) => d.kind === 'annualReview');
    }, 60_000, 'the annual review deadline');
    // Nobody reviews: an hour past its due time.
    await h.advanceClock(new Date(Date.parse(review.dueAt) + 3_600_000));

    const alert: any = await h.eventually(async () => {
      const inbox = (await h.request('supervisor.east-s2', 'GET', '/alerts')).body;
      return inbox.items?.find((a: any) => a.caseId === id);
    }, 60_000, 'the missed annual review to reach the supervisors one level up');
    expect(alert).toMatchObject({ workflow: 'hardship', deadlineKind: 'annualReview', ownerOrgUnit: unit, targetOrgUnit: 'east-s2', level: 1, status: 'open' });
    expect((await h.request('supervisor.west-s2', 'GET', '/alerts')).body.total).toBe(0);
    const overdue = await h.eventually(async () => {
      const s = (await h.request('head.east-s2', 'GET', '/hardship-files/stats')).body;
      return s.reviews?.overdueNow === 1 ? s : undefined;
    });
    expect(overdue.overdueNow).toBe(1);
    const listed = (await h.request('officer.east-s2', 'GET', '/hardship-files?overdue=true')).body;
    expect(listed.items.map((i: { id: string }) => i.id)).toEqual([id]);

    // The review done late: the duty is met, the alert resolved, and it does not count as on time.
    await ok(`officer.${unit}`, `/hardship-files/${id}/annual-review`);
    await ok(`officer.${unit}`, `/hardship-files/${id}/annual-review/completion`, { stats: DEEP, outcome: 'continue' });
    await h.eventually(async () => (await h.request('supervisor.east-s2', 'GET', `/alerts/${encodeURIComponent(alert.id)}`)).body.status === 'resolved', 60_000, 'alert resolved');
    const after = await h.eventually(async () => {
      const s = (await h.request('head.east-s2', 'GET', '/hardship-files/stats')).body;
      return s.reviews?.done === 1 ? s : undefined;
    });
    expect(after.reviews).toMatchObject({ done: 1, onTime: 0, overdueNow: 0 });
  }, 300_000);
});
