import type { DecisionContext } from '../common/decider';
import { ruleViolation, forbidden, notFound } from '../common/domain-error';
import { periodEnd } from '../calendar/day-counting';
import { endOfDay, localDateOf, LocalDate } from '../calendar/local-date';
import type { DeadlineRule } from '../rules/rule-book';
import type { DeadlineEvent, DeadlineOpened, DeadlineMet, DeadlineCancelled } from './deadline.events';
import { Deadlines, DeadlineState, isPending, pendingOfKind } from './deadline.state';

/** Commands every workflow accepts for its deadlines. */
export type DeadlineCommand =
  /** Sent by the timer when a deadline's due time has come. Decides nothing if the duty was met. */
  | { type: 'ExpireDeadline'; deadlineId: string }
  | { type: 'AcknowledgeEscalation'; deadlineId: string; level: number; note: string };

export const nextDeadlineId = (deadlines: Deadlines, kind: string): string =>
  `${kind}-${Object.values(deadlines).filter((d) => d.kind === kind).length + 1}`;

/** Open a deadline of `kind` from a rule, counted from `trigger` (a date; the day itself is not counted). */
export function openDeadline(
  deadlines: Deadlines,
  kind: string,
  rule: DeadlineRule,
  trigger: LocalDate,
  ownerOrgUnit: string,
  ctx: DecisionContext,
  assignee?: string,
): DeadlineOpened {
  const dueDate = periodEnd(trigger, { days: rule.days, unit: rule.unit, shiftOffRestDay: rule.shiftOffRestDay }, ctx.calendar);
  return {
    type: 'DeadlineOpened',
    data: {
      deadlineId: nextDeadlineId(deadlines, kind),
      kind,
      duty: rule.duty,
      ownerOrgUnit,
      ...(assignee ? { assignee } : {}),
      startDate: trigger,
      days: rule.days,
      unit: rule.unit,
      dueDate,
      dueAt: endOfDay(dueDate),
      onExpiry: rule.onExpiry,
      legalBasis: rule.legalBasis,
      calendarVersion: ctx.calendar.version,
      calendarCovered: ctx.calendar.covers(trigger) && ctx.calendar.covers(dueDate),
    },
  };
}

/** Open a deadline with a due date given by a person (交办, an obligation's due date). */
export function openDatedDeadline(
  deadlines: Deadlines,
  kind: string,
  dueDate: LocalDate,
  duty: string,
  legalBasis: string,
  ownerOrgUnit: string,
  ctx: DecisionContext,
  assignee?: string,
): DeadlineOpened {
  const startDate = localDateOf(ctx.now);
  return {
    type: 'DeadlineOpened',
    data: {
      deadlineId: nextDeadlineId(deadlines, kind),
      kind,
      duty,
      ownerOrgUnit,
      ...(assignee ? { assignee } : {}),
      startDate,
      days: Math.max(0, Math.round((Date.parse(dueDate) - Date.parse(startDate)) / 86400000)),
      unit: 'calendar',
      dueDate,
      dueAt: endOfDay(dueDate),
      onExpiry: 'miss',
      legalBasis,
      calendarVersion: ctx.calendar.version,
      calendarCovered: ctx.calendar.covers(dueDate),
    },
  };
}

/** The duty of every pending deadline of `kind` is fulfilled now. */
export const meetDeadlines = (deadlines: Deadlines, kind: string, now: string): DeadlineMet[] =>
  pendingOfKind(deadlines, kind).map((d) => ({
    type: 'DeadlineMet',
    data: { deadlineId: d.deadlineId, kind: d.kind, metAt: now, late: now > d.dueAt },
  }));

/** Every pending deadline stops applying (case closed, moved away). */
export const cancelPendingDeadlines = (deadlines: Deadlines, reason: string, kinds?: readonly string[]): DeadlineCancelled[] =>
  Object.values(deadlines)
    .filter((d) => isPending(d) && (!kinds || kinds.includes(d.kind)))
    .map((d) => ({ type: 'DeadlineCancelled', data: { deadlineId: d.deadlineId, kind: d.kind, reason } }));

/**
 * The timer fired. A duty still open is missed and escalates one level above its owner; a window lapses.
 * Anything already met, lapsed, cancelled or missed decides nothing, so a late or repeated timer is harmless.
 * A timer that fires early (clock skew) is refused with DEADLINE_NOT_DUE so it is retried.
 */
export function decideExpiry(deadlines: Deadlines, deadlineId: string, ctx: DecisionContext): DeadlineEvent[] {
  const d = deadlines[deadlineId];
  if (!d) throw notFound('DEADLINE_NOT_FOUND', `no deadline ${deadlineId}`);
  if (d.status !== 'open') return [];
  if (ctx.now < d.dueAt) throw ruleViolation('DEADLINE_NOT_DUE', `deadline ${deadlineId} is due at ${d.dueAt}`, { dueAt: d.dueAt });
  if (d.onExpiry === 'lapse') return [{ type: 'DeadlineLapsed', data: { deadlineId, kind: d.kind, lapsedAt: ctx.now } }];
  return [
    {
      type: 'DeadlineMissed',
      data: {
        deadlineId,
        kind: d.kind,
        dueAt: d.dueAt,
        missedAt: ctx.now,
        ownerOrgUnit: d.ownerOrgUnit,
        escalateTo: ctx.org.parentOf(d.ownerOrgUnit) ?? null,
        level: 1,
      },
    },
  ];
}

/** A supervisor above the owning unit acknowledges an escalation: recorded once per level. */
export function decideAcknowledge(deadlines: Deadlines, deadlineId: string, level: number, note: string, ctx: DecisionContext): DeadlineEvent[] {
  const d: DeadlineState | undefined = deadlines[deadlineId];
  if (!d) throw notFound('DEADLINE_NOT_FOUND', `no deadline ${deadlineId}`);
  if (ctx.actor.role !== 'supervisor' && ctx.actor.role !== 'head')
    throw forbidden('ROLE_NOT_ALLOWED', 'only a supervisor or head may acknowledge an escalation');
  if (ctx.actor.orgUnit === d.ownerOrgUnit || !ctx.org.isWithin(d.ownerOrgUnit, ctx.actor.orgUnit))
    throw forbidden('OUTSIDE_ESCALATION_SCOPE', 'only a unit above the owning unit may acknowledge its escalation');
  if (d.escalationLevel < level) throw ruleViolation('NO_ESCALATION_AT_LEVEL', `deadline ${deadlineId} has no escalation at level ${level}`);
  if (d.acknowledgedLevels.includes(level)) return [];
  return [{ type: 'EscalationAcknowledged', data: { deadlineId, level, acknowledgedBy: ctx.actor.id, note, acknowledgedAt: ctx.now } }];
}
