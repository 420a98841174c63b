import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@hearth/domain';
import { EVENT_STORE, EventStore, RecordedEvent } from '@hearth/event-store';
import { CLOCK, Clock, maskPersonalData, ORG_REGISTRY, OrgRegistry, PERSONAL_DATA_CIPHER, PersonalDataCipher, PROJECTION_EVENT_STORE } from '@hearth/platform';
import { redactHistoryFor } from './history-redaction';
import { PersonalDataDisclosure } from './personal-data-disclosure';

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

/** A reader with no need to know anything (no actor given): every personal value masked. */
const NOBODY: Actor = { id: 'anonymous', role: 'system', orgUnit: '' };

/** The mediator a mediation case is assigned to now (the last MediatorAssigned). */
function assignedMediatorOf(events: readonly HistoryEntry[]): string | undefined {
  let mediator: string | undefined;
  for (const e of events) if (e.type === 'MediatorAssigned') mediator = (e.data as { mediatorId?: string }).mediatorId;
  return mediator;
}

/**
 * A case's history straight from the log: who did what, when, why (the command, or the deadline timer), on which
 * legal basis. Both readings start from the stored log (PROJECTION_EVENT_STORE: upcast, personal values still
 * encrypted), so nothing is decrypted unless the display policy says the reader needs it:
 * - `history` (the workflow routes): the workflow redactions first (accuser, household data), then the display
 *   policy for the reader's role (libs/domain/src/privacy/personal-data-display.ts): values shown are logged as
 *   `PersonalDataRevealed` before they are returned, the rest is masked as `{ personal: true, subjectId, role }`;
 * - `auditHistory` and `auditEvents` (audit views and exports): every personal value masked; revealing plaintext is
 *   the separate, logged privacy request (domain-spec §5).
 */
@Injectable()
export class CaseHistoryService {
  private readonly disclosure: PersonalDataDisclosure;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PROJECTION_EVENT_STORE) private readonly stored: EventStore,
    @Inject(PERSONAL_DATA_CIPHER) cipher: PersonalDataCipher,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.disclosure = new PersonalDataDisclosure(cipher, store, clock);
  }

  /**
   * The history as `actor` may see it. Without an actor, or outside the actor's subtree (the caller then refuses),
   * every personal value is masked and nothing is logged.
   */
  async history(category: string, id: string, actor: Actor = NOBODY): Promise<(CaseHistory & { accuserRedacted?: true }) | undefined> {
    const streamId = `${category}-${id}`;
    const h = toHistory(streamId, await this.stored.readStream(streamId));
    if (!h) return undefined;
    const inSubtree = actor !== NOBODY && h.orgUnits.some((u) => this.org.directory.isWithin(u, actor.orgUnit));
    const redacted = inSubtree ? redactHistoryFor(category, h, actor, this.org.directory) : h;
    const facts = { inSubtree, assignedMediator: category === 'mediation' && assignedMediatorOf(h.events) === actor.id };
    return { ...redacted, events: await this.disclosure.disclose(streamId, redacted.events, actor, facts, 'case_history') };
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
