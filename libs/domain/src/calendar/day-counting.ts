import { ruleViolation } from '../common/domain-error';
import { HolidayCalendar } from './holiday-calendar';
import { LocalDate, addDays } from './local-date';

export type DayUnit = 'calendar' | 'working';

export interface PeriodSpec {
  days: number;
  unit: DayUnit;
  /** A period that ends on a rest day ends on the next working day (民法典 art. 203, 民诉法 art. 85). */
  shiftOffRestDay: boolean;
}

/** The longest period Hearth counts (ten years): every statutory period is far shorter; anything longer is an input error. */
export const MAX_PERIOD_DAYS = 3660;
/**
 * The longest run of rest days a calendar may have. The longest published break is 9 days (春节); a calendar
 * without a working day in this many days is broken, and counting on it must stop instead of looping.
 */
export const MAX_REST_RUN = 60;

function notCountable(message: string, details: Record<string, unknown>): never {
  throw ruleViolation('PERIOD_NOT_COUNTABLE', message, details);
}

function requireDays(days: number, trigger: LocalDate): void {
  if (!Number.isSafeInteger(days) || days < 0 || days > MAX_PERIOD_DAYS)
    notCountable(`a period of ${days} days cannot be counted (0–${MAX_PERIOD_DAYS} whole days)`, { days, trigger });
}

/** The first working day on or after `date`, looking at most MAX_REST_RUN days ahead. */
export function nextWorkingDayFrom(date: LocalDate, calendar: HolidayCalendar): LocalDate {
  let d = date;
  for (let i = 0; i <= MAX_REST_RUN; i++, d = addDays(d, 1)) if (calendar.isWorkingDay(d)) return d;
  return notCountable(`no working day within ${MAX_REST_RUN} days after ${date}`, { date });
}

/**
 * The last day of a period that starts on `trigger`. The triggering day itself is not counted
 * (民法典 art. 201). Calendar periods count every day; working-day periods count only working days
 * (Mon–Fri that are not holidays, plus make-up working days).
 *
 * "Statutory holiday" in art. 203 is read as 法定休假日, which covers weekend rest days as well as
 * festivals: a calendar period ending on any non-working day moves to the next working day.
 * Every loop is bounded: a period that cannot be counted is a PERIOD_NOT_COUNTABLE rule error.
 */
export function periodEnd(trigger: LocalDate, spec: PeriodSpec, calendar: HolidayCalendar): LocalDate {
  requireDays(spec.days, trigger);
  if (spec.unit === 'working') return addWorkingDays(trigger, spec.days, calendar);
  const end = addDays(trigger, spec.days);
  return spec.shiftOffRestDay ? nextWorkingDayFrom(end, calendar) : end;
}

/** Steps of `days` working days: each needs at most MAX_REST_RUN + 1 calendar days. */
function stepWorkingDays(from: LocalDate, days: number, direction: 1 | -1, calendar: HolidayCalendar): LocalDate {
  requireDays(days, from);
  let d = from;
  let counted = 0;
  let sinceLast = 0;
  while (counted < days) {
    d = addDays(d, direction);
    if (calendar.isWorkingDay(d)) {
      counted++;
      sinceLast = 0;
    } else if (++sinceLast > MAX_REST_RUN) notCountable(`no working day within ${MAX_REST_RUN} days of ${d}`, { date: from, days });
  }
  return d;
}

export const addWorkingDays = (trigger: LocalDate, days: number, calendar: HolidayCalendar): LocalDate => stepWorkingDays(trigger, days, 1, calendar);

/** The working day `days` working days before `date` (for "due − 3 working days" alerts). */
export const subtractWorkingDays = (date: LocalDate, days: number, calendar: HolidayCalendar): LocalDate => stepWorkingDays(date, days, -1, calendar);
