import type Database from 'better-sqlite3';

/** What one caller needs written to the key store (new keys already generated and wrapped by the caller). */
export interface KeyStoreWriteOp {
  keys: Array<{ subjectId: string; kind: string; keyId: string; wrapped: Uint8Array; createdAt: string }>;
  streams: Array<[subjectId: string, streamId: string]>;
  indexes: Array<[scope: string, value: string, subjectId: string, streamId: string]>;
}

export interface StoredKeyRow {
  key_id: string;
  subject_id: string;
  wrapped: Uint8Array;
}

/** Per op: the subjects that turned out to have a key already (created by another process meanwhile), or the error. */
export type KeyStoreWriteResult = { ok: true; existing: Record<string, StoredKeyRow> } | { ok: false; error: { name: string; message: string; code?: string } };

/**
 * The key store's writes: a group of ops in one IMMEDIATE transaction (one fsync), each op in its own SAVEPOINT so
 * one that fails is undone and reported alone. Used on the store's own connection or on its writer thread
 * (key-store-writer.worker.ts), which is why it imports no path alias.
 */
export class KeyStoreWrites {
  private readonly q;
  private readonly group: (ops: readonly KeyStoreWriteOp[]) => KeyStoreWriteResult[];

  constructor(private readonly db: Database.Database) {
    this.q = {
      latestKey: db.prepare<[string], StoredKeyRow>('SELECT key_id, subject_id, wrapped FROM data_keys WHERE subject_id = ? ORDER BY seq DESC LIMIT 1'),
      nextSeq: db.prepare<[], { seq: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM data_keys'),
      insertKey: db.prepare('INSERT INTO data_keys (key_id, subject_id, wrapped, created_at, seq) VALUES (?, ?, ?, ?, ?)'),
      insertSubject: db.prepare('INSERT OR IGNORE INTO subjects (subject_id, kind, created_at) VALUES (?, ?, ?)'),
      insertStream: db.prepare('INSERT OR IGNORE INTO subject_streams (subject_id, stream_id) VALUES (?, ?)'),
      insertIndex: db.prepare('INSERT OR IGNORE INTO blind_index (scope, value, subject_id, stream_id) VALUES (?, ?, ?, ?)'),
    };
    const one = db.transaction((op: KeyStoreWriteOp) => this.apply(op));
    const group = db.transaction((ops: readonly KeyStoreWriteOp[]): KeyStoreWriteResult[] =>
      ops.map((op) => {
        try {
          return { ok: true, existing: one(op) };
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          return { ok: false, error: { name: (err as Error).name ?? 'Error', message: (err as Error).message ?? String(err), ...(typeof code === 'string' ? { code } : {}) } };
        }
      }),
    );
    this.group = (ops) => group.immediate(ops);
  }

  /** Throws only when the transaction as a whole fails (e.g. busy, I/O): then nothing was written. */
  commit(ops: readonly KeyStoreWriteOp[]): KeyStoreWriteResult[] {
    return this.group(ops);
  }

  private apply(op: KeyStoreWriteOp): Record<string, StoredKeyRow> {
    const existing: Record<string, StoredKeyRow> = {};
    for (const k of op.keys) {
      // Another process may have created this subject's key since the caller looked.
      const raced = this.q.latestKey.get(k.subjectId);
      if (raced) {
        existing[k.subjectId] = raced;
        continue;
      }
      this.q.insertSubject.run(k.subjectId, k.kind, k.createdAt);
      this.q.insertKey.run(k.keyId, k.subjectId, Buffer.from(k.wrapped.buffer, k.wrapped.byteOffset, k.wrapped.byteLength), k.createdAt, this.q.nextSeq.get()!.seq);
    }
    for (const [subjectId, streamId] of op.streams) this.q.insertStream.run(subjectId, streamId);
    for (const [scope, value, subjectId, streamId] of op.indexes) this.q.insertIndex.run(scope, value, subjectId, streamId);
    return existing;
  }
}
