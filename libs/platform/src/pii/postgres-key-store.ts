import { randomBytes, randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import type { BlindIndexEntry, DataKey, ErasureRecord, KeyStore, SubjectInfo, SubjectKind, SubjectUse } from './key-store';
import { masterKeyCheck, open, seal, wrapAad } from './master-key';
import { KEY_STORE_MIGRATIONS as MIGRATIONS, KEY_STORE_MIGRATION_LOCK as MIGRATION_LOCK } from './postgres-key-schema';


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
  logged: boolean;
}

export interface PostgresKeyStoreOptions {
  /** HEARTH_POSTGRES_URL: the key store lives with the log, so every host sees the same keys and erasures. */
  connectionString: string;
  masterKey: Buffer;
  poolSize?: number;
  /** Unwrapped data keys kept in memory (per map); 0 turns the cache off. */
  cachedKeys?: number;
}

/** What one caller needs written (new keys already generated and wrapped here). */
interface WriteOp {
  keys: Array<{ subjectId: string; kind: SubjectKind; keyId: string; wrapped: Buffer; createdAt: string }>;
  streams: Array<[subjectId: string, streamId: string]>;
  indexes: Array<[scope: string, value: string, subjectId: string, streamId: string]>;
}

/** Every insert of a group of ops in one statement (atomic by itself: one commit, one WAL flush). */
const WRITE_GROUP = `
WITH s AS (
  INSERT INTO key_subjects (subject_id, kind, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING
), k AS (
  INSERT INTO data_keys (key_id, subject_id, wrapped, created_at) SELECT * FROM unnest($4::text[], $5::text[], $6::bytea[], $7::text[])
  ON CONFLICT (subject_id) DO NOTHING RETURNING key_id
), st AS (
  INSERT INTO subject_streams (subject_id, stream_id) SELECT * FROM unnest($8::text[], $9::text[]) ON CONFLICT DO NOTHING
), bi AS (
  INSERT INTO blind_index (scope, value, subject_id, stream_id) SELECT * FROM unnest($10::text[], $11::text[], $12::text[], $13::text[]) ON CONFLICT DO NOTHING
)
SELECT key_id FROM k`;

/**
 * The crypto-shredding key store on PostgreSQL (several hosts): keys wrapped by the master key exactly as in the
 * SQLite store, their uses and the blind index, erasures with their SubjectErased event. Writes of concurrent
 * commands share one statement (group commit). Unwrapped keys are cached per process; the cache is dropped whenever
 * the number of erasures changes, whichever host erased (a count, not a max(seq): sequence values commit out of order).
 *
 * Erasure and PostgreSQL's storage: DELETE leaves the old row versions (still wrapped by the master key) in the
 * table's pages until VACUUM reclaims them, in the WAL until it is recycled, and in base backups and WAL archives
 * for their retention. An erased key is unrecoverable once those are gone, or at once for whoever lacks the master
 * key: keep backup retention bounded and the master key apart from the backups (README, "Running at scale").
 */
export class PostgresKeyStore implements KeyStore {
  private readonly pool: Pool;
  private readonly master: Buffer;
  private readonly cacheLimit: number;
  private readonly byKeyId = new Map<string, DataKey>();
  private readonly bySubject = new Map<string, DataKey>();
  private erasureMark = -1;
  private markInFlight?: Promise<void>;
  private markNext?: Promise<void>;
  private readonly creating = new Map<string, Promise<DataKey>>();
  private queue: Array<{ op: WriteOp; resolve: (existing: Map<string, KeyRow>) => void; reject: (e: unknown) => void }> = [];
  private flushing = false;
  private opened?: Promise<void>;

  constructor(o: PostgresKeyStoreOptions) {
    if (o.masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.master = o.masterKey;
    this.cacheLimit = o.cachedKeys ?? 20_000;
    this.pool = new Pool({ connectionString: o.connectionString, max: o.poolSize ?? 4, connectionTimeoutMillis: 5_000, query_timeout: 30_000, application_name: 'hearth-key-store' });
    this.pool.on('error', () => undefined);
  }

  /** Opens the store: migrates and checks the master key (the constructor alone defers that to the first call). */
  static async open(o: PostgresKeyStoreOptions): Promise<PostgresKeyStore> {
    const store = new PostgresKeyStore(o);
    try {
      await store.ready();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private ready(): Promise<void> {
    this.opened ??= this.migrateAndCheck().catch((err: unknown) => {
      this.opened = undefined;
      throw err;
    });
    return this.opened;
  }

  /** Migrations and the master-key check in one transaction under an advisory lock: the first opener records the check. */
  private async migrateAndCheck(): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query('CREATE TABLE IF NOT EXISTS hearth_key_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const current = (await c.query<{ v: number | null }>('SELECT max(version) AS v FROM hearth_key_schema')).rows[0]?.v ?? 0;
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO hearth_key_schema (version) VALUES ($1)', [m.version]);
      }
      const check = masterKeyCheck(this.master);
      const row = (await c.query<{ value: string }>("SELECT value FROM key_meta WHERE name = 'master-key-check'")).rows[0];
      if (!row) await c.query("INSERT INTO key_meta (name, value) VALUES ('master-key-check', $1)", [check]);
      else if (row.value !== check) throw new Error('HEARTH_MASTER_KEY is not the master key this key store was created with');
    });
  }

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (err: Error) => (broken = err);
    c.on('error', onError);
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }

  private unwrap(row: KeyRow): DataKey {
    return { keyId: row.key_id, subjectId: row.subject_id, key: open(this.master, row.wrapped, wrapAad(row.subject_id, row.key_id)) };
  }

  async currentKey(subjectId: string, kind: SubjectKind): Promise<DataKey> {
    return (await this.keysFor([{ subjectId, kind }], [])).get(subjectId)!;
  }

  async keysFor(subjects: ReadonlyArray<{ subjectId: string; kind: SubjectKind }>, uses: readonly SubjectUse[]): Promise<Map<string, DataKey>> {
    await this.ready();
    await this.checkCache();
    const out = new Map<string, DataKey>();
    const waiting: Array<Promise<DataKey>> = [];
    const unknown = [...new Map(subjects.filter((s) => !this.bySubject.has(s.subjectId)).map((s) => [s.subjectId, s.kind])).entries()];
    const stored = unknown.length ? await this.keysOfSubjects(unknown.map(([id]) => id)) : new Map<string, KeyRow>();
    const toCreate = new Map<string, SubjectKind>();
    for (const { subjectId } of subjects) {
      if (out.has(subjectId) || toCreate.has(subjectId)) continue;
      const known = this.bySubject.get(subjectId) ?? (stored.get(subjectId) && this.remember(this.unwrap(stored.get(subjectId)!)));
      if (known) out.set(subjectId, known);
      else if (this.creating.has(subjectId)) waiting.push(this.creating.get(subjectId)!);
      else toCreate.set(subjectId, unknown.find(([id]) => id === subjectId)![1]);
    }
    const op = await this.missingUses(uses);
    if (toCreate.size || op.streams.length || op.indexes.length) {
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
          .then((existing) => this.remember(existing.has(subjectId) ? this.unwrap(existing.get(subjectId)!) : created.get(subjectId)!))
          .finally(() => this.creating.delete(subjectId));
        // Handled here too: when the write fails, `await written` below throws before `waiting` is awaited.
        one.catch(() => undefined);
        this.creating.set(subjectId, one);
        waiting.push(one);
      }
      await written;
    }
    for (const k of await Promise.all(waiting)) out.set(k.subjectId, k);
    return out;
  }

  private async keysOfSubjects(subjectIds: string[]): Promise<Map<string, KeyRow>> {
    const r = await this.pool.query<KeyRow>('SELECT key_id, subject_id, wrapped FROM data_keys WHERE subject_id = ANY($1::text[])', [subjectIds]);
    return new Map(r.rows.map((row) => [row.subject_id, row]));
  }

  async keyById(keyId: string): Promise<DataKey | undefined> {
    await this.ready();
    await this.checkCache();
    const cached = this.byKeyId.get(keyId);
    if (cached) return cached;
    const row = (await this.pool.query<KeyRow>('SELECT key_id, subject_id, wrapped FROM data_keys WHERE key_id = $1', [keyId])).rows[0];
    return row ? this.remember(this.unwrap(row), false) : undefined;
  }

  async registerUse(uses: readonly SubjectUse[]): Promise<void> {
    await this.ready();
    const op = await this.missingUses(uses);
    if (op.streams.length || op.indexes.length) await this.write(op);
  }

  /** The inserts `uses` still need, read in one query: the common case (already registered) writes nothing. */
  private async missingUses(uses: readonly SubjectUse[]): Promise<WriteOp> {
    const op: WriteOp = { keys: [], streams: [], indexes: [] };
    if (!uses.length) return op;
    const indexes = uses.flatMap((u) => u.blindIndexes.map((b) => [b.scope, b.value, u.subjectId, u.streamId] as [string, string, string, string]));
    const r = await this.pool.query<{ k: string; a: string; b: string; c: string; d: string }>(
      `SELECT 's' AS k, subject_id AS a, stream_id AS b, '' AS c, '' AS d FROM subject_streams
         WHERE (subject_id, stream_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       UNION ALL
       SELECT 'i', scope, value, subject_id, stream_id FROM blind_index
         WHERE (scope, value, subject_id, stream_id) IN (SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]))`,
      [uses.map((u) => u.subjectId), uses.map((u) => u.streamId), ...[0, 1, 2, 3].map((i) => indexes.map((x) => x[i]))],
    );
    const have = new Set(r.rows.map((x) => (x.k === 's' ? `s|${x.a}|${x.b}` : `i|${x.a}|${x.b}|${x.c}|${x.d}`)));
    for (const u of uses) if (!have.has(`s|${u.subjectId}|${u.streamId}`)) op.streams.push([u.subjectId, u.streamId]);
    for (const x of indexes) if (!have.has(`i|${x.join('|')}`)) op.indexes.push(x);
    return op;
  }

  /** Queues a write; it commits with the other writes queued meanwhile (one statement, one commit). */
  private write(op: WriteOp): Promise<Map<string, KeyRow>> {
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
    try {
      const existing = await this.commit(batch.map((w) => w.op));
      for (const w of batch) w.resolve(existing);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
    if (this.queue.length) void this.flush();
    else this.flushing = false;
  }

  /** Writes the group; returns the stored key of every subject whose key another writer created first. */
  private async commit(ops: readonly WriteOp[]): Promise<Map<string, KeyRow>> {
    const keys = ops.flatMap((o) => o.keys);
    const streams = ops.flatMap((o) => o.streams);
    const indexes = ops.flatMap((o) => o.indexes);
    const col = <T>(rows: readonly T[][], i: number): T[] => rows.map((r) => r[i]);
    const r = await this.pool.query<{ key_id: string }>(WRITE_GROUP, [
      keys.map((k) => k.subjectId),
      keys.map((k) => k.kind),
      keys.map((k) => k.createdAt),
      keys.map((k) => k.keyId),
      keys.map((k) => k.subjectId),
      keys.map((k) => k.wrapped),
      keys.map((k) => k.createdAt),
      col(streams, 0),
      col(streams, 1),
      ...[0, 1, 2, 3].map((i) => col(indexes, i)),
    ]);
    const inserted = new Set(r.rows.map((x) => x.key_id));
    const raced = keys.filter((k) => !inserted.has(k.keyId)).map((k) => k.subjectId);
    return raced.length ? this.keysOfSubjects([...new Set(raced)]) : new Map();
  }

  /**
   * Drops the cache when the erasure count moved. Concurrent callers share one query, but only one sent after they
   * called: a query already on the wire may predate an erasure they must see, so they wait for it and share the next.
   */
  private checkCache(): Promise<void> {
    if (!this.cacheLimit) return Promise.resolve();
    if (!this.markInFlight) {
      this.markInFlight = this.readErasureMark().finally(() => (this.markInFlight = undefined));
      return this.markInFlight;
    }
    this.markNext ??= this.markInFlight
      .catch(() => undefined)
      .then(() => {
        this.markNext = undefined;
        return this.checkCache();
      });
    return this.markNext;
  }

  private async readErasureMark(): Promise<void> {
    const mark = Number((await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM erasures')).rows[0].n);
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
    await this.ready();
    return (await this.pool.query('SELECT 1 FROM blind_index WHERE scope = $1 AND value = $2 LIMIT 1', [scope, value])).rowCount! > 0;
  }

  async subject(subjectId: string): Promise<SubjectInfo | undefined> {
    await this.ready();
    return this.tx(async (c) => {
      const s = (await c.query<{ kind: SubjectKind; created_at: string }>('SELECT kind, created_at FROM key_subjects WHERE subject_id = $1', [subjectId])).rows[0];
      if (!s) return undefined;
      const [keys, streams, indexes, erasures] = await this.subjectParts(c, subjectId);
      return { subjectId, kind: s.kind, createdAt: s.created_at, keyIds: keys, streams, blindIndexes: indexes, erasures: erasures.map(toErasure) };
    });
  }

  private async subjectParts(c: PoolClient, subjectId: string): Promise<[string[], string[], BlindIndexEntry[], ErasureRow[]]> {
    const keys = (await c.query<{ key_id: string }>('SELECT key_id FROM data_keys WHERE subject_id = $1', [subjectId])).rows.map((r) => r.key_id);
    const streams = (await c.query<{ stream_id: string }>('SELECT stream_id FROM subject_streams WHERE subject_id = $1 ORDER BY stream_id COLLATE "C"', [subjectId])).rows.map(
      (r) => r.stream_id,
    );
    const indexes = (
      await c.query<{ scope: string; value: string; subject_id: string; stream_id: string }>(
        'SELECT scope, value, subject_id, stream_id FROM blind_index WHERE subject_id = $1 ORDER BY scope COLLATE "C", value COLLATE "C", stream_id COLLATE "C"',
        [subjectId],
      )
    ).rows.map((r) => ({ scope: r.scope, value: r.value, subjectId: r.subject_id, streamId: r.stream_id }));
    const erasures = (await c.query<ErasureRow>('SELECT * FROM erasures WHERE subject_id = $1 ORDER BY erased_at, seq', [subjectId])).rows;
    return [keys, streams, indexes, erasures];
  }

  /** Destroys the subject's keys and blind-index entries and records the erasure, in one transaction (subject row locked). */
  async erase(subjectId: string, build: Parameters<KeyStore['erase']>[1]): Promise<ErasureRecord | undefined> {
    await this.ready();
    const record = await this.tx(async (c): Promise<ErasureRecord | undefined> => {
      const s = (await c.query<{ kind: SubjectKind }>('SELECT kind FROM key_subjects WHERE subject_id = $1 FOR UPDATE', [subjectId])).rows[0];
      if (!s) return undefined;
      const [keyIds, streams, blindIndexes] = await this.subjectParts(c, subjectId);
      if (keyIds.length === 0) return undefined;
      const erasureId = randomUUID();
      const { event, metadata, erasedAt } = build({ erasureId, keyIds, streams, blindIndexes, kind: s.kind });
      await c.query('DELETE FROM data_keys WHERE subject_id = $1', [subjectId]);
      await c.query('DELETE FROM blind_index WHERE subject_id = $1', [subjectId]);
      await c.query('INSERT INTO erasures (erasure_id, subject_id, erased_at, event, metadata) VALUES ($1, $2, $3, $4, $5)', [
        erasureId,
        subjectId,
        erasedAt,
        JSON.stringify(event),
        JSON.stringify(metadata),
      ]);
      return { erasureId, subjectId, erasedAt, event, metadata, logged: false };
    });
    await this.checkCache();
    return record;
  }

  async unloggedErasures(): Promise<ErasureRecord[]> {
    await this.ready();
    return (await this.pool.query<ErasureRow>('SELECT * FROM erasures WHERE NOT logged ORDER BY erased_at, seq')).rows.map(toErasure);
  }

  async markErasureLogged(erasureId: string): Promise<void> {
    await this.ready();
    await this.pool.query('UPDATE erasures SET logged = true WHERE erasure_id = $1', [erasureId]);
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length) await new Promise((r) => setImmediate(r));
    await this.pool.end();
  }
}

const toErasure = (r: ErasureRow): ErasureRecord => ({
  erasureId: r.erasure_id,
  subjectId: r.subject_id,
  erasedAt: r.erased_at,
  event: JSON.parse(r.event) as Record<string, unknown>,
  metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  logged: r.logged,
});
