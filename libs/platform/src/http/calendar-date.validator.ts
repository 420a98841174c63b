import { ValidationOptions, registerDecorator } from 'class-validator';

/**
 * Dates a user may send: real calendar dates in 2000–2100. Nothing in a union's case work lies outside that
 * range, and the day-counting loops (deadlines, working days) must never be handed a year such as 9999 or
 * 10000 (issue 11, defect 3). A date that does not exist (2025-02-30) is refused instead of rolling over.
 */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
/** ISO 8601 instant: date, time (seconds and fraction optional), and an explicit zone. */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

const inRange = (year: number) => year >= FIRST_YEAR && year <= LAST_YEAR;
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** `YYYY-MM-DD`, a day that exists, year 2000–2100. */
export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return inRange(year) && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/** `YYYY-MM`, year 2000–2100. */
export function isCalendarMonth(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = MONTH.exec(value);
  if (!m) return false;
  const month = Number(m[2]);
  return inRange(Number(m[1])) && month >= 1 && month <= 12;
}

/** An ISO 8601 instant with its zone (`2025-11-05T09:30:00+08:00`, `…Z`): a real date and time, year 2000–2100. */
export function isCalendarInstant(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = INSTANT.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (!inRange(year) || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[8] !== undefined && (Number(m[8]) > 14 || Number(m[9]) > 59)) return false;
  return Number.isFinite(Date.parse(value));
}

const decorator =
  (name: string, check: (value: unknown) => boolean, what: string) =>
  (options?: ValidationOptions): PropertyDecorator =>
  (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property ${what}`, ...options },
      validator: { validate: check },
    });

/** A calendar date `YYYY-MM-DD` that exists, in 2000–2100 (e.g. a due date). */
export const IsCalendarDate = decorator('isCalendarDate', isCalendarDate, `必须是 ${FIRST_YEAR}–${LAST_YEAR} 年间真实存在的日期 (YYYY-MM-DD)`);
/** A month `YYYY-MM` in 2000–2100. */
export const IsCalendarMonth = decorator('isCalendarMonth', isCalendarMonth, `必须是 ${FIRST_YEAR}–${LAST_YEAR} 年间的月份 (YYYY-MM)`);
/** An ISO 8601 instant with its zone, in 2000–2100. */
export const IsCalendarInstant = decorator(
  'isCalendarInstant',
  isCalendarInstant,
  `必须是 ${FIRST_YEAR}–${LAST_YEAR} 年间带时区的 ISO 8601 时间 (如 2025-11-05T09:30:00+08:00)`,
);
