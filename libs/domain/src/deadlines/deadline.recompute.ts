import type { DecisionContext } from '../common/decider';
import { forbidden } from '../common/domain-error';
import { periodEnd } from '../calendar/day-counting';
import { endOfDay, LocalDate } from '../calendar/local-date';
import type { HolidayCalendar } from '../calendar/holiday-calendar';
import type { DeadlineRule } from '../rules/rule-book';
import type { DeadlineRecomputed, LadderEntry } from './deadline.events';
import { computeLadder, isProvisional } from './deadline.decisions';
import { Deadlines, DeadlineState, isPending } from './deadline.state';

/** How a deadline is counted; undefined for due dates given by a person (交办, obligations): never recounted. */
export type CountingRule = (d: DeadlineState) => { shiftOffRestDay: boolean; legalBasis: string } | undefined;

/** A counting rule from the workflow's rule lookup: kinds the rule book has no period for are given dates. */
export const countedBy =
  (lookup: (d: DeadlineState) => DeadlineRule | undefined): CountingRule =>
  (d) => {
    try {
      return lookup(d);
    } catch {
      return undefined;
    }
  };

/** The due date of `d` counted again on `calendar`: the rule's period from the trigger, then each extension in turn. */
export function recount(d: DeadlineState, shiftOffRestDay: boolean, calendar: HolidayCalendar): LocalDate {
  let due = periodEnd(d.startDate, { days: d.days, unit: d.unit, shiftOffRestDay }, calendar);
  for (const days of d.extensions ?? []) due = periodEnd(due, { days, unit: 'calendar', shiftOffRestDay }, calendar);
  return due;
}

/** Rungs still ahead of `now` (rungs already past cannot differ in what they will do). */
const ahead = (ladder: readonly LadderEntry[] | undefined, now: string): string =>
  JSON.stringify((ladder ?? []).filter((r) => r.at > now).map((r) => [r.step, r.level ?? null, r.at]));

/**
 * The calendar changed: every pending, counted deadline of the case is counted again with the calendar in force
 * (民法典 art. 201: the trigger day not counted; art. 203: a period ending on a rest day ends on the next working day).
 * A deadline whose due date, future ladder rungs or provisional flag differ gets DeadlineRecomputed; met, lapsed and
 * cancelled deadlines, and due dates given by a person, are never touched. When the calendar the deadline was last
 * counted with is known (`ctx.calendarAt`) and does not reproduce its due date (an extension recorded before
 * extensions carried their days), the deadline is left as it is rather than guessed at.
 */
export function decideRecompute(deadlines: Deadlines, ctx: DecisionContext, rule: CountingRule): DeadlineRecomputed[] {
  if (ctx.actor.role !== 'system') throw forbidden('ROLE_NOT_ALLOWED', 'only Hearth recomputes deadlines');
  const now = new Date(ctx.now).toISOString();
  const out: DeadlineRecomputed[] = [];
  for (const d of Object.values(deadlines)) {
    if (!isPending(d)) continue;
    const r = rule(d);
    if (!r) continue;
    const before = ctx.calendarAt?.(d.calendarVersion);
    if (before && recount(d, r.shiftOffRestDay, before) !== d.dueDate) continue;
    const dueDate = recount(d, r.shiftOffRestDay, ctx.calendar);
    const dueAt = endOfDay(dueDate);
    const ladder = computeLadder({ dueDate, dueAt, ownerOrgUnit: d.ownerOrgUnit, onExpiry: d.onExpiry }, d.startDate, ctx);
    const provisional = isProvisional(ctx.calendar, d.startDate, dueDate);
    if (dueDate === d.dueDate && provisional === !!d.provisional && ahead(ladder, now) === ahead(d.ladder, now)) continue;
    out.push({
      type: 'DeadlineRecomputed',
      data: {
        deadlineId: d.deadlineId,
        kind: d.kind,
        previousDueDate: d.dueDate,
        dueDate,
        dueAt,
        ...(ladder ? { ladder } : {}),
        calendarVersion: ctx.calendar.version,
        provisional,
        reason: 'calendar',
        legalBasis: `${r.legalBasis}; 民法典 art. 201, 203`,
      },
    });
  }
  return out;
}
