import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { KeyStoreWriteOp, KeyStoreWriteResult, KeyStoreWrites } from './key-store-writes';

/**
 * The key store's writer thread (SqliteKeyStoreOptions.writerThread): its own connection commits the ops the store
 * sends, so the fsync that makes a new key durable blocks this thread, not the process's event loop. The schema is
 * created by the store before the thread starts.
 */
export type KeyWriterReply = { results: KeyStoreWriteResult[] } | { failure: { name: string; message: string; code?: string } };

const { file, busyTimeoutMs } = workerData as { file: string; busyTimeoutMs: number };
const db = new Database(file);
// This thread may wait for another process's lock: SQLite's own busy handler blocks only this thread.
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('secure_delete = ON');
const writes = new KeyStoreWrites(db);

parentPort!.on('message', (m: { id: number; req: { ops: KeyStoreWriteOp[] } } | 'close') => {
  if (m === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: KeyWriterReply;
  try {
    reply = { results: writes.commit(m.req.ops) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { failure: { name: (err as Error).name, message: (err as Error).message, ...(typeof code === 'string' ? { code } : {}) } };
  }
  parentPort!.postMessage({ id: m.id, reply });
});
