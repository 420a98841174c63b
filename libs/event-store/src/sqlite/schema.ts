import type Database from 'better-sqlite3';
import { canonicalEvent, GENESIS, logLink, streamLink } from './hash-chain';

/**
 * SQLite schema for the event store. Idempotent: safe to run on every open, from several processes.
 *
 * - `events.position` is the global log position: INTEGER PRIMARY KEY AUTOINCREMENT, so it is an alias of the
 *   rowid, never reused, even after the newest rows are deleted. The adapter assigns it explicitly inside the
 *   (serialised) write transaction with AUTOINCREMENT's own rule (max(sqlite_sequence, max rowid) + 1), because the
 *   hash chain needs the position before the row is written. Positions are therefore contiguous.
 * - `events.event_id` is UNIQUE: the idempotency key (ids are derived from the command id).
 * - `(stream_id, revision)` is UNIQUE: the index used by every stream read, and a last line of defence against
 *   two writers producing the same revision.
 * - `events.stream_hash` / `events.log_hash`: the hash chains (hash-chain.ts), written in the append transaction.
 * - `streams` keeps the last revision of every stream so an append checks its expected revision with one
 *   primary-key lookup instead of a MAX() over the stream.
 *
 * Versions (PRAGMA user_version): 1 = without hash columns, 2 = with them.
 */
export const SCHEMA_VERSION = 2;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS events (
  position     INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id    TEXT    NOT NULL,
  revision     INTEGER NOT NULL,
  event_id     TEXT    NOT NULL UNIQUE,
  type         TEXT    NOT NULL,
  data         TEXT    NOT NULL,
  metadata     TEXT    NOT NULL,
  recorded_at  TEXT    NOT NULL,
  stream_hash  TEXT,
  log_hash     TEXT,
  UNIQUE (stream_id, revision)
);

CREATE TABLE IF NOT EXISTS streams (
  stream_id      TEXT    PRIMARY KEY,
  last_revision  INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface LegacyRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

/**
 * Creates the schema, or brings an older database up to SCHEMA_VERSION: version 1 files get the hash columns and
 * every existing event is chained, from the first event in position order (so their hashes attest to the log as
 * it was at migration time). Runs in one IMMEDIATE transaction, re-checking inside it, so two processes opening the
 * same old file migrate it once. Only the migration itself backfills: a hash that goes missing later is reported by
 * verify(), never silently recomputed.
 */
export function migrate(db: Database.Database): void {
  db.exec(SCHEMA_SQL);
  const hasHashes = (): boolean =>
    (db.prepare('PRAGMA table_info(events)').all() as Array<{ name: string }>).some((c) => c.name === 'log_hash');
  if (hasHashes()) {
    if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return;
  }
  db.transaction(() => {
    if (hasHashes()) return;
    db.exec('ALTER TABLE events ADD COLUMN stream_hash TEXT; ALTER TABLE events ADD COLUMN log_hash TEXT;');
    const update = db.prepare('UPDATE events SET stream_hash = ?, log_hash = ? WHERE position = ?');
    const streamHeads = new Map<string, string>();
    let logHead = GENESIS;
    const page = db.prepare(
      'SELECT position, stream_id, revision, event_id, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 10000',
    );
    // Paged (an open iterator would keep the connection busy, and the UPDATE needs it).
    for (let after = -1; ; ) {
      const rows = page.all(after) as LegacyRow[];
      if (rows.length === 0) break;
      for (const r of rows) {
        const canonical = canonicalEvent({
          streamId: r.stream_id,
          revision: r.revision,
          position: r.position,
          eventId: r.event_id,
          type: r.type,
          data: r.data,
          metadata: r.metadata,
          recordedAt: r.recorded_at,
        });
        const sh = streamLink(streamHeads.get(r.stream_id) ?? GENESIS, canonical);
        logHead = logLink(logHead, canonical, r.position);
        streamHeads.set(r.stream_id, sh);
        update.run(sh, logHead, r.position);
        after = r.position;
      }
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
