import type Database from 'better-sqlite3';
import { AppendResult, ExpectedRevision, NewEvent, WrongExpectedRevisionError } from '../event-store.port';
import { canonicalEvent, GENESIS, logLink, streamLink } from './hash-chain';
import { EventIdTakenError } from '../event-ids';

/** One append of a group commit. */
export interface AppendRequest {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
}

export type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** Where the next event goes in the global log, and the hash it links to. */
interface LogTip {
  nextPosition: number;
  logHash: string;
}

interface StoredIdRow {
  stream_id: string;
  revision: number;
  position: number;
}

/**
 * The write side of the SQLite log: one group of appends in one IMMEDIATE transaction (one fsync with
 * synchronous=FULL), each append checked and written in its own SAVEPOINT so a conflicting append fails alone.
 * Runs on the connection it is given: the store's own, or a writer thread's (sqlite-writer.worker.ts), so that the
 * fsync does not block the event loop.
 */
export class SqliteAppendWriter {
  private readonly stmt;
  private readonly groupTx: (group: readonly AppendRequest[]) => Outcome[];
  private readonly appendTx: (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, tip: LogTip) => [AppendResult, LogTip];

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      eventById: db.prepare<[string], StoredIdRow>('SELECT stream_id, revision, position FROM events WHERE event_id = ?'),
      lastRevision: db.prepare<[string], { last_revision: number }>('SELECT last_revision FROM streams WHERE stream_id = ?'),
      positionAt: db.prepare<[string, number], { position: number }>('SELECT position FROM events WHERE stream_id = ? AND revision = ?'),
      streamHashAt: db.prepare<[string, number], { stream_hash: string | null }>('SELECT stream_hash FROM events WHERE stream_id = ? AND revision = ?'),
      insertEvent: db.prepare<[number, string, number, string, string, string, string, string, string, string]>(
        'INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at, stream_hash, log_hash) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      upsertStream: db.prepare<[string, number]>(
        'INSERT INTO streams (stream_id, last_revision) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET last_revision = excluded.last_revision',
      ),
      lastLink: db.prepare<[], { position: number; log_hash: string | null }>('SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1'),
      sequence: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
    };
    const one = db.transaction(this.appendInTransaction.bind(this));
    this.appendTx = (streamId, events, expected, tip) => one(streamId, events, expected, tip);
    const group = db.transaction(this.groupInTransaction.bind(this));
    // BEGIN IMMEDIATE takes the write lock up front, so the expected-revision checks and the inserts see the same
    // state: no other writer can slip in between.
    this.groupTx = (g) => group.immediate(g);
  }

  /** Commits the group; throws (nothing written) when the transaction as a whole fails, e.g. SQLITE_BUSY. */
  commit(group: readonly AppendRequest[]): Outcome[] {
    return this.groupTx(group);
  }

  private groupInTransaction(group: readonly AppendRequest[]): Outcome[] {
    let tip = this.logTip();
    const outcomes: Outcome[] = [];
    for (const p of group) {
      try {
        const [result, next] = this.appendTx(p.streamId, p.events, p.expected, tip);
        tip = next;
        outcomes.push({ ok: true, result });
      } catch (error) {
        // Only failures of this append alone are isolated; anything that may have ended the transaction aborts the
        // group (better-sqlite3 has already rolled the savepoint back).
        if (!this.db.inTransaction || !isAppendLocal(error)) throw error;
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  /** Where the next event goes: AUTOINCREMENT's rule (never reuse a position), linked to the last stored event. */
  private logTip(): LogTip {
    const last = this.stmt.lastLink.get();
    const seq = this.stmt.sequence.get()?.seq ?? 0;
    return { nextPosition: Math.max(seq, last?.position ?? 0) + 1, logHash: last ? (last.log_hash ?? '') : GENESIS };
  }

  private appendInTransaction(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, tip: LogTip): [AppendResult, LogTip] {
    const current = this.stmt.lastRevision.get(streamId)?.last_revision ?? -1;

    // Idempotency first, so a retried command carrying a now-stale expected revision is still a no-op.
    if (events.length > 0) {
      const first = this.stmt.eventById.get(events[0].id);
      if (first) {
        if (first.stream_id !== streamId) throw new EventIdTakenError(events[0].id, first.stream_id, streamId);
        let position = first.position;
        for (let i = 1; i < events.length; i++) {
          const row = this.stmt.eventById.get(events[i].id);
          if (row && row.stream_id === streamId && row.position > position) position = row.position;
        }
        return [{ written: false, nextRevision: current, position }, tip];
      }
    }

    checkExpected(streamId, expected, current);

    if (events.length === 0) {
      const last = current >= 0 ? this.stmt.positionAt.get(streamId, current) : undefined;
      return [{ written: false, nextRevision: current, position: last ? last.position : -1 }, tip];
    }

    const recordedAt = new Date().toISOString();
    let revision = current;
    let position = tip.nextPosition - 1;
    let logHash = tip.logHash;
    let streamHash = current >= 0 ? (this.stmt.streamHashAt.get(streamId, current)?.stream_hash ?? '') : GENESIS;
    for (const e of events) {
      revision++;
      position++;
      const data = JSON.stringify(e.data ?? null);
      const metadata = JSON.stringify(e.metadata);
      const canonical = canonicalEvent({ streamId, revision, position, eventId: e.id, type: e.type, data, metadata, recordedAt });
      streamHash = streamLink(streamHash, canonical);
      logHash = logLink(logHash, canonical, position);
      this.stmt.insertEvent.run(position, streamId, revision, e.id, e.type, data, metadata, recordedAt, streamHash, logHash);
    }
    this.stmt.upsertStream.run(streamId, revision);
    return [{ written: true, nextRevision: revision, position }, { nextPosition: position + 1, logHash }];
  }
}

/** Failures that concern one append only (its savepoint rolled back, the group goes on). */
function isAppendLocal(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  // Errors about the statement's own data; I/O, disk-full, busy or corruption errors may have ended the transaction
  // (or should end it): the whole group fails then.
  if (err.name === 'SqliteError')
    return typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_TOOBIG' || code === 'SQLITE_MISMATCH' || code === 'SQLITE_RANGE');
  return true;
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

// ---- crossing a thread boundary (structured clone keeps no class) -----------------------------------------------

export interface PlainError {
  name: string;
  message: string;
  code?: string;
  streamId?: string;
  expected?: ExpectedRevision;
  actual?: number;
}

export function toPlainError(err: unknown): PlainError {
  if (err instanceof WrongExpectedRevisionError) return { name: err.name, message: err.message, streamId: err.streamId, expected: err.expected, actual: err.actual };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

export function fromPlainError(p: PlainError): Error {
  if (p.name === 'WrongExpectedRevisionError') return new WrongExpectedRevisionError(p.streamId!, p.expected!, p.actual!);
  const err = new Error(p.message) as Error & { code?: string };
  err.name = p.name;
  if (p.code !== undefined) err.code = p.code;
  return err;
}
