import { HolidayCalendar } from './holiday-calendar';
import { LocalDate, addDays } from './local-date';

export type DayUnit = 'calendar' | 'working';

export interface PeriodSpec {
  days: number;
  unit: DayUnit;
  /** A period that ends on a rest day ends on the next working day (民法典 art. 203, 民诉法 art. 85). */
  shiftOffRestDay: boolean;
}

/**
 * The last day of a period that starts on `trigger`. The triggering day itself is not counted
 * (民法典 art. 201). Calendar periods count every day; working-day periods count only working days
 * (Mon–Fri that are not holidays, plus make-up working days).
 *
 * "Statutory holiday" in art. 203 is read as 法定休假日, which covers weekend rest days as well as
 * festivals: a calendar period ending on any non-working day moves to the next working day.
 */
export function periodEnd(trigger: LocalDate, spec: PeriodSpec, calendar: HolidayCalendar): LocalDate {
  if (spec.unit === 'working') return addWorkingDays(trigger, spec.days, calendar);
  let end = addDays(trigger, spec.days);
  if (spec.shiftOffRestDay) while (!calendar.isWorkingDay(end)) end = addDays(end, 1);
  return end;
}

export function addWorkingDays(trigger: LocalDate, days: number, calendar: HolidayCalendar): LocalDate {
  let d = trigger;
  let counted = 0;
  while (counted < days) {
    d = addDays(d, 1);
    if (calendar.isWorkingDay(d)) counted++;
  }
  return d;
}

/** The working day `days` working days before `date` (for "due − 3 working days" alerts). */
export function subtractWorkingDays(date: LocalDate, days: number, calendar: HolidayCalendar): LocalDate {
  let d = date;
  let counted = 0;
  while (counted < days) {
    d = addDays(d, -1);
    if (calendar.isWorkingDay(d)) counted++;
  }
  return d;
}
