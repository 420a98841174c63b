import { fold } from '../common/decider';
import { scenario } from './test/given-when-then';
import { fundDecider } from './fund.decider';
import type { FundCommand } from './fund.commands';
import type { FundEvent } from './fund.events';
import { hardshipFileDecider } from './hardship.decider';
import type { HardshipEvent } from './hardship.events';
import { DEEP, PERSONAL, at, auditorC, ctx, headD, headG, headS, intakeG, officerB, officerG, officerS, system } from './test/hardship.fixtures';
import type { DecisionContext } from '../common/decider';

const fund = scenario(fundDecider);
const run = (history: FundEvent[], command: FundCommand, context: DecisionContext): FundEvent[] => [
  ...history,
  ...fundDecider.decide(command, fold(fundDecider, history), context),
];

const open = (): FundCommand => ({ type: 'OpenFund', fundId: 'fund-2025', year: 2025, source: 'union_dues', budgetYuan: 10000, orgUnit: 'street-a1' });
const opened = () => run([], open(), ctx(headS, at('2025-01-05T10:00')));
const draw = (aidId: string, amountYuan: number, month = '2025-10'): FundCommand => ({ type: 'DrawFromFund', aidId, fileId: 'f1', amountYuan, kind: 'living', month });
const drawn = () => run(opened(), draw('a1', 6000), ctx(officerG, at('2025-10-22T10:00')));

describe('OpenFund', () => {
  it('opens a fund with a yearly budget and a source', () => {
    fund
      .given()
      .when(open(), ctx(headS, at('2025-01-05T10:00')))
      .then([
        { type: 'FundOpened', data: { fundId: 'fund-2025', year: 2025, source: 'union_dues', budgetYuan: 10000, orgUnit: 'street-a1', openedBy: 'head@street-a1', openedAt: at('2025-01-05T10:00') } },
      ]);
  });

  it('head only, once, inside the actor’s subtree, with a valid budget', () => {
    fund.given().when(open(), ctx(officerS, at('2025-01-05T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    fund.given().when(open(), ctx(auditorC, at('2025-01-05T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    fund.given(opened()).when(open(), ctx(headS, at('2025-01-06T10:00'))).thenThrows('FUND_EXISTS');
    fund.given().when(open(), ctx(headG, at('2025-01-05T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    // Scope before existence (issue 11): an outsider learns nothing of whether the fund exists.
    fund.given(opened()).when(open(), ctx(headG, at('2025-01-06T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    fund.given().when({ ...open(), budgetYuan: -1 } as FundCommand, ctx(headS, at('2025-01-05T10:00'))).thenThrows('INVALID_AMOUNT');
    fund.given().when({ ...open(), orgUnit: 'nowhere' } as FundCommand, ctx(headS, at('2025-01-05T10:00'))).thenThrows('UNKNOWN_ORG_UNIT');
  });

  it('commands on a fund that was never opened: FUND_NOT_FOUND', () => {
    fund.given().when(draw('a1', 100), ctx(officerG, at('2025-10-22T10:00'))).thenThrows('FUND_NOT_FOUND', 'not_found');
  });
});

describe('AdjustBudget', () => {
  it('raises or lowers the budget with a reason', () => {
    fund
      .given(drawn())
      .when({ type: 'AdjustBudget', budgetYuan: 15000, reason: '上级拨款' }, ctx(headD, at('2025-11-01T10:00')))
      .then([
        { type: 'FundBudgetAdjusted', data: { fundId: 'fund-2025', previousBudgetYuan: 10000, budgetYuan: 15000, reason: '上级拨款', adjustedBy: 'head@dist-a', adjustedAt: at('2025-11-01T10:00') } },
      ]);
  });

  it('never below what was drawn; needs a reason and a head', () => {
    fund.given(drawn()).when({ type: 'AdjustBudget', budgetYuan: 5999.99, reason: 'cut' }, ctx(headS, at('2025-11-01T10:00'))).thenThrows('BUDGET_BELOW_DRAWN', 'rule', { drawnYuan: 6000 });
    fund.given(drawn()).when({ type: 'AdjustBudget', budgetYuan: 6000, reason: 'cut' }, ctx(headS, at('2025-11-01T10:00'))).thenMatch([{ type: 'FundBudgetAdjusted' }]);
    fund.given(drawn()).when({ type: 'AdjustBudget', budgetYuan: 8000, reason: '' }, ctx(headS, at('2025-11-01T10:00'))).thenThrows('REASON_REQUIRED');
    fund.given(drawn()).when({ type: 'AdjustBudget', budgetYuan: 8000, reason: 'x' }, ctx(officerS, at('2025-11-01T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    fund.given(drawn()).when({ type: 'AdjustBudget', budgetYuan: 8000, reason: 'x' }, ctx(headG, at('2025-11-01T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
  });
});

describe('DrawFromFund', () => {
  it('draws for an aid and reports what is left (a union below the fund’s unit may draw)', () => {
    fund
      .given(opened())
      .when(draw('a1', 6000), ctx(officerG, at('2025-10-22T10:00')))
      .then([
        { type: 'FundDrawn', data: { fundId: 'fund-2025', aidId: 'a1', fileId: 'f1', amountYuan: 6000, kind: 'living', month: '2025-10', remainingYuan: 4000, drawnBy: 'officer@gr-a1', drawnAt: at('2025-10-22T10:00') } },
      ]);
  });

  it('refuses an overdraw (FUND_OVERDRAWN) but allows drawing the budget down to zero', () => {
    fund.given(drawn()).when(draw('a2', 4000.01), ctx(officerG, at('2025-10-23T10:00'))).thenThrows('FUND_OVERDRAWN', 'rule', { remainingYuan: 4000, amountYuan: 4000.01 });
    fund.given(drawn()).when(draw('a2', 4000), ctx(officerG, at('2025-10-23T10:00'))).thenMatch([{ type: 'FundDrawn', data: { remainingYuan: 0 } }]);
  });

  it('is idempotent per aid: drawing the same aid again decides nothing', () => {
    fund.given(drawn()).when(draw('a1', 6000), ctx(officerG, at('2025-10-22T10:01'))).then([]);
    // …even when the retry would not fit any more
    const full = run(drawn(), draw('a2', 4000), ctx(officerG, at('2025-10-23T10:00')));
    fund.given(full).when(draw('a1', 6000), ctx(officerG, at('2025-10-23T10:01'))).then([]);
  });

  it('counts in fen: 0.1 + 0.2 fits a 0.3 budget', () => {
    const tiny = run([], { ...open(), budgetYuan: 0.3 } as FundCommand, ctx(headS, at('2025-01-05T10:00')));
    const one = run(tiny, draw('a1', 0.1), ctx(officerG, at('2025-10-22T10:00')));
    fund.given(one).when(draw('a2', 0.2), ctx(officerG, at('2025-10-22T10:01'))).thenMatch([{ type: 'FundDrawn', data: { remainingYuan: 0 } }]);
  });

  it('validation: month of the fund’s year, known kind, positive amount', () => {
    fund.given(opened()).when(draw('a1', 100, '2026-01'), ctx(officerG, at('2026-01-05T10:00'))).thenThrows('FUND_YEAR_MISMATCH');
    fund.given(opened()).when(draw('a1', 100, '2025-13'), ctx(officerG, at('2025-10-05T10:00'))).thenThrows('FUND_YEAR_MISMATCH');
    fund.given(opened()).when({ ...draw('a1', 100), kind: 'lottery' } as unknown as FundCommand, ctx(officerG, at('2025-10-05T10:00'))).thenThrows('UNKNOWN_AID_KIND');
    fund.given(opened()).when(draw('a1', 0), ctx(officerG, at('2025-10-05T10:00'))).thenThrows('INVALID_AMOUNT');
  });

  it('roles and scope: no intake clerk, no auditor, no other district', () => {
    fund.given(opened()).when(draw('a1', 100), ctx(intakeG, at('2025-10-05T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    fund.given(opened()).when(draw('a1', 100), ctx(auditorC, at('2025-10-05T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    fund.given(opened()).when(draw('a1', 100), ctx(officerB, at('2025-10-05T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
  });
});

describe('ReturnToFund', () => {
  it('returns a revoked aid’s money; the budget is available again', () => {
    const returned = fund
      .given(drawn())
      .when({ type: 'ReturnToFund', aidId: 'a1', reason: 'aid revoked' }, ctx(officerS, at('2025-10-25T10:00')))
      .then([
        { type: 'FundReturned', data: { fundId: 'fund-2025', aidId: 'a1', fileId: 'f1', amountYuan: 6000, remainingYuan: 10000, reason: 'aid revoked', returnedBy: 'officer@street-a1', returnedAt: at('2025-10-25T10:00') } },
      ]);
    fund.given(returned).when(draw('a2', 10000), ctx(officerG, at('2025-10-26T10:00'))).thenMatch([{ type: 'FundDrawn', data: { remainingYuan: 0 } }]);
  });

  it('is idempotent; an unknown draw is not found; a returned aid is not drawn again', () => {
    const returned = run(drawn(), { type: 'ReturnToFund', aidId: 'a1' }, ctx(officerS, at('2025-10-25T10:00')));
    fund.given(returned).when({ type: 'ReturnToFund', aidId: 'a1' }, ctx(officerS, at('2025-10-25T10:01'))).then([]);
    fund.given(drawn()).when({ type: 'ReturnToFund', aidId: 'zz' }, ctx(officerS, at('2025-10-25T10:00'))).thenThrows('DRAW_NOT_FOUND', 'not_found');
    fund.given(returned).when(draw('a1', 6000), ctx(officerG, at('2025-10-26T10:00'))).thenThrows('AID_ALREADY_RETURNED');
  });
});

describe('disburse = draw from the fund, then record the disbursement on the file (as the lead orchestrates it)', () => {
  it('two approved aids on a 10,000 fund: the second overdraws and is not recorded on the file', () => {
    const fileCtx = (actor = officerG, t = '2025-10-20T10:00') => ctx(actor, at(t));
    const runFile = (h: HardshipEvent[], c: Parameters<typeof hardshipFileDecider.decide>[0], x: DecisionContext): HardshipEvent[] => [
      ...h,
      ...hardshipFileDecider.decide(c, fold(hardshipFileDecider, h), x),
    ];
    let f: HardshipEvent[] = [];
    const cmds: Array<[Parameters<typeof hardshipFileDecider.decide>[0], DecisionContext]> = [
      [{ type: 'ApplyForHardshipFile', fileId: 'f1', orgUnit: 'gr-a1', stats: DEEP, personal: PERSONAL }, fileCtx(intakeG, '2025-09-01T10:00')],
      [{ type: 'PreScreen' }, fileCtx(officerG, '2025-09-02T10:00')],
      [{ type: 'RecordHomeVisit', visitDate: '2025-09-03', visitors: ['v'] }, fileCtx(officerG, '2025-09-03T10:00')],
      [{ type: 'RecordConsent', signedDate: '2025-09-03', scopes: ['collect'] }, fileCtx(officerG, '2025-09-03T11:00')],
      [{ type: 'RecordEconomicCheck', stats: DEEP, sources: ['bank'] }, fileCtx(officerG, '2025-09-05T10:00')],
      [{ type: 'StartPublicNotice' }, fileCtx(officerG, '2025-09-08T10:00')],
      [{ type: 'ExpireDeadline', deadlineId: 'publicNotice-1' }, fileCtx(system, '2025-09-16T00:01')],
      [{ type: 'RegisterFile' }, fileCtx(headG, '2025-09-16T10:00')],
      [{ type: 'ProposeAid', aidId: 'a1', kind: 'living', amountYuan: 5000, fundId: 'fund-2025' }, fileCtx()],
      [{ type: 'ProposeAid', aidId: 'a2', kind: 'serious_illness', amountYuan: 6000, fundId: 'fund-2025' }, fileCtx()],
      [{ type: 'ApproveAid', aidId: 'a1' }, fileCtx(headG)],
      [{ type: 'ApproveAid', aidId: 'a2' }, fileCtx(headG)],
    ];
    for (const [c, x] of cmds) f = runFile(f, c, x);

    let money = opened();
    const disburse = (aidId: string, amountYuan: number) => {
      const x = ctx(officerG, at('2025-10-22T10:00'));
      money = run(money, { type: 'DrawFromFund', aidId, fileId: 'f1', amountYuan, kind: 'living', month: '2025-10' }, x);
      f = runFile(f, { type: 'RecordDisbursement', aidId }, x);
    };
    disburse('a1', 5000);
    expect(() => disburse('a2', 6000)).toThrow(expect.objectContaining({ code: 'FUND_OVERDRAWN' }));
    expect(fold(hardshipFileDecider, f).aids).toMatchObject({ a1: { status: 'Disbursed' }, a2: { status: 'Approved' } });
    expect(fold(fundDecider, money)).toMatchObject({ drawnFen: 500000, budgetFen: 1000000 });
  });
});
