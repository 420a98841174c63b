import { HearthUnderTest } from '@hearth/testing/hearth-process';

/* eslint-disable @typescript-eslint/no-explicit-any */

const DEEP = { membersCount: 3, monthlyIncomeYuan: 3000, rigidExpenses: { medicalYuan: 800 }, migrantWorker: false, monthsEmployed: 60 };

/**
 * A fund of 10,000 yuan and 40 approved aids of 500 yuan on one registered file, disbursed by 40 HTTP
 * requests at once: the draws serialise on the fund stream (optimistic concurrency, retried), exactly 20
 * succeed, the other 20 are refused with 422 FUND_OVERDRAWN, the fund's drawn total equals its budget, and
 * every aid marked disbursed has its draw (and no other aid has one).
 */
describe('parallel disbursements against one fund (e2e)', () => {
  let h: HearthUnderTest;
  const unit = 'west-s1-g1';
  const FUND = 'west-2025-relief';
  let fileId = '';

  beforeAll(async () => {
    h = await HearthUnderTest.start({ controlledClock: true, clockStart: '2025-06-02T09:00:00+08:00' });
  }, 180_000);
  afterAll(async () => h?.stop());

  const ok = async (user: string, method: string, path: string, body: unknown = {}, headers?: Record<string, string>) => {
    const r = await h.request(user, method, path, method === 'GET' ? undefined : body, headers);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  it('lets exactly the budget out, never more', async () => {
    await ok('head.west', 'POST', '/funds', { fundId: FUND, year: 2025, source: 'government', budgetYuan: 10000, orgUnit: 'west' });
    const applied = await ok(`intake.${unit}`, 'POST', '/hardship-files', {
      orgUnit: unit,
      stats: DEEP,
      personal: { headName: '并发测试户', idNumber: '44030519800202005X', members: [] },
    });
    fileId = applied.id;
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/pre-screen`);
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/home-visit`, { visitDate: '2025-06-02', visitors: [`officer.${unit}`] });
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/consent`, { signedDate: '2025-06-02', scopes: ['collect'] });
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/economic-check`, { stats: DEEP, sources: ['civil_affairs'] });
    await ok(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/public-notice`, { days: 5 });
    // Ten days on, the five-day notice is over.
    await h.advanceClock('2025-06-12T09:00:00+08:00');
    await h.eventually(async () => (await h.request(`officer.${unit}`, 'GET', `/hardship-files/${fileId}`)).body?.publicNotice?.completed, 60_000, 'notice completed');
    await ok(`head.${unit}`, 'POST', `/hardship-files/${fileId}/registration`);

    const aids = Array.from({ length: 40 }, (_, i) => `aid-${String(i).padStart(2, '0')}`);
    for (const aidId of aids) {
      await ok(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/aid`, { aidId, kind: 'living', amountYuan: 500, fundId: FUND });
      await ok(`head.${unit}`, 'POST', `/hardship-files/${fileId}/aid/${aidId}/approval`);
    }

    const started = Date.now();
    const results = await Promise.all(
      aids.map((aidId) =>
        h.request(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/aid/${aidId}/disbursement`, { reference: `PZ-${aidId}` }, { 'Idempotency-Key': `pay-${aidId}` }),
      ),
    );
    const elapsed = Date.now() - started;
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 422)).toEqual([]); // no 409, no 500
    const paid = aids.filter((_, i) => results[i].status === 200);
    const refused = results.filter((r) => r.status === 422);
    expect(paid).toHaveLength(20);
    expect(refused).toHaveLength(20);
    for (const r of refused) expect(r.body).toMatchObject({ code: 'FUND_OVERDRAWN', details: { fundId: FUND, amountYuan: 500, remainingYuan: 0 } });
    for (const i of aids.keys()) if (results[i].status === 200) expect(results[i].body).toMatchObject({ events: ['AidDisbursed'], fundEvents: ['FundDrawn'] });

    // The log: 20 draws, 20 disbursements, the same aids.
    const fundLog = (await h.request('head.west', 'GET', `/funds/${FUND}/history`)).body.events as any[];
    const drawn = fundLog.filter((e) => e.type === 'FundDrawn');
    expect(drawn).toHaveLength(20);
    expect(drawn.at(-1).data.remainingYuan).toBe(0);
    const fileLog = (await h.request('auditor.city', 'GET', `/hardship-files/${fileId}/history`)).body.events as any[];
    const disbursed = fileLog.filter((e) => e.type === 'AidDisbursed').map((e) => e.data.aidId).sort();
    expect(disbursed).toEqual([...paid].sort());
    expect(drawn.map((e) => e.data.aidId).sort()).toEqual(disbursed);

    // The read models agree.
    const fund = await h.eventually(async () => {
      const r = await h.request(`officer.${unit}`, 'GET', `/funds/${FUND}`);
      return r.body?.draws === 20 ? r.body : undefined;
    });
    expect(fund).toMatchObject({ budgetYuan: 10000, drawnYuan: 10000, remainingYuan: 0, draws: 20, returns: 0 });
    const file = await h.eventually(async () => {
      const r = await h.request(`officer.${unit}`, 'GET', `/hardship-files/${fileId}`);
      return r.body?.aids?.filter((a: any) => a.status === 'Disbursed').length === 20 ? r.body : undefined;
    });
    expect(file.aids.filter((a: any) => a.status === 'Approved').map((a: any) => a.aidId).sort()).toEqual(aids.filter((a) => !paid.includes(a)).sort());
    const stats = await h.eventually(async () => {
      const r = await h.request('head.west', 'GET', '/hardship-files/stats');
      return r.body?.aid?.disbursed === 20 ? r.body : undefined;
    });
    expect(stats.aid).toMatchObject({ disbursedYuan: 10000, byFund: { [FUND]: 10000 }, byKind: { living: { yuan: 10000, count: 20 } }, householdsAided: 1 });
    expect(stats.funds).toEqual({ '2025': { government: { budgetYuan: 10000, drawnYuan: 10000, remainingYuan: 0 } } });

    // Retrying a paid request replays it; retrying a refused one is refused again; nothing moves.
    const again = await h.request(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/aid/${paid[0]}/disbursement`, { reference: `PZ-${paid[0]}` }, { 'Idempotency-Key': `pay-${paid[0]}` });
    expect(again.body).toMatchObject({ replayed: true, events: ['AidDisbursed'] });
    const unpaid = aids.find((a) => !paid.includes(a))!;
    expect((await h.request(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/aid/${unpaid}/disbursement`, {}, { 'Idempotency-Key': `pay-${unpaid}` })).body).toMatchObject({
      code: 'FUND_OVERDRAWN',
    });
    expect(((await h.request('head.west', 'GET', `/funds/${FUND}/history`)).body.events as any[]).filter((e) => e.type === 'FundDrawn')).toHaveLength(20);

    // A budget raise lets a refused aid through.
    await ok('head.west', 'POST', `/funds/${FUND}/budget-adjustment`, { budgetYuan: 10500, reason: '追加拨款' });
    expect((await ok(`officer.${unit}`, 'POST', `/hardship-files/${fileId}/aid/${unpaid}/disbursement`)).fundEvents).toEqual(['FundDrawn']);
    console.log(`40 parallel disbursements: 20 paid, 20 refused FUND_OVERDRAWN in ${elapsed} ms`);
  }, 300_000);
});
