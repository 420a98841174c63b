import { EventEmitter } from 'node:events';
import { Pool, PoolConfig } from 'pg';
import {
  AppendResult,
  ChainHead,
  EventStore,
  ExpectedRevision,
  IntegrityReport,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
  VerifyIntegrityOptions,
} from '../event-store.port';
import { Outcome } from '../sqlite/sqlite-append-writer';
import { AppendListener } from './append-listener';
import { verifyPostgresChain } from './postgres-integrity';
import { PostgresAppendWriter } from './postgres-append-writer';
import { EVENT_COLUMNS, EventRow, toPosition, toRecorded } from './postgres-rows';
import { PostgresSubscription, SubscriptionSource } from './postgres-subscription';
import { migrate } from './schema';

export interface PostgresEventStoreOptions {
  /** `postgres://user:password@host:port/database` (HEARTH_POSTGRES_URL). */
  connectionString: string;
  /** Connections of this process (reads and the one group commit in flight). Default 8. */
  poolSize?: number;
  /** How often a caught-up subscription reads even without a wake-up (NOTIFY is only a hint). Default 100 ms. */
  pollIntervalMs?: number;
  /** Most appends committed together in one transaction (group commit). Default 512. */
  maxGroupSize?: number;
  /** How long an append waits for another process's commit (the head row lock) before failing. Default 10 s. */
  lockTimeoutMs?: number;
  /** How long opening a connection may take. Default 5 s. */
  connectTimeoutMs?: number;
  /** How long one query may take before it fails (client side). Default 30 s, above the lock timeout. */
  queryTimeoutMs?: number;
}

/** An append waiting for the next group commit. */
interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

/** Rows per query of an unbounded read: keyset paging, so a large log is never one huge result. */
const PAGE = 5_000;
const WOKEN = 'woken';

/**
 * The event log on PostgreSQL (several hosts): one global log, positions contiguous and in commit order, the same
 * hash chains as SQLite (hash-chain.ts), idempotency by event id, typed conflicts, gap-free subscriptions.
 * Appends are group-committed: every append that arrives while a commit is in flight joins the next one.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly writer: PostgresAppendWriter;
  private readonly listener: AppendListener;
  private readonly pollIntervalMs: number;
  private readonly maxGroupSize: number;
  private readonly woken = new EventEmitter();
  private wakeCount = 0;
  private readonly subscriptions = new Set<PostgresSubscription>();
  private closed = false;
  private migrated?: Promise<void>;

  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private flushing?: Promise<void>;

  constructor(options: PostgresEventStoreOptions) {
    const config: PoolConfig = {
      connectionString: options.connectionString,
      max: options.poolSize ?? 8,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      // A server that stops answering without closing the connection must not hang a command: the query fails.
      query_timeout: options.queryTimeoutMs ?? 30_000,
      application_name: 'hearth-event-store',
    };
    this.pool = new Pool(config);
    // An idle connection that breaks (server restart) is dropped by the pool; without a listener it would crash us.
    this.pool.on('error', () => undefined);
    this.writer = new PostgresAppendWriter(this.pool, options.lockTimeoutMs ?? 10_000);
    this.listener = new AppendListener({ ...config, application_name: 'hearth-event-store-listener' });
    this.listener.on(() => this.wake());
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.maxGroupSize = Math.max(1, Math.floor(options.maxGroupSize ?? 512));
    this.woken.setMaxListeners(0);
  }

  /** Opens the store and brings the schema up to date (the constructor alone defers that to the first call). */
  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    try {
      await store.ready();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  /** Migrates once; a failed attempt (database not up yet) is tried again by the next call. */
  private ready(): Promise<void> {
    this.assertOpen();
    this.migrated ??= migrate(this.pool).catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      this.assertOpen();
      validateExpected(expected);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expected, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing || this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: appends made in this I/O phase still join the group.
    setImmediate(() => {
      this.flushScheduled = false;
      this.startFlush();
    });
  }

  private startFlush(): Promise<void> {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.scheduleFlush();
    });
    return this.flushing;
  }

  /**
   * Commits queued appends group by group. A group that fails as a whole (connection lost, lock timeout, server
   * down) rejects every append in it: nothing of it was written, or — a connection lost during COMMIT — all of it;
   * either way a retry with the same event ids appends each event once.
   */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroupSize);
      let outcomes: Outcome[];
      try {
        await this.ready();
        outcomes = await this.writer.commit(group);
      } catch (err) {
        for (const p of group) p.reject(err);
        continue;
      }
      if (outcomes.some((o) => o.ok && o.result.written)) this.wake();
      group.forEach((p, i) => {
        const o = outcomes[i];
        if (o.ok) p.resolve(o.result);
        else p.reject(o.error);
      });
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    await this.ready();
    const limit = limitOf(options.maxCount);
    if (limit === 0) return [];
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const sql = backwards
      ? `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`
      : `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision ASC LIMIT $3`;
    const r = await this.pool.query<EventRow>({ text: sql, values: [streamId, from, limit], rowMode: 'array' });
    return r.rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    await this.ready();
    const limit = limitOf(options.maxCount);
    if (limit === 0) return [];
    const backwards = options.direction === 'backwards';
    const out: RecordedEvent[] = [];
    let cursor = options.after ?? (backwards ? Number.MAX_SAFE_INTEGER : -1);
    for (;;) {
      const want = limit === null ? PAGE : Math.min(PAGE, limit - out.length);
      const page = await this.readPage(cursor, want, backwards);
      out.push(...page);
      if (page.length < want || (limit !== null && out.length >= limit)) return out;
      cursor = page[page.length - 1].position;
    }
  }

  /** Streams the log in pages (keyset paging on the position index) without holding it all in memory. */
  async *readAllPages(after = -1, pageSize = PAGE): AsyncGenerator<RecordedEvent[]> {
    await this.ready();
    for (let cursor = after; ; ) {
      const page = await this.readPage(cursor, pageSize, false);
      if (page.length) yield page;
      if (page.length < pageSize) return;
      cursor = page[page.length - 1].position;
    }
  }

  private async readPage(after: number, limit: number, backwards: boolean): Promise<RecordedEvent[]> {
    const sql = backwards
      ? `SELECT ${EVENT_COLUMNS} FROM events WHERE position < $1 ORDER BY position DESC LIMIT $2`
      : `SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position ASC LIMIT $2`;
    const r = await this.pool.query<EventRow>({ text: sql, values: [after, limit], rowMode: 'array' });
    return r.rows.map(toRecorded);
  }

  async headPosition(): Promise<number> {
    await this.ready();
    const r = await this.pool.query<{ head: string | null }>('SELECT max(position) AS head FROM events');
    return r.rows[0]?.head == null ? -1 : toPosition(r.rows[0].head);
  }

  async headHash(): Promise<ChainHead | null> {
    await this.ready();
    const r = await this.pool.query<{ position: string; log_hash: string | null }>('SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1');
    const last = r.rows[0];
    return last ? { position: toPosition(last.position), logHash: last.log_hash ?? '' } : null;
  }

  /** Walks both hash chains in pages and reports the first break (integrity.ts explains the kinds). */
  async verifyIntegrity(options: VerifyIntegrityOptions = {}): Promise<IntegrityReport> {
    await this.ready();
    return verifyPostgresChain(this.pool, options, () => this.assertOpen());
  }

  /** Readiness probe: takes and releases the head row lock in a transaction that writes nothing. */
  async probeWrite(): Promise<void> {
    await this.ready();
    await this.writer.commit([]);
  }

  /** Appends waiting for the group commit. */
  get pendingAppends(): number {
    return this.queue.length;
  }

  subscribeToAll(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    this.listener.start();
    const source: SubscriptionSource = {
      isClosed: false,
      wakeSeq: 0,
      pollInterval: this.pollIntervalMs,
      readBatchAfter: async (after, n) => {
        await this.ready();
        return this.readPage(after, n, false);
      },
      waitForWake: (ms) => this.waitForWake(ms),
    };
    Object.defineProperties(source, {
      isClosed: { get: () => this.closed },
      wakeSeq: { get: () => this.wakeCount },
    });
    const sub = new PostgresSubscription(source, handler, options.after ?? -1, Math.max(1, options.batchSize ?? 500));
    this.subscriptions.add(sub);
    const forget = () => this.subscriptions.delete(sub);
    void sub.done.then(forget, forget);
    return sub;
  }

  private wake(): void {
    this.wakeCount++;
    this.woken.emit(WOKEN);
  }

  private waitForWake(ms: number): { promise: Promise<void>; cancel: () => void } {
    let cancel!: () => void;
    const promise = new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.woken.off(WOKEN, finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.woken.on(WOKEN, finish);
      cancel = finish;
    });
    return { promise, cancel };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Appends accepted before close() still commit (or fail) before the connections go.
    while (this.flushing || this.queue.length > 0) await this.startFlush();
    this.closed = true;
    this.wake();
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.listener.stop();
    await this.pool.end();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('PostgresEventStore is closed');
  }
}

/** LIMIT NULL is "no limit" in PostgreSQL. */
function limitOf(maxCount: number | undefined): number | null {
  if (maxCount === undefined || maxCount === Infinity) return null;
  return Math.max(0, Math.floor(maxCount));
}

function validateExpected(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new TypeError(`invalid expected revision: ${String(expected)}`);
}
