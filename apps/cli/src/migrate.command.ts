import { parseArgs } from 'node:util';
import { copySqliteLogToPostgres } from '@hearth/event-store';
import { configFromEnv, copySqliteKeysToPostgres, parseMasterKey } from '@hearth/platform';

export const MIGRATE_USAGE = `  migrate --to postgres [--file PATH] [--keys-file PATH]
                                 copy the SQLite log and key store (HEARTH_SQLITE_FILE, HEARTH_KEYS_FILE) into HEARTH_POSTGRES_URL with Hearth
                                 stopped: rows unchanged (hashes too, keys still wrapped), page by page; run it again after an interruption
                                 and it resumes. Both chains are then verified against the SQLite head; exit 0 done, 1 not verified
`;

/** `hearth migrate --to postgres`: the log, then the key store; prints what was copied and the verified head. */
export async function migrateCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { to: { type: 'string' }, file: { type: 'string' }, 'keys-file': { type: 'string' } } });
  if (values.to !== 'postgres') {
    process.stdout.write(MIGRATE_USAGE);
    process.exitCode = 2;
    return;
  }
  const config = configFromEnv({ ...process.env, HEARTH_JWT_SECRET: process.env.HEARTH_JWT_SECRET || 'migrate-needs-no-secret' });
  if (!config.postgresUrl) throw new Error('HEARTH_POSTGRES_URL must name the PostgreSQL database to copy into');
  const file = values.file ?? config.sqliteFile;
  const log = await copySqliteLogToPostgres(file, config.postgresUrl, {
    onProgress: (at, last) => process.stderr.write(`log: position ${at} of ${last}\r`),
  });
  process.stderr.write('\n');
  console.log(`log: ${log.copied} events copied${log.resumedAt ? ` (resumed after position ${log.resumedAt})` : ''}`);
  const keys = await copySqliteKeysToPostgres(values['keys-file'] ?? config.keysFile, config.postgresUrl, parseMasterKey(config.masterKey));
  console.log(`keys: ${keys.keys} data keys of ${keys.subjects} subjects, ${keys.streams} uses, ${keys.blindIndexes} blind-index values, ${keys.erasures} erasures`);
  const r = log.report;
  if (!r?.ok) {
    console.log(`NOT VERIFIED: ${r?.break ? `${r.break.kind} at position ${r.break.position}: ${r.break.detail}` : 'the copy is incomplete'}`);
    process.exitCode = 1;
    return;
  }
  const head = r.head ? `${r.head.position}:${r.head.logHash}` : 'empty log';
  console.log(`OK: ${r.checkedEvents} events in ${r.checkedStreams} streams verified in PostgreSQL against the SQLite head ${head}`);
}
