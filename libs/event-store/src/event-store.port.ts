/**
 * The one source of truth. Streams are named `<category>-<id>`; revisions count from 0 within a stream;
 * positions order every event of every stream in one global log (strictly increasing, not necessarily
 * contiguous — EventStoreDB positions are log offsets).
 */

export interface EventMetadata {
  actorId: string;
  role: string;
  orgUnit: string;
  /** Domain time of the decision (ISO instant). */
  occurredAt: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  schemaVersion: number;
  /** Command type that produced the event, or `timer`/`system`. */
  cause?: string;
  /** Hash of the command payload, so an idempotency key reused with another payload is detected. */
  commandHash?: string;
}

export interface NewEvent {
  /** UUID, derived from the command id: re-appending the same ids appends nothing. */
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent<D = unknown> {
  id: string;
  streamId: string;
  revision: number;
  position: number;
  type: string;
  data: D;
  metadata: EventMetadata;
  /** Wall-clock time the store committed the event (ISO). */
  recordedAt: string;
}

/** `any` | `no_stream` (must not exist) | `stream_exists` | exact revision of the last event. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the last event in the stream after the append. */
  nextRevision: number;
  /** Global position of the last event appended (or already present, when the append was a repeat). */
  position: number;
  /** False when every event id was already in the stream: nothing was written. */
  written: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Revision to start at (inclusive). Default: start (forwards) or end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  direction?: 'forwards' | 'backwards';
  /** Start after this position (exclusive) going forwards, before it going backwards. Default: the start/end. */
  after?: number;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Last position already processed (exclusive); undefined = from the very start. */
  after?: number;
  /** Batch size used while catching up. */
  batchSize?: number;
}

/**
 * Called with events in global order, each position exactly once. The next batch is not delivered until
 * the returned promise settles; a rejection stops the subscription (the error goes to `onError`).
 */
export type SubscriptionHandler = (events: RecordedEvent[]) => Promise<void>;

export interface Subscription {
  stop(): Promise<void>;
  /** Resolves when the subscription stops, rejects with the error that stopped it. */
  readonly done: Promise<void>;
}

export class StreamNotFoundError extends Error {
  constructor(readonly streamId: string) {
    super(`stream ${streamId} not found`);
    this.name = 'StreamNotFoundError';
  }
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or -1 when it has none. */
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * The newest link of the global hash chain. Keep a copy outside the store (a printout, a ticket, another system):
 * removing events from the end of the log leaves a shorter chain that is internally consistent, so only a head
 * kept elsewhere can prove that events were truncated.
 */
export interface ChainHead {
  position: number;
  logHash: string;
}

/**
 * What a broken chain looks like:
 * - `edited`: an event's stored content (data, metadata, type, ids, time) or hash no longer matches its chain;
 * - `deleted`: events are missing from the middle of the log or of a stream;
 * - `reordered`: an event sits at another position, or out of its stream's revision order;
 * - `inserted`: an event was added that the chain does not account for;
 * - `truncated`: events are missing at the end (only provable against a kept head, or the store's own counters);
 * - `unchained`: an event has no hashes at all (written by a process without hash chaining).
 */
export type IntegrityBreakKind = 'edited' | 'deleted' | 'reordered' | 'inserted' | 'truncated' | 'unchained';

export interface IntegrityBreak {
  kind: IntegrityBreakKind;
  /** Global position where the break shows: the first position that no longer verifies (or is missing). */
  position: number;
  streamId?: string;
  revision?: number;
  eventId?: string;
  /** Human-readable explanation, e.g. "positions 17..18 are missing". */
  detail: string;
}

export interface IntegrityReport {
  ok: boolean;
  /** Events walked (up to the break, when there is one). */
  checkedEvents: number;
  checkedStreams: number;
  /** The last link that verified (null on an empty log or a break at the first event). */
  head: ChainHead | null;
  /** The first break in log order; absent when `ok`. */
  break?: IntegrityBreak;
  /** Whether the report was checked against an externally kept head. */
  checkedAgainstHead: boolean;
}

export interface VerifyIntegrityOptions {
  /** A head kept outside the store: proves the log still reaches it with the same hash (no truncation, no rewrite). */
  expectedHead?: ChainHead;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch up from `after`, then follow live appends, never skipping or repeating a position. */
  subscribeToAll(handler: SubscriptionHandler, options?: SubscribeOptions): Subscription;
  /** Position of the last event in the global log, or -1 when empty. */
  headPosition(): Promise<number>;
  /** Optional (tamper evidence): walks the hash chains and reports the first break. */
  verifyIntegrity?(options?: VerifyIntegrityOptions): Promise<IntegrityReport>;
  /** Optional (tamper evidence): the newest link of the global chain, null when the log is empty. */
  headHash?(): Promise<ChainHead | null>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
