import { createHash } from 'node:crypto';
import { Actor, Decider, DecisionContext, DomainError, DomainEvent } from '@hearth/domain';
import { EventStore, RecordedEvent, WrongExpectedRevisionError, eventIdFor, isEventIdTaken } from '@hearth/event-store';
import type { Clock } from '../clock/clock';

export interface CommandMeta {
  /** Stable across retries of the same request (derived from the Idempotency-Key), random otherwise. */
  commandId: string;
  correlationId?: string;
  causationId?: string;
  /** Optimistic concurrency from the client (If-Match): a mismatch is a 409, never retried. */
  expectedRevision?: number;
  /** What led to the command: its type by default, `timer` for deadline expiry. */
  cause?: string;
}

export interface CommandOutcome {
  streamId: string;
  /** Revision of the stream after the command (-1: the stream still does not exist). */
  revision: number;
  position: number;
  events: string[];
  /** True when this command id had already been applied: nothing new was appended. */
  replayed: boolean;
}

/** The current revision is exposed so the edge can answer 409 with it. */
export class ConcurrencyConflict extends Error {
  constructor(readonly streamId: string, readonly currentRevision: number, readonly expected?: number) {
    super(`stream ${streamId} changed concurrently (current revision ${currentRevision})`);
    this.name = 'ConcurrencyConflict';
  }
}

interface CachedStream {
  revision: number;
  position: number;
  state: unknown;
  /** commandId → what it appended, for idempotent retries. */
  commands: Map<string, { hash?: string; lastRevision: number; lastPosition: number; events: string[] }>;
}

/** The answer to an Idempotency-Key used again for a different request (another body, another case). */
export const keyReused = (): DomainError => new DomainError('IDEMPOTENCY_KEY_REUSED', '此 Idempotency-Key 已用于另一个请求（不同的请求内容或案件），请换一个新的键');

/** May read (e.g. the calendar stream's newest events) before it answers, hence the promise. */
export type ContextFactory = (actor: Actor, now: string) => DecisionContext | Promise<DecisionContext>;

/** The current schema version of events written now (upcasters turn older ones into this). */
export const CURRENT_SCHEMA_VERSION = 1;

/**
 * Load → decide → append, with bounded retries on concurrent appends. Folded states are cached per stream
 * and brought up to date by reading only newer events, so the cache can never serve a stale decision.
 */
export class CommandRunner {
  private readonly cache = new Map<string, CachedStream>();

  constructor(
    private readonly store: EventStore,
    private readonly contextFor: ContextFactory,
    private readonly clock: Clock,
    private readonly retries = 5,
    private readonly cacheSize = 20_000,
  ) {}

  async execute<C extends { type: string }, E extends DomainEvent, S>(
    decider: Decider<C, E, S>,
    id: string,
    command: C,
    actor: Actor,
    meta: CommandMeta,
  ): Promise<CommandOutcome> {
    const streamId = `${decider.category}-${id}`;
    const hash = createHash('sha256').update(JSON.stringify(command)).digest('base64url');
    for (let attempt = 0; ; attempt++) {
      const cached = await this.load(decider, streamId);
      const prior = cached.commands.get(meta.commandId);
      if (prior) {
        if (prior.hash && prior.hash !== hash) throw keyReused();
        return { streamId, revision: prior.lastRevision, position: prior.lastPosition, events: prior.events, replayed: true };
      }
      if (meta.expectedRevision !== undefined && meta.expectedRevision !== cached.revision)
        throw new ConcurrencyConflict(streamId, cached.revision, meta.expectedRevision);

      const now = this.clock.now().toISOString();
      const decided = decider.decide(command, cached.state as S, await this.contextFor(actor, now));
      if (decided.length === 0) return { streamId, revision: cached.revision, position: cached.position, events: [], replayed: false };

      const correlationId = meta.correlationId ?? meta.commandId;
      const events = decided.map((e, i) => ({
        id: eventIdFor(meta.commandId, i),
        type: e.type,
        data: e.data,
        metadata: {
          actorId: actor.id,
          role: actor.role,
          orgUnit: actor.orgUnit,
          occurredAt: now,
          commandId: meta.commandId,
          correlationId,
          causationId: meta.causationId ?? meta.commandId,
          schemaVersion: CURRENT_SCHEMA_VERSION,
          cause: meta.cause ?? command.type,
          commandHash: hash,
        },
      }));
      try {
        const result = await this.store.append(streamId, events, cached.revision < 0 ? 'no_stream' : cached.revision);
        if (result.written) this.remember(decider, streamId, cached, decided, meta.commandId, hash, result.nextRevision, result.position);
        return { streamId, revision: result.nextRevision, position: result.position, events: decided.map((e) => e.type), replayed: !result.written };
      } catch (err) {
        // The command id already names events of another stream: its Idempotency-Key was used for another case.
        if (isEventIdTaken(err)) throw keyReused();
        if (!(err instanceof WrongExpectedRevisionError)) throw err;
        if (meta.expectedRevision !== undefined || attempt >= this.retries) throw new ConcurrencyConflict(streamId, err.actual, meta.expectedRevision);
      }
    }
  }

  /** The folded state of a stream (for queries that need the decider's view, e.g. as-of). */
  async stateOf<S>(decider: Decider<never, DomainEvent, S>, id: string): Promise<{ revision: number; state: S }> {
    const c = await this.load(decider as Decider<{ type: string }, DomainEvent, S>, `${decider.category}-${id}`);
    return { revision: c.revision, state: c.state as S };
  }

  private async load<E extends DomainEvent, S>(decider: Decider<never, E, S> | Decider<{ type: string }, E, S>, streamId: string): Promise<CachedStream> {
    let entry = this.cache.get(streamId);
    const fresh = await this.store.readStream(streamId, entry ? { fromRevision: entry.revision + 1 } : {});
    if (!entry) entry = { revision: -1, position: -1, state: decider.initialState, commands: new Map() };
    if (fresh.length) entry = this.apply(decider, entry, fresh);
    // Refresh LRU order; evict the oldest beyond the cap.
    this.cache.delete(streamId);
    this.cache.set(streamId, entry);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    return entry;
  }

  /**
   * Our own append succeeded at the expected revision, so its events are exactly the stream's next revisions: fold
   * them into the cache now instead of reading them back (and decrypting them) on the stream's next command. Only
   * when the entry is still the one we decided on (a concurrent load may have replaced it meanwhile).
   */
  private remember<E extends DomainEvent, S>(
    decider: Pick<Decider<never, E, S>, 'evolve'>,
    streamId: string,
    decidedOn: CachedStream,
    events: readonly E[],
    commandId: string,
    hash: string,
    revision: number,
    position: number,
  ): void {
    if (this.cache.get(streamId) !== decidedOn) return;
    let state = decidedOn.state as S;
    for (const e of events) state = decider.evolve(state, e);
    const commands = new Map(decidedOn.commands);
    commands.set(commandId, { hash, lastRevision: revision, lastPosition: position, events: events.map((e) => e.type) });
    this.cache.set(streamId, { revision, position, state, commands });
  }

  private apply<E extends DomainEvent, S>(decider: Pick<Decider<never, E, S>, 'evolve'>, entry: CachedStream, events: RecordedEvent[]): CachedStream {
    let state = entry.state as S;
    const commands = new Map(entry.commands);
    for (const e of events) {
      state = decider.evolve(state, { type: e.type, data: e.data } as E);
      const c = commands.get(e.metadata.commandId);
      commands.set(e.metadata.commandId, {
        hash: e.metadata.commandHash,
        lastRevision: e.revision,
        lastPosition: e.position,
        events: [...(c?.events ?? []), e.type],
      });
    }
    const last = events[events.length - 1];
    return { revision: last.revision, position: last.position, state, commands };
  }
}
