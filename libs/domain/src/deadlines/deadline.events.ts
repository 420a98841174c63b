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
  /** False when the due date falls in a year with no holiday data (weekends only were used). */
  calendarCovered: boolean;
}

export type DeadlineOpened = DomainEvent<'DeadlineOpened', DeadlineOpenedData>;
/** The duty was fulfilled (possibly late). Closes any open escalation of this deadline. */
export type DeadlineMet = DomainEvent<'DeadlineMet', { deadlineId: string; kind: string; metAt: string; late: boolean }>;
/** Extension, calendar change (`reason: 'calendar'`, DeadlineRecomputed in the spec) or a new due date. */
export type DeadlineMoved = DomainEvent<
  'DeadlineMoved',
  { deadlineId: string; kind: string; dueDate: LocalDate; dueAt: string; reason: string; calendarVersion: string }
>;
/** Duty not fulfilled by the due time: escalates to the supervisors of `escalateTo` (催办). */
export type DeadlineMissed = DomainEvent<
  'DeadlineMissed',
  { deadlineId: string; kind: string; dueAt: string; missedAt: string; ownerOrgUnit: string; escalateTo: string | null; level: number }
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
  | DeadlineMissed
  | DeadlineLapsed
  | DeadlineCancelled
  | EscalationAcknowledged;

export const DEADLINE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'DeadlineOpened',
  'DeadlineMet',
  'DeadlineMoved',
  'DeadlineMissed',
  'DeadlineLapsed',
  'DeadlineCancelled',
  'EscalationAcknowledged',
]);

export const isDeadlineEvent = (e: DomainEvent): e is DeadlineEvent => DEADLINE_EVENT_TYPES.has(e.type);
