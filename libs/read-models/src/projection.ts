import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { RecordedEvent } from '@hearth/event-store/event-store.port';

/** What a projection gets for one batch of events. */
export interface ProjectionBatch {
  readonly events: readonly RecordedEvent[];
  /** Connection for the reads this batch needs: load everything with one pipeline, then fold in memory. */
  readonly redis: Redis;
  /** The transaction the runner EXECs together with the checkpoint. Queue writes here only; never await it. */
  readonly tx: ChainableCommander;
  /** Key prefix of the generation being written (`hearth:` or `hearth:g3:`): every read-model key goes under it. */
  readonly prefix: string;
  /** The configured prefix without the generation, for what is not versioned (pub/sub channels). Default: `prefix`. */
  readonly basePrefix?: string;
  /** Run after the transaction committed (e.g. PUBLISH); errors are logged, never retried. */
  afterCommit(fn: () => unknown): void;
  /**
   * Run once the runner has checked that this batch may commit, right before EXEC (e.g. handing alerts to webhook
   * delivery). A rejection aborts the batch, which is retried: at-least-once. Absent: do it inside `apply`.
   */
  beforeCommit?(fn: () => Promise<unknown>): void;
  /** True when the event was recorded recently enough to be pushed to live clients (not a replay); always false while a new generation is rebuilt. */
  isLive(event: RecordedEvent): boolean;
}

/**
 * A read model fed from the global log. `apply` must be deterministic given the events and what it reads,
 * and must only write through `batch.tx`, so that state and checkpoint move together.
 */
export interface Projection {
  readonly name: string;
  /** Key namespaces (after the prefix, e.g. `pet:`) this projection owns; purged before a rebuild from scratch. */
  readonly namespaces: readonly string[];
  apply(batch: ProjectionBatch): Promise<void>;
}

/** Subset of Nest's LoggerService, so the lead can pass a Nest Logger or pino. */
export interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, trace?: string): void;
}

export const consoleLogger = (name: string): RunnerLogger => ({
  log: (m) => console.log(`[${name}] ${m}`),
  warn: (m) => console.warn(`[${name}] ${m}`),
  error: (m, t) => console.error(`[${name}] ${m}${t ? `\n${t}` : ''}`),
});

export const silentLogger: RunnerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
