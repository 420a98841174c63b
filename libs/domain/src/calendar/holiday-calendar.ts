import { LocalDate, weekdayOf } from './local-date';

/** One year's official arrangement as published by the State Council (versioned data). */
export interface HolidayYear {
  year: number;
  /** Where the dates come from (the notice) and when this data was written. */
  source: string;
  /** Revision of this year's data; bump when the State Council revises the arrangement. */
  revision: number;
  /** Statutory days off, with the festival's name. */
  offDays: ReadonlyArray<{ date: LocalDate; name: string }>;
  /** Make-up working days (调休) falling on a Saturday or Sunday. */
  workingWeekendDays: ReadonlyArray<{ date: LocalDate; name: string }>;
}

/**
 * Which days are working days. Weekends are rest days unless listed as make-up working days;
 * weekdays are working days unless listed as days off. Years without data fall back to
 * Monday–Friday and `covers()` says so, so callers can flag the result.
 */
export class HolidayCalendar {
  private readonly off = new Map<LocalDate, string>();
  private readonly makeUp = new Map<LocalDate, string>();
  private readonly years = new Set<number>();
  /** e.g. `cn:2025r1+2026r1` — recorded on every computed deadline. */
  readonly version: string;

  constructor(data: readonly HolidayYear[]) {
    for (const y of data) {
      this.years.add(y.year);
      for (const d of y.offDays) this.off.set(d.date, d.name);
      for (const d of y.workingWeekendDays) this.makeUp.set(d.date, d.name);
    }
    this.version = 'cn:' + [...data].sort((a, b) => a.year - b.year).map((y) => `${y.year}r${y.revision}`).join('+');
  }

  covers(date: LocalDate): boolean {
    return this.years.has(Number(date.slice(0, 4)));
  }

  isStatutoryHoliday(date: LocalDate): boolean {
    return this.off.has(date);
  }

  isWorkingDay(date: LocalDate): boolean {
    if (this.off.has(date)) return false;
    if (this.makeUp.has(date)) return true;
    const wd = weekdayOf(date);
    return wd !== 0 && wd !== 6;
  }
}
