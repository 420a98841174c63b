import type { Pool, PoolClient } from 'pg';
import { AppendResult, NewEvent } from '../event-store.port';
import { EventIdTakenError } from '../event-ids';
import { canonicalEvent, GENESIS, logLink, streamLink } from '../sqlite/hash-chain';
import { AppendRequest, checkExpected, Outcome } from '../sqlite/sqlite-append-writer';
import { APPENDED_CHANNEL } from './schema';
import { toPosition } from './postgres-rows';
import { withClient } from './pooled-client';

interface StreamTip {
  revision: number;
  position: number;
  hash: string;
}

interface StoredId {
  streamId: string;
  position: number;
}

/** The columns of the rows one group inserts, as parallel arrays (one INSERT … SELECT FROM unnest(…)). */
class InsertColumns {
  readonly position: number[] = [];
  readonly streamId: string[] = [];
  readonly revision: number[] = [];
  readonly eventId: string[] = [];
  readonly type: string[] = [];
  readonly data: string[] = [];
  readonly metadata: string[] = [];
  readonly recordedAt: string[] = [];
  readonly streamHash: string[] = [];
  readonly logHash: string[] = [];
}

/** An event id repeated inside one append: refused alone, like the UNIQUE constraint refuses it on SQLite. */
export class DuplicateEventIdError extends Error {
  readonly code = '23505';
  constructor(readonly eventId: string, readonly streamId: string) {
    super(`event id ${eventId} appears twice in one append to ${streamId}`);
    this.name = 'DuplicateEventIdError';
  }
}

const WRITE_GROUP = `
WITH ev AS (
  INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at, stream_hash, log_hash)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
), st AS (
  INSERT INTO streams (stream_id, last_revision, last_position, last_hash)
  SELECT * FROM unnest($11::text[], $12::bigint[], $13::bigint[], $14::text[])
  ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision, last_position = excluded.last_position, last_hash = excluded.last_hash
), hd AS (
  UPDATE log_head SET position = $15, log_hash = $16 WHERE id = 1
)
SELECT pg_notify('${APPENDED_CHANNEL}', $15::text)`;

const READ_STATE = `
SELECT 's' AS k, stream_id, last_revision AS revision, last_position AS position, last_hash AS extra FROM streams WHERE stream_id = ANY($1::text[])
UNION ALL
SELECT 'e', stream_id, revision, position, event_id FROM events WHERE event_id = ANY($2::text[])`;

/**
 * The write side of the PostgreSQL log: a group of appends in one transaction, serialised across every process by
 * the `log_head` row lock (FOR UPDATE), so positions are assigned in commit order and stay contiguous. Whatever the
 * group size, one commit costs four round trips: lock, read every stream tip and event id of the group, write every
 * row (one statement), commit. The checks run here on what was read, so a conflicting append fails alone; if the
 * write itself is refused (it should not be), each append is committed on its own so only the culprit fails.
 */
export class PostgresAppendWriter {
  constructor(
    private readonly pool: Pool,
    private readonly lockTimeoutMs: number,
  ) {}

  /** Commits the group; throws (nothing written) when the transaction as a whole fails, e.g. a lost connection. */
  async commit(group: readonly AppendRequest[]): Promise<Outcome[]> {
    try {
      return await this.commitTogether(group);
    } catch (err) {
      if (group.length > 1 && isConstraintViolation(err)) {
        const outcomes: Outcome[] = [];
        for (const p of group) {
          try {
            outcomes.push(...(await this.commitTogether([p])));
          } catch (one) {
            if (!isConstraintViolation(one)) throw one;
            outcomes.push({ ok: false, error: one });
          }
        }
        return outcomes;
      }
      throw err;
    }
  }

  private commitTogether(group: readonly AppendRequest[]): Promise<Outcome[]> {
    return withClient(
      this.pool,
      async (client) => {
        try {
          // One round trip: the transaction, its lock budget (never wait forever for a stuck writer), the head row lock.
          const begun = (await client.query(
            `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.floor(this.lockTimeoutMs))}; SELECT position, log_hash FROM log_head WHERE id = 1 FOR UPDATE`,
          )) as unknown as Array<{ rows: Array<{ position: string; log_hash: string }> }>;
          const head = begun[2].rows[0];
          if (!head) throw new Error('the log_head row is missing: the event log schema is damaged');
          const outcomes = await this.decideAndWrite(client, group, toPosition(head.position), head.log_hash);
          await client.query('COMMIT');
          return outcomes;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      },
      isConstraintViolation,
    );
  }

  private async decideAndWrite(client: PoolClient, group: readonly AppendRequest[], headPosition: number, headHash: string): Promise<Outcome[]> {
    const streamIds = [...new Set(group.map((p) => p.streamId))];
    const eventIds = [...new Set(group.flatMap((p) => p.events.map((e) => e.id)))];
    const state = await client.query<{ k: 's' | 'e'; stream_id: string; revision: string; position: string; extra: string }>(READ_STATE, [streamIds, eventIds]);
    const tips = new Map<string, StreamTip>();
    const stored = new Map<string, StoredId>();
    for (const r of state.rows) {
      if (r.k === 's') tips.set(r.stream_id, { revision: toPosition(r.revision), position: toPosition(r.position), hash: r.extra });
      else stored.set(r.extra, { streamId: r.stream_id, position: toPosition(r.position) });
    }

    const rows = new InsertColumns();
    let position = headPosition;
    let logHash = headHash;
    const outcomes = group.map((p): Outcome => {
      try {
        const result = this.decideOne(p, tips, stored, rows, position, logHash);
        if (result.written) {
          position = result.position;
          logHash = rows.logHash[rows.logHash.length - 1];
        }
        return { ok: true, result };
      } catch (error) {
        return { ok: false, error };
      }
    });
    if (rows.position.length === 0) return outcomes;

    const touched = [...new Set(rows.streamId)];
    await client.query(WRITE_GROUP, [
      rows.position,
      rows.streamId,
      rows.revision,
      rows.eventId,
      rows.type,
      rows.data,
      rows.metadata,
      rows.recordedAt,
      rows.streamHash,
      rows.logHash,
      touched,
      touched.map((s) => tips.get(s)!.revision),
      touched.map((s) => tips.get(s)!.position),
      touched.map((s) => tips.get(s)!.hash),
      position,
      logHash,
    ]);
    return outcomes;
  }

  /** One append against the state as the earlier appends of the group leave it; updates that state when it writes. */
  private decideOne(
    p: AppendRequest,
    tips: Map<string, StreamTip>,
    stored: Map<string, StoredId>,
    rows: InsertColumns,
    headPosition: number,
    headHash: string,
  ): AppendResult {
    const { streamId, events, expected } = p;
    const tip = tips.get(streamId);
    const current = tip?.revision ?? -1;

    // Idempotency first, so a retried command carrying a now-stale expected revision is still a no-op.
    if (events.length > 0) {
      const first = stored.get(events[0].id);
      if (first) {
        if (first.streamId !== streamId) throw new EventIdTakenError(events[0].id, first.streamId, streamId);
        let position = first.position;
        for (const e of events.slice(1)) {
          const row = stored.get(e.id);
          if (row && row.streamId === streamId && row.position > position) position = row.position;
        }
        return { written: false, nextRevision: current, position };
      }
    }
    checkExpected(streamId, expected, current);
    if (events.length === 0) return { written: false, nextRevision: current, position: tip ? tip.position : -1 };
    checkIdsFree(streamId, events, stored);

    const recordedAt = new Date().toISOString();
    let revision = current;
    let position = headPosition;
    let logHash = headHash;
    let streamHash = tip?.hash ?? GENESIS;
    for (const e of events) {
      revision++;
      position++;
      const data = JSON.stringify(e.data ?? null);
      const metadata = JSON.stringify(e.metadata);
      const canonical = canonicalEvent({ streamId, revision, position, eventId: e.id, type: e.type, data, metadata, recordedAt });
      streamHash = streamLink(streamHash, canonical);
      logHash = logLink(logHash, canonical, position);
      rows.position.push(position);
      rows.streamId.push(streamId);
      rows.revision.push(revision);
      rows.eventId.push(e.id);
      rows.type.push(e.type);
      rows.data.push(data);
      rows.metadata.push(metadata);
      rows.recordedAt.push(recordedAt);
      rows.streamHash.push(streamHash);
      rows.logHash.push(logHash);
      stored.set(e.id, { streamId, position });
    }
    tips.set(streamId, { revision, position, hash: streamHash });
    return { written: true, nextRevision: revision, position };
  }
}

/** The first event id is new; the others must be too (stored anywhere, or repeated in this append). */
function checkIdsFree(streamId: string, events: readonly NewEvent[], stored: Map<string, StoredId>): void {
  const seen = new Set<string>();
  for (const e of events) {
    const taken = stored.get(e.id);
    if (taken) throw new EventIdTakenError(e.id, taken.streamId, streamId);
    if (seen.has(e.id)) throw new DuplicateEventIdError(e.id, streamId);
    seen.add(e.id);
  }
}

/** PostgreSQL's class 23 (integrity constraint violation): a row this group wrote, not the connection. */
function isConstraintViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('23');
}
