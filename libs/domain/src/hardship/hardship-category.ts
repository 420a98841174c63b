import type { CategoryComputation, HouseholdStats } from './hardship.events';
import { toFen } from './money';

/** The numbers behind the categories; configuration (rule-table limits), defaults = national table. */
export interface CategoryParams {
  /** Deep hardship: per-capita net income < deepMultiplier × 低保 line (limit `hardship.deepMultiplier`, 1). */
  deepMultiplier: number;
  /** Relative hardship: < relativeMultiplier × 低保 line (limit `hardship.relativeMultiplier`, 2). */
  relativeMultiplier: number;
  /** Accident: yearly hardship costs > this percent of household income (limit `hardship.accident.costSharePercent`, 80). */
  accidentCostSharePercent: number;
  /** Migrant workers need at least this many months of employment (limit `hardship.migrantMinMonths`, 12). */
  migrantMinMonths: number;
}

export const DEFAULT_CATEGORY_PARAMS: CategoryParams = {
  deepMultiplier: 1,
  relativeMultiplier: 2,
  accidentCostSharePercent: 80,
  migrantMinMonths: 12,
};

export const rigidExpensesYuan = (stats: HouseholdStats): number =>
  Object.values(stats.rigidExpenses ?? {}).reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);

/**
 * The hardship category of a household (domain-spec §3), from non-personal figures only:
 * - migrant workers with fewer than `migrantMinMonths` months of employment: not eligible;
 * - deep (深度困难): (monthly income − monthly rigid expenses) / members < deepMultiplier × line;
 * - relative (相对困难): … < relativeMultiplier × line;
 * - accident (意外致困): a disaster, injury or death, or the year's hardship costs > accidentCostSharePercent
 *   of the household's yearly income (12 × monthly income unless given);
 * - otherwise not eligible (`category: null`).
 * Income tests come first: a household poor enough for deep/relative is filed under that category even
 * when an accident caused it. All comparisons are made in integer fen (cross-multiplied, no division).
 *
 * @param lowIncomeLineYuan the local 低保 line per person per month for the org unit and `year`.
 */
export function computeCategory(
  stats: HouseholdStats,
  lowIncomeLineYuan: number,
  year: number,
  params: CategoryParams = DEFAULT_CATEGORY_PARAMS,
): CategoryComputation {
  const members = Math.max(1, stats.membersCount);
  const netFen = toFen(stats.monthlyIncomeYuan) - toFen(rigidExpensesYuan(stats));
  const lineFen = toFen(lowIncomeLineYuan);
  const yearlyIncomeFen = stats.yearlyIncomeYuan !== undefined ? toFen(stats.yearlyIncomeYuan) : toFen(stats.monthlyIncomeYuan) * 12;
  const costsFen = toFen(stats.yearlyHardshipCostsYuan ?? 0);

  const base = {
    year,
    lowIncomeLineYuan,
    perCapitaNetIncomeYuan: Math.round(netFen / members) / 100,
    deepThresholdYuan: (lineFen * params.deepMultiplier) / 100,
    relativeThresholdYuan: (lineFen * params.relativeMultiplier) / 100,
    hardshipCostSharePercent: yearlyIncomeFen > 0 ? Math.round((costsFen * 10000) / yearlyIncomeFen) / 100 : null,
    accidentCostSharePercent: params.accidentCostSharePercent,
    migrantMinMonths: params.migrantMinMonths,
  };

  if (stats.migrantWorker && stats.monthsEmployed < params.migrantMinMonths)
    return { ...base, category: null, ineligibleReason: 'migrant_employment_too_short' };
  // net / members < m × line  ⇔  net < m × line × members (members ≥ 1)
  if (netFen < lineFen * params.deepMultiplier * members) return { ...base, category: 'deep' };
  if (netFen < lineFen * params.relativeMultiplier * members) return { ...base, category: 'relative' };
  const costsAboveShare = costsFen > 0 && costsFen * 100 > params.accidentCostSharePercent * yearlyIncomeFen;
  if (stats.accident || costsAboveShare) return { ...base, category: 'accident' };
  return { ...base, category: null, ineligibleReason: 'income_above_relative_line' };
}
