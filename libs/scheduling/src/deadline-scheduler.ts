import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, type JobsOptions } from 'bullmq';
import type Redis from 'ioredis';
import type { EventStore, RecordedEvent } from '@hearth/event-store/event-store.port';
import type { Clock } from '@hearth/platform/clock/clock';
import { RedisLease } from '@hearth/platform/lease/redis-lease';
import {
  consoleLogger,
  DEADLINE_JOB_NAME,
  DEADLINE_QUEUE_OPTIONS,
  DEFAULT_BULL_PREFIX,
  DEFAULT_DEADLINE_QUEUE,
  deadlineKey,
  indexValueOf,
  jobIdFromIndex,
  jobIdOf,
  timerAt,
  type DeadlineJobData,
  type LadderStep,
  type DeadlineQueueConfig,
  type SchedulingLogger,
} from './deadline-jobs';
import { removeStaleTimers, unfiredTimers } from './stale-timers';

/** Events that start (or restart) a deadline's timers: the first rung of the ladder they carry, or the due time. */
const ARMING = new Set(['DeadlineOpened', 'DeadlineMoved', 'DeadlineRecomputed']);
/** Ladder step events: they hand over to the rung they name as `next` (none: the timers end). */
const STEPS = new Set(['DeadlineApproaching', 'DeadlineDueSoon', 'DeadlineMissed', 'DeadlineEscalated']);
/** Events that end a deadline's timers. */
const ENDING = new Set(['DeadlineMet', 'DeadlineLapsed', 'DeadlineCancelled']);

interface Rung {
  step: LadderStep;
  level?: number;
  at: string;
}

/** The timer of one rung (or of the due time when there is no rung); undefined if the rung is malformed. */
function rungJob(streamId: string, deadlineId: string, dueAt: string, rung?: Rung): DeadlineJobData | undefined {
  if (Number.isNaN(Date.parse(dueAt))) return undefined;
  if (!rung) return { streamId, deadlineId, dueAt };
  if (typeof rung.step !== 'string' || typeof rung.at !== 'string' || Number.isNaN(Date.parse(rung.at))) return undefined;
  // `at` only when it differs from the due time (timerAt falls back to dueAt): every byte counts 100,000 times.
  return {
    streamId,
    deadlineId,
    dueAt,
    step: rung.step,
    ...(typeof rung.level === 'number' ? { level: rung.level } : {}),
    ...(Date.parse(rung.at) !== Date.parse(dueAt) ? { at: rung.at } : {}),
  };
}

/**
 * What an event does to its deadline's timer: the timer to arm instead of the current one, `null` (no timer any more),
 * `undefined` (not a deadline event), or `'invalid'` (a deadline event without a usable instant).
 */
function timerEffect(e: RecordedEvent): DeadlineJobData | null | undefined | 'invalid' {
  if (!hasDeadlineId(e.data)) return undefined;
  const d = e.data as { deadlineId: string; dueAt?: unknown; ladder?: unknown; next?: unknown };
  if (ARMING.has(e.type)) {
    if (typeof d.dueAt !== 'string') return 'invalid';
    const first = Array.isArray(d.ladder) && d.ladder.length ? (d.ladder[0] as Rung) : undefined;
    return rungJob(e.streamId, d.deadlineId, d.dueAt, first) ?? 'invalid';
  }
  if (STEPS.has(e.type)) {
    if (!d.next || typeof d.next !== 'object') return null;
    if (typeof d.dueAt !== 'string') return 'invalid';
    return rungJob(e.streamId, d.deadlineId, d.dueAt, d.next as Rung) ?? 'invalid';
  }
  return ENDING.has(e.type) ? null : undefined;
}

/**
 * Checkpoint value while a rebuild from position 0 runs: `rebuilding:<holder>:<random>`, so that only the latest
 * rebuilder can write index entries or commit (a second process that took the lease after a flush cannot mix its
 * rebuild with ours). A process that finds this value (crash during a rebuild) rebuilds again.
 */
const REBUILDING = 'rebuilding:';

/** HSET fields (ARGV[2..]) into KEYS[2] only while KEYS[1] (checkpoint) still equals ARGV[1]. */
const INDEX_IF = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do redis.call('hset', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1`;

/**
 * Saves the batch's index changes and the new checkpoint atomically, only if the checkpoint still holds the value
 * this scheduler last wrote (a FLUSHALL, a Redis restart or another holder makes it fail: nothing is saved).
 * KEYS: checkpoint, index. ARGV: expected, new, number of HSET pairs, pairs…, then fields to HDEL.
 */
const COMMIT = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[3])
local i = 4
for _ = 1, n do
  redis.call('hset', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  redis.call('hdel', KEYS[2], ARGV[i])
  i = i + 1
end
redis.call('set', KEYS[1], ARGV[2])
return 1`;

export interface DeadlineSchedulerOptions extends DeadlineQueueConfig {
  store: EventStore;
  /**
   * Redis for the checkpoint, the timer index and the lease; also the connection of the scheduler's own BullMQ
   * Queue unless `queue` is given. Must not use an ioredis `keyPrefix` (BullMQ refuses it).
   */
  redis: Redis;
  clock: Clock;
  /** An existing Queue on the same queue name / prefix (then the scheduler does not close it). */
  queue?: Queue<DeadlineJobData>;
  /** Prefix of Hearth's own keys: checkpoint `<keyPrefix>ckpt:deadlines`, index `<keyPrefix>deadlines:timers`. Default `hearth:`. */
  keyPrefix?: string;
  /** Lease holder id (unique per process). Default `<hostname>-<pid>-<random>`. */
  holder?: string;
  /** Lease `deadlines` time to live; renewed every third of it. Default 10 s. */
  leaseTtlMs?: number;
  /** How often a non-holder tries to take the lease. Default 1 s. */
  leaseRetryMs?: number;
  /** How often the holder checks (while idle too) that its checkpoint still exists. Default 1 s. */
  watchIntervalMs?: number;
  /** Pause after an error (Redis down, …) before starting again. Default 500 ms. */
  retryDelayMs?: number;
  /** Events per subscription batch. Default 1000. */
  batchSize?: number;
  /** Events per read while rebuilding from position 0. Default 5000. */
  rebuildPageSize?: number;
  /** Jobs per `addBulk` call. Default 1000. */
  bulkChunkSize?: number;
  /** Attempts of a timer whose `fire` fails with an ordinary error. Default 10. */
  timerAttempts?: number;
  /** Base of the exponential backoff between those attempts (real ms). Default 1000. */
  timerBackoffMs?: number;
  /** Failed timers kept for inspection (bounded). Default 1000. */
  keepFailed?: number;
  logger?: SchedulingLogger;
}

export interface DeadlineSchedulerStats {
  batches: number;
  /** Times the pending set was rebuilt from position 0 (first start, FLUSHALL, empty Redis after a restart). */
  rebuilds: number;
  jobsAdded: number;
  jobsRemoved: number;
  /** Removals refused because the timer was being fired at that moment (harmless: the decider decides). */
  removalsLocked: number;
  errors: number;
}

interface Plan {
  adds: DeadlineJobData[];
  removes: string[];
  /** index field → job id (set) or null (delete). */
  index: Map<string, string | null>;
}

class SchedulerInterrupted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SchedulerInterrupted';
  }
}

/**
 * The "deadlines" subscription: keeps BullMQ delayed jobs in step with the deadline events of every stream.
 *
 * - One live timer per deadline: the next rung of its ladder (domain-spec §0). DeadlineOpened/Moved carry the ladder
 *   and arm its first rung; each step event (DeadlineApproaching/DueSoon/Missed/Escalated) names the rung after it,
 *   which replaces the timer; Met/Lapsed/Cancelled end it. Deadlines without a ladder have one timer, the due time.
 *
 * - One holder at a time across processes (RedisLease `deadlines`); the others wait for the lease.
 * - Progress: checkpoint `<keyPrefix>ckpt:deadlines` (last processed global position) and an index
 *   `<keyPrefix>deadlines:timers` (`<streamId>.<deadlineId>` → current job id, needed because DeadlineMoved/Met do
 *   not carry the previous due time). Both are saved in one Lua call after the batch's jobs were added/removed,
 *   and only if the checkpoint still holds the value this scheduler wrote.
 * - Every step is idempotent: job ids are deterministic (`<streamId>.<deadlineId>[.<rung>].<ms>`), adding an existing
 *   id is ignored by BullMQ and removing a missing one is a no-op, so replaying a batch changes nothing.
 * - Checkpoint missing (first start, FLUSHALL, Redis restarted empty) — checked before every batch and every
 *   `watchIntervalMs` while idle — means: fold the whole log into the set of still-pending deadlines, add exactly
 *   those timers (delay recomputed from the clock), then follow the log from its end.
 */
export class DeadlineScheduler {
  readonly queue: Queue<DeadlineJobData>;
  readonly stats: DeadlineSchedulerStats = { batches: 0, rebuilds: 0, jobsAdded: 0, jobsRemoved: 0, removalsLocked: 0, errors: 0 };

  private readonly store: EventStore;
  private readonly redis: Redis;
  private readonly clock: Clock;
  private readonly lease: RedisLease;
  private readonly holder: string;
  private readonly log: SchedulingLogger;
  private readonly ownsQueue: boolean;
  private readonly ckptKey: string;
  private readonly indexKey: string;
  private readonly o: Required<
    Pick<
      DeadlineSchedulerOptions,
      | 'leaseTtlMs'
      | 'leaseRetryMs'
      | 'watchIntervalMs'
      | 'retryDelayMs'
      | 'batchSize'
      | 'rebuildPageSize'
      | 'bulkChunkSize'
      | 'timerAttempts'
      | 'timerBackoffMs'
      | 'keepFailed'
    >
  >;

  private running = false;
  private leader = false;
  private loopDone?: Promise<void>;
  /** Checkpoint value this scheduler last wrote (what the next commit expects to find). */
  private expected?: string;
  private saved?: number;
  private interruptReason?: string;
  private interrupt?: (reason: string) => void;
  private cancelPause?: () => void;
  private lastRenew = 0;
  private watching = false;

  constructor(options: DeadlineSchedulerOptions) {
    this.store = options.store;
    this.redis = options.redis;
    this.clock = options.clock;
    this.log = options.logger ?? consoleLogger;
    const prefix = options.keyPrefix ?? 'hearth:';
    this.ckptKey = `${prefix}ckpt:deadlines`;
    this.indexKey = `${prefix}deadlines:timers`;
    this.o = {
      leaseTtlMs: options.leaseTtlMs ?? 10_000,
      leaseRetryMs: options.leaseRetryMs ?? 1000,
      watchIntervalMs: options.watchIntervalMs ?? 1000,
      retryDelayMs: options.retryDelayMs ?? 500,
      batchSize: options.batchSize ?? 1000,
      rebuildPageSize: options.rebuildPageSize ?? 5000,
      bulkChunkSize: options.bulkChunkSize ?? 1000,
      timerAttempts: options.timerAttempts ?? 10,
      timerBackoffMs: options.timerBackoffMs ?? 1000,
      keepFailed: options.keepFailed ?? 1000,
    };
    this.holder = options.holder ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.lease = new RedisLease(this.redis, 'deadlines', this.holder, this.o.leaseTtlMs, prefix);
    if (options.queue) {
      this.queue = options.queue;
      this.ownsQueue = false;
    } else {
      this.queue = new Queue<DeadlineJobData>(options.queueName ?? DEFAULT_DEADLINE_QUEUE, {
        connection: this.redis,
        prefix: options.bullPrefix ?? DEFAULT_BULL_PREFIX,
        ...DEADLINE_QUEUE_OPTIONS,
      });
      this.queue.on('error', (err) => this.log.warn(`deadline queue: ${errMsg(err)}`));
      this.ownsQueue = true;
    }
  }

  /** True while this instance holds the lease and runs the subscription. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Last global position whose timers are saved (undefined before the first save by this instance). */
  get checkpoint(): number | undefined {
    return this.saved;
  }

  /** Starts the loop: take the lease (or wait for it), rebuild if needed, follow the log; recover from errors. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops after the batch in progress; releases the lease; closes the queue it created. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.interrupt?.('stopping');
    this.cancelPause?.();
    await this.loopDone;
    if (this.leader) await this.lease.release().catch(() => undefined);
    this.leader = false;
    if (this.ownsQueue) await this.queue.close().catch(() => undefined);
  }

  /** Resolves once the saved checkpoint is at or after `position` (e.g. `AppendResult.position`). */
  async waitForPosition(position: number, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.saved === undefined || this.saved < position) {
      if (Date.now() > until) throw new Error(`deadline scheduler did not reach position ${position} within ${timeoutMs} ms (at ${this.saved})`);
      await sleep(10);
    }
  }

  // ---- the loop --------------------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        if (!(await this.lease.acquire())) {
          this.leader = false;
          await this.pause(this.o.leaseRetryMs);
          continue;
        }
        this.leader = true;
        this.lastRenew = Date.now();
        await this.lead();
      } catch (err) {
        if (!this.running) break;
        this.stats.errors++;
        this.log.warn(`deadline scheduler: ${errMsg(err)}; starting again in ${this.o.retryDelayMs} ms`);
        await this.pause(this.o.retryDelayMs);
      }
    }
  }

  /** Runs while this instance holds the lease; returns (or throws) when it must start over. */
  private async lead(): Promise<void> {
    this.interruptReason = undefined;
    this.expected = undefined;
    const interrupted = new Promise<string>((resolve) => {
      this.interrupt = (reason) => {
        this.interruptReason ??= reason;
        resolve(reason);
      };
    });
    const watch = setInterval(() => void this.watch(), this.o.watchIntervalMs);
    try {
      let ckpt = await this.redis.get(this.ckptKey);
      if (ckpt === null || ckpt.startsWith(REBUILDING) || !(Number(ckpt) >= 0)) ckpt = String(await this.rebuild());
      this.expected = ckpt;
      this.saved = Number(ckpt);
      if (this.interruptReason) throw new SchedulerInterrupted(this.interruptReason);

      const from = Number(ckpt);
      const sub = this.store.subscribeToAll((events) => this.onBatch(events), {
        after: from >= 0 ? from : undefined,
        batchSize: this.o.batchSize,
      });
      const ended = sub.done.then(() => 'subscription ended');
      ended.catch(() => undefined);
      try {
        const why = await Promise.race([ended, interrupted]);
        if (this.running) this.log.log(`deadline scheduler: ${why}; starting again`);
      } finally {
        await sub.stop().catch(() => undefined);
      }
    } finally {
      clearInterval(watch);
      this.interrupt = undefined;
    }
  }

  /** Every `watchIntervalMs` while leading: renew the lease, and notice a vanished checkpoint even when idle. */
  private async watch(): Promise<void> {
    if (this.watching || !this.interrupt) return;
    this.watching = true;
    try {
      if (Date.now() - this.lastRenew >= this.o.leaseTtlMs / 3) {
        // After a FLUSHALL the lease key is gone too: renew fails, and acquire takes it again unless someone else did.
        const ok = (await this.lease.renew()) || (await this.lease.acquire());
        if (!ok) {
          this.leader = false;
          this.interrupt?.('lease lost');
          return;
        }
        this.lastRenew = Date.now();
      }
      if (this.expected !== undefined && (await this.redis.get(this.ckptKey)) === null) {
        this.interrupt?.('checkpoint missing (Redis flushed or restarted empty)');
      }
    } catch (err) {
      this.interrupt?.(`Redis error: ${errMsg(err)}`);
    } finally {
      this.watching = false;
    }
  }

  // ---- live batches ----------------------------------------------------------------------------------------------

  private async onBatch(events: RecordedEvent[]): Promise<void> {
    if (this.interruptReason) throw new SchedulerInterrupted(this.interruptReason);
    if (events.length === 0) return;
    const expected = this.expected;
    const current = await this.redis.get(this.ckptKey);
    if (current !== expected) {
      throw new SchedulerInterrupted(current === null ? 'checkpoint missing (Redis flushed or restarted empty)' : `checkpoint changed to ${current}`);
    }
    const last = events[events.length - 1].position;
    const plan = await this.plan(events);
    await this.apply(plan);

    const args: string[] = [expected!, String(last), '0'];
    const sets: string[] = [];
    const dels: string[] = [];
    for (const [field, jobId] of plan.index) {
      if (jobId === null) dels.push(field);
      else sets.push(field, indexValueOf(field, jobId));
    }
    args[2] = String(sets.length / 2);
    const ok = await this.redis.eval(COMMIT, 2, this.ckptKey, this.indexKey, ...args, ...sets, ...dels);
    if (ok !== 1) throw new SchedulerInterrupted('checkpoint changed while saving (Redis flushed or lease lost)');
    this.expected = String(last);
    this.saved = last;
    this.stats.batches++;
  }

  /** The net effect of a batch on the timers, starting from the index (the timers as of the checkpoint). */
  private async plan(events: RecordedEvent[]): Promise<Plan> {
    const relevant = events.filter((e) => (ARMING.has(e.type) || STEPS.has(e.type) || ENDING.has(e.type)) && hasDeadlineId(e.data));
    const plan: Plan = { adds: [], removes: [], index: new Map() };
    if (relevant.length === 0) return plan;

    const keys = [...new Set(relevant.map((e) => deadlineKey(e.streamId, (e.data as { deadlineId: string }).deadlineId)))];
    const known = await this.redis.hmget(this.indexKey, ...keys);
    const state = new Map<string, { jobId: string | null; job?: DeadlineJobData }>();
    keys.forEach((k, i) => state.set(k, { jobId: known[i] != null ? jobIdFromIndex(k, known[i]!) : null }));

    const removes = new Set<string>();
    for (const e of relevant) {
      const data = e.data as { deadlineId: string };
      const key = deadlineKey(e.streamId, data.deadlineId);
      const s = state.get(key)!;
      const effect = timerEffect(e);
      if (effect === undefined) continue;
      if (effect === 'invalid') {
        this.log.warn(`deadline scheduler: ${e.type} at ${e.position} has no valid due time or rung; ignored`);
        continue;
      }
      // The timer that produced a step event is being fired right now and removeOnComplete drops it: removing it
      // here would only cost a Redis call per fired timer (and find it locked).
      const stale = s.jobId !== null && !firedBy(e, key, s.jobId) ? s.jobId : null;
      if (effect) {
        const id = jobIdOf(effect);
        if (stale !== null && stale !== id) removes.add(stale);
        s.jobId = id;
        s.job = effect;
      } else {
        if (stale !== null) removes.add(stale);
        s.jobId = null;
        s.job = undefined;
      }
    }
    for (const [key, s] of state) {
      plan.index.set(key, s.jobId);
      if (s.job) plan.adds.push(s.job);
      if (s.jobId !== null) removes.delete(s.jobId);
    }
    plan.removes = [...removes];
    return plan;
  }

  private async apply(plan: Plan): Promise<void> {
    await Promise.all(
      plan.removes.map(async (id) => {
        // 1 = removed (or absent); 0 = locked: the timer is firing right now and removeOnComplete will drop it.
        const removed = await this.queue.remove(id);
        if (removed === 1) this.stats.jobsRemoved++;
        else this.stats.removalsLocked++;
      }),
    );
    await this.addTimers(plan.adds);
  }

  private async addTimers(jobs: DeadlineJobData[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += this.o.bulkChunkSize) {
      const chunk = jobs.slice(i, i + this.o.bulkChunkSize);
      // Delay computed per chunk, at scheduling time: real ms until the domain due instant (0 when already past).
      await this.queue.addBulk(chunk.map((job) => ({ name: DEADLINE_JOB_NAME, data: job, opts: this.jobOptions(job) })));
      this.stats.jobsAdded += chunk.length;
    }
  }

  private jobOptions(job: DeadlineJobData): JobsOptions {
    return {
      jobId: jobIdOf(job),
      delay: this.clock.realDelayUntil(timerAt(job)),
      attempts: this.o.timerAttempts,
      backoff: { type: 'exponential', delay: this.o.timerBackoffMs },
      // Removed once fired, so a replay (after a flush) can add the same id again; failures kept, bounded.
      removeOnComplete: true,
      removeOnFail: { count: this.o.keepFailed },
    };
  }

  // ---- rebuild from position 0 -----------------------------------------------------------------------------------

  /**
   * Folds the whole log into the pending set (Opened/Moved arm the first rung of their ladder or the due time, each
   * step event the rung it names as next, Met/Lapsed/Cancelled and a ladder's last step drop the deadline) before
   * touching BullMQ, so a deadline closed long ago or a rung already reached is never re-armed, then adds exactly
   * those timers and removes any other timer still in the queue. Returns the position now covered.
   */
  private async rebuild(): Promise<number> {
    const started = Date.now();
    const marker = `${REBUILDING}${this.holder}:${randomUUID().slice(0, 8)}`;
    await this.redis.multi().set(this.ckptKey, marker).del(this.indexKey).exec();
    this.expected = marker;

    const pending = new Map<string, DeadlineJobData>();
    let last = -1;
    for (;;) {
      if (this.interruptReason) throw new SchedulerInterrupted(this.interruptReason);
      const page = await this.store.readAll({ after: last >= 0 ? last : undefined, maxCount: this.o.rebuildPageSize });
      if (page.length === 0) break;
      for (const e of page) {
        const effect = timerEffect(e);
        if (effect === undefined || effect === 'invalid') continue;
        const key = deadlineKey(e.streamId, (e.data as { deadlineId: string }).deadlineId);
        if (effect) pending.set(key, effect);
        else pending.delete(key);
      }
      last = page[page.length - 1].position;
    }

    const jobs = [...pending.entries()];
    // Listing 100,000 timer ids takes ~1.4 s: only when something is left over (not after a loss of everything).
    const leftovers = (await unfiredTimers(this.queue)) > 0;
    for (let i = 0; i < jobs.length; i += this.o.bulkChunkSize) {
      if (this.interruptReason) throw new SchedulerInterrupted(this.interruptReason);
      const chunk = jobs.slice(i, i + this.o.bulkChunkSize);
      await this.addTimers(chunk.map(([, job]) => job));
      const fields: string[] = [];
      for (const [key, job] of chunk) fields.push(key, indexValueOf(key, jobIdOf(job)));
      if ((await this.redis.eval(INDEX_IF, 2, this.ckptKey, this.indexKey, marker, ...fields)) !== 1) {
        throw new SchedulerInterrupted('checkpoint changed during the rebuild (Redis flushed again, or another holder)');
      }
    }
    // The queue may hold timers the log no longer asks for (jobs outlive a lost checkpoint): remove them (issue 11.9).
    const swept = leftovers ? await removeStaleTimers(this.queue, new Set(jobs.map(([, job]) => jobIdOf(job))), () => !!this.interruptReason) : { removed: 0, locked: 0 };
    if (this.interruptReason) throw new SchedulerInterrupted(this.interruptReason);
    this.stats.jobsRemoved += swept.removed;
    this.stats.removalsLocked += swept.locked;
    const ok = await this.redis.eval(COMMIT, 2, this.ckptKey, this.indexKey, marker, String(last), '0');
    if (ok !== 1) throw new SchedulerInterrupted('checkpoint changed during the rebuild (Redis flushed again?)');
    this.stats.rebuilds++;
    this.log.log(
      `deadline scheduler: rebuilt ${pending.size} pending timers up to position ${last} in ${Date.now() - started} ms` +
        (swept.removed + swept.locked ? `; removed ${swept.removed} stale timers (${swept.locked} firing)` : ''),
    );
    return last;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.cancelPause = done;
    });
  }
}

/** The rung part of a timer id (`approaching`, `dueSoon`, `escalated<level>`; empty for the due time), as deadlineJobId writes it. */
const STEP_RUNG: Record<string, (data: { level?: unknown }) => string> = {
  DeadlineApproaching: () => 'approaching',
  DeadlineDueSoon: () => 'dueSoon',
  DeadlineMissed: () => '',
  DeadlineEscalated: (d) => `escalated${typeof d.level === 'number' ? d.level : 2}`,
};

/**
 * Whether the step event `e` reports the rung of timer `jobId` (`<key>.<rung>.<ms>`, or `<key>.<ms>` for the due
 * time): step events are decided only when that rung's timer fires, so that timer is the one firing.
 */
function firedBy(e: RecordedEvent, key: string, jobId: string): boolean {
  const rungOf = STEP_RUNG[e.type];
  if (!rungOf || !jobId.startsWith(`${key}.`)) return false;
  const rest = jobId.slice(key.length + 1);
  const dot = rest.lastIndexOf('.');
  return (dot < 0 ? '' : rest.slice(0, dot)) === rungOf(e.data as { level?: unknown });
}

function hasDeadlineId(data: unknown): boolean {
  return typeof data === 'object' && data !== null && typeof (data as { deadlineId?: unknown }).deadlineId === 'string';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
