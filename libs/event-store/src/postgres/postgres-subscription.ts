import { AsyncLocalStorage } from 'node:async_hooks';
import type { RecordedEvent, Subscription, SubscriptionHandler } from '../event-store.port';

/** What a subscription needs from its store. */
export interface SubscriptionSource {
  readonly isClosed: boolean;
  /** Bumped after every committed append through this instance and every NOTIFY received. */
  readonly wakeSeq: number;
  readonly pollInterval: number;
  readBatchAfter(after: number, batchSize: number): Promise<RecordedEvent[]>;
  /** Resolves on the next wake-up, after `ms`, or when `cancel` is called. */
  waitForWake(ms: number): { promise: Promise<void>; cancel: () => void };
}

/** Which subscription's handler is running: lets `stop()` called from inside a handler avoid waiting for itself. */
const insideHandler = new AsyncLocalStorage<PostgresSubscription>();

/** Longest pause between reads while the database does not answer. */
const MAX_RETRY_MS = 2_000;

/**
 * Catch-up subscription: read the next batch after the last delivered position, deliver it, repeat; once caught up,
 * sleep until a wake-up (an append here, a NOTIFY from another process) or the poll interval.
 *
 * Why "after the last delivered position" never skips: appends are serialised by the `log_head` row lock and assign
 * positions while holding it, and PostgreSQL makes a transaction visible before it releases its locks; the next
 * writer can only take the lock, and so number its events, after the previous one is visible. A snapshot that shows
 * position p therefore shows every position below p, and a position not visible now can never appear later below one
 * already delivered.
 *
 * A failed read (database down, connection lost) is retried with a growing pause: the subscription outlives an
 * outage and resumes where it stopped. Only the handler's own rejection stops it.
 */
export class PostgresSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private cancelWait?: () => void;

  constructor(
    private readonly source: SubscriptionSource,
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
    if (insideHandler.getStore() === this) return;
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    await Promise.resolve();
    let retryMs = this.source.pollInterval;
    while (!this.stopped && !this.source.isClosed) {
      const seq = this.source.wakeSeq;
      let batch: RecordedEvent[];
      try {
        batch = await this.source.readBatchAfter(this.lastPosition, this.batchSize);
        retryMs = this.source.pollInterval;
      } catch {
        if (this.stopped || this.source.isClosed) break;
        await this.sleep(retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
        continue;
      }
      if (this.stopped) break;
      if (batch.length > 0) {
        await insideHandler.run(this, () => this.handler(batch));
        this.lastPosition = batch[batch.length - 1].position;
        continue;
      }
      // Caught up. If a wake-up came while we were reading, look again at once; otherwise sleep.
      if (this.source.wakeSeq !== seq) continue;
      await this.sleep(this.source.pollInterval);
    }
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stopped) return;
    const wait = this.source.waitForWake(ms);
    this.cancelWait = wait.cancel;
    await wait.promise;
    this.cancelWait = undefined;
  }
}
