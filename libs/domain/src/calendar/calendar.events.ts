import type { DomainEvent } from '../common/decider';
import type { LocalDate } from './local-date';

/** The one calendar stream: `calendar-cn` (the State Council's arrangements for the whole country). */
export const CALENDAR_CATEGORY = 'calendar';
export const CALENDAR_ID = 'cn';
export const CALENDAR_STREAM = `${CALENDAR_CATEGORY}-${CALENDAR_ID}`;

/** Where the arrangement was read from: Hearth's own format, the community holiday-cn format, or shipped with Hearth. */
export type CalendarFormat = 'hearth' | 'holiday-cn' | 'shipped';

export interface CalendarDay {
  date: LocalDate;
  name: string;
}

/**
 * One year's arrangement (放假安排), as published or revised: revision 1 is the first, each later revision replaces the
 * year's days entirely. Deadlines name it in their `calendarVersion` (`cn:2025r1+2026r2`).
 */
export type CalendarYearPublished = DomainEvent<
  'CalendarYearPublished',
  {
    year: number;
    revision: number;
    /** The notice (title and address) the days come from. */
    source: string;
    offDays: CalendarDay[];
    workingWeekendDays: CalendarDay[];
    format: CalendarFormat;
    loadedAt: string;
    loadedBy: string;
    /** The days off are set under 全国年节及纪念日放假办法; periods ending on them move (民法典 art. 203). */
    legalBasis: string;
  }
>;

/**
 * Deadlines are being counted in a year without a loaded arrangement (provisional, statutory holidays only): the city
 * federation's administrators are told once per year until it is loaded.
 */
export type CalendarYearMissing = DomainEvent<'CalendarYearMissing', { year: number; noticedAt: string; legalBasis: string }>;

export type CalendarEvent = CalendarYearPublished | CalendarYearMissing;
