/**
 * Calendar dates ('YYYY-MM-DD') in China Standard Time (UTC+8, no daylight saving), the time zone
 * in which every statutory period is counted.
 */
export type LocalDate = string;

const CST_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 86400 * 1000;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const isLocalDate = (s: string): boolean => LOCAL_DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

/** The CST calendar date on which an instant falls. */
export const localDateOf = (instant: string | Date): LocalDate =>
  new Date(new Date(instant).getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);

export const addDays = (date: LocalDate, days: number): LocalDate =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** 0 = Sunday … 6 = Saturday. */
export const weekdayOf = (date: LocalDate): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The instant a period ending on `date` runs out: midnight CST at the end of that day. */
export const endOfDay = (date: LocalDate): string =>
  new Date(Date.parse(`${addDays(date, 1)}T00:00:00Z`) - CST_OFFSET_MS).toISOString();

/** Whole calendar days from `a` to `b` (b − a). */
export const daysBetween = (a: LocalDate, b: LocalDate): number =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
