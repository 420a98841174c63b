import type { DecisionContext } from '../common/decider';
import { ruleViolation, forbidden, notFound } from '../common/domain-error';
import { addWorkingDays, periodEnd, subtractWorkingDays } from '../calendar/day-counting';
import { endOfDay, localDateOf, LocalDate } from '../calendar/local-date';
import type { HolidayCalendar } from '../calendar/holiday-calendar';
import type { OrgDirectory } from '../org/org-directory';
import type { DeadlineRule, ExpiryEffect } from '../rules/rule-book';
import type {
  DeadlineEvent,
  DeadlineOpened,
  DeadlineMet,
  DeadlineCancelled,
  DeadlineMoved,
  LadderEntry,
  LadderStep,
  NextRung,
} from './deadline.events';
import { Deadlines, DeadlineState, isPending, pendingOfKind, rungKey } from './deadline.state';

/** Commands every workflow accepts for its deadlines. */
export type DeadlineCommand =
  /**
   * Sent by the timer when a rung of the deadline's ladder is reached (`step`, `level`, `at` of the rung; without
   * `step` it is the due time, as timers armed before ladders existed send it). Decides nothing if the duty was met.
   */
  | { type: 'ExpireDeadline'; deadlineId: string; step?: LadderStep; level?: number; at?: string }
  | { type: 'AcknowledgeEscalation'; deadlineId: string; level: number; note: string }
  /**
   * Sent by Hearth when the calendar changed (a year loaded or revised): every pending deadline of the case is counted
   * again with the calendar in force; `calendarVersion` is the version that prompted it (it names the command id).
   */
  | { type: 'RecomputeDeadlines'; calendarVersion: string };

const DAY_MS = 86_400_000;

/** The unit `n` levels above `unit` (1 = its parent), if the tree goes that high. */
export function ancestorAt(org: OrgDirectory, unit: string, n: number): string | undefined {
  const lineage = org.lineage(unit);
  return n >= 1 ? lineage[n] : undefined;
}

interface LadderConfig {
  approachingWorkingDays: number;
  dueSoonDays: number;
  levels: number;
  workingDaysPerLevel: number;
}

/** The ladder configuration in force on `on` (rule book keys `ladder.*`); undefined when none is configured. */
function ladderConfig(ctx: DecisionContext, on: LocalDate): LadderConfig | undefined {
  const get = (key: string) => ctx.rules.findLimit(`ladder.${key}`, ctx.jurisdiction, on);
  const levels = get('escalation.levels');
  if (levels === undefined) return undefined;
  return {
    approachingWorkingDays: get('approaching.workingDaysBefore') ?? 0,
    dueSoonDays: get('dueSoon.daysBefore') ?? 0,
    levels: Math.max(1, Math.floor(levels)),
    workingDaysPerLevel: get('escalation.workingDaysAfter') ?? 5,
  };
}

/**
 * The ladder of a duty due on `dueDate` (domain-spec §0), computed once from the calendar and the ladder
 * configuration in force on `on`:
 * - `approaching` when only N working days remain (end of the working day N working days before the due date);
 * - `dueSoon` D days before the due time;
 * - `missed` at the due time (level 1: the unit above, 催办);
 * - `escalated` level k ≥ 2 at the end of the day (k − 1) × W working days after the due date (督办), to the unit k
 *   levels above, while the tree goes that high.
 * Reminders already past when the deadline opens are left out. Windows (`lapse`) have no ladder.
 */
export function computeLadder(
  d: { dueDate: LocalDate; dueAt: string; ownerOrgUnit: string; onExpiry: ExpiryEffect },
  on: LocalDate,
  ctx: DecisionContext,
): LadderEntry[] | undefined {
  if (d.onExpiry === 'lapse') return undefined;
  const cfg = ladderConfig(ctx, on);
  if (!cfg) return undefined;
  const now = new Date(ctx.now).toISOString();
  const rungs: LadderEntry[] = [];
  const reminder = (step: LadderStep, at: string) => {
    if (at > now && at < d.dueAt) rungs.push({ step, at });
  };
  if (cfg.approachingWorkingDays > 0) reminder('approaching', endOfDay(subtractWorkingDays(d.dueDate, cfg.approachingWorkingDays, ctx.calendar)));
  if (cfg.dueSoonDays > 0) reminder('dueSoon', new Date(Date.parse(d.dueAt) - cfg.dueSoonDays * DAY_MS).toISOString());
  rungs.push({ step: 'missed', level: 1, at: d.dueAt });
  for (let level = 2; level <= cfg.levels && ancestorAt(ctx.org, d.ownerOrgUnit, level); level++)
    rungs.push({ step: 'escalated', level, at: endOfDay(addWorkingDays(d.dueDate, (level - 1) * cfg.workingDaysPerLevel, ctx.calendar)) });
  // Stable sort: equal instants keep the ladder's order.
  return rungs.map((r, i) => ({ r, i })).sort((a, b) => (a.r.at < b.r.at ? -1 : a.r.at > b.r.at ? 1 : a.i - b.i)).map((x) => x.r);
}

const sameRung = (a: LadderEntry, step: LadderStep, level?: number): boolean =>
  a.step === step && (step !== 'escalated' || a.level === level);

/** The rung after `rung` on the ladder; null at its end. */
function nextRung(ladder: readonly LadderEntry[], rung: LadderEntry): NextRung {
  const i = ladder.findIndex((r) => sameRung(r, rung.step, rung.level));
  return i >= 0 && i + 1 < ladder.length ? ladder[i + 1] : null;
}

/** A period that reaches a year without a loaded arrangement is provisional (counted with the statutory holidays). */
export function isProvisional(calendar: HolidayCalendar, from: LocalDate, to: LocalDate): boolean {
  const last = Number(to.slice(0, 4));
  for (let y = Number(from.slice(0, 4)); y <= last; y++) if (!calendar.covers(`${y}-01-01`)) return true;
  return false;
}

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
  const ladder = computeLadder({ dueDate, dueAt: endOfDay(dueDate), ownerOrgUnit, onExpiry: rule.onExpiry }, trigger, ctx);
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
      calendarCovered: !isProvisional(ctx.calendar, trigger, dueDate),
      ...(isProvisional(ctx.calendar, trigger, dueDate) ? { provisional: true } : {}),
      ...(ladder ? { ladder } : {}),
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
  const ladder = computeLadder({ dueDate, dueAt: endOfDay(dueDate), ownerOrgUnit, onExpiry: 'miss' }, startDate, ctx);
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
      // The date is given, not counted; its ladder's working days may still be provisional.
      ...(ctx.calendar.covers(dueDate) ? {} : { provisional: true }),
      ...(ladder ? { ladder } : {}),
    },
  };
}

/**
 * A pending deadline gets a new due date (extension, calendar change): the event carries the new ladder, computed
 * with the ladder configuration in force when the deadline opened.
 */
export function moveDeadline(d: DeadlineState, dueDate: LocalDate, reason: string, ctx: DecisionContext, extensionDays?: number): DeadlineMoved {
  const dueAt = endOfDay(dueDate);
  const ladder = computeLadder({ dueDate, dueAt, ownerOrgUnit: d.ownerOrgUnit, onExpiry: d.onExpiry }, d.startDate, ctx);
  return {
    type: 'DeadlineMoved',
    data: {
      deadlineId: d.deadlineId,
      kind: d.kind,
      dueDate,
      dueAt,
      reason,
      calendarVersion: ctx.calendar.version,
      ...(ladder ? { ladder } : {}),
      ...(extensionDays !== undefined ? { extensionDays } : {}),
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
 * A timer fired for a rung of the deadline's ladder (domain-spec §0). Decides nothing when the duty was met, lapsed
 * or cancelled, when that rung was already reached (a late or repeated timer is harmless), when that level was
 * acknowledged, or when the rung is no longer on the deadline's ladder (it moved: the new ladder has its own timers).
 * Otherwise:
 * - `approaching` → DeadlineApproaching (for the assigned officer, `assignee` when the workflow knows one);
 * - `dueSoon` → DeadlineDueSoon (for the head of the owning body);
 * - `missed` (the due time) → DeadlineMissed, level 1, to the unit above (催办); a window lapses instead;
 * - `escalated` level n → DeadlineEscalated to the unit n levels above (督办).
 * Each step event names the next rung, which the scheduler arms. A timer that fires early (clock skew) is refused
 * with DEADLINE_NOT_DUE so it is retried.
 */
export function decideLadderStep(
  deadlines: Deadlines,
  command: { deadlineId: string; step?: LadderStep; level?: number; at?: string },
  ctx: DecisionContext,
  known: { assignee?: string } = {},
): DeadlineEvent[] {
  const { deadlineId } = command;
  const d = deadlines[deadlineId];
  if (!d) throw notFound('DEADLINE_NOT_FOUND', `no deadline ${deadlineId}`);
  if (!isPending(d)) return [];
  const step = command.step ?? 'missed';
  const rung: LadderEntry | undefined =
    step === 'missed' ? { step, level: 1, at: d.dueAt } : d.ladder?.find((r) => sameRung(r, step, command.level));
  if (!rung) return [];
  if (command.at !== undefined && new Date(command.at).toISOString() !== rung.at) return [];
  if ((d.reached ?? []).includes(rungKey(step, rung.level))) return [];
  const now = new Date(ctx.now).toISOString();
  if (now < rung.at) throw ruleViolation('DEADLINE_NOT_DUE', `deadline ${deadlineId} reaches ${step} at ${rung.at}`, { at: rung.at, dueAt: d.dueAt });
  const ladder = d.ladder;
  const next = ladder ? nextRung(ladder, rung) : null;
  const base = { deadlineId, kind: d.kind, dueAt: d.dueAt, ownerOrgUnit: d.ownerOrgUnit };
  switch (step) {
    case 'approaching': {
      if (d.status !== 'open') return [];
      const assignee = known.assignee ?? d.assignee;
      return [{ type: 'DeadlineApproaching', data: { ...base, raisedAt: now, ...(assignee ? { assignee } : {}), next } }];
    }
    case 'dueSoon':
      if (d.status !== 'open') return [];
      return [{ type: 'DeadlineDueSoon', data: { ...base, raisedAt: now, next } }];
    case 'missed':
      if (d.status !== 'open') return [];
      if (d.onExpiry === 'lapse') return [{ type: 'DeadlineLapsed', data: { deadlineId, kind: d.kind, lapsedAt: now } }];
      return [
        {
          type: 'DeadlineMissed',
          data: { ...base, missedAt: now, escalateTo: ctx.org.parentOf(d.ownerOrgUnit) ?? null, level: 1, ...(ladder ? { next } : {}) },
        },
      ];
    case 'escalated': {
      const level = rung.level ?? 2;
      if (d.status !== 'missed' || d.acknowledgedLevels.includes(level)) return [];
      const escalateTo = ancestorAt(ctx.org, d.ownerOrgUnit, level);
      if (!escalateTo) return [];
      return [{ type: 'DeadlineEscalated', data: { ...base, escalatedAt: now, escalateTo, level, next } }];
    }
  }
}

/** @deprecated name kept for callers written before the ladder: the due-time rung. */
export const decideExpiry = (deadlines: Deadlines, deadlineId: string, ctx: DecisionContext): DeadlineEvent[] =>
  decideLadderStep(deadlines, { deadlineId }, ctx);

/** A supervisor above the owning unit acknowledges an escalation: recorded once per level. */
export function decideAcknowledge(deadlines: Deadlines, deadlineId: string, level: number, note: string, ctx: DecisionContext): DeadlineEvent[] {
  const d: DeadlineState | undefined = deadlines[deadlineId];
  if (!d) throw notFound('DEADLINE_NOT_FOUND', `no deadline ${deadlineId}`);
  if (ctx.actor.role !== 'supervisor' && ctx.actor.role !== 'head')
    throw forbidden('ROLE_NOT_ALLOWED', 'only a supervisor or head may acknowledge an escalation');
  if (ctx.actor.orgUnit === d.ownerOrgUnit || !ctx.org.isWithin(d.ownerOrgUnit, ctx.actor.orgUnit))
    throw forbidden('OUTSIDE_ESCALATION_SCOPE', 'only a unit above the owning unit may acknowledge its escalation');
  if (d.escalationLevel < level) throw ruleViolation('NO_ESCALATION_AT_LEVEL', `deadline ${deadlineId} has no escalation at level ${level}`);
  // Level n went to the unit n levels above the owner: that unit or one above it acknowledges it.
  const target = ancestorAt(ctx.org, d.ownerOrgUnit, level);
  if (!target || !ctx.org.isWithin(target, ctx.actor.orgUnit))
    throw forbidden('OUTSIDE_ESCALATION_SCOPE', `escalation level ${level} went to ${target ?? 'no unit'}; only that unit or one above it may acknowledge it`);
  if (d.acknowledgedLevels.includes(level)) return [];
  return [{ type: 'EscalationAcknowledged', data: { deadlineId, level, acknowledgedBy: ctx.actor.id, note, acknowledgedAt: ctx.now } }];
}
