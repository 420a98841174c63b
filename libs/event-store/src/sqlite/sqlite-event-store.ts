import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  AppendResult,
  ChainHead,
  EventMetadata,
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
import { verifyChain } from './integrity';
import { AppendRequest, fromPlainError, Outcome, PlainError, SqliteAppendWriter } from './sqlite-append-writer';
import type { WriterReply, WriterRequest } from './sqlite-writer.worker';
import { startWriterWorker, WriterChannel } from './writer-worker';

export { checkExpected } from './sqlite-append-writer';

/** The writer thread's entry (sqlite-writer.worker.js in dist/, .ts from sources). */
const WRITER_WORKER = join(__dirname, 'sqlite-writer.worker');
import { migrate } from './schema';

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
  /**
   * Commit on a writer thread with its own connection (sqlite-writer.worker.ts), so that the fsync of each group
   * commit does not block this thread's event loop (a quarter of it under load). Default false.
   */
  writerThread?: boolean;
  /** Most appends committed together in one transaction (group commit). Default 512. */
  maxGroupSize?: number;
}

/**
 * A read row in raw (array) mode, without the hash columns: reads build no per-row objects and no 64-character hash
 * strings they do not need (halves the cost of reading a 10,000-event stream).
 */
type EventRow = [position: number, streamId: string, revision: number, eventId: string, type: string, data: string, metadata: string, recordedAt: string];
const EVENT_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';

/** An append waiting for the next group commit. */
interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  /** Until when it may wait for another process's write lock. */
  deadline: number;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}


/** SQLite's LIMIT -1 means "no limit". */
const NO_LIMIT = -1;
const APPENDED = 'appended';

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly busyTimeoutMs: number;
  private readonly maxGroupSize: number;
  /** Fired (synchronously) after every committed append through this instance. */
  private readonly appended = new EventEmitter();
  /** Bumped after every committed append through this instance: lets a subscription detect a missed wake-up. */
  private appendSeq = 0;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private closed = false;

  /** Appends waiting for the next group commit, in arrival order. */
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  /** The running group-commit loop, if any. */
  private flushing?: Promise<void>;

  private readonly stmt: {
    streamForwards: Database.Statement<[string, number, number], EventRow>;
    streamBackwards: Database.Statement<[string, number, number], EventRow>;
    allForwards: Database.Statement<[number, number], EventRow>;
    allBackwards: Database.Statement<[number, number], EventRow>;
    head: Database.Statement<[], { head: number | null }>;
    lastLink: Database.Statement<[], { position: number; log_hash: string | null }>;
  };
  /** Commits groups on this thread's connection (no writer thread). */
  private readonly writer?: SqliteAppendWriter;
  /** Commits groups on a writer thread. */
  private readonly thread?: WriterThread;

  constructor(options: SqliteEventStoreOptions) {
    const file = resolve(options.file);
    this.pollIntervalMs = options.pollIntervalMs ?? 25;
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000));
    this.maxGroupSize = Math.max(1, Math.floor(options.maxGroupSize ?? 512));
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: this.busyTimeoutMs });
    try {
      // WAL: readers never block the writer and vice versa, across processes too. synchronous=FULL: a commit is
      // fsynced before append() resolves, so an acknowledged event survives a power loss.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      this.db.pragma('foreign_keys = ON');
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.appended.setMaxListeners(0);

    this.stmt = {
      streamForwards: this.db
        .prepare<[string, number, number], EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
        )
        .raw(true),
      streamBackwards: this.db
        .prepare<[string, number, number], EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
        )
        .raw(true),
      allForwards: this.db
        .prepare<[number, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`)
        .raw(true),
      allBackwards: this.db
        .prepare<[number, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position < ? ORDER BY position DESC LIMIT ?`)
        .raw(true),
      head: this.db.prepare('SELECT MAX(position) AS head FROM events'),
      lastLink: this.db.prepare('SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1'),
    };

    if (options.writerThread) this.thread = new WriterThread(file);
    else this.writer = new SqliteAppendWriter(this.db);
  }

  /**
   * Group commit. An append is queued and committed with every other append that arrives in the same event-loop
   * turn or while a commit (or a wait for another process's write lock) is in progress: one IMMEDIATE transaction,
   * one fsync (synchronous=FULL) for the whole group, each append checked and written in its own SAVEPOINT so a
   * conflicting append fails alone. Every promise settles only after the COMMIT, so a resolved append is durable.
   * Appends keep their arrival order, so one caller's appends to one stream are applied in the order it made them.
   */
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      this.assertOpen();
      validateExpected(expected);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<AppendResult>((resolvePromise, reject) => {
      this.queue.push({ streamId, events, expected, deadline: Date.now() + this.busyTimeoutMs, resolve: resolvePromise, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing || this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: callers that continue after their previous append resolved (and requests read
    // in this I/O phase) still join the group.
    setImmediate(() => {
      this.flushScheduled = false;
      this.startFlush();
    });
  }

  private startFlush(): Promise<void> {
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
      // Appends made by callers resumed from the last group arrived while `flushing` was still set.
      if (this.queue.length > 0) this.scheduleFlush();
    });
    return this.flushing;
  }

  /**
   * Commits queued appends group by group until the queue is empty. SQLite's own busy handler (busy_timeout)
   * *sleeps the thread* between attempts — in Node that would freeze the whole process (HTTP, subscriptions) — and
   * backs off up to 100 ms per attempt, so a waiting process rarely wins against a busy one. Instead, for BEGIN
   * IMMEDIATE only, the busy timeout is 0 and we retry asynchronously after 1–4 ms; appends arriving meanwhile join
   * the group, and an append that waited longer than `busyTimeoutMs` fails with SQLITE_BUSY. (Reads keep the
   * connection's busy_timeout: in WAL mode they essentially never wait.)
   */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.slice(0, this.maxGroupSize);
      let outcomes: Outcome[] | undefined;
      let failure: unknown;
      if (this.thread) {
        try {
          outcomes = await this.thread.commit(group);
        } catch (err) {
          failure = err;
        }
      } else {
        // Not a reusable prepared statement: SQLite applies PRAGMA busy_timeout when the statement is compiled.
        this.db.pragma('busy_timeout = 0');
        try {
          outcomes = this.writer!.commit(group);
        } catch (err) {
          failure = err;
        } finally {
          this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
        }
      }
      if (!outcomes) {
        if (isBusy(failure)) {
          const now = Date.now();
          for (const p of this.queue.filter((q) => q.deadline <= now)) p.reject(failure);
          this.queue = this.queue.filter((q) => q.deadline > now);
          if (this.queue.length > 0) await new Promise<void>((r) => setTimeout(r, 1 + Math.floor(Math.random() * 4)));
        } else {
          // Anything else (I/O error, disk full, ...) rolled the whole group back: every append in it fails.
          this.queue.splice(0, group.length);
          for (const p of group) p.reject(failure);
        }
        continue;
      }
      this.queue.splice(0, group.length);
      if (outcomes.some((o) => o.ok && o.result.written)) {
        // After COMMIT: a woken subscriber will find the rows.
        this.appendSeq++;
        this.appended.emit(APPENDED);
      }
      group.forEach((p, i) => {
        const o = outcomes[i];
        if (o.ok) p.resolve(o.result);
        else p.reject(o.error);
      });
    }
  }

  /**
   * Walks the global log in position order, checking every event's stream link and log link, the revision order of
   * every stream, position gaps, the store's own counters (streams table, AUTOINCREMENT sequence) and, when given,
   * a head kept elsewhere; reports the first break. Reads in pages, yielding between them, so it never blocks the
   * process for long; appends may go on meanwhile (they extend the chain).
   */
  verifyIntegrity(options: VerifyIntegrityOptions = {}): Promise<IntegrityReport> {
    this.assertOpen();
    return verifyChain(this.db, options, () => this.assertOpen());
  }

  async headHash(): Promise<ChainHead | null> {
    this.assertOpen();
    const last = this.stmt.lastLink.get();
    return last ? { position: last.position, logHash: last.log_hash ?? '' } : null;
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
   * Readiness probe (GET /health/ready): an empty write transaction (BEGIN IMMEDIATE … COMMIT, no row) on the
   * connection that commits appends — the writer thread's when there is one, so a dead thread fails it. Another
   * process holding the write lock (SQLITE_BUSY) still means the log accepts writes.
   */
  async probeWrite(): Promise<void> {
    this.assertOpen();
    try {
      if (this.thread) await this.thread.commit([]);
      else {
        this.db.pragma('busy_timeout = 0');
        try {
          this.writer!.commit([]);
        } finally {
          this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
        }
      }
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
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
    // Appends accepted before close() still commit (or fail) before the connection goes.
    while (this.flushing || this.queue.length > 0) await this.startFlush();
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.appended.removeAllListeners();
    await this.thread?.close();
    this.db.close();
  }

  // ---- used by SqliteSubscription -------------------------------------------------------------------------------

  /** Appends waiting for the group commit (metrics: hearth_sqlite_writer_queue). */
  get pendingAppends(): number {
    return this.queue.length;
  }

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
    id: row[3],
    streamId: row[1],
    revision: row[2],
    position: row[0],
    type: row[4],
    data: JSON.parse(row[5]) as unknown,
    metadata: JSON.parse(row[6]) as EventMetadata,
    recordedAt: row[7],
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


/**
 * The writer thread's handle: sends each group, resolves with its outcomes (errors rebuilt from their plain form:
 * WrongExpectedRevisionError keeps its class, SQLite errors their `code`).
 */
class WriterThread {
  private readonly channel: WriterChannel<WriterRequest['req'], WriterReply>;

  constructor(file: string) {
    this.channel = new WriterChannel(startWriterWorker(WRITER_WORKER, { file }), 'SQLite log');
  }

  async commit(group: readonly AppendRequest[]): Promise<Outcome[]> {
    const reply = await this.channel.request({ group: group.map((p) => ({ streamId: p.streamId, events: p.events, expected: p.expected })) });
    if ('failure' in reply) throw fromPlainError(reply.failure);
    return reply.outcomes.map((o) => (o.ok ? o : { ok: false, error: fromPlainError(o.error as PlainError) }));
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
