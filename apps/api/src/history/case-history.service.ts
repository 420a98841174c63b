import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore, RecordedEvent } from '@hearth/event-store';
import { maskPersonalData, PROJECTION_EVENT_STORE } from '@hearth/platform';

/** What led to an event: a person's command, a deadline's timer (ladder rung), or Hearth itself. */
export interface CauseInfo {
  kind: 'command' | 'timer' | 'system';
  /** The command type (`AcceptPetition`, `AcknowledgeEscalation`, …) for a command; `ExpireDeadline` for a timer. */
  command?: string;
  /** For timer-caused events: the deadline whose timer fired, its kind and the rung of its ladder. */
  deadlineId?: string;
  deadlineKind?: string;
  step?: string;
  level?: number;
}

export interface HistoryEntry {
  revision: number;
  position: number;
  eventId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  actorId: string;
  role: string;
  orgUnit: string;
  cause?: string;
  causedBy: CauseInfo;
  commandId: string;
  correlationId: string;
  causationId: string;
  legalBasis?: string;
  data: unknown;
}

export interface CaseHistory {
  streamId: string;
  /** Every org unit the case belonged to or was sent to: the scope check passes when the reader is above any. */
  orgUnits: string[];
  events: HistoryEntry[];
}

const ORG_FIELDS = ['orgUnit', 'toOrgUnit', 'fromOrgUnit', 'returnedTo', 'ownerOrgUnit'] as const;

/** Adds every org unit the events put the case in (or send it to) to `into`. */
export function addOrgUnits(into: Set<string>, events: Iterable<RecordedEvent>): Set<string> {
  for (const e of events) {
    const data = (e.data ?? {}) as Record<string, unknown>;
    for (const f of ORG_FIELDS) if (typeof data[f] === 'string') into.add(data[f] as string);
  }
  return into;
}

/** Deadline ladder events → the rung whose timer produced them. */
const RUNG_OF: Readonly<Record<string, string>> = {
  DeadlineApproaching: 'approaching',
  DeadlineDueSoon: 'dueSoon',
  DeadlineMissed: 'missed',
  DeadlineEscalated: 'escalated',
  DeadlineLapsed: 'lapsed',
};

/**
 * A case's history straight from the log: who did what, when, why (the command, or the deadline timer), on which
 * legal basis.
 *
 * Two readings: `history` reads through EVENT_STORE (personal values decrypted, as the workflow routes have always
 * served them); `auditHistory` and `auditEvents` read the stored log without decrypting (PROJECTION_EVENT_STORE:
 * upcast, personal values still encrypted) and mask every personal value as `{ personal: true, subjectId, role }` —
 * for audit views and exports, where revealing plaintext is a separate, logged act (domain-spec §5).
 */
@Injectable()
export class CaseHistoryService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_EVENT_STORE) private readonly stored: EventStore,
  ) {}

  async history(category: string, id: string): Promise<CaseHistory | undefined> {
    const streamId = `${category}-${id}`;
    return toHistory(streamId, await this.store.readStream(streamId));
  }

  /** The history with personal values masked (never decrypted). */
  async auditHistory(category: string, id: string): Promise<CaseHistory | undefined> {
    const streamId = `${category}-${id}`;
    return toHistory(streamId, await this.auditEvents(streamId));
  }

  /** The stream's events, upcast, personal values masked. */
  async auditEvents(streamId: string): Promise<RecordedEvent[]> {
    const events = await this.stored.readStream(streamId);
    return events.map((e) => ({ ...e, data: maskPersonalData(e.data) }));
  }
}

export function toHistory(streamId: string, events: readonly RecordedEvent[]): CaseHistory | undefined {
  if (events.length === 0) return undefined;
  const orgUnits = new Set<string>();
  // The deadline a timer-caused command was about, from any of its events (a lapse may also close the case).
  const timerDeadline = new Map<string, { deadlineId?: string; deadlineKind?: string; step?: string; level?: number }>();
  for (const e of events) {
    if (e.metadata.cause !== 'timer') continue;
    const data = (e.data ?? {}) as Record<string, unknown>;
    if (typeof data.deadlineId !== 'string' || timerDeadline.has(e.metadata.commandId)) continue;
    timerDeadline.set(e.metadata.commandId, {
      deadlineId: data.deadlineId,
      ...(typeof data.kind === 'string' ? { deadlineKind: data.kind } : {}),
      ...(RUNG_OF[e.type] ? { step: RUNG_OF[e.type] } : {}),
      ...(typeof data.level === 'number' ? { level: data.level } : {}),
    });
  }
  const entries = events.map((e): HistoryEntry => {
    addOrgUnits(orgUnits, [e]);
    const data = (e.data ?? {}) as Record<string, unknown>;
    const m = e.metadata;
    const causedBy: CauseInfo =
      m.cause === 'timer'
        ? { kind: 'timer', command: 'ExpireDeadline', ...timerDeadline.get(m.commandId) }
        : m.role === 'system' || m.cause === 'system'
          ? { kind: 'system', ...(m.cause && m.cause !== 'system' ? { command: m.cause } : {}) }
          : { kind: 'command', ...(m.cause ? { command: m.cause } : {}) };
    return {
      revision: e.revision,
      position: e.position,
      eventId: e.id,
      type: e.type,
      occurredAt: m.occurredAt,
      recordedAt: e.recordedAt,
      actorId: m.actorId,
      role: m.role,
      orgUnit: m.orgUnit,
      cause: m.cause,
      causedBy,
      commandId: m.commandId,
      correlationId: m.correlationId,
      causationId: m.causationId,
      legalBasis: typeof data.legalBasis === 'string' ? data.legalBasis : undefined,
      data: e.data,
    };
  });
  return { streamId, orgUnits: [...orgUnits], events: entries };
}
