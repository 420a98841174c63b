import { Inject, Injectable } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { EventStore, RecordedEvent } from '@hearth/event-store';
import { DECIDERS, HEARTH_CONFIG, HearthConfig, maskPersonalData, ORG_REGISTRY, OrgRegistry, PROJECTION_EVENT_STORE, REDIS } from '@hearth/platform';
import {
  HardshipProjection,
  HardshipQueries,
  MediationProjection,
  MediationQueries,
  PetitionProjection,
  PetitionQueries,
  Projection,
  ProjectionBatch,
} from '@hearth/read-models';

/** A point in a case's life: a domain time (events that occurred at or before it) or a stream revision. */
export type AsOfPoint = { at: string; revision?: undefined } | { revision: number; at?: undefined };

export interface AsOfResult {
  streamId: string;
  category: string;
  id: string;
  asOf: { at?: string; revision?: number };
  /** Revision of the last event folded (-1: the case did not exist yet at that time). */
  revision: number;
  /** The stream's current revision, for comparison. */
  currentRevision: number;
  lastEvent: { revision: number; position: number; type: string; occurredAt: string; recordedAt: string } | null;
  /** The decider's state folded from the events up to the point (personal values masked). */
  state: unknown;
  /** The read-model row as the workflow's projection would have written it from those events (null: no row yet). */
  readModel: unknown;
}

/** Safety net: scratch keys expire on their own should the process die before deleting them. */
const SCRATCH_TTL_MS = 60_000;

/**
 * As-of views of one case (issue 6): the decider's state and the read-model row at any domain time or revision.
 *
 * The state is `evolve` folded over the stream's events up to the point. The row is the workflow's own projection
 * (the code the worker runs) applied to just those events under a throwaway key prefix
 * (`<prefix>asof:<uuid>:`), read back with the workflow's query class and deleted. Only the case's own stream is
 * replayed: parts of a row fed by other streams (e.g. a petition's link to the mediation opened from it) are left
 * out. The events are read as the projections read them (PROJECTION_EVENT_STORE: upcast, personal values
 * encrypted), so nothing personal reaches the scratch keys either.
 */
@Injectable()
export class CaseAsOfService {
  constructor(
    @Inject(PROJECTION_EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  /** Undefined when the stream has no events; throws RangeError for a revision beyond the stream. */
  async asOf(category: string, id: string, point: AsOfPoint): Promise<AsOfResult | undefined> {
    const decider = DECIDERS.get(category);
    if (!decider) return undefined;
    const streamId = `${category}-${id}`;
    const all = await this.store.readStream(streamId);
    if (all.length === 0) return undefined;
    const current = all[all.length - 1].revision;
    if (point.revision !== undefined && point.revision > current) throw new RangeError(`stream ${streamId} has no revision ${point.revision} (current ${current})`);

    const events: RecordedEvent[] = [];
    const cutoff = point.at !== undefined ? Date.parse(point.at) : NaN;
    for (const e of all) {
      // A prefix of the stream: stop at the first event after the point (a later event never folds in before it).
      if (point.revision !== undefined ? e.revision > point.revision : Date.parse(e.metadata.occurredAt) > cutoff) break;
      events.push(e);
    }
    let state: unknown = decider.initialState;
    for (const e of events) state = decider.evolve(state, { type: e.type, data: e.data });
    const last = events[events.length - 1];
    const now = point.at ?? last?.metadata.occurredAt;
    return {
      streamId,
      category,
      id,
      asOf: point.at !== undefined ? { at: point.at } : { revision: point.revision },
      revision: last ? last.revision : -1,
      currentRevision: current,
      lastEvent: last
        ? { revision: last.revision, position: last.position, type: last.type, occurredAt: last.metadata.occurredAt, recordedAt: last.recordedAt }
        : null,
      state: maskPersonalData(state),
      readModel: events.length ? ((await this.readModelAsOf(category, id, events, now)) ?? null) : null,
    };
  }

  /** Runs the workflow's projection over `events` under a scratch prefix, reads the row, deletes the scratch keys. */
  private async readModelAsOf(category: string, id: string, events: readonly RecordedEvent[], now: string | undefined): Promise<unknown> {
    const org = this.org.directory;
    const prefix = `${this.config.redisPrefix}asof:${randomUUID()}:`;
    let projection: Projection;
    let read: () => Promise<unknown>;
    if (category === 'petition') {
      projection = new PetitionProjection({ org });
      read = () => new PetitionQueries(this.redis, prefix).get(id, now);
    } else if (category === 'mediation') {
      projection = new MediationProjection({ org });
      read = () => new MediationQueries(this.redis, prefix).get(id, now);
    } else if (category === 'hardship') {
      projection = new HardshipProjection({ org });
      read = () => new HardshipQueries(this.redis, prefix).get(id, now);
    } else if (category === 'fund') {
      projection = new HardshipProjection({ org });
      read = () => new HardshipQueries(this.redis, prefix).fund(id);
    } else return undefined;

    const written = new Set<string>();
    const tx = recordingKeys(this.redis.multi(), prefix, written);
    try {
      const batch: ProjectionBatch = {
        events,
        redis: this.redis,
        tx,
        prefix,
        basePrefix: prefix,
        // A replay: nothing is pushed to live clients, nothing runs after the commit.
        afterCommit: () => undefined,
        isLive: () => false,
      };
      await projection.apply(batch);
      for (const key of written) tx.pexpire(key, SCRATCH_TTL_MS);
      const res = await tx.exec();
      const failed = res?.find(([err]) => err);
      if (failed) throw failed[0] as Error;
      return await read();
    } finally {
      if (written.size > 0) await this.redis.unlink(...written);
    }
  }
}

/**
 * Wraps a MULTI so that every key it is asked to write under `prefix` is recorded (any string argument starting with
 * the scratch prefix is a key: values are JSON or numbers), letting the caller give them a TTL and delete exactly
 * them — no SCAN over the whole keyspace.
 */
function recordingKeys(tx: ChainableCommander, prefix: string, keys: Set<string>): ChainableCommander {
  const proxy: ChainableCommander = new Proxy(tx, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'exec') return value;
      return (...args: unknown[]) => {
        for (const a of args.flat()) if (typeof a === 'string' && a.startsWith(prefix)) keys.add(a);
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        return out === target ? proxy : out;
      };
    },
  });
  return proxy;
}
