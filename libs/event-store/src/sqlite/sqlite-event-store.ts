import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { SCHEMA_SQL } from './schema';

export interface SqliteEventStoreOptions {
  /** Database file; its parent folder is created if missing. */
  file: string;
  /**
   * How often a caught-up subscription looks for appends made by *other* connections (other processes).
   * Appends through this instance wake subscriptions immediately. Default 25 ms.
   */
  pollIntervalMs?: number;
  /** How long a write waits for another connection's write lock before failing (SQLITE_BUSY). Default 10 s. */
  busyTimeoutMs?: number;
}

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

interface StoredIdRow {
  stream_id: string;
  revision: number;
  position: number;
}

/** SQLite's LIMIT -1 means "no limit". */
const NO_LIMIT = -1;
const APPENDED = 'appended';

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly busyTimeoutMs: number;
  /** Fired (synchronously) after every committed append through this instance. */
  private readonly appended = new EventEmitter();
  /** Bumped after every committed append through this instance: lets a subscription detect a missed wake-up. */
  private appendSeq = 0;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private closed = false;

  private readonly stmt: {
    eventById: Database.Statement<[string], StoredIdRow>;
    lastRevision: Database.Statement<[string], { last_revision: number }>;
    insertEvent: Database.Statement<[string, number, string, string, string, string, string]>;
    upsertStream: Database.Statement<[string, number]>;
    streamForwards: Database.Statement<[string, number, number], EventRow>;
    streamBackwards: Database.Statement<[string, number, number], EventRow>;
    allForwards: Database.Statement<[number, number], EventRow>;
    allBackwards: Database.Statement<[number, number], EventRow>;
    head: Database.Statement<[], { head: number | null }>;
  };
  private readonly appendTx: (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) => AppendResult;

  constructor(options: SqliteEventStoreOptions) {
    const file = resolve(options.file);
    this.pollIntervalMs = options.pollIntervalMs ?? 25;
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000));
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: this.busyTimeoutMs });
    try {
      // WAL: readers never block the writer and vice versa, across processes too. synchronous=FULL: a commit is
      // fsynced before append() resolves, so an acknowledged event survives a power loss.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA_SQL);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.appended.setMaxListeners(0);

    this.stmt = {
      eventById: this.db.prepare('SELECT stream_id, revision, position FROM events WHERE event_id = ?'),
      lastRevision: this.db.prepare('SELECT last_revision FROM streams WHERE stream_id = ?'),
      insertEvent: this.db.prepare(
        'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      upsertStream: this.db.prepare(
        'INSERT INTO streams (stream_id, last_revision) VALUES (?, ?) ' +
          'ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision',
      ),
      streamForwards: this.db.prepare(
        'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?',
      ),
      streamBackwards: this.db.prepare(
        'SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
      ),
      allForwards: this.db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position ASC LIMIT ?'),
      allBackwards: this.db.prepare('SELECT * FROM events WHERE position < ? ORDER BY position DESC LIMIT ?'),
      head: this.db.prepare('SELECT MAX(position) AS head FROM events'),
    };

    const tx = this.db.transaction(this.appendInTransaction.bind(this));
    // BEGIN IMMEDIATE takes the write lock up front (see withWriteLock for waiting on other processes), so the
    // expected-revision check and the inserts see the same state: no other writer can slip in between.
    this.appendTx = (streamId, events, expected) => tx.immediate(streamId, events, expected);
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    validateExpected(expected);
    const result = await this.withWriteLock(() => this.appendTx(streamId, events, expected));
    if (result.written) {
      // After COMMIT (the transaction function has returned): a woken subscriber will find the rows.
      this.appendSeq++;
      this.appended.emit(APPENDED);
    }
    return result;
  }

  /**
   * Runs a write transaction without blocking the event loop while another process holds the write lock.
   * SQLite's own busy handler (busy_timeout) *sleeps the thread* between attempts — in Node that would freeze the
   * whole process (HTTP, subscriptions) — and backs off up to 100 ms per attempt, so a waiting process rarely wins
   * against a busy one. Instead, for BEGIN IMMEDIATE only, the busy timeout is 0 and we retry asynchronously after
   * 1–4 ms, until `busyTimeoutMs`. (Reads keep the connection's busy_timeout: in WAL mode they essentially never wait.)
   */
  private async withWriteLock<T>(write: () => T): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (;;) {
      // Not a reusable prepared statement: SQLite applies PRAGMA busy_timeout when the statement is compiled.
      this.db.pragma('busy_timeout = 0');
      try {
        return write();
      } catch (err) {
        if (!isBusy(err) || Date.now() >= deadline) throw err;
      } finally {
        this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      }
      await new Promise<void>((r) => setTimeout(r, 1 + Math.floor(Math.random() * 4)));
      this.assertOpen();
    }
  }

  private appendInTransaction(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult {
    const current = this.stmt.lastRevision.get(streamId)?.last_revision ?? -1;

    // Idempotency first, so a retried command carrying a now-stale expected revision is still a no-op.
    if (events.length > 0) {
      const first = this.stmt.eventById.get(events[0].id);
      if (first) {
        if (first.stream_id !== streamId) {
          throw new Error(
            `event id ${events[0].id} is already stored in stream ${first.stream_id}; cannot append it to ${streamId}`,
          );
        }
        let position = first.position;
        for (let i = 1; i < events.length; i++) {
          const row = this.stmt.eventById.get(events[i].id);
          if (row && row.stream_id === streamId && row.position > position) position = row.position;
        }
        return { written: false, nextRevision: current, position };
      }
    }

    checkExpected(streamId, expected, current);

    if (events.length === 0) {
      const last = current >= 0 ? this.stmt.streamBackwards.get(streamId, current, 1) : undefined;
      return { written: false, nextRevision: current, position: last ? last.position : -1 };
    }

    const recordedAt = new Date().toISOString();
    let revision = current;
    let position = -1;
    for (const e of events) {
      revision++;
      const info = this.stmt.insertEvent.run(
        streamId,
        revision,
        e.id,
        e.type,
        JSON.stringify(e.data ?? null),
        JSON.stringify(e.metadata),
        recordedAt,
      );
      position = Number(info.lastInsertRowid);
    }
    this.stmt.upsertStream.run(streamId, revision);
    return { written: true, nextRevision: revision, position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = limitOf(options.maxCount);
    if (limit === 0) return [];
    const rows =
      options.direction === 'backwards'
        ? this.stmt.streamBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
        : this.stmt.streamForwards.all(streamId, options.fromRevision ?? 0, limit);
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = limitOf(options.maxCount);
    if (limit === 0) return [];
    const rows =
      options.direction === 'backwards'
        ? this.stmt.allBackwards.all(options.after ?? Number.MAX_SAFE_INTEGER, limit)
        : this.stmt.allForwards.all(options.after ?? -1, limit);
    return rows.map(toRecorded);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.stmt.head.get()?.head ?? -1;
  }

  /**
   * Catch-up subscription: read the next batch after the last delivered position, deliver it, repeat; once caught
   * up, sleep until an append through this instance (immediate) or the poll interval (appends by other processes).
   *
   * Why this never skips: SQLite has a single writer at a time, and positions (AUTOINCREMENT rowids) are assigned
   * inside that writer's transaction, which commits atomically. A reader's snapshot therefore contains either all
   * of a transaction's rows or none, and every transaction that committed before it; a position that is not
   * visible now can never later appear *below* a position we have already delivered. So "read after the last
   * delivered position" sees every event exactly once, in order. (A rolled-back transaction leaves no rows; the
   * next writer reuses its numbers, which is fine for the same reason.)
   */
  subscribeToAll(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const sub = new SqliteSubscription(this, handler, options.after ?? -1, Math.max(1, options.batchSize ?? 500));
    this.subscriptions.add(sub);
    void sub.done.then(
      () => this.subscriptions.delete(sub),
      () => this.subscriptions.delete(sub),
    );
    return sub;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.appended.removeAllListeners();
    this.db.close();
  }

  // ---- used by SqliteSubscription -------------------------------------------------------------------------------

  /** @internal */
  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal */
  get currentAppendSeq(): number {
    return this.appendSeq;
  }

  /** @internal Synchronous batch read for the subscription loop. */
  readBatchAfter(after: number, batchSize: number): RecordedEvent[] {
    return this.stmt.allForwards.all(after, batchSize).map(toRecorded);
  }

  /** @internal Resolves on the next append through this instance, after `ms`, or when `cancel` is called. */
  waitForAppend(ms: number): { promise: Promise<void>; cancel: () => void } {
    let cancel!: () => void;
    const promise = new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.appended.off(APPENDED, finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.appended.on(APPENDED, finish);
      cancel = finish;
    });
    return { promise, cancel };
  }

  /** @internal */
  get pollInterval(): number {
    return this.pollIntervalMs;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteEventStore is closed');
  }
}

/** Which subscription's handler is running: lets `stop()` called from inside a handler avoid waiting for itself. */
const insideHandler = new AsyncLocalStorage<SqliteSubscription>();

class SqliteSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private cancelWait?: () => void;

  constructor(
    private readonly store: SqliteEventStore,
    private readonly handler: SubscriptionHandler,
    private lastPosition: number,
    private readonly batchSize: number,
  ) {
    this.done = this.run();
    // `done` rejects when the handler fails; mark it handled so an unobserved failure cannot crash the process.
    this.done.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelWait?.();
    // Called from this subscription's own handler: the loop ends as soon as the handler returns; waiting here for
    // `done` would wait for ourselves.
    if (insideHandler.getStore() === this) return;
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    // Let the caller receive the Subscription object before the first delivery.
    await Promise.resolve();
    while (!this.stopped && !this.store.isClosed) {
      const seq = this.store.currentAppendSeq;
      const batch = this.store.readBatchAfter(this.lastPosition, this.batchSize);
      if (batch.length > 0) {
        await insideHandler.run(this, () => this.handler(batch));
        this.lastPosition = batch[batch.length - 1].position;
        continue;
      }
      // Caught up. If an append happened while we were reading, look again at once; otherwise sleep.
      if (this.store.currentAppendSeq !== seq) continue;
      if (this.stopped) break;
      const wait = this.store.waitForAppend(this.store.pollInterval);
      this.cancelWait = wait.cancel;
      await wait.promise;
      this.cancelWait = undefined;
    }
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    recordedAt: row.recorded_at,
  };
}

function limitOf(maxCount: number | undefined): number {
  if (maxCount === undefined || maxCount === Infinity) return NO_LIMIT;
  return Math.max(0, Math.floor(maxCount));
}

function validateExpected(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new TypeError(`invalid expected revision: ${String(expected)}`);
}

/** Throws WrongExpectedRevisionError when `current` (last revision, -1 = no stream) does not satisfy `expected`. */
export function checkExpected(streamId: string, expected: ExpectedRevision, current: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (expected === 'stream_exists' && current >= 0) ||
    (typeof expected === 'number' && expected === current);
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, current);
}
