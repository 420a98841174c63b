/**
 * SQLite schema for the event store. Idempotent: safe to run on every open, from several processes.
 *
 * - `events.position` is the global log position: INTEGER PRIMARY KEY AUTOINCREMENT, so it is an alias of the
 *   rowid, assigned inside the (serialised) write transaction and never reused, even after the newest rows are
 *   deleted.
 * - `events.event_id` is UNIQUE: the idempotency key (ids are derived from the command id).
 * - `(stream_id, revision)` is UNIQUE: the index used by every stream read, and a last line of defence against
 *   two writers producing the same revision.
 * - `streams` keeps the last revision of every stream so an append checks its expected revision with one
 *   primary-key lookup instead of a MAX() over the stream.
 */
export const SCHEMA_VERSION = 1;

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
  UNIQUE (stream_id, revision)
);

CREATE TABLE IF NOT EXISTS streams (
  stream_id      TEXT    PRIMARY KEY,
  last_revision  INTEGER NOT NULL
) WITHOUT ROWID;
`;
