/**
 * Versioned migrations of the key store's tables (table `hearth_key_schema`). They can share the event log's
 * database: every name is its own. A subject has at most one data key at a time (an erasure deletes them all and the
 * next use creates a new one), so `data_keys.subject_id` is UNIQUE: two hosts creating a subject's first key at once
 * both INSERT … ON CONFLICT DO NOTHING, and the loser reads and uses the winner's key.
 */
export const KEY_STORE_MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE key_meta (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE key_subjects (subject_id text PRIMARY KEY, kind text NOT NULL, created_at text NOT NULL);
CREATE TABLE data_keys (
  key_id      text PRIMARY KEY,
  subject_id  text NOT NULL UNIQUE,
  wrapped     bytea NOT NULL,
  created_at  text NOT NULL
);
CREATE TABLE subject_streams (subject_id text NOT NULL, stream_id text NOT NULL, PRIMARY KEY (subject_id, stream_id));
CREATE TABLE blind_index (
  scope text NOT NULL, value text NOT NULL, subject_id text NOT NULL, stream_id text NOT NULL,
  PRIMARY KEY (scope, value, subject_id, stream_id)
);
CREATE INDEX blind_index_by_subject ON blind_index (subject_id);
CREATE TABLE erasures (
  erasure_id  text PRIMARY KEY,
  seq         bigserial NOT NULL,
  subject_id  text NOT NULL,
  erased_at   text NOT NULL,
  event       text NOT NULL,
  metadata    text NOT NULL,
  logged      boolean NOT NULL DEFAULT false
);
CREATE INDEX erasures_by_subject ON erasures (subject_id);
`,
  },
];
/** The advisory lock under which concurrent openers migrate once. */
export const KEY_STORE_MIGRATION_LOCK = 0x4b455953; // "KEYS"
