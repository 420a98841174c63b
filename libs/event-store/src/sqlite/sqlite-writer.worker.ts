import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { AppendRequest, Outcome, PlainError, SqliteAppendWriter, toPlainError } from './sqlite-append-writer';

/**
 * The SQLite log's writer thread (SqliteEventStoreOptions.writerThread): its own connection commits each group the
 * store sends, so the COMMIT's fsync blocks this thread, not the process's event loop. The schema is migrated by the
 * store before the thread starts.
 */
export interface WriterThreadData {
  file: string;
}

export type WriterRequest = { id: number; req: { group: AppendRequest[] } };
export type WriterReply = { outcomes: Outcome[] } | { failure: PlainError };

const { file } = workerData as WriterThreadData;
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
// The store retries SQLITE_BUSY itself, asynchronously: never sleep inside SQLite (see SqliteEventStore.flush).
db.pragma('busy_timeout = 0');
db.pragma('foreign_keys = ON');
const writer = new SqliteAppendWriter(db);

parentPort!.on('message', (m: WriterRequest | 'close') => {
  if (m === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = { outcomes: writer.commit(m.req.group).map((o) => (o.ok ? o : { ok: false as const, error: toPlainError(o.error) })) };
  } catch (err) {
    reply = { failure: toPlainError(err) };
  }
  parentPort!.postMessage({ id: m.id, reply });
});
