import { Inject, Injectable } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { EventStore, RecordedEvent } from '@hearth/event-store';
import { addOrgUnits } from '../history/case-history.service';
import { DECIDERS, HEARTH_CONFIG, HearthConfig, maskPersonalData, ORG_REGISTRY, OrgRegistry, PROJECTION_EVENT_STORE, REDIS } from '@hearth/platform';
import {
  HardshipProjection,
  HardshipQueries,
  MediationProjection,
  MediationQueries,
  PetitionProjection,
  PetitionQueries,
  Projection,
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
/** A snapshot every this many events of a stream (only streams that long get any). */
export const AS_OF_SNAPSHOT_EVERY = 1000;
/** Snapshots are a cache: unused for a day, they go. */
const SNAPSHOT_TTL_MS = 24 * 3_600_000;
/**
 * Bump when a decider's evolve or a projection changes what it derives from the same events. The build stamp
 * (modification time of the running entry file) changes with every deployment too, so a new build never reads an
 * old build's snapshots.
 */
const SNAPSHOT_FORMAT = 1;
const BUILD_STAMP = ((): string => {
  try {
    return Math.floor(statSync(require.main?.filename ?? __filename).mtimeMs).toString(36);
  } catch {
    return 'dev';
  }
})();

type LastEvent = NonNullable<AsOfResult['lastEvent']>;

/** A fold up to `revision`: the decider's state and every scratch key the projection had written (Redis DUMP). */
interface Snapshot {
  revision: number;
  occurredAtMs: number;
  state: unknown;
  last: LastEvent;
  /** Every org unit the case was in up to here (the scope check). */
  orgUnits: string[];
  keys: Map<string, Buffer>;
}

/**
 * As-of views of one case (issue 6): the decider's state and the read-model row at any domain time or revision.
 *
 * The state is `evolve` folded over the stream's events up to the point. The row is the workflow's own projection
 * (the code the worker runs) applied to just those events under a throwaway key prefix
 * (`<prefix>asof:<uuid>:`), read back with the workflow's query class and deleted. Only the case's own stream is
 * replayed: parts of a row fed by other streams (e.g. a petition's link to the mediation opened from it) are left
 * out. The events are read as the projections read them (PROJECTION_EVENT_STORE: upcast, personal values
 * encrypted), so nothing personal reaches the scratch keys or the snapshots either.
 *
 * Long streams: every AS_OF_SNAPSHOT_EVERY events a replay leaves a snapshot in Redis (the decider state and a DUMP
 * of the projection's scratch keys, keyed by build), so the next as-of of that case starts from the nearest one
 * before its point and folds at most that many events. Snapshots are derived and disposable like every Redis key:
 * lost, they are made again by the next replay.
 */
@Injectable()
export class CaseAsOfService {
  constructor(
    @Inject(PROJECTION_EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  /**
   * Undefined when the stream has no events; throws RangeError for a revision beyond the stream. `mayRead` gets every
   * org unit the case was ever in (as the history's scope check) and is asked before anything is replayed.
   */
  async asOf(category: string, id: string, point: AsOfPoint, mayRead: (orgUnits: string[]) => void = () => undefined): Promise<AsOfResult | undefined> {
    const decider = DECIDERS.get(category);
    if (!decider) return undefined;
    const streamId = `${category}-${id}`;
    const [head] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    if (!head) return undefined;
    const current = head.revision;
    if (point.revision !== undefined && point.revision > current) throw new RangeError(`stream ${streamId} has no revision ${point.revision} (current ${current})`);

    // The scope: the latest snapshot's org units plus those of every event after it (the whole stream when cold).
    const latest = await this.nearestSnapshot(streamId, { revision: current });
    const tail = await this.store.readStream(streamId, { fromRevision: latest ? latest.revision + 1 : 0 });
    mayRead([...addOrgUnits(new Set(latest?.orgUnits), tail)]);

    const cutoff = point.at !== undefined ? Date.parse(point.at) : NaN;
    const inTail = point.revision !== undefined ? point.revision > (latest?.revision ?? -1) : !latest || latest.occurredAtMs <= cutoff;
    const snapshot = inTail ? latest : await this.nearestSnapshot(streamId, point);
    const from = snapshot ? snapshot.revision + 1 : 0;
    // Not in the tail: the point lies before the latest snapshot, so reading never goes past it.
    const after = inTail ? tail : await this.store.readStream(streamId, { fromRevision: from, maxCount: Math.max(0, (point.revision ?? latest!.revision) - from + 1) });
    // A prefix of the stream: stop at the first event after the point (a later event never folds in before it).
    const events: RecordedEvent[] = [];
    for (const e of after) {
      if (point.revision !== undefined ? e.revision > point.revision : Date.parse(e.metadata.occurredAt) > cutoff) break;
      events.push(e);
    }
    const last: LastEvent | undefined = events.length ? lastEventOf(events[events.length - 1]) : snapshot?.last;
    const now = point.at ?? last?.occurredAt;
    const replay = await this.replay(category, id, streamId, decider, snapshot, events, now);
    return {
      streamId,
      category,
      id,
      asOf: point.at !== undefined ? { at: point.at } : { revision: point.revision },
      revision: last ? last.revision : -1,
      currentRevision: current,
      lastEvent: last ?? null,
      state: maskPersonalData(replay.state),
      readModel: last ? (replay.row ?? null) : null,
    };
  }

  private snapshotKeys(streamId: string): { index: string; at: (revision: number) => string } {
    const base = `${this.config.redisPrefix}asof-snap:${SNAPSHOT_FORMAT}.${BUILD_STAMP}:${streamId}`;
    return { index: base, at: (revision) => `${base}:${revision}` };
  }

  /** The latest snapshot at or before the point, if one is in Redis. */
  private async nearestSnapshot(streamId: string, point: AsOfPoint): Promise<Snapshot | undefined> {
    const cutoff = point.at !== undefined ? Date.parse(point.at) : NaN;
    const k = this.snapshotKeys(streamId);
    let best: { revision: number; occurredAtMs: number } | undefined;
    for (const m of await this.redis.zrange(k.index, 0, -1)) {
      const [revision, occurredAtMs] = m.split(':').map(Number);
      const fits = point.revision !== undefined ? revision <= point.revision : occurredAtMs <= cutoff;
      if (fits && (!best || revision > best.revision)) best = { revision, occurredAtMs };
    }
    if (!best) return undefined;
    const fields = await this.redis.hgetallBuffer(k.at(best.revision));
    if (!fields.state || !fields.last) return undefined; // expired between the two reads
    const keys = new Map<string, Buffer>();
    for (const [f, v] of Object.entries(fields)) if (f.startsWith('k:')) keys.set(f.slice(2), v);
    return {
      ...best,
      state: JSON.parse(fields.state.toString('utf8')) as unknown,
      last: JSON.parse(fields.last.toString('utf8')) as LastEvent,
      orgUnits: fields.units ? (JSON.parse(fields.units.toString('utf8')) as string[]) : [],
      keys,
    };
  }

  /**
   * Folds the decider and runs the workflow's projection over `events` (after the snapshot, if any) under a scratch
   * prefix, reads the row, deletes the scratch keys. Events are applied in chunks ending on snapshot boundaries; at
   * each boundary not yet snapshotted, a snapshot is saved.
   */
  private async replay(
    category: string,
    id: string,
    streamId: string,
    decider: { initialState: unknown; evolve: (s: unknown, e: { type: string; data: unknown }) => unknown },
    snapshot: Snapshot | undefined,
    events: readonly RecordedEvent[],
    now: string | undefined,
  ): Promise<{ state: unknown; row: unknown }> {
    let state: unknown = snapshot ? snapshot.state : decider.initialState;
    const orgUnits = new Set(snapshot?.orgUnits);
    const view = this.readModelOf(category, id);
    const prefix = `${this.config.redisPrefix}asof:${randomUUID()}:`;
    const written = new Set<string>();
    try {
      if (view && snapshot?.keys.size) {
        const restore = this.redis.multi();
        for (const [suffix, dump] of snapshot.keys) {
          restore.restore(`${prefix}${suffix}`, SCRATCH_TTL_MS, dump, 'REPLACE');
          written.add(`${prefix}${suffix}`);
        }
        await execOrThrow(restore);
      }
      const snapshots = this.snapshotKeys(streamId);
      for (let i = 0; i < events.length; ) {
        const first = events[i].revision;
        // Up to the next boundary (revision ≡ EVERY − 1), so each chunk can end in a snapshot.
        const end = Math.min(events.length, i + (AS_OF_SNAPSHOT_EVERY - ((first + 1) % AS_OF_SNAPSHOT_EVERY || AS_OF_SNAPSHOT_EVERY)) + 1);
        const chunk = events.slice(i, end);
        i = end;
        for (const e of chunk) state = decider.evolve(state, { type: e.type, data: e.data });
        addOrgUnits(orgUnits, chunk);
        if (view) {
          const tx = recordingKeys(this.redis.multi(), prefix, written);
          await view.projection.apply({
            events: chunk,
            redis: this.redis,
            tx,
            prefix,
            basePrefix: prefix,
            // A replay: nothing is pushed to live clients, nothing runs after the commit.
            afterCommit: () => undefined,
            isLive: () => false,
          });
          for (const key of written) tx.pexpire(key, SCRATCH_TTL_MS);
          await execOrThrow(tx);
        }
        const lastOfChunk = chunk[chunk.length - 1];
        if ((lastOfChunk.revision + 1) % AS_OF_SNAPSHOT_EVERY === 0) await this.saveSnapshot(snapshots, prefix, written, state, orgUnits, lastEventOf(lastOfChunk));
      }
      return { state, row: view ? await view.read(prefix, now) : undefined };
    } finally {
      if (written.size > 0) await this.redis.unlink(...written);
    }
  }

  private async saveSnapshot(
    k: ReturnType<CaseAsOfService['snapshotKeys']>,
    prefix: string,
    written: ReadonlySet<string>,
    state: unknown,
    orgUnits: ReadonlySet<string>,
    last: LastEvent,
  ): Promise<void> {
    const occurredAtMs = Date.parse(last.occurredAt);
    const dumps = this.redis.pipeline();
    const names = [...written];
    for (const key of names) dumps.dumpBuffer(key);
    const res = (await dumps.exec()) ?? [];
    const fields: Record<string, string | Buffer> = { state: JSON.stringify(state), last: JSON.stringify(last), units: JSON.stringify([...orgUnits]) };
    names.forEach((key, i) => {
      const [err, dump] = res[i] ?? [];
      if (!err && dump) fields[`k:${key.slice(prefix.length)}`] = dump as Buffer;
    });
    const snapKey = k.at(last.revision);
    await execOrThrow(
      this.redis
        .multi()
        .del(snapKey)
        .hset(snapKey, fields)
        .pexpire(snapKey, SNAPSHOT_TTL_MS)
        .zadd(k.index, last.revision, `${last.revision}:${Number.isFinite(occurredAtMs) ? occurredAtMs : 0}`)
        .pexpire(k.index, SNAPSHOT_TTL_MS),
    );
  }

  /** The workflow's projection and how to read its row back from a prefix. */
  private readModelOf(category: string, id: string): { projection: Projection; read: (prefix: string, now: string | undefined) => Promise<unknown> } | undefined {
    const org = this.org.directory;
    if (category === 'petition') return { projection: new PetitionProjection({ org }), read: (p, now) => new PetitionQueries(this.redis, p).get(id, now) };
    if (category === 'mediation') return { projection: new MediationProjection({ org }), read: (p, now) => new MediationQueries(this.redis, p).get(id, now) };
    if (category === 'hardship') return { projection: new HardshipProjection({ org }), read: (p, now) => new HardshipQueries(this.redis, p).get(id, now) };
    if (category === 'fund') return { projection: new HardshipProjection({ org }), read: (p) => new HardshipQueries(this.redis, p).fund(id) };
    return undefined;
  }
}

const lastEventOf = (e: RecordedEvent): LastEvent => ({
  revision: e.revision,
  position: e.position,
  type: e.type,
  occurredAt: e.metadata.occurredAt,
  recordedAt: e.recordedAt,
});

async function execOrThrow(tx: ChainableCommander): Promise<void> {
  const res = await tx.exec();
  const failed = res?.find(([err]) => err);
  if (failed) throw failed[0] as Error;
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
