import type { Decider, DecisionContext } from '../common/decider';
import type { Role } from '../common/actor';
import { forbidden, notFound, ruleViolation } from '../common/domain-error';
import { AID_KINDS } from './hardship.events';
import { FUND_SOURCES, FundEvent } from './fund.events';
import type { FundCommand } from './fund.commands';
import { FundState, evolveFund, initialFundState, remainingFen } from './fund.state';
import { fromFen, isValidYuan, toFen } from './money';

const ROLES: Record<FundCommand['type'], readonly Role[]> = {
  OpenFund: ['head'],
  AdjustBudget: ['head'],
  DrawFromFund: ['officer', 'head'],
  ReturnToFund: ['officer', 'head'],
};

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Org scope: opening and adjusting need the fund's unit within the actor's subtree. Drawing and returning
 * are also allowed to units below the fund's unit (a county fund pays for files of the unions below it).
 */
function requireScope(ctx: DecisionContext, fundOrgUnit: string, allowBelow: boolean): void {
  if (ctx.actor.role === 'system') return;
  const above = ctx.org.isWithin(fundOrgUnit, ctx.actor.orgUnit);
  const below = allowBelow && ctx.org.isWithin(ctx.actor.orgUnit, fundOrgUnit);
  if (!above && !below) throw forbidden('OUTSIDE_ORG_SUBTREE', `fund of ${fundOrgUnit} is outside ${ctx.actor.orgUnit}'s scope`);
}

const invalidAmount = (field: string, value: unknown) =>
  ruleViolation('INVALID_AMOUNT', `${field} must be ≥ 0 with at most 2 decimals`, { [field]: value });

export function decideFund(cmd: FundCommand, s: FundState, ctx: DecisionContext): FundEvent[] {
  const roles = ROLES[cmd.type];
  if (!roles || !roles.includes(ctx.actor.role)) throw forbidden('ROLE_NOT_ALLOWED', `role ${ctx.actor.role} may not ${cmd.type}`);

  if (cmd.type === 'OpenFund') {
    // Scope before existence: an outsider is refused alike whether or not the fund exists.
    if (!ctx.org.has(cmd.orgUnit)) throw ruleViolation('UNKNOWN_ORG_UNIT', `unknown org unit ${cmd.orgUnit}`, { orgUnit: cmd.orgUnit });
    requireScope(ctx, cmd.orgUnit, false);
    if (s.exists) requireScope(ctx, s.orgUnit, false);
    if (s.exists) throw ruleViolation('FUND_EXISTS', `fund ${s.fundId} already exists`, { fundId: s.fundId });
    if (typeof cmd.fundId !== 'string' || !cmd.fundId.trim()) throw ruleViolation('INVALID_COMMAND', 'fundId is required');
    if (!Number.isInteger(cmd.year) || cmd.year < 2000 || cmd.year > 2999) throw ruleViolation('INVALID_COMMAND', 'year must be a calendar year', { year: cmd.year });
    if (!FUND_SOURCES.includes(cmd.source)) throw ruleViolation('INVALID_COMMAND', `unknown fund source ${String(cmd.source)}`);
    if (!isValidYuan(cmd.budgetYuan)) throw invalidAmount('budgetYuan', cmd.budgetYuan);
    return [
      {
        type: 'FundOpened',
        data: { fundId: cmd.fundId, year: cmd.year, source: cmd.source, budgetYuan: cmd.budgetYuan, orgUnit: cmd.orgUnit, openedBy: ctx.actor.id, openedAt: ctx.now },
      },
    ];
  }

  if (!s.exists) throw notFound('FUND_NOT_FOUND', 'no such fund');

  switch (cmd.type) {
    case 'AdjustBudget': {
      requireScope(ctx, s.orgUnit, false);
      if (!isValidYuan(cmd.budgetYuan)) throw invalidAmount('budgetYuan', cmd.budgetYuan);
      if (typeof cmd.reason !== 'string' || !cmd.reason.trim()) throw ruleViolation('REASON_REQUIRED', 'a budget adjustment needs a reason');
      if (toFen(cmd.budgetYuan) < s.drawnFen)
        throw ruleViolation('BUDGET_BELOW_DRAWN', 'the budget cannot go below what was already drawn', {
          budgetYuan: cmd.budgetYuan,
          drawnYuan: fromFen(s.drawnFen),
        });
      return [
        {
          type: 'FundBudgetAdjusted',
          data: { fundId: s.fundId, previousBudgetYuan: fromFen(s.budgetFen), budgetYuan: cmd.budgetYuan, reason: cmd.reason, adjustedBy: ctx.actor.id, adjustedAt: ctx.now },
        },
      ];
    }

    case 'DrawFromFund': {
      requireScope(ctx, s.orgUnit, true);
      const prior = s.draws[cmd.aidId];
      if (prior) {
        if (prior.returned) throw ruleViolation('AID_ALREADY_RETURNED', `aid ${cmd.aidId} was drawn and returned; it is not drawn again`, { aidId: cmd.aidId });
        return []; // idempotent per aid
      }
      if (typeof cmd.aidId !== 'string' || !cmd.aidId.trim() || typeof cmd.fileId !== 'string' || !cmd.fileId.trim())
        throw ruleViolation('INVALID_COMMAND', 'aidId and fileId are required');
      if (!AID_KINDS.includes(cmd.kind)) throw ruleViolation('UNKNOWN_AID_KIND', `unknown aid kind ${String(cmd.kind)}`, { kind: cmd.kind });
      if (!isValidYuan(cmd.amountYuan) || cmd.amountYuan === 0) throw invalidAmount('amountYuan', cmd.amountYuan);
      if (!MONTH.test(cmd.month) || Number(cmd.month.slice(0, 4)) !== s.year)
        throw ruleViolation('FUND_YEAR_MISMATCH', `fund ${s.fundId} pays for months of ${s.year}`, { month: cmd.month, year: s.year });
      const left = remainingFen(s) - toFen(cmd.amountYuan);
      if (left < 0)
        throw ruleViolation('FUND_OVERDRAWN', `fund ${s.fundId} has ${fromFen(remainingFen(s))} yuan left`, {
          fundId: s.fundId,
          amountYuan: cmd.amountYuan,
          remainingYuan: fromFen(remainingFen(s)),
        });
      return [
        {
          type: 'FundDrawn',
          data: {
            fundId: s.fundId,
            aidId: cmd.aidId,
            fileId: cmd.fileId,
            amountYuan: cmd.amountYuan,
            kind: cmd.kind,
            month: cmd.month,
            remainingYuan: fromFen(left),
            drawnBy: ctx.actor.id,
            drawnAt: ctx.now,
          },
        },
      ];
    }

    case 'ReturnToFund': {
      requireScope(ctx, s.orgUnit, true);
      const d = s.draws[cmd.aidId];
      if (!d) throw notFound('DRAW_NOT_FOUND', `no draw for aid ${cmd.aidId} on fund ${s.fundId}`);
      if (d.returned) return []; // idempotent
      return [
        {
          type: 'FundReturned',
          data: {
            fundId: s.fundId,
            aidId: d.aidId,
            fileId: d.fileId,
            amountYuan: d.amountYuan,
            remainingYuan: fromFen(remainingFen(s) + toFen(d.amountYuan)),
            reason: cmd.reason ?? 'aid revoked',
            returnedBy: ctx.actor.id,
            returnedAt: ctx.now,
          },
        },
      ];
    }
  }
}

export const fundDecider: Decider<FundCommand, FundEvent, FundState> = {
  category: 'fund',
  initialState: initialFundState,
  evolve: evolveFund,
  decide: decideFund,
};

/** The fund's role table, for the one table of libs/domain/src/common/command-roles.ts. */
export const FUND_COMMAND_ROLES = ROLES;
