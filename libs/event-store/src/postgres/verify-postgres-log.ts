import { Pool } from 'pg';
import type { VerifyIntegrityOptions } from '../event-store.port';
import type { FileVerification } from '../sqlite/integrity';
import { verifyPostgresChain } from './postgres-integrity';

const CHAIN_TABLES = ['events', 'streams', 'log_head'];

/**
 * `hearth verify` on PostgreSQL: the chains walked over connections that are read-only for the server
 * (default_transaction_read_only), without opening the store, so nothing is migrated or written. Missing tables
 * are "cannot check", never "intact".
 */
export async function verifyPostgresLog(connectionString: string, options: VerifyIntegrityOptions = {}): Promise<FileVerification> {
  const pool = new Pool({ connectionString, max: 2, connectionTimeoutMillis: 5_000, application_name: 'hearth-verify', options: '-c default_transaction_read_only=on' });
  pool.on('error', () => undefined);
  try {
    const present = await pool.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)', [CHAIN_TABLES]);
    const absent = CHAIN_TABLES.filter((t) => !present.rows.some((r) => r.name === t));
    if (absent.length) return { checked: false, reason: `the database has no ${absent.join(', ')} table: it is not a Hearth event log` };
    return { checked: true, report: await verifyPostgresChain(pool, options, () => undefined) };
  } catch (err) {
    return { checked: false, reason: `cannot read the PostgreSQL log: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    await pool.end();
  }
}
