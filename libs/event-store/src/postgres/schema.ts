import type { Pool, PoolClient } from 'pg';
import { GENESIS } from '../sqlite/hash-chain';
import { withClient } from './pooled-client';

/**
 * PostgreSQL schema of the event log, as versioned migrations (table `hearth_schema`: one row per applied version).
 *
 * - `events.position` is the global log position (bigint), assigned by the adapter inside the append transaction
 *   that holds the `log_head` row lock: appends are serialised, so positions are contiguous and in commit order (a
 *   sequence alone is not enough: a slow transaction could commit a lower position after a reader passed it).
 * - `events.data` / `events.metadata` are `text`, not `jsonb`: the exact bytes the hash chains cover (jsonb would
 *   reorder keys and drop whitespace, and the chain could no longer be recomputed from what is stored).
 * - `events.event_id` is UNIQUE: idempotency (ids derive from the command id). `(stream_id, revision)` is UNIQUE.
 * - `streams` keeps each stream's last revision, position and stream hash: an append checks its expected revision
 *   and links its chain with one primary-key lookup.
 * - `log_head` (one row) is the lock every append takes, and the last assigned position and log hash: a log whose
 *   events end below it was truncated (what `sqlite_sequence` tells on SQLite).
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE events (
  position     bigint  PRIMARY KEY,
  stream_id    text    NOT NULL,
  revision     bigint  NOT NULL,
  event_id     text    NOT NULL UNIQUE,
  type         text    NOT NULL,
  data         text    NOT NULL,
  metadata     text    NOT NULL,
  recorded_at  text    NOT NULL,
  stream_hash  text,
  log_hash     text,
  UNIQUE (stream_id, revision)
);
CREATE TABLE streams (
  stream_id      text    PRIMARY KEY,
  last_revision  bigint  NOT NULL,
  last_position  bigint  NOT NULL,
  last_hash      text    NOT NULL
);
CREATE TABLE log_head (
  id        integer PRIMARY KEY CHECK (id = 1),
  position  bigint  NOT NULL,
  log_hash  text    NOT NULL
);
INSERT INTO log_head (id, position, log_hash) VALUES (1, 0, '${GENESIS}');
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Any fixed number: the advisory lock that makes concurrent openers migrate once. */
const MIGRATION_LOCK = 0x4845_4152; // "HEAR"

/** The wake-up channel of subscriptions (NOTIFY carries the new head position; readers still poll behind it). */
export const APPENDED_CHANNEL = 'hearth_events_appended';

/**
 * Applies every migration the database does not have yet, each in its own transaction, under a transaction-level
 * advisory lock so several processes starting at once migrate once. A database newer than this code is refused.
 */
export async function migrate(pool: Pool): Promise<void> {
  await withClient(pool, async (client: PoolClient) => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS hearth_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM hearth_schema');
      const current = rows[0]?.v ?? 0;
      if (current > SCHEMA_VERSION) throw new Error(`the event log's schema is version ${current}, newer than this Hearth (${SCHEMA_VERSION})`);
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO hearth_schema (version) VALUES ($1)', [m.version]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}
