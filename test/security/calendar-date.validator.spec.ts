import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsCalendarDate, IsCalendarInstant, IsCalendarMonth, isCalendarDate, isCalendarInstant, isCalendarMonth } from '@hearth/platform';

/** Issue 11, defect 3: every date a user sends is a real calendar date in 2000–2100. */
describe('calendar date validators', () => {
  it.each([
    ['2025-09-23', true],
    ['2024-02-29', true],
    ['2000-01-01', true],
    ['2100-12-31', true],
    ['2025-02-29', false],
    ['2025-02-30', false],
    ['2025-04-31', false],
    ['2025-13-01', false],
    ['2025-00-10', false],
    ['2025-01-00', false],
    ['1999-12-31', false],
    ['2101-01-01', false],
    ['9999-12-31', false],
    ['+010000-01-01', false],
    ['2025-9-3', false],
    ['2025-09-23T00:00:00Z', false],
    [' 2025-09-23', false],
  ])('date %s → %s', (value, ok) => expect(isCalendarDate(value)).toBe(ok));

  it.each([
    ['2025-11', true],
    ['2025-13', false],
    ['2025-00', false],
    ['9999-12', false],
    ['1999-12', false],
  ])('month %s → %s', (value, ok) => expect(isCalendarMonth(value)).toBe(ok));

  it.each([
    ['2025-11-05T09:30:00+08:00', true],
    ['2025-11-05T01:30:00.123Z', true],
    ['2025-11-05T09:30+08:00', true],
    ['2025-11-05T09:30:00', false],
    ['2025-02-30T09:30:00+08:00', false],
    ['2025-11-05T24:00:00Z', false],
    ['2025-11-05T23:60:00Z', false],
    ['2025-11-05T23:00:61Z', false],
    ['2025-11-05T23:00:00+15:00', false],
    ['9999-12-31T23:59:59Z', false],
    ['+275760-09-13T00:00:00Z', false],
    ['2025-11-05', false],
  ])('instant %s → %s', (value, ok) => expect(isCalendarInstant(value)).toBe(ok));

  it('non-strings are refused, never coerced', () => {
    for (const v of [20250923, null, undefined, {}, ['2025-09-23'], true]) {
      expect(isCalendarDate(v)).toBe(false);
      expect(isCalendarInstant(v)).toBe(false);
      expect(isCalendarMonth(v)).toBe(false);
    }
  });

  class Probe {
    @IsCalendarDate() due!: string;
    @IsCalendarInstant() at!: string;
    @IsCalendarMonth() month!: string;
  }

  it('as decorators: one message per bad field, naming the field', () => {
    const errors = validateSync(plainToInstance(Probe, { due: '2025-02-30', at: '2025-11-05T09:30:00+08:00', month: '2025-13' }));
    expect(errors.map((e) => e.property).sort()).toEqual(['due', 'month']);
    expect(Object.values(errors.find((e) => e.property === 'due')!.constraints!)[0]).toMatch(/^due .*YYYY-MM-DD/);
  });
});
