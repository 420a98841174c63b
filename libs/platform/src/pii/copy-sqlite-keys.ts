import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { masterKeyCheck, open, wrapAad } from './master-key';
import { PostgresKeyStore } from './postgres-key-store';

export interface CopyKeysResult {
  subjects: number;
  keys: number;
  streams: number;
  blindIndexes: number;
  erasures: number;
}

/**
 * `hearth migrate --to postgres`, the key store: copies a SQLite key store into PostgreSQL in one transaction —
 * subjects, the data keys still wrapped by the same master key (never unwrapped on the way), their uses, the blind
 * index and the erasures. Idempotent (ON CONFLICT DO NOTHING), so a rerun after an interruption completes it. The
 * master key must be the one both stores were created with; at the end every copied key is unwrapped from
 * PostgreSQL to prove bytes and master key match, and the row counts are compared.
 */
export async function copySqliteKeysToPostgres(keysFile: string, connectionString: string, masterKey: Buffer): Promise<CopyKeysResult> {
  const src = new Database(keysFile, { readonly: true, fileMustExist: true });
  // Creates the tables and records (or checks) the master key's check value.
  const target = await PostgresKeyStore.open({ connectionString, masterKey });
  await target.close();
  const pool = new Pool({ connectionString, max: 1, application_name: 'hearth-migrate' });
  pool.on('error', () => undefined);
  try {
    const check = src.prepare("SELECT value FROM meta WHERE name = 'master-key-check'").get() as { value: string } | undefined;
    if (check && check.value !== masterKeyCheck(masterKey)) throw new Error('HEARTH_MASTER_KEY is not the master key of the SQLite key store');
    const all = <T>(sql: string): T[] => src.prepare(sql).all() as T[];
    const subjects = all<{ subject_id: string; kind: string; created_at: string }>('SELECT subject_id, kind, created_at FROM subjects');
    const keys = all<{ key_id: string; subject_id: string; wrapped: Buffer; created_at: string }>('SELECT key_id, subject_id, wrapped, created_at FROM data_keys ORDER BY seq');
    const streams = all<{ subject_id: string; stream_id: string }>('SELECT subject_id, stream_id FROM subject_streams');
    const indexes = all<{ scope: string; value: string; subject_id: string; stream_id: string }>('SELECT scope, value, subject_id, stream_id FROM blind_index');
    const erasures = all<{ erasure_id: string; subject_id: string; erased_at: string; event: string; metadata: string; logged: number }>(
      'SELECT erasure_id, subject_id, erased_at, event, metadata, logged FROM erasures ORDER BY rowid',
    );
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO key_subjects (subject_id, kind, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING', [
        subjects.map((s) => s.subject_id),
        subjects.map((s) => s.kind),
        subjects.map((s) => s.created_at),
      ]);
      await c.query('INSERT INTO data_keys (key_id, subject_id, wrapped, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[]) ON CONFLICT DO NOTHING', [
        keys.map((k) => k.key_id),
        keys.map((k) => k.subject_id),
        keys.map((k) => k.wrapped),
        keys.map((k) => k.created_at),
      ]);
      await c.query('INSERT INTO subject_streams (subject_id, stream_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [
        streams.map((s) => s.subject_id),
        streams.map((s) => s.stream_id),
      ]);
      await c.query('INSERT INTO blind_index (scope, value, subject_id, stream_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING', [
        indexes.map((i) => i.scope),
        indexes.map((i) => i.value),
        indexes.map((i) => i.subject_id),
        indexes.map((i) => i.stream_id),
      ]);
      // One by one, in the SQLite order, so `seq` keeps that order.
      for (const e of erasures)
        await c.query('INSERT INTO erasures (erasure_id, subject_id, erased_at, event, metadata, logged) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING', [
          e.erasure_id,
          e.subject_id,
          e.erased_at,
          e.event,
          e.metadata,
          e.logged === 1,
        ]);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }

    const stored = (await pool.query<{ key_id: string; subject_id: string; wrapped: Buffer }>('SELECT key_id, subject_id, wrapped FROM data_keys WHERE key_id = ANY($1::text[])', [keys.map((k) => k.key_id)])).rows;
    if (stored.length !== keys.length) throw new Error(`only ${stored.length} of ${keys.length} data keys are in PostgreSQL (another key exists for one of their subjects)`);
    for (const k of stored) open(masterKey, k.wrapped, wrapAad(k.subject_id, k.key_id));
    return { subjects: subjects.length, keys: keys.length, streams: streams.length, blindIndexes: indexes.length, erasures: erasures.length };
  } finally {
    src.close();
    await pool.end();
  }
}
