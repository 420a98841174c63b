import type { CalendarEvent, CalendarYearPublished } from './calendar.events';
import { HolidayCalendar, HolidayYear } from './holiday-calendar';
import { addDays, LocalDate } from './local-date';

export interface CalendarRevisionInfo {
  year: number;
  revision: number;
  source: string;
  format: string;
  loadedAt: string;
  loadedBy: string;
  offDays: number;
  workingWeekendDays: number;
}

/**
 * The projection of the calendar stream: every revision of every year, the calendar in force (the latest revision of
 * each year, the statutory holidays for the others) and the calendar any recorded `calendarVersion` names, so the
 * same log gives the same calendar in every process and a replay can rebuild the calendar a decision used.
 */
export class CalendarHistory {
  private readonly revisions = new Map<number, CalendarYearPublished['data'][]>();
  private readonly missing = new Set<number>();
  private currentCalendar?: HolidayCalendar;
  private readonly byVersion = new Map<string, HolidayCalendar | undefined>();
  /** Calendar-stream revision folded last (-1: none). */
  streamRevision = -1;

  apply(event: CalendarEvent, streamRevision: number): void {
    this.streamRevision = streamRevision;
    if (event.type === 'CalendarYearMissing') {
      if (!this.revisions.has(event.data.year)) this.missing.add(event.data.year);
      return;
    }
    const list = this.revisions.get(event.data.year) ?? [];
    if (list.some((r) => r.revision === event.data.revision)) return;
    list.push(event.data);
    list.sort((a, b) => a.revision - b.revision);
    this.revisions.set(event.data.year, list);
    this.missing.delete(event.data.year);
    this.currentCalendar = undefined;
  }

  /** The calendar in force: the latest revision of every loaded year; other years provisional (statutory holidays). */
  current(): HolidayCalendar {
    return (this.currentCalendar ??= new HolidayCalendar(
      [...this.revisions.values()].map((list) => toYear(list[list.length - 1])),
      { fallback: 'statutory' },
    ));
  }

  /** The calendar a recorded `calendarVersion` (`cn:2025r1+2026r2`) names; undefined if the log has no such revisions. */
  atVersion(version: string): HolidayCalendar | undefined {
    if (version === this.current().version) return this.current();
    if (this.byVersion.has(version)) return this.byVersion.get(version);
    const m = /^cn:((?:\d{4}r\d+\+?)*)$/.exec(version);
    let cal: HolidayCalendar | undefined;
    if (m) {
      const years: HolidayYear[] = [];
      for (const part of m[1].split('+').filter(Boolean)) {
        const [y, r] = part.split('r').map(Number);
        const rev = this.revisions.get(y)?.find((x) => x.revision === r);
        if (!rev) {
          years.length = 0;
          break;
        }
        years.push(toYear(rev));
      }
      if (years.length || m[1] === '') cal = new HolidayCalendar(years, { fallback: 'statutory' });
    }
    this.byVersion.set(version, cal);
    return cal;
  }

  /** Every revision, by year then revision (for `calendar list` and GET /admin/calendars). */
  list(): CalendarRevisionInfo[] {
    return [...this.revisions.keys()]
      .sort((a, b) => a - b)
      .flatMap((y) =>
        this.revisions.get(y)!.map((r) => ({
          year: r.year,
          revision: r.revision,
          source: r.source,
          format: r.format,
          loadedAt: r.loadedAt,
          loadedBy: r.loadedBy,
          offDays: r.offDays.length,
          workingWeekendDays: r.workingWeekendDays.length,
        })),
      );
  }

  loadedYears(): number[] {
    return [...this.revisions.keys()].sort((a, b) => a - b);
  }

  /** Years flagged as missing and not loaded since. */
  flaggedMissing(): number[] {
    return [...this.missing].sort((a, b) => a - b);
  }
}

const toYear = (r: CalendarYearPublished['data']): HolidayYear => ({
  year: r.year,
  revision: r.revision,
  source: r.source,
  offDays: r.offDays,
  workingWeekendDays: r.workingWeekendDays,
});

/** Years without loaded data that deadlines counted from `today` may reach within `horizonDays` (e.g. 2027 in December 2026). */
export function yearsMissingAhead(calendar: HolidayCalendar, today: LocalDate, horizonDays: number): number[] {
  const out: number[] = [];
  for (let y = Number(today.slice(0, 4)); y <= Number(addDays(today, horizonDays).slice(0, 4)); y++) if (!calendar.covers(`${y}-01-01`)) out.push(y);
  return out;
}

/**
 * Days whose working/rest status differs between two calendars, within [from, to] (bounded: at most `maxDays` days
 * are compared). Recomputation touches only deadlines whose period contains one of them.
 */
export function changedDays(a: HolidayCalendar, b: HolidayCalendar, from: LocalDate, to: LocalDate, maxDays = 3660): LocalDate[] {
  const out: LocalDate[] = [];
  let d = from;
  for (let i = 0; i < maxDays && d <= to; i++, d = addDays(d, 1)) if (a.isWorkingDay(d) !== b.isWorkingDay(d)) out.push(d);
  return out;
}
