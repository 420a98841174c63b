import type { LocalDate } from '@hearth/domain';
import type { RecordedEvent } from '@hearth/event-store';

/** What recomputation needs to know of a pending deadline: the days its period and ladder span, and how it was counted. */
export interface PendingSpan {
  startDate: LocalDate;
  /** The last day the deadline's counting looks at: its due date or its ladder's last rung, whichever is later. */
  endDate: LocalDate;
  dueDate: LocalDate;
  calendarVersion: string;
  provisional: boolean;
}

const dayOf = (instant: string): LocalDate => new Date(Date.parse(instant) + 8 * 3600_000).toISOString().slice(0, 10);
const lastRungDay = (ladder: unknown, dueDate: LocalDate): LocalDate => {
  let end = dueDate;
  if (Array.isArray(ladder)) for (const r of ladder as { at?: string }[]) if (typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)) && dayOf(r.at) > end) end = dayOf(r.at);
  return end;
};

/**
 * Pending deadlines per case stream, folded from the deadline events of the log (the events every workflow shares).
 * Only candidates are chosen from this: each case's own decider decides what changes.
 */
export class PendingDeadlineSpans {
  readonly byStream = new Map<string, Map<string, PendingSpan>>();

  apply(e: RecordedEvent): void {
    const d = e.data as Record<string, unknown> & { deadlineId?: string };
    if (typeof d?.deadlineId !== 'string') return;
    const own = this.byStream.get(e.streamId);
    switch (e.type) {
      case 'DeadlineOpened': {
        const dueDate = String(d.dueDate);
        const spans = own ?? new Map<string, PendingSpan>();
        spans.set(d.deadlineId, {
          startDate: String(d.startDate),
          endDate: lastRungDay(d.ladder, dueDate),
          dueDate,
          calendarVersion: String(d.calendarVersion),
          provisional: d.provisional === true,
        });
        if (!own) this.byStream.set(e.streamId, spans);
        return;
      }
      case 'DeadlineMoved':
      case 'DeadlineRecomputed': {
        const cur = own?.get(d.deadlineId);
        if (!cur) return;
        const dueDate = String(d.dueDate);
        own!.set(d.deadlineId, {
          ...cur,
          dueDate,
          endDate: lastRungDay(d.ladder, dueDate > cur.dueDate ? dueDate : cur.dueDate),
          calendarVersion: String(d.calendarVersion),
          provisional: e.type === 'DeadlineRecomputed' ? d.provisional === true : cur.provisional,
        });
        return;
      }
      case 'DeadlineMet':
      case 'DeadlineCancelled':
      case 'DeadlineLapsed':
        own?.delete(d.deadlineId);
        if (own && !own.size) this.byStream.delete(e.streamId);
        return;
      default:
        return;
    }
  }
}
