import { daysBetween } from '../calendar/local-date';
import type { DeadlineEvent, DeadlineOpenedData } from './deadline.events';

export type DeadlineStatus = 'open' | 'missed' | 'met' | 'lapsed' | 'cancelled';

export interface DeadlineState extends DeadlineOpenedData {
  status: DeadlineStatus;
  /** Escalation levels acknowledged so far. */
  acknowledgedLevels: number[];
  escalationLevel: number;
  /** Ladder rungs already reached since the deadline opened or last moved (`approaching`, `dueSoon`, `missed`, `escalated:2`…). */
  reached: string[];
  /** Calendar days of each extension, in order (recounting repeats them after the base period). */
  extensions?: number[];
}

/** Key of a rung in `reached`. */
export const rungKey = (step: string, level?: number): string => (step === 'escalated' ? `escalated:${level ?? 2}` : step);

export type Deadlines = Readonly<Record<string, DeadlineState>>;

/** Still someone's duty (open, or missed and not yet fulfilled). */
export const isPending = (d: DeadlineState): boolean => d.status === 'open' || d.status === 'missed';

export function evolveDeadlines(deadlines: Deadlines, event: DeadlineEvent): Deadlines {
  switch (event.type) {
    case 'DeadlineOpened':
      return { ...deadlines, [event.data.deadlineId]: { ...event.data, status: 'open', acknowledgedLevels: [], escalationLevel: 0, reached: [] } };
    case 'DeadlineMoved':
    case 'DeadlineRecomputed': {
      const d = deadlines[event.data.deadlineId];
      if (!d) return deadlines;
      const calendarPatch =
        event.type === 'DeadlineRecomputed'
          ? { provisional: event.data.provisional, calendarCovered: !event.data.provisional }
          : { extensions: [...(d.extensions ?? []), event.data.extensionDays ?? Math.max(0, daysBetween(d.dueDate, event.data.dueDate))] };
      const reopened = d.status === 'missed' && event.data.dueAt > d.dueAt ? 'open' : d.status;
      // A move starts a new ladder (the one on the event; none on events written before ladders existed).
      const { ladder: _old, ...rest } = d;
      return {
        ...deadlines,
        [d.deadlineId]: {
          ...rest,
          ...calendarPatch,
          ...(event.data.ladder ? { ladder: event.data.ladder } : {}),
          dueDate: event.data.dueDate,
          dueAt: event.data.dueAt,
          calendarVersion: event.data.calendarVersion,
          status: reopened,
          reached: [],
        },
      };
    }
    case 'DeadlineApproaching':
      return patch(deadlines, event.data.deadlineId, (d) => ({ ...d, reached: [...(d.reached ?? []), 'approaching'] }));
    case 'DeadlineDueSoon':
      return patch(deadlines, event.data.deadlineId, (d) => ({ ...d, reached: [...(d.reached ?? []), 'dueSoon'] }));
    case 'DeadlineMissed':
      return patch(deadlines, event.data.deadlineId, (d) => ({
        ...d,
        status: 'missed',
        escalationLevel: Math.max(d.escalationLevel, event.data.level),
        reached: [...(d.reached ?? []), 'missed'],
      }));
    case 'DeadlineEscalated':
      return patch(deadlines, event.data.deadlineId, (d) => ({
        ...d,
        escalationLevel: Math.max(d.escalationLevel, event.data.level),
        reached: [...(d.reached ?? []), rungKey('escalated', event.data.level)],
      }));
    case 'DeadlineMet':
      return patch(deadlines, event.data.deadlineId, (d) => ({ ...d, status: 'met' }));
    case 'DeadlineLapsed':
      return patch(deadlines, event.data.deadlineId, (d) => ({ ...d, status: 'lapsed' }));
    case 'DeadlineCancelled':
      return patch(deadlines, event.data.deadlineId, (d) => ({ ...d, status: 'cancelled' }));
    case 'EscalationAcknowledged':
      return patch(deadlines, event.data.deadlineId, (d) => ({ ...d, acknowledgedLevels: [...d.acknowledgedLevels, event.data.level] }));
  }
}

function patch(deadlines: Deadlines, id: string, f: (d: DeadlineState) => DeadlineState): Deadlines {
  const d = deadlines[id];
  return d ? { ...deadlines, [id]: f(d) } : deadlines;
}

/** Pending deadlines of a kind (most workflows keep at most one per kind open). */
export const pendingOfKind = (deadlines: Deadlines, kind: string): DeadlineState[] =>
  Object.values(deadlines).filter((d) => d.kind === kind && isPending(d));
