import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { EventStore, RecordedEvent, Subscription } from '@hearth/event-store/event-store.port';
import { RedisLease } from '@hearth/platform/lease/redis-lease';
import type { Projection, ProjectionBatch, RunnerLogger } from './projection';
import { consoleLogger } from './projection';
import { checkpointKey, DEFAULT_PREFIX, DEFAULT_RUNNER_NAME, rebuildMarkerKey } from './keys';
import { purgeNamespaces } from './rebuild';

export interface ProjectionRunnerOptions {
  store: EventStore;
  /** Any connection to the read-model Redis; the runner duplicates it for its own transactions and lease. */
  redis: Redis;
  projections: readonly Projection[];
  /** Subscription name: checkpoint `<prefix>ckpt:<name>`, lease `hearth:lease:<name>`. Default `read-models`. */
  name?: string;
  prefix?: string;
  /** Events per MULTI (default 500). */
  batchSize?: number;
  /** Lease holder id (default host:pid:random). */
  holder?: string;
  leaseTtlMs?: number;
  /** How often an idle runner checks its checkpoint and lease (default 1000 ms). */
  idleCheckMs?: number;
  /** Events recorded longer ago than this are a replay: no live push (default 60 s). */
  liveWindowMs?: number;
  maxBackoffMs?: number;
  logger?: RunnerLogger;
}

export interface RunnerStats {
  position: number;
  leader: boolean;
  /** Subscriptions started (1 + every resync). */
  sessions: number;
  /** Times the runner started from scratch because the checkpoint was missing. */
  rebuilds: number;
  batches: number;
  events: number;
  errors: number;
}

/** Thrown inside the subscription to restart it from the checkpoint stored in Redis. */
class ResyncSignal extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ResyncSignal';
  }
}

interface Waiter {
  position: number;
  settle(ok: boolean): void;
}

/**
 * Feeds the global log to projections, one named subscription at a time (a Redis lease), writing each
 * batch's changes and the checkpoint in one MULTI/EXEC guarded by WATCH on the checkpoint: whenever the
 * checkpoint in Redis is not the position this runner believes (flush, restart, `requestRebuild`), the
 * subscription restarts from what is stored — or from the start, after purging the projections' keys,
 * when nothing is stored. Errors are logged and retried with back-off; the runner never gives up.
 */
export class ProjectionRunner {
  readonly name: string;
  readonly prefix: string;
  private readonly batchSize: number;
  private readonly idleCheckMs: number;
  private readonly liveWindowMs: number;
  private readonly leaseTtlMs: number;
  private readonly maxBackoffMs: number;
  private readonly holder: string;
  private readonly logger: RunnerLogger;
  private readonly ckptKey: string;
  private readonly markerKey: string;
  private readonly namespaces: string[];

  private conn?: Redis;
  private lease?: RedisLease;
  private loop?: Promise<void>;
  private stopping = false;
  private readonly sleepers = new Set<() => void>();
  private session = 0;
  private busy = false;
  private inflight?: Promise<void>;
  private epoch = 0;
  private pos = -1;
  private readonly waiters = new Set<Waiter>();
  private readonly counters: RunnerStats = { position: -1, leader: false, sessions: 0, rebuilds: 0, batches: 0, events: 0, errors: 0 };

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.name = options.name ?? DEFAULT_RUNNER_NAME;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.batchSize = options.batchSize ?? 500;
    this.idleCheckMs = options.idleCheckMs ?? 1000;
    this.liveWindowMs = options.liveWindowMs ?? 60_000;
    this.leaseTtlMs = options.leaseTtlMs ?? 10_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.logger = options.logger ?? consoleLogger(`projection-runner ${this.name}`);
    this.ckptKey = checkpointKey(this.prefix, this.name);
    this.markerKey = rebuildMarkerKey(this.prefix);
    this.namespaces = [...new Set(options.projections.flatMap((p) => p.namespaces))];
  }

  /** Starts the background loop (returns at once; the runner waits for the lease by itself). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    const conn = this.options.redis.duplicate({
      // A transaction must never be replayed on a new connection without its WATCH: fail fast instead.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    let reported = false;
    conn.on('ready', () => {
      this.epoch++;
      if (reported) this.logger.log('redis connection back');
      reported = false;
    });
    conn.on('error', (err: Error) => {
      if (!reported && !this.stopping) this.logger.warn(`redis: ${err.message}`);
      reported = true;
    });
    this.conn = conn;
    const leaseName = this.prefix === DEFAULT_PREFIX ? this.name : `${this.prefix}${this.name}`;
    this.lease = new RedisLease(conn, leaseName, this.holder, this.leaseTtlMs);
    this.loop = this.run();
  }

  /** Stops the subscription, waits for the batch in flight, releases the lease and the connection. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wakeAll();
    this.session++;
    await this.loop;
    this.loop = undefined;
    for (const w of [...this.waiters]) w.settle(false);
    const conn = this.conn;
    if (conn) {
      if (this.counters.leader) await this.lease!.release().catch(() => undefined);
      this.counters.leader = false;
      conn.disconnect();
    }
    this.conn = undefined;
  }

  /** Last position whose changes are committed in Redis (-1: nothing yet). May go back when a rebuild starts. */
  position(): number {
    return this.pos;
  }

  stats(): RunnerStats {
    return { ...this.counters, position: this.pos };
  }

  /** Resolves true once the committed position is ≥ `position`, false after `timeoutMs` or on stop. */
  waitFor(position: number, timeoutMs = 10_000): Promise<boolean> {
    if (this.pos >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = {
        position,
        settle: (ok) => {
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => w.settle(false), timeoutMs);
      this.waiters.add(w);
    });
  }

  private setPosition(p: number): void {
    this.pos = p;
    for (const w of [...this.waiters]) if (p >= w.position) w.settle(true);
  }

  /** A sleep that `stop()` (or the end of a subscription) cuts short. */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.stopping) {
      try {
        await this.waitConnected();
        if (this.stopping) break;
        if (!(await this.lease!.acquire())) {
          if (this.counters.leader) this.logger.warn('lease lost');
          this.counters.leader = false;
          await this.sleep(Math.min(1000, this.leaseTtlMs / 3));
          continue;
        }
        if (!this.counters.leader) this.logger.log(`lease acquired by ${this.holder}`);
        this.counters.leader = true;
        await this.runSession();
        backoff = 100;
      } catch (err) {
        if (this.stopping) break;
        this.counters.errors++;
        const message = `subscription stopped, retrying in ${backoff} ms: ${(err as Error).message}`;
        // Redis being away is an outage, not a bug: no stack trace.
        if (this.conn?.status !== 'ready') this.logger.warn(message);
        else this.logger.error(message, (err as Error).stack);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  private async waitConnected(): Promise<void> {
    const conn = this.conn!;
    while (!this.stopping && conn.status !== 'ready') await this.sleep(50);
  }

  /** One subscription from the stored checkpoint; returns when it must restart (resync, lease lost, stop). */
  private async runSession(): Promise<void> {
    const conn = this.conn!;
    if ((await conn.exists(this.markerKey)) === 1) {
      await this.sleep(this.idleCheckMs / 4);
      return;
    }
    const stored = await conn.get(this.ckptKey);
    let from: number;
    if (stored === null || !Number.isSafeInteger(Number(stored))) {
      const purged = await purgeNamespaces(conn, this.prefix, this.namespaces);
      this.counters.rebuilds++;
      this.logger.log(`no checkpoint: building from the start${purged ? ` (purged ${purged} stale keys)` : ''}`);
      from = -1;
    } else {
      from = Number(stored);
      if (from !== this.pos) this.logger.log(`resuming after position ${from}`);
    }
    this.setPosition(from);
    const session = ++this.session;
    this.counters.sessions++;
    const sub: Subscription = this.options.store.subscribeToAll(
      (events) => {
        if (session !== this.session || this.stopping) return Promise.reject(new ResyncSignal('session ended'));
        const p = this.handle(events);
        this.inflight = p.catch(() => undefined);
        return p;
      },
      { after: from < 0 ? undefined : from, batchSize: this.batchSize },
    );
    let ended: { error: unknown } | undefined;
    void sub.done.then(
      () => {
        ended = { error: undefined };
        this.wakeAll();
      },
      (error: unknown) => {
        ended = { error };
        this.wakeAll();
      },
    );
    let renewAt = Date.now() + this.leaseTtlMs / 3;
    try {
      for (;;) {
        if (!ended) await this.sleep(this.idleCheckMs);
        if (ended) {
          if (ended.error instanceof ResyncSignal) {
            if (!this.stopping) this.logger.log(`resync: ${ended.error.message}`);
            return;
          }
          if (ended.error) throw ended.error;
          return;
        }
        if (this.stopping) return;
        if (Date.now() >= renewAt) {
          if (!(await this.lease!.acquire())) {
            this.logger.warn('lease lost: pausing');
            this.counters.leader = false;
            return;
          }
          renewAt = Date.now() + this.leaseTtlMs / 3;
        }
        if (await this.checkpointMoved()) {
          this.logger.log('checkpoint in redis differs from this runner (flush, restart or rebuild): resync');
          return;
        }
      }
    } finally {
      this.session++;
      await sub.stop().catch(() => undefined);
      await this.inflight;
    }
  }

  /** While idle: has the checkpoint been changed or removed behind our back, or a rebuild requested? */
  private async checkpointMoved(): Promise<boolean> {
    if (this.busy) return false;
    const expected = this.pos;
    const [ck, marker] = await this.conn!.mget(this.ckptKey, this.markerKey);
    if (this.busy || this.pos !== expected) return false; // a batch committed meanwhile: it did its own check
    return marker !== null || (ck === null ? -1 : Number(ck)) !== expected;
  }

  private async handle(events: RecordedEvent[]): Promise<void> {
    const fresh = events.filter((e) => e.position > this.pos);
    for (let i = 0; i < fresh.length; i += this.batchSize) await this.commit(fresh.slice(i, i + this.batchSize));
  }

  private async commit(events: RecordedEvent[]): Promise<void> {
    if (!events.length) return;
    const conn = this.conn!;
    this.busy = true;
    let watching = false;
    try {
      const epoch = this.epoch;
      await conn.watch(this.ckptKey, this.markerKey);
      watching = true;
      const [ck, marker] = await conn.mget(this.ckptKey, this.markerKey);
      if (marker !== null) throw new ResyncSignal('rebuild requested');
      const stored = ck === null ? -1 : Number(ck);
      if (stored !== this.pos) throw new ResyncSignal(`checkpoint is ${ck ?? 'missing'}, runner is at ${this.pos}`);

      const tx = conn.multi();
      const after: Array<() => unknown> = [];
      const now = Date.now();
      const batch: ProjectionBatch = {
        events,
        redis: conn,
        tx,
        prefix: this.prefix,
        afterCommit: (fn) => after.push(fn),
        isLive: (e) => now - Date.parse(e.recordedAt) <= this.liveWindowMs,
      };
      for (const p of this.options.projections) await p.apply(batch);
      const last = events[events.length - 1].position;
      tx.set(this.ckptKey, String(last));
      // A reconnect drops the WATCH: never EXEC on a connection that did not WATCH.
      if (this.epoch !== epoch || conn.status !== 'ready') throw new Error('redis connection lost during batch');
      const res = await tx.exec();
      watching = false;
      if (res === null) throw new ResyncSignal('checkpoint or rebuild marker changed during batch');
      this.setPosition(last);
      this.counters.batches++;
      this.counters.events += events.length;
      const failed = res.find(([e]) => e);
      if (failed) this.logger.error(`a write of batch ending at ${last} failed: ${(failed[0] as Error).message}`);
      for (const fn of after) {
        try {
          await fn();
        } catch (err) {
          this.logger.warn(`after-commit action failed: ${(err as Error).message}`);
        }
      }
    } finally {
      this.busy = false;
      if (watching) await conn.unwatch().catch(() => undefined);
    }
  }
}
