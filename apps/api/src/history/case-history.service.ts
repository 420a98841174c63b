import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@hearth/event-store';

export interface HistoryEntry {
  revision: number;
  position: number;
  type: string;
  occurredAt: string;
  recordedAt: string;
  actorId: string;
  role: string;
  orgUnit: string;
  cause?: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  legalBasis?: string;
  data: unknown;
}

const ORG_FIELDS = ['orgUnit', 'toOrgUnit', 'fromOrgUnit', 'returnedTo', 'ownerOrgUnit'] as const;

/** A case's history straight from the log: who did what, when, why, on which legal basis. */
@Injectable()
export class CaseHistoryService {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async history(category: string, id: string): Promise<{ streamId: string; orgUnits: string[]; events: HistoryEntry[] } | undefined> {
    const streamId = `${category}-${id}`;
    const events = await this.store.readStream(streamId);
    if (events.length === 0) return undefined;
    const orgUnits = new Set<string>();
    const entries = events.map((e) => {
      const data = (e.data ?? {}) as Record<string, unknown>;
      for (const f of ORG_FIELDS) if (typeof data[f] === 'string') orgUnits.add(data[f] as string);
      return {
        revision: e.revision,
        position: e.position,
        type: e.type,
        occurredAt: e.metadata.occurredAt,
        recordedAt: e.recordedAt,
        actorId: e.metadata.actorId,
        role: e.metadata.role,
        orgUnit: e.metadata.orgUnit,
        cause: e.metadata.cause,
        commandId: e.metadata.commandId,
        correlationId: e.metadata.correlationId,
        causationId: e.metadata.causationId,
        legalBasis: typeof data.legalBasis === 'string' ? data.legalBasis : undefined,
        data: e.data,
      };
    });
    return { streamId, orgUnits: [...orgUnits], events: entries };
  }
}
