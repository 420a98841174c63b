import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import {
  addDays,
  CalendarHistory,
  changedDays,
  DomainError,
  HolidayCalendar,
  isProvisional,
  LocalDate,
  localDateOf,
  MAX_REST_RUN,
  yearsMissingAhead,
} from '@hearth/domain';
import { derivedId, EventStore } from '@hearth/event-store';
import type { Clock } from '../clock/clock';
import { RedisLease } from '../lease/redis-lease';
import type { CalendarRegistry } from './calendar-registry';
import { PendingDeadlineSpans, PendingSpan } from './deadline-spans';

/** How far ahead a missing year matters: the longest period (60 days) plus an extension (30) and the ladder's 督办 rungs. */
export const MISSING_YEAR_HORIZON_DAYS = 120;

export interface RecomputationLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface CalendarRecomputationOptions {
  /** The log as projections read it (no personal value is opened: only deadline facts are needed). */
  feed: EventStore;
  redis: Redis;
  calendars: CalendarRegistry;
  clock: Clock;
  /** Sends RecomputeDeadlines to one case through the command side (its own decider decides). */
  recompute: (streamId: string, calendarVersion: string, commandId: string) => Promise<void>;
  /** Flags a year without a loaded arrangement on the calendar stream (alert to the city's admins). */
  flagMissing: (year: number, commandId: string) => Promise<void>;
  prefix?: string;
  pollMs?: number;
  pageSize?: number;
  logger?: RecomputationLogger;
}

/** One command id per case and calendar version: a sweep repeated after a crash or a Redis flush appends nothing twice. */
export const recomputeCommandId = (streamId: string, calendarVersion: string): string => derivedId(`calendar-recompute|${streamId}|${calendarVersion}`);
export const missingYearCommandId = (year: number): string => derivedId(`calendar-missing|${year}`);

/**
 * Follows the calendar stream (one holder at a time, Redis lease). When the calendar in force changed since the last
 * sweep (checkpoint: the calendar stream revision, in Redis; lost in a flush, the sweep simply runs again and decides
 * nothing new), it folds the pending deadlines of the whole log and sends RecomputeDeadlines to every case with a
 * pending deadline whose period or ladder touches a day the change affects, or that is provisional and no longer
 * needs to be. It also flags years deadlines may reach that have no loaded arrangement (health and the admins' alert).
 */
export class CalendarRecomputation {
  private readonly lease: RedisLease;
  private readonly ckptKey: string;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly log: RecomputationLogger;
  /** Calendar-stream revision of the last finished sweep in this process (-1: none). */
  sweptRevision = -1;
  sweeps = 0;

  constructor(private readonly o: CalendarRecomputationOptions) {
    const prefix = o.prefix ?? 'hearth:';
    this.ckptKey = `${prefix}ckpt:calendar-recompute`;
    this.lease = new RedisLease(o.redis, 'calendar-recompute', `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, 10_000, prefix);
    this.log = o.logger ?? { log: () => undefined, warn: (m) => console.warn(m) };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.lease.release().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(), ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    let backoff = 200;
    while (this.running) {
      try {
        if (await this.lease.acquire()) await this.tick();
        backoff = 200;
        await this.sleep(this.o.pollMs ?? 1000);
      } catch (err) {
        if (!this.running) break;
        this.log.warn(`calendar recomputation: ${(err as Error).message}; again in ${backoff} ms`);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  /** One pass: flag missing years, then sweep if the calendar changed since the last sweep. */
  async tick(): Promise<void> {
    const history = await this.o.calendars.calendar();
    const current = history.current();
    const flagged = new Set(history.flaggedMissing());
    for (const year of yearsMissingAhead(current, localDateOf(this.o.clock.now()), MISSING_YEAR_HORIZON_DAYS))
      if (!flagged.has(year)) await this.o.flagMissing(year, missingYearCommandId(year));
    const revision = history.streamRevision;
    const done = await this.o.redis.get(this.ckptKey);
    if (done !== null && Number(done) >= revision) {
      this.sweptRevision = revision;
      return;
    }
    await this.sweep(history);
    await this.o.redis.set(this.ckptKey, String(revision));
    this.sweptRevision = revision;
    this.sweeps++;
  }

  private async sweep(history: CalendarHistory): Promise<void> {
    const spans = new PendingDeadlineSpans();
    const pageSize = this.o.pageSize ?? 5000;
    for (let after = -1; ; ) {
      const page = await this.o.feed.readAll({ after, maxCount: pageSize });
      for (const e of page) spans.apply(e);
      if (page.length < pageSize) break;
      after = page[page.length - 1].position;
    }
    const current = history.current();
    const touched = new TouchedDays(history, current);
    let sent = 0;
    for (const [streamId, deadlines] of spans.byStream) {
      if (![...deadlines.values()].some((d) => touched.affects(d))) continue;
      try {
        await this.o.recompute(streamId, current.version, recomputeCommandId(streamId, current.version));
        sent++;
      } catch (err) {
        // A case its decider cannot recount (gone, or a period that cannot be counted) is skipped, not retried forever.
        if (err instanceof DomainError) this.log.warn(`calendar recomputation: ${streamId}: ${err.code}`);
        else throw err;
      }
    }
    this.log.log(`calendar ${current.version}: ${sent} case(s) recomputed`);
  }
}

/** Which pending deadlines a calendar change may move: by the days that differ between their calendar and the current one. */
class TouchedDays {
  private readonly byVersionYear = new Map<string, LocalDate[] | null>();

  constructor(
    private readonly history: CalendarHistory,
    private readonly current: HolidayCalendar,
  ) {}

  affects(d: PendingSpan): boolean {
    if (d.provisional && !isProvisional(this.current, d.startDate, d.dueDate)) return true;
    if (d.calendarVersion === this.current.version) return false;
    const before = this.history.atVersion(d.calendarVersion);
    // The shift off a rest day looks past the period's end.
    const end = addDays(d.endDate, MAX_REST_RUN);
    for (let y = Number(d.startDate.slice(0, 4)); y <= Number(end.slice(0, 4)); y++) {
      const days = this.changed(d.calendarVersion, before, y);
      if (days === null || days.some((day) => day > d.startDate && day <= end)) return true;
    }
    return false;
  }

  /** Days of `year` whose status differs (null: the old calendar is unknown, so anything may have changed). */
  private changed(version: string, before: HolidayCalendar | undefined, year: number): LocalDate[] | null {
    const key = `${version}|${year}`;
    let days = this.byVersionYear.get(key);
    if (days === undefined) {
      days = before ? changedDays(before, this.current, `${year}-01-01`, `${year}-12-31`) : null;
      this.byVersionYear.set(key, days);
    }
    return days;
  }
}
