import Database from 'better-sqlite3';
import { Pool } from 'pg';
import type { ChainHead, IntegrityReport } from '../event-store.port';
import { withClient } from './pooled-client';
import { verifyPostgresChain } from './postgres-integrity';
import { toPosition } from './postgres-rows';
import { migrate } from './schema';

export interface CopyLogOptions {
  /** Rows per transaction: each page commits on its own, so an interrupted copy resumes after the last one. */
  pageSize?: number;
  /** Stop after this many pages (tests of resumption; operators never need it). */
  maxPages?: number;
  onProgress?: (copiedUpTo: number, last: number) => void;
}

export interface CopyLogResult {
  /** Events already in PostgreSQL when this run started (a resumed copy). */
  resumedAt: number;
  copied: number;
  /** The SQLite log's head: PostgreSQL's chain is verified against it. */
  sourceHead: ChainHead | null;
  complete: boolean;
  /** Both chains of the PostgreSQL log, walked against the SQLite head (once complete). */
  report?: IntegrityReport;
}

type Row = { position: number; stream_id: string; revision: number; event_id: string; type: string; data: string; metadata: string; recorded_at: string; stream_hash: string | null; log_hash: string | null };

const INSERT_PAGE = `
WITH ev AS (
  INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at, stream_hash, log_hash)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
), st AS (
  INSERT INTO streams (stream_id, last_revision, last_position, last_hash)
  SELECT * FROM unnest($11::text[], $12::bigint[], $13::bigint[], $14::text[])
  ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision, last_position = excluded.last_position, last_hash = excluded.last_hash
)
UPDATE log_head SET position = $15, log_hash = $16 WHERE id = 1`;

/**
 * `hearth migrate --to postgres`, the log: copies a SQLite event log into PostgreSQL row for row — positions, revisions,
 * ids, the stored JSON text, recorded times and both hashes unchanged, so the chains carry over and are checked
 * against the SQLite head at the end. Resumable: it continues after the last position PostgreSQL holds, once it has
 * checked that this position holds the same link of the same chain (else it refuses: another log is there).
 * Run it with Hearth stopped (no appends to the SQLite file meanwhile).
 */
export async function copySqliteLogToPostgres(sqliteFile: string, connectionString: string, options: CopyLogOptions = {}): Promise<CopyLogResult> {
  const pageSize = options.pageSize ?? 5_000;
  const src = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  const pool = new Pool({ connectionString, max: 2, application_name: 'hearth-migrate' });
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
    const last = src.prepare('SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1').get() as { position: number; log_hash: string | null } | undefined;
    const sourceHead: ChainHead | null = last ? { position: last.position, logHash: last.log_hash ?? '' } : null;
    const there = (await pool.query<{ position: string; log_hash: string | null }>('SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1')).rows[0];
    const resumedAt = there ? toPosition(there.position) : 0;
    if (there) {
      const same = src.prepare('SELECT log_hash FROM events WHERE position = ?').get(resumedAt) as { log_hash: string | null } | undefined;
      if (!same || same.log_hash !== there.log_hash)
        throw new Error(`the PostgreSQL log already holds events that are not this SQLite log's (position ${resumedAt} differs): refusing to mix two logs`);
    }
    const page = src.prepare(`SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?`);
    let after = resumedAt;
    let copied = 0;
    let pages = 0;
    for (;;) {
      if (options.maxPages !== undefined && pages >= options.maxPages) break;
      const rows = page.all(after, pageSize) as Row[];
      if (!rows.length) break;
      await copyPage(pool, rows);
      after = rows[rows.length - 1].position;
      copied += rows.length;
      pages++;
      options.onProgress?.(after, sourceHead?.position ?? 0);
    }
    const complete = !sourceHead || after >= sourceHead.position;
    const report = complete ? await verifyPostgresChain(pool, sourceHead ? { expectedHead: sourceHead } : {}, () => undefined) : undefined;
    return { resumedAt, copied, sourceHead, complete, ...(report ? { report } : {}) };
  } finally {
    src.close();
    await pool.end();
  }
}

/** One page in one transaction, under the head row lock like any append (a running Hearth would wait, not interleave). */
async function copyPage(pool: Pool, rows: Row[]): Promise<void> {
  const tips = new Map<string, [revision: number, position: number, hash: string]>();
  for (const r of rows) tips.set(r.stream_id, [r.revision, r.position, r.stream_hash ?? '']);
  const col = <K extends keyof Row>(k: K): Row[K][] => rows.map((r) => r[k]);
  const top = rows[rows.length - 1];
  await withClient(pool, async (c) => {
    await c.query('BEGIN');
    try {
      await c.query('SELECT 1 FROM log_head WHERE id = 1 FOR UPDATE');
      await c.query(INSERT_PAGE, [
        col('position'),
        col('stream_id'),
        col('revision'),
        col('event_id'),
        col('type'),
        col('data'),
        col('metadata'),
        col('recorded_at'),
        col('stream_hash'),
        col('log_hash'),
        [...tips.keys()],
        [...tips.values()].map((t) => t[0]),
        [...tips.values()].map((t) => t[1]),
        [...tips.values()].map((t) => t[2]),
        top.position,
        top.log_hash ?? '',
      ]);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}
