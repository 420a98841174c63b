import type { CalendarDay, CalendarFormat } from './calendar.events';
import type { HolidayYear } from './holiday-calendar';

/** Record the years Hearth ships as revision 1 on a fresh log (Hearth itself, once; later a no-op). */
export interface RecordShippedCalendar {
  type: 'RecordShippedCalendar';
  years: readonly HolidayYear[];
}

/** An administrator loads a year's arrangement (new year or revision); the same days again decide nothing. */
export interface PublishCalendarYear {
  type: 'PublishCalendarYear';
  year: number;
  source: string;
  offDays: readonly CalendarDay[];
  workingWeekendDays: readonly CalendarDay[];
  format: CalendarFormat;
}

/** Hearth noticed deadlines counted in a year without data. */
export interface FlagMissingCalendarYear {
  type: 'FlagMissingCalendarYear';
  year: number;
}

export type CalendarCommand = RecordShippedCalendar | PublishCalendarYear | FlagMissingCalendarYear;
