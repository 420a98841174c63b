import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import type { ControlledClock } from '@hearth/platform/clock/controlled-clock';
import { DEADLINE_QUEUE_OPTIONS, timerAt, type DeadlineJobData, type SchedulingLogger } from './deadline-jobs';

export interface DueTimerPromoterOptions {
  connection: ConnectionOptions;
  queueName: string;
  bullPrefix: string;
  clock: ControlledClock;
  /** Also looks every so often (real ms), for a timer parked with the previous time while the clock moved. Default 200. */
  sweepMs?: number;
  logger: SchedulingLogger;
}

/**
 * Test clocks only: on a controlled clock a timer not yet due is parked (controlled-clock.ts), so when the clock is
 * advanced someone must release the timers now due. This does, right after each advance and on a short sweep, by
 * promoting every delayed deadline job whose domain instant has been reached. Never created with a real clock.
 */
export class DueTimerPromoter {
  private readonly queue: Queue<DeadlineJobData>;
  private readonly stopListening: () => void;
  private readonly sweep: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(private readonly o: DueTimerPromoterOptions) {
    this.queue = new Queue<DeadlineJobData>(o.queueName, { connection: o.connection, prefix: o.bullPrefix, ...DEADLINE_QUEUE_OPTIONS });
    this.queue.on('error', (err) => o.logger.warn(`due timer promoter: ${err.message}`));
    this.stopListening = o.clock.onAdvance(() => this.promoteDue());
    this.sweep = setInterval(() => this.promoteDue(), o.sweepMs ?? 200);
    this.sweep.unref();
  }

  /** Promotes the delayed timers due by the clock; calls arriving while one runs are folded into one more pass. */
  promoteDue(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass().catch((err: Error) => this.o.logger.warn(`due timer promoter: ${err.message}`));
      } while (this.again && !this.closed);
      this.running = undefined;
    })();
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopListening();
    clearInterval(this.sweep);
    await this.running;
    await this.queue.close();
  }

  private async pass(): Promise<void> {
    const now = this.o.clock.now().getTime();
    const due: Job<DeadlineJobData>[] = [];
    // Collected first: promoting shrinks the delayed set, which would shift the pages.
    for (let start = 0, page = 500; ; start += page) {
      const jobs = await this.queue.getDelayed(start, start + page - 1);
      for (const job of jobs) if (job && Date.parse(timerAt(job.data)) <= now) due.push(job);
      if (jobs.length < page) break;
    }
    // Fails harmlessly if the job left the delayed set meanwhile (fired, removed).
    await Promise.all(due.map((job) => job.promote().catch(() => undefined)));
  }
}
