import { computeCategory, DEFAULT_CATEGORY_PARAMS } from './hardship-category';
import { addYears, inWindow } from './hardship.config';
import type { HouseholdStats } from './hardship.events';
import { ACCIDENT, DEEP, INELIGIBLE, RELATIVE } from './test/hardship.fixtures';

const LINE = 800;

describe('computeCategory', () => {
  it('deep: per-capita income after rigid expenses below the 低保 line', () => {
    expect(computeCategory(DEEP, LINE, 2025)).toMatchObject({ category: 'deep', perCapitaNetIncomeYuan: 733.33, year: 2025, lowIncomeLineYuan: 800 });
  });

  it('relative: below twice the line', () => {
    expect(computeCategory(RELATIVE, LINE, 2025)).toMatchObject({ category: 'relative', perCapitaNetIncomeYuan: 1400, relativeThresholdYuan: 1600 });
  });

  it('boundaries: exactly the line is relative, exactly twice the line is not eligible', () => {
    const at = (perCapita: number): HouseholdStats => ({ ...INELIGIBLE, membersCount: 2, monthlyIncomeYuan: perCapita * 2 });
    expect(computeCategory(at(799.99), LINE, 2025).category).toBe('deep');
    expect(computeCategory(at(800), LINE, 2025).category).toBe('relative');
    expect(computeCategory(at(1599.99), LINE, 2025).category).toBe('relative');
    expect(computeCategory(at(1600), LINE, 2025)).toMatchObject({ category: null, ineligibleReason: 'income_above_relative_line' });
  });

  it('rigid expenses above income: deep (negative net income)', () => {
    expect(computeCategory({ ...INELIGIBLE, rigidExpenses: { medicalYuan: 6000 } }, LINE, 2025)).toMatchObject({ category: 'deep', perCapitaNetIncomeYuan: -500 });
  });

  it('accident by disaster, injury or death', () => {
    for (const accident of ['disaster', 'injury', 'death'] as const) expect(computeCategory({ ...INELIGIBLE, accident }, LINE, 2025).category).toBe('accident');
    expect(computeCategory(ACCIDENT, LINE, 2025).category).toBe('accident');
  });

  it('accident by the year’s hardship costs: strictly more than 80% of household income', () => {
    const s = (costs: number): HouseholdStats => ({ ...INELIGIBLE, monthlyIncomeYuan: 4000, yearlyHardshipCostsYuan: costs });
    expect(computeCategory(s(38400), LINE, 2025)).toMatchObject({ category: null, hardshipCostSharePercent: 80 });
    expect(computeCategory(s(38400.01), LINE, 2025).category).toBe('accident');
    expect(computeCategory({ ...s(30000), yearlyIncomeYuan: 36000 }, LINE, 2025)).toMatchObject({ category: 'accident', hardshipCostSharePercent: 83.33 });
  });

  it('income tests come first: a poor household hit by an accident is deep', () => {
    expect(computeCategory({ ...DEEP, accident: 'injury' }, LINE, 2025).category).toBe('deep');
  });

  it('migrant workers need 12 months of employment, whatever their income', () => {
    expect(computeCategory({ ...DEEP, migrantWorker: true, monthsEmployed: 11 }, LINE, 2025)).toMatchObject({ category: null, ineligibleReason: 'migrant_employment_too_short' });
    expect(computeCategory({ ...DEEP, migrantWorker: true, monthsEmployed: 12 }, LINE, 2025).category).toBe('deep');
    expect(computeCategory({ ...DEEP, migrantWorker: false, monthsEmployed: 1 }, LINE, 2025).category).toBe('deep');
  });

  it('multipliers and shares are parameters (configuration)', () => {
    expect(computeCategory(RELATIVE, LINE, 2025, { ...DEFAULT_CATEGORY_PARAMS, relativeMultiplier: 1.5 }).category).toBe(null);
    expect(computeCategory(RELATIVE, LINE, 2025, { ...DEFAULT_CATEGORY_PARAMS, deepMultiplier: 2 }).category).toBe('deep');
  });
});

describe('configuration helpers', () => {
  it('addYears keeps the day; 29 Feb moves to 1 Mar (never shortens retention)', () => {
    expect(addYears('2026-03-10', 10)).toBe('2036-03-10');
    expect(addYears('2028-02-29', 10)).toBe('2038-03-01');
    expect(addYears('2028-02-29', 4)).toBe('2032-02-29');
  });

  it('campaign windows are inclusive and may wrap the year end', () => {
    const summer = { from: 701, to: 831 };
    expect([inWindow(summer, '2025-06-30'), inWindow(summer, '2025-07-01'), inWindow(summer, '2025-08-31'), inWindow(summer, '2025-09-01')]).toEqual([false, true, true, false]);
    const winter = { from: 1201, to: 229 };
    expect([inWindow(winter, '2025-11-30'), inWindow(winter, '2025-12-01'), inWindow(winter, '2026-01-31'), inWindow(winter, '2028-02-29'), inWindow(winter, '2026-03-01')]).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
  });
});
