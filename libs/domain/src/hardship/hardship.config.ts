import type { DecisionContext } from '../common/decider';
import { ruleViolation } from '../common/domain-error';
import type { LocalDate } from '../calendar/local-date';
import type { RuleBook } from '../rules/rule-book';
import type { CategoryParams } from './hardship-category';
import type { AidKind } from './hardship.events';

/**
 * Reading hardship configuration from the rule book (`ctx.rules`), in the file's jurisdiction, with the rules
 * in force on the day of the decision (hardship files live for years; each event records the values it used,
 * so a replay never re-reads configuration).
 */

const tryLimit = (rules: RuleBook, key: string, jurisdiction: string, on: LocalDate): number | undefined => {
  try {
    return rules.limit(key, jurisdiction, on);
  } catch {
    return undefined;
  }
};

export const hardshipLimit = (ctx: DecisionContext, jurisdiction: string, key: string, on: LocalDate): number => {
  const v = tryLimit(ctx.rules, key, jurisdiction, on);
  if (v === undefined) throw ruleViolation('CONFIGURATION_MISSING', `no rule limit ${key} for ${jurisdiction} on ${on}`, { key, jurisdiction, on });
  return v;
};

export const dibaoLineKey = (orgUnit: string, year: number): string => `hardship.dibaoLine.${orgUnit}.${year}`;

/**
 * The 低保 line (yuan per person per month) for a file: limit `hardship.dibaoLine.<unit>.<year>` for the file's
 * unit, else its parent, … up to the root. Missing everywhere → rule error LOW_INCOME_LINE_NOT_CONFIGURED.
 */
export function lookupDibaoLine(
  ctx: DecisionContext,
  jurisdiction: string,
  orgUnit: string,
  year: number,
  on: LocalDate,
): { yuan: number; key: string } {
  for (const unit of ctx.org.lineage(orgUnit)) {
    const key = dibaoLineKey(unit, year);
    const yuan = tryLimit(ctx.rules, key, jurisdiction, on);
    if (yuan !== undefined) return { yuan, key };
  }
  throw ruleViolation('LOW_INCOME_LINE_NOT_CONFIGURED', `no 低保 line configured for ${orgUnit} (or above) in ${year}`, {
    orgUnit,
    year,
    jurisdiction,
  });
}

export const categoryParams = (ctx: DecisionContext, jurisdiction: string, on: LocalDate): CategoryParams => ({
  deepMultiplier: hardshipLimit(ctx, jurisdiction, 'hardship.deepMultiplier', on),
  relativeMultiplier: hardshipLimit(ctx, jurisdiction, 'hardship.relativeMultiplier', on),
  accidentCostSharePercent: hardshipLimit(ctx, jurisdiction, 'hardship.accident.costSharePercent', on),
  migrantMinMonths: hardshipLimit(ctx, jurisdiction, 'hardship.migrantMinMonths', on),
});

export interface AidLimits {
  maxYuan: number;
  upperApprovalAboveYuan: number;
}

export const aidLimits = (ctx: DecisionContext, jurisdiction: string, kind: AidKind, on: LocalDate): AidLimits => ({
  maxYuan: hardshipLimit(ctx, jurisdiction, `hardship.aid.maxYuan.${kind}`, on),
  upperApprovalAboveYuan: hardshipLimit(ctx, jurisdiction, `hardship.aid.upperApprovalAboveYuan.${kind}`, on),
});

export interface CampaignWindow {
  /** MMDD numbers, inclusive; from > to means the window wraps the year end. */
  from: number;
  to: number;
}

export const campaignWindow = (ctx: DecisionContext, jurisdiction: string, kind: AidKind, on: LocalDate): CampaignWindow => {
  const k = (p: string) => hardshipLimit(ctx, jurisdiction, `hardship.campaign.${kind}.${p}`, on);
  return { from: k('fromMonth') * 100 + k('fromDay'), to: k('toMonth') * 100 + k('toDay') };
};

export const monthDayOf = (date: LocalDate): number => Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));

export const inWindow = (w: CampaignWindow, date: LocalDate): boolean => {
  const md = monthDayOf(date);
  return w.from <= w.to ? md >= w.from && md <= w.to : md >= w.from || md <= w.to;
};

/** `date` plus whole years; 29 Feb moves to 1 Mar in a non-leap year (never shortens a retention period). */
export function addYears(date: LocalDate, years: number): LocalDate {
  const y = Number(date.slice(0, 4)) + years;
  const md = date.slice(5);
  if (md === '02-29') {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    return leap ? `${y}-02-29` : `${y}-03-01`;
  }
  return `${String(y).padStart(4, '0')}-${md}`;
}
