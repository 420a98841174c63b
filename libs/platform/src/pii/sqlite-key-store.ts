import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fromPlainError, startWriterWorker, WriterChannel } from '@hearth/event-store';
import type { BlindIndexEntry, DataKey, ErasureRecord, KeyStore, SubjectInfo, SubjectKind, SubjectUse } from './key-store';
import { masterKeyCheck, open, seal, wrapAad } from './master-key';
import { KeyStoreWriteOp, KeyStoreWriteResult, KeyStoreWrites, StoredKeyRow } from './key-store-writes';
import type { KeyWriterReply } from './key-store-writer.worker';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subjects (
  subject_id  TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  created_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS data_keys (
  key_id      TEXT PRIMARY KEY,
  subject_id  TEXT NOT NULL,
  wrapped     BLOB NOT NULL,
  created_at  TEXT NOT NULL,
  seq         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS data_keys_by_subject ON data_keys (subject_id, seq);
CREATE INDEX IF NOT EXISTS data_keys_by_seq ON data_keys (seq);
CREATE TABLE IF NOT EXISTS subject_streams (
  subject_id  TEXT NOT NULL,
  stream_id   TEXT NOT NULL,
  PRIMARY KEY (subject_id, stream_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blind_index (
  scope       TEXT NOT NULL,
  value       TEXT NOT NULL,
  subject_id  TEXT NOT NULL,
  stream_id   TEXT NOT NULL,
  PRIMARY KEY (scope, value, subject_id, stream_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS blind_index_by_subject ON blind_index (subject_id);
CREATE TABLE IF NOT EXISTS erasures (
  erasure_id  TEXT PRIMARY KEY,
  subject_id  TEXT NOT NULL,
  erased_at   TEXT NOT NULL,
  event       TEXT NOT NULL,
  metadata    TEXT NOT NULL,
  logged      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS erasures_by_subject ON erasures (subject_id);
`;

interface KeyRow {
  key_id: string;
  subject_id: string;
  wrapped: Buffer;
}
interface ErasureRow {
  erasure_id: string;
  subject_id: string;
  erased_at: string;
  event: string;
  metadata: string;
  logged: number;
}

export interface SqliteKeyStoreOptions {
  /** `keys.sqlite` in the data folder by default (HEARTH_KEYS_FILE); its folder is created if missing. */
  file: string;
  masterKey: Buffer;
  busyTimeoutMs?: number;
  /** Unwrapped data keys kept in memory (per map); 0 turns the cache off. */
  cachedKeys?: number;
  /** Commit on a writer thread with its own connection, so the fsync does not block the event loop. Default false. */
  writerThread?: boolean;
}

interface QueuedWrite {
  op: KeyStoreWriteOp;
  resolve: (existing: Record<string, StoredKeyRow>) => void;
  reject: (e: unknown) => void;
}

/** The writer thread's entry (key-store-writer.worker.js in dist/, .ts from sources). */
const KEY_WRITER_WORKER = join(__dirname, 'key-store-writer.worker');

/**
 * The key store in its own SQLite file (better-sqlite3, WAL, synchronous=FULL: a key the log depends on is on disk
 * before the event that uses it). `secure_delete` overwrites deleted keys in the database file, and every erasure
 * truncates the WAL, so a destroyed key does not linger on disk (it was wrapped by the master key anyway).
 * Several processes (api, worker) may open the same file.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly master: Buffer;
  private readonly q;
  /** Writes of concurrent commands share one transaction, so one fsync (group commit), as the event store does. */
  private queue: QueuedWrite[] = [];
  private flushing = false;
  private readonly writes?: KeyStoreWrites;
  private readonly thread?: WriterChannel<{ ops: KeyStoreWriteOp[] }, KeyWriterReply>;
  private readonly creating = new Map<string, Promise<DataKey>>();
  /**
   * Unwrapped keys by key id and by subject. Any erasure, by any process, adds a row to `erasures`: the cache is
   * dropped whenever the highest erasure rowid moves, so a destroyed key is never served from memory.
   */
  private readonly byKeyId = new Map<string, DataKey>();
  private readonly bySubject = new Map<string, DataKey>();
  private readonly cacheLimit: number;
  private erasureMark = -1;

  constructor(o: SqliteKeyStoreOptions) {
    if (o.masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.master = o.masterKey;
    const file = resolve(o.file);
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma(`busy_timeout = ${o.busyTimeoutMs ?? 10_000}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
    this.db.exec(SCHEMA);
    this.checkMasterKey();
    this.cacheLimit = o.cachedKeys ?? 20_000;
    this.q = {
      erasureMark: this.db.prepare<[], { mark: number }>('SELECT COALESCE(MAX(rowid), 0) AS mark FROM erasures'),
      latestKey: this.db.prepare<[string], KeyRow>('SELECT key_id, subject_id, wrapped FROM data_keys WHERE subject_id = ? ORDER BY seq DESC LIMIT 1'),
      keyById: this.db.prepare<[string], KeyRow>('SELECT key_id, subject_id, wrapped FROM data_keys WHERE key_id = ?'),
      keysOf: this.db.prepare<[string], { key_id: string }>('SELECT key_id FROM data_keys WHERE subject_id = ? ORDER BY seq'),
      subject: this.db.prepare<[string], { subject_id: string; kind: SubjectKind; created_at: string }>('SELECT * FROM subjects WHERE subject_id = ?'),
      hasStream: this.db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM subject_streams WHERE subject_id = ? AND stream_id = ?'),
      streamsOf: this.db.prepare<[string], { stream_id: string }>('SELECT stream_id FROM subject_streams WHERE subject_id = ? ORDER BY stream_id'),
      hasIndex: this.db.prepare<[string, string, string, string], { one: number }>(
        'SELECT 1 AS one FROM blind_index WHERE scope = ? AND value = ? AND subject_id = ? AND stream_id = ?',
      ),
      anyIndex: this.db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM blind_index WHERE scope = ? AND value = ? LIMIT 1'),
      indexesOf: this.db.prepare<[string], { scope: string; value: string; subject_id: string; stream_id: string }>(
        'SELECT scope, value, subject_id, stream_id FROM blind_index WHERE subject_id = ? ORDER BY scope, value, stream_id',
      ),
      deleteKeys: this.db.prepare('DELETE FROM data_keys WHERE subject_id = ?'),
      deleteIndexes: this.db.prepare('DELETE FROM blind_index WHERE subject_id = ?'),
      insertErasure: this.db.prepare('INSERT INTO erasures (erasure_id, subject_id, erased_at, event, metadata, logged) VALUES (?, ?, ?, ?, ?, 0)'),
      erasuresOf: this.db.prepare<[string], ErasureRow>('SELECT * FROM erasures WHERE subject_id = ? ORDER BY erased_at'),
      unlogged: this.db.prepare<[], ErasureRow>('SELECT * FROM erasures WHERE logged = 0 ORDER BY erased_at'),
      markLogged: this.db.prepare('UPDATE erasures SET logged = 1 WHERE erasure_id = ?'),
    };
    if (o.writerThread)
      this.thread = new WriterChannel(startWriterWorker(KEY_WRITER_WORKER, { file, busyTimeoutMs: o.busyTimeoutMs ?? 10_000 }), 'key store');
    else this.writes = new KeyStoreWrites(this.db);
  }

  /** The first process to open the file records a check value of the master key; later ones must match it. */
  private checkMasterKey(): void {
    const check = masterKeyCheck(this.master);
    const tx = this.db.transaction(() => {
      const row = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE name = 'master-key-check'").get();
      if (!row) this.db.prepare("INSERT INTO meta (name, value) VALUES ('master-key-check', ?)").run(check);
      else if (row.value !== check) throw new Error('HEARTH_MASTER_KEY is not the master key this key store was created with');
    });
    tx.immediate();
  }

  private unwrap(row: KeyRow | StoredKeyRow): DataKey {
    // A row from the writer thread arrives as a plain Uint8Array.
    const wrapped = Buffer.isBuffer(row.wrapped) ? row.wrapped : Buffer.from(row.wrapped.buffer, row.wrapped.byteOffset, row.wrapped.byteLength);
    return { keyId: row.key_id, subjectId: row.subject_id, key: open(this.master, wrapped, wrapAad(row.subject_id, row.key_id)) };
  }

  async currentKey(subjectId: string, kind: SubjectKind): Promise<DataKey> {
    return (await this.keysFor([{ subjectId, kind }], [])).get(subjectId)!;
  }

  async keysFor(subjects: ReadonlyArray<{ subjectId: string; kind: SubjectKind }>, uses: readonly SubjectUse[]): Promise<Map<string, DataKey>> {
    this.checkCache();
    const out = new Map<string, DataKey>();
    const waiting: Array<Promise<DataKey>> = [];
    const toCreate = new Map<string, SubjectKind>();
    for (const { subjectId, kind } of subjects) {
      if (out.has(subjectId) || toCreate.has(subjectId)) continue;
      const known = this.bySubject.get(subjectId) ?? this.existingKey(subjectId);
      if (known) out.set(subjectId, known);
      else if (this.creating.has(subjectId)) waiting.push(this.creating.get(subjectId)!);
      else toCreate.set(subjectId, kind);
    }
    const op = this.missingUses(uses);
    if (toCreate.size || op.streams.length || op.indexes.length) {
      // New keys are generated and wrapped here; the write only stores them (unless another process was first).
      const now = new Date().toISOString();
      const created = new Map<string, DataKey>();
      for (const [subjectId, kind] of toCreate) {
        const keyId = randomUUID();
        const key = randomBytes(32);
        created.set(subjectId, { keyId, subjectId, key });
        op.keys.push({ subjectId, kind, keyId, wrapped: seal(this.master, key, wrapAad(subjectId, keyId)), createdAt: now });
      }
      const written = this.write(op);
      for (const subjectId of toCreate.keys()) {
        const one = written
          .then((existing) => this.remember(existing[subjectId] ? this.unwrap(existing[subjectId]) : created.get(subjectId)!))
          .finally(() => this.creating.delete(subjectId));
        this.creating.set(subjectId, one);
        waiting.push(one);
      }
      await written;
    }
    for (const k of await Promise.all(waiting)) out.set(k.subjectId, k);
    return out;
  }

  private existingKey(subjectId: string): DataKey | undefined {
    const row = this.q.latestKey.get(subjectId);
    return row ? this.remember(this.unwrap(row)) : undefined;
  }

  async keyById(keyId: string): Promise<DataKey | undefined> {
    this.checkCache();
    const cached = this.byKeyId.get(keyId);
    if (cached) return cached;
    const row = this.q.keyById.get(keyId);
    return row ? this.remember(this.unwrap(row), false) : undefined;
  }

  async registerUse(uses: readonly SubjectUse[]): Promise<void> {
    const op = this.missingUses(uses);
    if (op.streams.length || op.indexes.length) await this.write(op);
  }

  /** The inserts `uses` still need. Reads first: the common case (already registered) writes nothing, costs no fsync. */
  private missingUses(uses: readonly SubjectUse[]): KeyStoreWriteOp {
    const op: KeyStoreWriteOp = { keys: [], streams: [], indexes: [] };
    for (const u of uses) {
      if (!this.q.hasStream.get(u.subjectId, u.streamId)) op.streams.push([u.subjectId, u.streamId]);
      for (const b of u.blindIndexes)
        if (!this.q.hasIndex.get(b.scope, b.value, u.subjectId, u.streamId)) op.indexes.push([b.scope, b.value, u.subjectId, u.streamId]);
    }
    return op;
  }

  /** Queues a write; it commits with the other writes queued in the same turn of the event loop (one fsync). */
  private write(op: KeyStoreWriteOp): Promise<Record<string, StoredKeyRow>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) {
      this.flushing = false;
      return;
    }
    try {
      const results = await this.commit(batch.map((w) => w.op));
      batch.forEach((w, i) => {
        const r = results[i];
        if (r.ok) w.resolve(r.existing);
        else w.reject(fromPlainError(r.error));
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
    // Writes queued while this one was committing go next, together.
    if (this.queue.length) void this.flush();
    else this.flushing = false;
  }

  /** One group of ops: on the writer thread, or on this connection. Throws when the group as a whole failed. */
  private async commit(ops: KeyStoreWriteOp[]): Promise<KeyStoreWriteResult[]> {
    if (!this.thread) return this.writes!.commit(ops);
    const reply = await this.thread.request({ ops });
    if ('failure' in reply) throw fromPlainError(reply.failure);
    return reply.results;
  }

  private checkCache(): void {
    if (!this.cacheLimit) return;
    const mark = this.q.erasureMark.get()!.mark;
    if (mark !== this.erasureMark) {
      this.byKeyId.clear();
      this.bySubject.clear();
      this.erasureMark = mark;
    }
  }

  private remember(k: DataKey, current = true): DataKey {
    if (!this.cacheLimit) return k;
    for (const [map, id] of [[this.byKeyId, k.keyId], ...(current ? [[this.bySubject, k.subjectId]] : [])] as Array<[Map<string, DataKey>, string]>) {
      if (map.size >= this.cacheLimit) map.delete(map.keys().next().value!);
      map.set(id, k);
    }
    return k;
  }

  async hasBlindIndex(scope: string, value: string): Promise<boolean> {
    return !!this.q.anyIndex.get(scope, value);
  }

  async subject(subjectId: string): Promise<SubjectInfo | undefined> {
    const s = this.q.subject.get(subjectId);
    if (!s) return undefined;
    return {
      subjectId,
      kind: s.kind,
      createdAt: s.created_at,
      keyIds: this.q.keysOf.all(subjectId).map((r) => r.key_id),
      streams: this.q.streamsOf.all(subjectId).map((r) => r.stream_id),
      blindIndexes: this.q.indexesOf.all(subjectId).map(toEntry),
      erasures: this.q.erasuresOf.all(subjectId).map(toErasure),
    };
  }

  async erase(subjectId: string, build: Parameters<KeyStore['erase']>[1]): Promise<ErasureRecord | undefined> {
    const tx = this.db.transaction((): ErasureRecord | undefined => {
      const s = this.q.subject.get(subjectId);
      const keyIds = this.q.keysOf.all(subjectId).map((r) => r.key_id);
      if (!s || keyIds.length === 0) return undefined;
      const erasureId = randomUUID();
      const blindIndexes = this.q.indexesOf.all(subjectId).map(toEntry);
      const streams = this.q.streamsOf.all(subjectId).map((r) => r.stream_id);
      const { event, metadata, erasedAt } = build({ erasureId, keyIds, streams, blindIndexes, kind: s.kind });
      this.q.deleteKeys.run(subjectId);
      this.q.deleteIndexes.run(subjectId);
      this.q.insertErasure.run(erasureId, subjectId, erasedAt, JSON.stringify(event), JSON.stringify(metadata));
      return { erasureId, subjectId, erasedAt, event, metadata, logged: false };
    });
    const record = tx.immediate();
    this.checkCache();
    // Move the deleted pages out of the WAL into the (secure_delete-zeroed) database file and truncate the WAL.
    if (record) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return record;
  }

  async unloggedErasures(): Promise<ErasureRecord[]> {
    return this.q.unlogged.all().map(toErasure);
  }

  async markErasureLogged(erasureId: string): Promise<void> {
    this.q.markLogged.run(erasureId);
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length) await new Promise((r) => setImmediate(r));
    await this.thread?.close();
    if (this.db.open) this.db.close();
  }
}

const toEntry = (r: { scope: string; value: string; subject_id: string; stream_id: string }): BlindIndexEntry => ({
  scope: r.scope,
  value: r.value,
  subjectId: r.subject_id,
  streamId: r.stream_id,
});

const toErasure = (r: ErasureRow): ErasureRecord => ({
  erasureId: r.erasure_id,
  subjectId: r.subject_id,
  erasedAt: r.erased_at,
  event: JSON.parse(r.event) as Record<string, unknown>,
  metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  logged: r.logged === 1,
});
