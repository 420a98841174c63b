import type { DomainEvent } from '../common/decider';
import type { DayUnit } from '../calendar/day-counting';
import type { LocalDate } from '../calendar/local-date';
import type { ExpiryEffect } from '../rules/rule-book';

/**
 * Deadline events are shared by every workflow and live in the case's own stream, so the scheduler,
 * the alerts and the read models treat all workflows alike.
 * `deadlineId` is unique within the stream, e.g. `acceptance-1` (kind + ordinal); never contains ':'.
 */
export interface DeadlineOpenedData {
  deadlineId: string;
  kind: string;
  duty: string;
  /** The org unit whose duty it is (escalations go up from here). */
  ownerOrgUnit: string;
  assignee?: string;
  /** Triggering day (not counted) and the period. */
  startDate: LocalDate;
  days: number;
  unit: DayUnit;
  dueDate: LocalDate;
  /** End of the due date, CST, as an ISO instant. */
  dueAt: string;
  onExpiry: ExpiryEffect;
  legalBasis: string;
  calendarVersion: string;
  /** False when the period reaches a year with no loaded holiday data (counted with the statutory holidays only). */
  calendarCovered: boolean;
  /**
   * True when the period reaches a year whose State Council arrangement is not loaded: counted with the statutory
   * holidays and weekends only, recomputed (DeadlineRecomputed) when the year is loaded. Absent = false.
   */
  provisional?: boolean;

  /**
   * The escalation ladder, computed from the calendar and the ladder configuration when the deadline opened (or
   * moved) and stored here, so a replay never recomputes it with newer configuration. Sorted by `at`. Absent for
   * windows (`onExpiry: 'lapse'`) and where no ladder is configured: then the only timer is the due time.
   */
  ladder?: LadderEntry[];
}

/** The steps of the deadline ladder (domain-spec §0). `missed` is the due time itself. */
export const LADDER_STEPS = ['approaching', 'dueSoon', 'missed', 'escalated'] as const;
export type LadderStep = (typeof LADDER_STEPS)[number];

/** One rung: what happens at `at` (ISO instant). `level` is the escalation level (1 for `missed`, ≥ 2 for `escalated`). */
export interface LadderEntry {
  step: LadderStep;
  level?: number;
  at: string;
}

/** The rung a step event hands over to (the scheduler arms it); null when the ladder ends there. */
export type NextRung = LadderEntry | null;

export type DeadlineOpened = DomainEvent<'DeadlineOpened', DeadlineOpenedData>;
/** The duty was fulfilled (possibly late). Closes any open escalation of this deadline. */
export type DeadlineMet = DomainEvent<'DeadlineMet', { deadlineId: string; kind: string; metAt: string; late: boolean }>;
/** Extension, calendar change (`reason: 'calendar'`, DeadlineRecomputed in the spec) or a new due date. */
export type DeadlineMoved = DomainEvent<
  'DeadlineMoved',
  {
    deadlineId: string;
    kind: string;
    dueDate: LocalDate;
    dueAt: string;
    reason: string;
    calendarVersion: string;
    ladder?: LadderEntry[];
    /** Calendar days added by an extension (counted from the previous due date), so a recount can repeat it. */
    extensionDays?: number;
  }
>;
/**
 * The calendar changed (a year loaded or revised): the pending deadline is counted again from its trigger with the
 * new calendar (民法典 art. 201, 203) and gets the new due date and ladder. Timers and alerts follow as for a move.
 */
export type DeadlineRecomputed = DomainEvent<
  'DeadlineRecomputed',
  {
    deadlineId: string;
    kind: string;
    previousDueDate: LocalDate;
    dueDate: LocalDate;
    dueAt: string;
    ladder?: LadderEntry[];
    calendarVersion: string;
    provisional: boolean;
    reason: 'calendar';
    legalBasis: string;
  }
>;
/** due − N working days: the assigned officer (or the owning unit's officers) is reminded. */
export type DeadlineApproaching = DomainEvent<
  'DeadlineApproaching',
  { deadlineId: string; kind: string; dueAt: string; raisedAt: string; ownerOrgUnit: string; assignee?: string; next: NextRung }
>;
/** due − 1 day: the head of the owning body is alerted. */
export type DeadlineDueSoon = DomainEvent<
  'DeadlineDueSoon',
  { deadlineId: string; kind: string; dueAt: string; raisedAt: string; ownerOrgUnit: string; next: NextRung }
>;
/** Duty not fulfilled by the due time: escalates to the supervisors of `escalateTo` (催办). */
export type DeadlineMissed = DomainEvent<
  'DeadlineMissed',
  {
    deadlineId: string;
    kind: string;
    dueAt: string;
    missedAt: string;
    ownerOrgUnit: string;
    escalateTo: string | null;
    level: number;
    /** Absent on deadlines without a ladder (the ladder ends here). */
    next?: NextRung;
  }
>;
/** Still not fulfilled N working days after the due time: escalates `level − 1` further units up (督办). */
export type DeadlineEscalated = DomainEvent<
  'DeadlineEscalated',
  { deadlineId: string; kind: string; dueAt: string; escalatedAt: string; ownerOrgUnit: string; escalateTo: string; level: number; next: NextRung }
>;
/** A window (e.g. for requesting review) ran out; nobody failed a duty. */
export type DeadlineLapsed = DomainEvent<'DeadlineLapsed', { deadlineId: string; kind: string; lapsedAt: string }>;
/** No longer applies (case closed, transferred away, …). */
export type DeadlineCancelled = DomainEvent<'DeadlineCancelled', { deadlineId: string; kind: string; reason: string }>;
/** A supervisor acknowledged the escalation of a missed deadline (who, when, note). */
export type EscalationAcknowledged = DomainEvent<
  'EscalationAcknowledged',
  { deadlineId: string; level: number; acknowledgedBy: string; note: string; acknowledgedAt: string }
>;

export type DeadlineEvent =
  | DeadlineOpened
  | DeadlineMet
  | DeadlineMoved
  | DeadlineRecomputed
  | DeadlineApproaching
  | DeadlineDueSoon
  | DeadlineMissed
  | DeadlineEscalated
  | DeadlineLapsed
  | DeadlineCancelled
  | EscalationAcknowledged;

export const DEADLINE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'DeadlineOpened',
  'DeadlineMet',
  'DeadlineMoved',
  'DeadlineRecomputed',
  'DeadlineApproaching',
  'DeadlineDueSoon',
  'DeadlineMissed',
  'DeadlineEscalated',
  'DeadlineLapsed',
  'DeadlineCancelled',
  'EscalationAcknowledged',
]);

export const isDeadlineEvent = (e: DomainEvent): e is DeadlineEvent => DEADLINE_EVENT_TYPES.has(e.type);
