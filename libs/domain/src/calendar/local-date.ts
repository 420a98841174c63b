import { ruleViolation } from '../common/domain-error';

/**
 * Calendar dates ('YYYY-MM-DD') in China Standard Time (UTC+8, no daylight saving), the time zone
 * in which every statutory period is counted.
 */
export type LocalDate = string;

const CST_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 86400 * 1000;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date `YYYY-MM-DD` (Date.parse alone would take 2025-02-30 for March 2). */
export const isLocalDate = (s: string): boolean => {
  if (typeof s !== 'string' || !LOCAL_DATE.test(s)) return false;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
};

/** The CST calendar date on which an instant falls. */
export const localDateOf = (instant: string | Date): LocalDate =>
  new Date(new Date(instant).getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);

/** Years a date may have: four digits (ISO strings of years beyond 9999 read `+010000-…`, which is no LocalDate). */
const FIRST_YEAR = 1;
const LAST_YEAR = 9999;

/**
 * `date` + `days` calendar days. A date that is not a real `YYYY-MM-DD`, a day count that is not a whole number, or a
 * result outside the years 1–9999 cannot be counted: a rule error (422 PERIOD_NOT_COUNTABLE), never a bogus date.
 */
export const addDays = (date: LocalDate, days: number): LocalDate => {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!isLocalDate(date) || !Number.isSafeInteger(days))
    throw ruleViolation('PERIOD_NOT_COUNTABLE', `cannot count ${days} days from ${date}`, { date, days });
  const out = new Date(ms + days * DAY_MS);
  const year = Number.isNaN(out.getTime()) ? NaN : out.getUTCFullYear();
  if (!(year >= FIRST_YEAR && year <= LAST_YEAR)) throw ruleViolation('PERIOD_NOT_COUNTABLE', `counting ${days} days from ${date} leaves the years 1–9999`, { date, days });
  return out.toISOString().slice(0, 10);
};

/** 0 = Sunday … 6 = Saturday. */
export const weekdayOf = (date: LocalDate): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The instant a period ending on `date` runs out: midnight CST at the end of that day. */
export const endOfDay = (date: LocalDate): string =>
  new Date(Date.parse(`${addDays(date, 1)}T00:00:00Z`) - CST_OFFSET_MS).toISOString();

/** Whole calendar days from `a` to `b` (b − a). */
export const daysBetween = (a: LocalDate, b: LocalDate): number =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
