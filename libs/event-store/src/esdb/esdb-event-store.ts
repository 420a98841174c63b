import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ANY,
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
} from '@eventstore/db-client';
import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  AppendExpectedRevision,
  JSONType,
  ReadPosition,
  ReadRevision,
  ResolvedEvent,
} from '@eventstore/db-client';
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

/**
 * EventStoreDB (gRPC, @eventstore/db-client v6) adapter.
 *
 * Positions. EventStoreDB positions are `{ commit, prepare }` byte offsets in the transaction log. Our port has one
 * number, so `position = Number(commitPosition)`, and a position is turned back into `{ commit: p, prepare: p }`.
 * This is exact for every event appended through the gRPC API: appends are implicit transactions whose events are
 * each "committed" at their own log position, so commit === prepare and no two events share a commit position
 * (server AllReader: `new CommitEventRecord(eventRecord, eventRecord.LogPosition)`). Events written by the legacy
 * TCP API's explicit multi-write transactions share one commit position; they are not supported. Number() is exact
 * below 2^53 bytes (9 PB) of log.
 *
 * Bounds. Reading $all forwards from a position is inclusive on the server, so we skip `<= after`; backwards reads
 * and subscriptions are exclusive (docs: "The positions provided to the subscriptions are exclusive").
 *
 * System events (types starting with `$`: stream metadata, links, projections' output...) are never returned:
 * subscriptions use the server-side `excludeSystemEvents()` filter; `readAll` (which has no server filter in v6)
 * filters client-side, paging until `maxCount` user events are found.
 *
 * Idempotency. EventStoreDB deduplicates a retried append by event id (exactly when the expected revision is an
 * exact revision / no_stream, best effort with `any`), but its success reply does not say whether the events were
 * new. So before appending we look for the batch's first event id where a retry would have put it (the revision
 * after an exact expected revision; revision 0 for no_stream; the last `idempotencyWindow` events for
 * any/stream_exists) and, if found, return `written: false` without appending — also when the expected revision
 * is stale. If two identical appends race, both may report `written: true` (the server still stores them once):
 * `written` is best effort. The append's `position` is read back from the stream (the last appended event's own
 * position; needs server >= 22.6, which returns positions on stream reads), not taken from the append reply,
 * whose position is not documented to be the last event's.
 *
 * Tamper evidence. Not chained here: this adapter has no verifyIntegrity/headHash. A global chain (each event linked
 * to the one before it in $all) cannot be computed at append time: the $all position and predecessor are only known
 * after the server commits, and fixing them first would mean serialising every writer of every stream through one
 * lock — the scalability this adapter exists for. A per-stream chain could travel in the metadata (prev hash of the
 * stream's last event, read before the append), but `any`/`stream_exists` appends race on that predecessor, so it
 * would need exact expected revisions plus a retry loop, and it cannot be tested without a server; left out.
 * EventStoreDB's own protections apply instead: an append-only, checksummed transaction log with no API to change
 * or remove a written event (only soft/hard deletes and truncation via stream metadata, which are visible events).
 * The SQLite adapter chains both (see sqlite/hash-chain.ts).
 */
export interface EsdbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false`. Parsed at construction; nothing connects until the first call. */
  connectionString: string;
  /** How many trailing events an `any`/`stream_exists` append searches for an already-stored first event id. */
  idempotencyWindow?: number;
  /** Page size for client-side filtered `$all` reads. */
  readAllPageSize?: number;
}

const NOOP = (): void => undefined;
/** Smallest $all page: must exceed 1 (a forwards page starts with the already-seen event at the bound). */
const MIN_PAGE = 100;

export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly idempotencyWindow: number;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private closed = false;

  constructor(options: EsdbEventStoreOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.idempotencyWindow = Math.max(1, options.idempotencyWindow ?? 100);
    this.pageSize = Math.max(MIN_PAGE, options.readAllPageSize ?? 1000);
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    validateExpected(expected);

    if (events.length === 0) {
      const last = await this.lastEvent(streamId);
      const current = last ? Number(last.revision) : -1;
      checkExpected(streamId, expected, current);
      return { written: false, nextRevision: current, position: last ? last.position : -1 };
    }

    const already = await this.findAlreadyStored(streamId, events, expected);
    if (already) return already;

    let nextExpectedRevision: bigint;
    let replyPosition: number | undefined;
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) =>
          jsonEvent({ id: e.id, type: e.type, data: (e.data ?? null) as JSONType, metadata: e.metadata }),
        ),
        { expectedRevision: toEsdbExpected(expected) },
      );
      nextExpectedRevision = result.nextExpectedRevision;
      replyPosition = result.position ? Number(result.position.commit) : undefined;
    } catch (err) {
      throw mapAppendError(err, streamId, expected);
    }
    const nextRevision = Number(nextExpectedRevision);
    const last = await this.eventAt(streamId, nextRevision);
    const position = last && last.position >= 0 ? last.position : (replyPosition ?? -1);
    return { written: true, nextRevision, position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    let fromRevision: ReadRevision;
    if (options.fromRevision === undefined) fromRevision = backwards ? END : START;
    else if (options.fromRevision < 0) {
      if (backwards) return [];
      fromRevision = START;
    } else fromRevision = BigInt(Math.floor(options.fromRevision));

    const out: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision,
        ...(options.maxCount !== undefined && Number.isFinite(options.maxCount)
          ? { maxCount: BigInt(Math.floor(options.maxCount)) }
          : {}),
      });
      for await (const resolved of read) {
        const recorded = fromResolved(resolved);
        if (recorded) out.push(recorded);
      }
    } catch (err) {
      if (isStreamNotFound(err)) return [];
      throw err;
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const want =
      options.maxCount === undefined || !Number.isFinite(options.maxCount)
        ? Infinity
        : Math.max(0, Math.floor(options.maxCount));
    if (want === 0) return [];

    const out: RecordedEvent[] = [];
    // Exclusive bound: forwards reads are inclusive on the server, so the event at the bound is skipped here.
    let bound: number | undefined = options.after;
    let from: ReadPosition = bound === undefined ? (backwards ? END : START) : toEsdbPosition(bound);
    // At least one more than needed, since a forwards page can start with the (inclusive) event at the bound, and
    // not tiny, since system events (filtered out here) can dominate the tail of the log.
    const pageSize = want === Infinity ? this.pageSize : Math.min(this.pageSize, Math.max(want + 1, MIN_PAGE));

    for (;;) {
      let seen = 0;
      let lastPosition: number | undefined;
      const page = this.client.readAll({
        direction: backwards ? BACKWARDS : FORWARDS,
        fromPosition: from,
        maxCount: BigInt(pageSize),
      });
      // Consume the whole (bounded) page rather than breaking out early, so the gRPC call completes normally.
      for await (const resolved of page) {
        seen++;
        const position = positionOf(resolved);
        if (position < 0) continue;
        lastPosition = position;
        if (bound !== undefined && (backwards ? position >= bound : position <= bound)) continue;
        const event = resolved.event;
        if (!event || isSystemType(event.type)) continue;
        if (out.length < want) out.push(toRecorded(event, position));
      }
      if (out.length >= want || seen < pageSize || lastPosition === undefined) break;
      bound = lastPosition;
      from = toEsdbPosition(lastPosition);
    }
    return out;
  }

  async headPosition(): Promise<number> {
    const [last] = await this.readAll({ direction: 'backwards', maxCount: 1 });
    return last ? last.position : -1;
  }

  subscribeToAll(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const sub = new EsdbSubscription(this.client, handler, options.after, Math.max(1, options.batchSize ?? 500));
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
    await this.client.dispose();
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  /** If the batch's first event id is already in the stream (a retried command), the no-op result. */
  private async findAlreadyStored(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | undefined> {
    let candidates: RecordedEvent[];
    if (typeof expected === 'number') {
      candidates = await this.readStream(streamId, { fromRevision: expected + 1, maxCount: events.length });
    } else if (expected === 'no_stream') {
      candidates = await this.readStream(streamId, { fromRevision: 0, maxCount: events.length });
    } else {
      candidates = (
        await this.readStream(streamId, { direction: 'backwards', maxCount: this.idempotencyWindow })
      ).reverse();
    }
    const firstIndex = candidates.findIndex((c) => c.id === events[0].id);
    if (firstIndex < 0) return undefined;

    const ids = new Set(events.map((e) => e.id));
    let position = -1;
    for (const c of candidates.slice(firstIndex)) if (ids.has(c.id) && c.position > position) position = c.position;
    const last = await this.lastEvent(streamId);
    return { written: false, nextRevision: last ? last.revision : -1, position };
  }

  private async lastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last;
  }

  private async eventAt(streamId: string, revision: number): Promise<RecordedEvent | undefined> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    return event && event.revision === revision ? event : undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('EsdbEventStore is closed');
  }
}

/** Which subscription's handler is running: lets `stop()` called from inside a handler avoid waiting for itself. */
const insideHandler = new AsyncLocalStorage<EsdbSubscription>();

class EsdbSubscription implements Subscription {
  readonly done: Promise<void>;
  private readonly stream: AllStreamSubscription;
  private stopped = false;

  constructor(
    client: EventStoreDBClient,
    private readonly handler: SubscriptionHandler,
    private readonly after: number | undefined,
    private readonly batchSize: number,
  ) {
    // Subscription positions are exclusive: the first event delivered is the one after `after`.
    this.stream = client.subscribeToAll({
      fromPosition: after === undefined ? START : toEsdbPosition(after),
      filter: excludeSystemEvents(),
    });
    this.done = this.run();
    this.done.catch(NOOP);
  }

  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      await this.stream.unsubscribe().catch(NOOP);
      this.stream.destroy();
    }
    if (insideHandler.getStore() === this) return;
    await this.done.catch(NOOP);
  }

  private async run(): Promise<void> {
    let last = this.after ?? -1;
    try {
      for await (const first of this.stream as AsyncIterable<AllStreamResolvedEvent>) {
        if (this.stopped) break;
        // Whatever else is already buffered goes into the same batch (Readable.read() is what the async iterator
        // itself calls, so draining here only takes items the iterator would have yielded next).
        const resolvedBatch: AllStreamResolvedEvent[] = [first];
        while (resolvedBatch.length < this.batchSize) {
          const next = this.stream.read() as AllStreamResolvedEvent | null;
          if (next === null) break;
          resolvedBatch.push(next);
        }
        const batch: RecordedEvent[] = [];
        for (const resolved of resolvedBatch) {
          const position = positionOf(resolved);
          const event = resolved.event;
          if (!event || isSystemType(event.type) || position <= last) continue;
          batch.push(toRecorded(event, position));
          last = position;
        }
        if (batch.length === 0) continue;
        await insideHandler.run(this, () => this.handler(batch));
        if (this.stopped) break;
      }
    } catch (err) {
      if (this.stopped) return;
      this.stopped = true;
      await this.stream.unsubscribe().catch(NOOP);
      throw err;
    }
    if (!this.stopped) {
      this.stopped = true;
      throw new Error('EventStoreDB subscription to $all ended unexpectedly');
    }
  }
}

// ---- mapping (exported for unit tests) ---------------------------------------------------------------------------

export function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

export function toEsdbPosition(position: number): { commit: bigint; prepare: bigint } {
  const p = BigInt(Math.max(0, Math.floor(position)));
  return { commit: p, prepare: p };
}

/** The client's WrongExpectedVersionError becomes the port's WrongExpectedRevisionError; anything else is kept. */
export function mapAppendError(err: unknown, streamId: string, expected: ExpectedRevision): unknown {
  if (
    err instanceof WrongExpectedVersionError ||
    (err instanceof Error && (err as { type?: unknown }).type === ErrorType.WRONG_EXPECTED_VERSION)
  ) {
    const actualVersion = (err as WrongExpectedVersionError).actualVersion;
    const actual = typeof actualVersion === 'bigint' ? Number(actualVersion) : -1; // 'no_stream' → -1
    return new WrongExpectedRevisionError(streamId, expected, actual);
  }
  return err;
}

export function isStreamNotFound(err: unknown): boolean {
  return (
    err instanceof EsdbStreamNotFoundError ||
    (err instanceof Error && (err as { type?: unknown }).type === ErrorType.STREAM_NOT_FOUND)
  );
}

function isSystemType(type: string): boolean {
  return type.startsWith('$');
}

function positionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): number {
  const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
  return commit === undefined ? -1 : Number(commit);
}

function fromResolved(resolved: ResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  return toRecorded(event, positionOf(resolved));
}

type EsdbRecorded = NonNullable<ResolvedEvent['event']>;

function toRecorded(event: EsdbRecorded, position: number): RecordedEvent {
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position,
    type: event.type,
    data: event.data as unknown,
    metadata: event.metadata as unknown as EventMetadata,
    recordedAt: event.created.toISOString(),
  };
}

function validateExpected(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new TypeError(`invalid expected revision: ${String(expected)}`);
}

function checkExpected(streamId: string, expected: ExpectedRevision, current: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (expected === 'stream_exists' && current >= 0) ||
    (typeof expected === 'number' && expected === current);
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, current);
}
