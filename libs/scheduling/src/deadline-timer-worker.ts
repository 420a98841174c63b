import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Clock } from '@hearth/platform/clock/clock';
import { isControlledClock } from '@hearth/platform/clock/controlled-clock';
import { DueTimerPromoter } from './due-timer-promoter';
import {
  consoleLogger,
  DEFAULT_BULL_PREFIX,
  DEFAULT_DEADLINE_QUEUE,
  isDeadlineNotDue,
  timerAt,
  type DeadlineJobData,
  type DeadlineQueueConfig,
  type SchedulingLogger,
} from './deadline-jobs';

export type FireDeadline = (deadline: DeadlineJobData) => Promise<void>;

export interface DeadlineTimerWorkerOptions extends DeadlineQueueConfig {
  /**
   * Redis for the worker. Prefer connection options ({ host, port, … }): BullMQ then creates its connections with
   * `maxRetriesPerRequest: null` itself, so they wait out a Redis restart instead of failing. An ioredis instance
   * must have been created with `maxRetriesPerRequest: null` (BullMQ throws otherwise).
   */
  connection: ConnectionOptions;
  /** Called once per due timer (a rung of a deadline's ladder); wired to the `ExpireDeadline` command. */
  fire: FireDeadline;
  /** Used to postpone a timer that fired early exactly until its due instant. Optional. */
  clock?: Clock;
  /** Timers fired in parallel. Default 20. */
  concurrency?: number;
  /** First postponement after `DEADLINE_NOT_DUE` (real ms), doubled on each repeat. Default 100. */
  notDueRetryMs?: number;
  /** Longest postponement after `DEADLINE_NOT_DUE` (real ms). Default 60 000. */
  notDueMaxRetryMs?: number;
  /** Start consuming at once (default true); otherwise call `start()`. */
  autorun?: boolean;
  logger?: SchedulingLogger;
}

/**
 * BullMQ worker of the deadline timers. Each due timer calls `fire(data)`:
 * - resolves → the job completes (and is removed: removeOnComplete);
 * - throws `{ code: 'DEADLINE_NOT_DUE' }` (fired early by domain time) → the job goes back to delayed until its due
 *   instant per the clock (at least `notDueRetryMs`, doubling on repeats); this does not use up an attempt;
 * - throws anything else → failed attempt, retried with the exponential backoff and attempt limit set on the job by
 *   the scheduler.
 */
export class DeadlineTimerWorker {
  readonly worker: Worker<DeadlineJobData>;
  private readonly log: SchedulingLogger;
  private readonly notDueRetryMs: number;
  private readonly notDueMaxRetryMs: number;
  /** Only with a controlled (test) clock: releases parked timers when the clock is advanced. */
  private readonly promoter?: DueTimerPromoter;

  constructor(private readonly options: DeadlineTimerWorkerOptions) {
    this.log = options.logger ?? consoleLogger;
    this.notDueRetryMs = options.notDueRetryMs ?? 100;
    this.notDueMaxRetryMs = options.notDueMaxRetryMs ?? 60_000;
    this.worker = new Worker<DeadlineJobData>(
      options.queueName ?? DEFAULT_DEADLINE_QUEUE,
      (job, token) => this.process(job, token),
      {
        connection: options.connection,
        prefix: options.bullPrefix ?? DEFAULT_BULL_PREFIX,
        concurrency: options.concurrency ?? 20,
        autorun: options.autorun ?? true,
      },
    );
    // Without a listener an 'error' event (e.g. Redis connection lost) would crash the process.
    this.worker.on('error', (err) => this.log.warn(`deadline worker: ${err.message}`));
    this.worker.on('failed', (job, err) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        this.log.error(`deadline timer ${job.id} failed for good after ${job.attemptsMade} attempts: ${err.message}`);
      }
    });
    if (isControlledClock(options.clock)) {
      this.promoter = new DueTimerPromoter({
        connection: options.connection,
        queueName: options.queueName ?? DEFAULT_DEADLINE_QUEUE,
        bullPrefix: options.bullPrefix ?? DEFAULT_BULL_PREFIX,
        clock: options.clock,
        logger: this.log,
      });
    }
  }

  /** Only needed with `autorun: false`. */
  start(): void {
    if (!this.worker.isRunning()) void this.worker.run().catch((err: Error) => this.log.error(`deadline worker stopped: ${err.message}`));
  }

  /**
   * Controlled (test) clock only: releases the timers due by it now; resolves once that pass is done. Runs by itself
   * after every advance; tests call it to know a pass has run. A no-op with a real clock.
   */
  promoteDue(): Promise<void> {
    return this.promoter?.promoteDue() ?? Promise.resolve();
  }

  /** Waits for the timers being fired, then closes the connections. */
  async close(): Promise<void> {
    await this.promoter?.close();
    await this.worker.close();
  }

  private async process(job: Job<DeadlineJobData>, token?: string): Promise<void> {
    try {
      await this.options.fire(job.data);
    } catch (err) {
      if (!isDeadlineNotDue(err)) throw err;
      // attemptsStarted counts every pick-up, attemptsMade only failures: the difference counts postponements.
      const postponed = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
      const backoff = Math.min(this.notDueMaxRetryMs, this.notDueRetryMs * 2 ** Math.min(postponed, 30));
      const untilDue = this.options.clock ? this.options.clock.realDelayUntil(timerAt(job.data)) : 0;
      const wait = Math.max(backoff, untilDue);
      if (postponed >= 10) this.log.warn(`deadline timer ${job.id} still not due after ${postponed} postponements; next try in ${wait} ms`);
      await job.moveToDelayed(Date.now() + wait, token);
      // Tells BullMQ the job was moved to delayed: neither completed nor failed.
      throw new DelayedError();
    }
  }
}
