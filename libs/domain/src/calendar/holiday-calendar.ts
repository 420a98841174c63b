import { LocalDate, weekdayOf } from './local-date';
import { statutoryOffDays } from './statutory-holidays';

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

export interface HolidayCalendarOptions {
  /**
   * Years without data: `statutory` counts the days off the law fixes itself (全国年节及纪念日放假办法,
   * see statutory-holidays.ts) and weekends, as Hearth's calendar does; `weekends` (default) counts weekends only.
   */
  fallback?: 'statutory' | 'weekends';
}

/**
 * Which days are working days. Weekends are rest days unless listed as make-up working days;
 * weekdays are working days unless listed as days off. Years without data fall back to the statutory
 * holidays and weekends, with no make-up days, and `covers()` says so, so callers mark the result provisional.
 */
export class HolidayCalendar {
  private readonly off = new Map<LocalDate, string>();
  private readonly makeUp = new Map<LocalDate, string>();
  private readonly years = new Set<number>();
  private readonly fallbackOff = new Map<number, ReadonlySet<LocalDate>>();
  private readonly fallback: 'statutory' | 'weekends';
  /** e.g. `cn:2025r1+2026r1` — recorded on every computed deadline; names the revisions in the calendar stream. */
  readonly version: string;

  constructor(data: readonly HolidayYear[], options: HolidayCalendarOptions = {}) {
    this.fallback = options.fallback ?? 'weekends';
    for (const y of data) {
      this.years.add(y.year);
      for (const d of y.offDays) this.off.set(d.date, d.name);
      for (const d of y.workingWeekendDays) this.makeUp.set(d.date, d.name);
    }
    this.version = 'cn:' + [...data].sort((a, b) => a.year - b.year).map((y) => `${y.year}r${y.revision}`).join('+');
  }

  /** True when the year of `date` has published data (false: counted with the fallback, provisional). */
  covers(date: LocalDate): boolean {
    return this.years.has(Number(date.slice(0, 4)));
  }

  /** Years with published data, ascending. */
  coveredYears(): number[] {
    return [...this.years].sort((a, b) => a - b);
  }

  isStatutoryHoliday(date: LocalDate): boolean {
    return this.off.has(date) || this.isFallbackOff(date);
  }

  isWorkingDay(date: LocalDate): boolean {
    if (this.off.has(date)) return false;
    if (this.makeUp.has(date)) return true;
    if (this.isFallbackOff(date)) return false;
    const wd = weekdayOf(date);
    return wd !== 0 && wd !== 6;
  }

  private isFallbackOff(date: LocalDate): boolean {
    if (this.fallback !== 'statutory') return false;
    const year = Number(date.slice(0, 4));
    if (this.years.has(year)) return false;
    let days = this.fallbackOff.get(year);
    if (!days) this.fallbackOff.set(year, (days = new Set(statutoryOffDays(year).map((d) => d.date))));
    return days.has(date);
  }
}
