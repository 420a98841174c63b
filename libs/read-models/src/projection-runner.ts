import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { EventStore, RecordedEvent, Subscription } from '@hearth/event-store/event-store.port';
import { RedisLease } from '@hearth/platform/lease/redis-lease';
import type { Projection, ProjectionBatch, RunnerLogger } from './projection';
import { consoleLogger } from './projection';
import {
  activeGenerationKey,
  checkpointKey,
  DEFAULT_PREFIX,
  DEFAULT_RUNNER_NAME,
  generationPrefix,
  liveEffectsKey,
  parseGeneration,
  rebuildMarkerKey,
  rebuildRequestKey,
  retiredGenerationsKey,
  switchHoldKey,
} from './keys';
import { parseRebuildRequest, purgeGeneration } from './generations';
import { READ_MODEL_NAMESPACES } from './rebuild';

export interface ProjectionRunnerOptions {
  store: EventStore;
  /** Any connection to the read-model Redis; the runner duplicates it for its own transactions and lease. */
  redis: Redis;
  projections: readonly Projection[];
  /**
   * Subscription name: checkpoint `<generation prefix>ckpt:<name>`, lease `<prefix>lease:<name>` (`<name>:rebuild` for
   * the rebuild runner). Default `read-models`.
   */
  name?: string;
  /** Base prefix; generation n ≥ 1 lives under `<prefix>g<n>:` (see keys.ts). */
  prefix?: string;
  /**
   * `live` (default): feeds the active generation, publishes live alerts, rebuilds in place when it finds its
   * checkpoint missing (flush). `rebuild`: idles until `requestGenerationRebuild`, then builds the requested
   * generation from position 0 without any side effect, never ahead of the live runner, and switches the pointer
   * when it has caught up with it; deletes switched-away generations after `retireGraceMs`.
   */
  mode?: 'live' | 'rebuild';
  /** Events per MULTI (default 1000). */
  batchSize?: number;
  /** Lease holder id (default host:pid:random). */
  holder?: string;
  leaseTtlMs?: number;
  /** How often an idle runner checks its checkpoint and lease (default 1000 ms). */
  idleCheckMs?: number;
  /** Events recorded longer ago than this are a replay: no live push (default 60 s). */
  liveWindowMs?: number;
  maxBackoffMs?: number;
  /** Rebuild runner: how long a switched-away generation stays readable before deletion (default 10 s). */
  retireGraceMs?: number;
  /** Rebuild runner: how long it waits at the live runner's position before asking it to hold still (default 500 ms). */
  holdAfterMs?: number;
  logger?: RunnerLogger;
}

export interface RunnerStats {
  position: number;
  leader: boolean;
  /** Generation this runner feeds (live) or builds (rebuild; -1 while idle). */
  generation: number;
  /** Subscriptions started (1 + every resync). */
  sessions: number;
  /** Times the runner started from scratch because the checkpoint was missing. */
  rebuilds: number;
  /** Rebuild runner: generations switched to. */
  switches: number;
  /** Rebuild runner: retired generations deleted. */
  purged: number;
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

const num = (v: string | null): number => (v === null ? -1 : Number(v));

/**
 * Feeds the global log to projections, one named subscription at a time (a Redis lease), writing each batch's changes
 * and the checkpoint in one MULTI/EXEC guarded by WATCH on the checkpoint (and on the generation pointer, the rebuild
 * marker and the switch hold): whenever Redis is not what this runner believes (flush, restart, rebuild, switch), the
 * subscription restarts from what is stored — or from the start, after purging the generation, when nothing is
 * stored. Batches are pipelined: the next batch is read and folded while the previous EXEC is on its way (replies
 * come in order on the one connection, so its loads see that EXEC and its WATCH check sees whether it succeeded).
 * Errors are logged and retried with back-off; the runner never gives up.
 */
export class ProjectionRunner {
  readonly name: string;
  readonly prefix: string;
  readonly mode: 'live' | 'rebuild';
  private readonly batchSize: number;
  private readonly idleCheckMs: number;
  private readonly liveWindowMs: number;
  private readonly leaseTtlMs: number;
  private readonly maxBackoffMs: number;
  private readonly retireGraceMs: number;
  private readonly holdAfterMs: number;
  private readonly holder: string;
  private readonly logger: RunnerLogger;
  private readonly markerKey: string;
  private readonly pointerKey: string;
  private readonly holdKey: string;
  private readonly requestKey: string;
  private readonly retiredKey: string;
  private readonly effectsKey: string;
  private readonly namespaces: string[];

  private conn?: Redis;
  private lease?: RedisLease;
  private loop?: Promise<void>;
  private stopping = false;
  private readonly sleepers = new Set<() => void>();
  private session = 0;
  private inflight?: Promise<void>;
  private epoch = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly counters: RunnerStats = {
    position: -1,
    leader: false,
    generation: -1,
    sessions: 0,
    rebuilds: 0,
    switches: 0,
    purged: 0,
    batches: 0,
    events: 0,
    errors: 0,
  };

  /** Generation of the current session, its key prefix and checkpoint key. */
  private gen = -1;
  private dataPrefix: string;
  private ckptKey: string;
  /** Committed position (-1: nothing yet). */
  private pos = -1;
  /** Position the checkpoint will have once every EXEC sent so far has succeeded. */
  private sentPos = -1;
  /** Result handling of the last EXEC sent (rejects with its failure). */
  private pending?: Promise<void>;
  private pendingFailure?: unknown;
  /** A batch is being prepared (between its first command and its EXEC). */
  private preparing = false;
  /** Rebuild runner: the live runner's committed position last seen (the rebuild never goes past it). */
  private cap = -1;
  private capReachedAt = 0;
  /** Live runner: events up to here had their side effects already (see `liveEffectsKey`). */
  private effects = -1;
  /** Serialises the WATCH…EXEC sections on the one connection (a batch, a switch): an UNWATCH must never hit another's. */
  private txChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.name = options.name ?? DEFAULT_RUNNER_NAME;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.mode = options.mode ?? 'live';
    this.batchSize = options.batchSize ?? 1000;
    this.idleCheckMs = options.idleCheckMs ?? 1000;
    this.liveWindowMs = options.liveWindowMs ?? 60_000;
    this.leaseTtlMs = options.leaseTtlMs ?? 10_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.retireGraceMs = options.retireGraceMs ?? 10_000;
    this.holdAfterMs = options.holdAfterMs ?? 500;
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.logger = options.logger ?? consoleLogger(`projection-runner ${this.name}${this.mode === 'rebuild' ? ' (rebuild)' : ''}`);
    this.markerKey = rebuildMarkerKey(this.prefix);
    this.pointerKey = activeGenerationKey(this.prefix);
    this.holdKey = switchHoldKey(this.prefix);
    this.requestKey = rebuildRequestKey(this.prefix);
    this.retiredKey = retiredGenerationsKey(this.prefix);
    this.effectsKey = liveEffectsKey(this.prefix);
    this.namespaces = [...new Set(options.projections.flatMap((p) => p.namespaces))];
    this.dataPrefix = this.prefix;
    this.ckptKey = checkpointKey(this.prefix, this.name);
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
    this.lease = new RedisLease(conn, this.mode === 'rebuild' ? `${this.name}:rebuild` : this.name, this.holder, this.leaseTtlMs, this.prefix);
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
      // A hold this runner set would otherwise pause the live runner until it expires.
      if (this.counters.leader && this.mode === 'rebuild') await conn.del(this.holdKey).catch(() => undefined);
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

  /** Generation of the current session (-1: none yet, or a rebuild runner with nothing to build). */
  generation(): number {
    return this.gen;
  }

  stats(): RunnerStats {
    return { ...this.counters, position: this.pos, generation: this.gen };
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
        if (this.mode === 'rebuild') await this.runRebuildSession();
        else await this.runLiveSession();
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

  private useGeneration(gen: number): void {
    this.gen = gen;
    this.dataPrefix = generationPrefix(this.prefix, gen);
    this.ckptKey = checkpointKey(this.dataPrefix, this.name);
  }

  /** Checkpoint of the session's generation; when missing, that generation is purged and built from the start. */
  private async startingPoint(): Promise<number> {
    const conn = this.conn!;
    const stored = await conn.get(this.ckptKey);
    if (stored !== null && Number.isSafeInteger(Number(stored))) {
      const from = Number(stored);
      if (from !== this.pos) this.logger.log(`generation ${this.gen}: resuming after position ${from}`);
      return from;
    }
    const purged = await purgeGeneration(conn, this.prefix, this.gen, [...new Set([...READ_MODEL_NAMESPACES, ...this.namespaces])], [this.name]);
    this.counters.rebuilds++;
    this.logger.log(`generation ${this.gen}: no checkpoint, building from the start${purged ? ` (purged ${purged} stale keys)` : ''}`);
    return -1;
  }

  /** Live: one subscription on the active generation; returns when it must restart (resync, lease lost, stop). */
  private async runLiveSession(): Promise<void> {
    const [marker, hold, pointer, effects] = await this.conn!.mget(this.markerKey, this.holdKey, this.pointerKey, this.effectsKey);
    if (marker !== null || hold !== null) {
      // A drop is being prepared, or the rebuild runner is about to switch: hold still for a moment.
      await this.sleep(Math.min(this.idleCheckMs / 4, 100));
      return;
    }
    // Only this runner (lease) moves the mark while the session lasts; a flush removes it and ends the session.
    this.effects = num(effects);
    this.useGeneration(parseGeneration(pointer));
    await this.subscribe(await this.startingPoint());
  }

  /** Rebuild: idle (deleting retired generations) until a rebuild is requested, then build it and switch. */
  private async runRebuildSession(): Promise<void> {
    const conn = this.conn!;
    const [rawRequest, pointer] = await conn.mget(this.requestKey, this.pointerKey);
    const request = parseRebuildRequest(rawRequest);
    if (!request || request.target === parseGeneration(pointer)) {
      this.gen = -1;
      this.setPosition(-1);
      await this.purgeRetired();
      await this.sleep(this.idleCheckMs);
      return;
    }
    this.useGeneration(request.target);
    this.cap = -1;
    this.capReachedAt = 0;
    const from = await this.startingPoint();
    if (from < 0) this.logger.log(`rebuilding into generation ${request.target} (generation ${parseGeneration(pointer)} stays active meanwhile)`);
    await this.subscribe(from);
  }

  private async subscribe(from: number): Promise<void> {
    this.setPosition(from);
    this.sentPos = from;
    this.pending = undefined;
    this.pendingFailure = undefined;
    const session = ++this.session;
    this.counters.sessions++;
    const sub: Subscription = this.options.store.subscribeToAll(
      (events) => {
        if (session !== this.session || this.stopping) return Promise.reject(new ResyncSignal('session ended'));
        const p = this.mode === 'rebuild' ? this.handleRebuild(events, session) : this.handle(events);
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
        if (!ended && this.pendingFailure === undefined) await this.sleep(this.idleCheckMs);
        const failure = ended ? ended.error : this.pendingFailure;
        if (ended || failure !== undefined) {
          if (failure instanceof ResyncSignal) {
            if (!this.stopping) this.logger.log(`resync: ${failure.message}`);
            return;
          }
          if (failure) throw failure;
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
        if (this.mode === 'rebuild') {
          try {
            if (await this.switchIfCaughtUp()) return;
          } catch (err) {
            if (!(err instanceof ResyncSignal)) throw err;
            this.logger.log(`resync: ${err.message}`);
            return;
          }
        } else if (await this.checkpointMoved()) {
          this.logger.log('checkpoint or generation in redis differs from this runner (flush, restart, rebuild or switch): resync');
          return;
        }
      }
    } finally {
      this.session++;
      await sub.stop().catch(() => undefined);
      await this.inflight;
      // (A field set by callbacks: TypeScript's narrowing from the assignment above does not apply.)
      await (this.pending as Promise<void> | undefined)?.catch(() => undefined);
    }
  }

  private idle(): boolean {
    return !this.preparing && this.sentPos === this.pos;
  }

  /** While idle: has the checkpoint been changed or removed behind our back, the pointer moved, or a rebuild requested? */
  private async checkpointMoved(): Promise<boolean> {
    if (!this.idle()) return false;
    const expected = this.pos;
    const [ck, marker, hold, pointer] = await this.conn!.mget(this.ckptKey, this.markerKey, this.holdKey, this.pointerKey);
    if (!this.idle() || this.pos !== expected) return false; // a batch committed meanwhile: it did its own check
    return marker !== null || hold !== null || parseGeneration(pointer) !== this.gen || num(ck) !== expected;
  }

  private async handle(events: RecordedEvent[]): Promise<void> {
    const fresh = events.filter((e) => e.position > this.sentPos);
    for (let i = 0; i < fresh.length; i += this.batchSize) await this.commit(fresh.slice(i, i + this.batchSize));
  }

  /**
   * Rebuild: commit only what the live runner has committed too (it alone has the side effects: alerts published,
   * webhooks handed over), so that at the switch both generations stand at the same position. Waits there for the
   * live runner, switching as soon as the positions are equal.
   */
  private async handleRebuild(events: RecordedEvent[], session: number): Promise<void> {
    let rest = events.filter((e) => e.position > this.sentPos);
    while (rest.length) {
      if (session !== this.session || this.stopping) throw new ResyncSignal('session ended');
      if (rest[rest.length - 1].position > this.cap) await this.readCap();
      let n = 0;
      while (n < rest.length && rest[n].position <= this.cap) n++;
      for (let i = 0; i < n; i += this.batchSize) await this.commit(rest.slice(i, Math.min(n, i + this.batchSize)));
      rest = rest.slice(n);
      if (!rest.length) break;
      // At the live runner's position with more events to go.
      if (await this.switchIfCaughtUp()) throw new ResyncSignal(`switched to generation ${this.gen}`);
      await this.sleep(20);
    }
    if (this.sentPos === this.cap && (await this.switchIfCaughtUp())) throw new ResyncSignal(`switched to generation ${this.gen}`);
  }

  /** The live runner's committed position (in the active generation). Throws when this rebuild is over. */
  private async readCap(): Promise<void> {
    const conn = this.conn!;
    const active = parseGeneration(await conn.get(this.pointerKey));
    if (active === this.gen) throw new ResyncSignal(`generation ${this.gen} is already active`);
    this.cap = Math.max(this.cap, num(await conn.get(checkpointKey(generationPrefix(this.prefix, active), this.name))));
  }

  /**
   * Rebuild: when everything sent is committed and this generation stands at the live runner's position, switch the
   * pointer (WATCHed: fails if the live runner commits meanwhile). Waiting there for longer than `holdAfterMs` (appends
   * keep coming), ask the live runner to hold still; the hold expires by itself if this runner dies.
   */
  private switchIfCaughtUp(): Promise<boolean> {
    return this.exclusive(() => this.trySwitch());
  }

  private async trySwitch(): Promise<boolean> {
    if (this.pending) await this.pending;
    // Still catching up with what the live runner had committed when last looked at: nothing to try yet.
    if (!this.idle() || this.pos < this.cap) return false;
    const conn = this.conn!;
    const pointer = await conn.get(this.pointerKey);
    const active = parseGeneration(pointer);
    if (active === this.gen) throw new ResyncSignal(`generation ${this.gen} is already active`);
    const activeCkpt = checkpointKey(generationPrefix(this.prefix, active), this.name);
    let watching = true;
    await conn.watch(this.pointerKey, activeCkpt, this.ckptKey, this.requestKey);
    try {
      const [p2, live, own, rawRequest] = await conn.mget(this.pointerKey, activeCkpt, this.ckptKey, this.requestKey);
      if (p2 !== pointer) return false;
      if (parseRebuildRequest(rawRequest)?.target !== this.gen) throw new ResyncSignal('rebuild cancelled');
      if (num(own) !== this.pos) throw new ResyncSignal(`checkpoint is ${own ?? 'missing'}, runner is at ${this.pos}`);
      const livePos = num(live);
      this.cap = Math.max(this.cap, livePos);
      if (livePos !== this.pos) {
        // The live runner moved on (appends keep coming): chase it; if that takes long, ask it to hold still.
        if (livePos > this.pos) {
          if (!this.capReachedAt) this.capReachedAt = Date.now();
          else if (Date.now() - this.capReachedAt >= this.holdAfterMs) {
            await conn.set(this.holdKey, String(this.gen), 'PX', Math.max(2000, this.leaseTtlMs / 2));
          }
        }
        return false;
      }
      const tx = conn.multi().set(this.pointerKey, String(this.gen)).del(this.requestKey).del(this.holdKey);
      if (active !== this.gen) tx.zadd(this.retiredKey, Date.now(), String(active));
      const res = await tx.exec();
      watching = false;
      if (res === null) return false;
      this.counters.switches++;
      this.logger.log(`switched: generation ${this.gen} is active at position ${this.pos}; generation ${active} retired`);
      return true;
    } finally {
      if (watching) await conn.unwatch().catch(() => undefined);
    }
  }

  /** Rebuild runner, idle: delete generations switched away from more than `retireGraceMs` ago, in chunks. */
  private async purgeRetired(): Promise<void> {
    const conn = this.conn!;
    const due = await conn.zrangebyscore(this.retiredKey, '-inf', Date.now() - this.retireGraceMs);
    if (!due.length) return;
    const [pointer, rawRequest] = await conn.mget(this.pointerKey, this.requestKey);
    const keep = new Set([parseGeneration(pointer), parseRebuildRequest(rawRequest)?.target]);
    let renewAt = Date.now() + this.leaseTtlMs / 3;
    const keepGoing = async (): Promise<boolean> => {
      if (this.stopping) return false;
      if (Date.now() >= renewAt) {
        if (!(await this.lease!.acquire())) return false;
        renewAt = Date.now() + this.leaseTtlMs / 3;
      }
      return true;
    };
    for (const g of due) {
      const gen = Number(g);
      if (!keep.has(gen)) {
        const n = await purgeGeneration(conn, this.prefix, gen, [...new Set([...READ_MODEL_NAMESPACES, ...this.namespaces])], [this.name], {
          chunk: 500,
          keepGoing,
        });
        if (n < 0) return;
        this.counters.purged++;
        this.logger.log(`deleted retired generation ${gen} (${n} keys)`);
      }
      await conn.zrem(this.retiredKey, g);
    }
  }

  /**
   * Keys WATCHed by a batch (a change aborts its EXEC): the checkpoint, plus the drop marker (live) or the request
   * (rebuild). The live runner does not WATCH the pointer or the switch hold: it checks them before any side effect,
   * and a batch that passed that check may still land in the generation just switched away from (harmless: the new
   * one resumes from its own checkpoint, and the side-effect mark keeps the replay silent).
   */
  private watchKeys(): string[] {
    return this.mode === 'rebuild' ? [this.ckptKey, this.requestKey] : [this.ckptKey, this.markerKey];
  }

  /** Keys read before EXEC: the WATCHed ones, then (live) the switch hold and the pointer. */
  private guardKeys(): string[] {
    return this.mode === 'rebuild' ? this.watchKeys() : [this.ckptKey, this.markerKey, this.holdKey, this.pointerKey];
  }

  private checkGuard(values: Array<string | null>, expected: number): void {
    const stored = num(values[0]);
    if (stored !== expected) throw new ResyncSignal(`checkpoint is ${values[0] ?? 'missing'}, runner is at ${expected}`);
    if (this.mode === 'rebuild') {
      if (parseRebuildRequest(values[1])?.target !== this.gen) throw new ResyncSignal('rebuild cancelled or done');
      return;
    }
    if (values[1] !== null) throw new ResyncSignal('rebuild requested');
    if (values[2] !== null) throw new ResyncSignal('switch in progress');
    if (parseGeneration(values[3]) !== this.gen) throw new ResyncSignal('the active generation changed');
  }

  /** Runs `fn` after every WATCH…EXEC section started before it has sent its EXEC (or given up). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.txChain.then(fn, fn);
    this.txChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Prepares one batch and sends its EXEC without waiting for the reply (handled by `this.pending`), so the next
   * batch is read from the log and folded meanwhile. Waits for the previous batch's reply before sending its own EXEC.
   */
  private commit(events: RecordedEvent[]): Promise<void> {
    if (!events.length) return Promise.resolve();
    return this.exclusive(() => this.prepareAndSend(events));
  }

  private async prepareAndSend(events: RecordedEvent[]): Promise<void> {
    const conn = this.conn!;
    const prev = this.pending;
    const expected = this.sentPos;
    const epoch = this.epoch;
    this.preparing = true;
    let watching = false;
    try {
      // WATCH and the check go out first, the projections' loads right behind them: one round trip for all.
      const watched = conn.watch(...this.watchKeys());
      watching = true;
      const checked = Promise.all([watched, conn.mget(...this.guardKeys())]);
      checked.catch(() => undefined);

      const tx = conn.multi();
      const before: Array<() => Promise<unknown>> = [];
      const after: Array<() => unknown> = [];
      const now = Date.now();
      const live = this.mode === 'live';
      const effects = this.effects;
      const batch: ProjectionBatch = {
        events,
        redis: conn,
        tx,
        prefix: this.dataPrefix,
        basePrefix: this.prefix,
        beforeCommit: (fn) => before.push(fn),
        afterCommit: (fn) => after.push(fn),
        // The rebuild runner never pushes anything: the live runner did (or will) for every event it builds.
        isLive: live ? (e) => e.position > effects && now - Date.parse(e.recordedAt) <= this.liveWindowMs : () => false,
      };
      for (const p of this.options.projections) await p.apply(batch);
      const [, values] = await checked;
      // The previous EXEC was answered before our WATCH: if it failed, so does this batch.
      if (prev) await prev;
      this.checkGuard(values, expected);
      for (const fn of before) await fn();
      const last = events[events.length - 1].position;
      tx.set(this.ckptKey, String(last));
      if (live && last > this.effects) {
        tx.set(this.effectsKey, String(last));
        this.effects = last;
      }
      // A reconnect drops the WATCH: never EXEC on a connection that did not WATCH.
      if (this.epoch !== epoch || conn.status !== 'ready') throw new Error('redis connection lost during batch');
      const exec = tx.exec();
      watching = false;
      this.sentPos = last;
      const result = exec.then(async (res) => {
        if (res === null) throw new ResyncSignal('checkpoint, generation or rebuild marker changed during batch');
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
      });
      const tracked = result.catch((err: unknown) => {
        if (this.pending === tracked) {
          this.pendingFailure = err;
          this.wakeAll();
        }
        throw err;
      });
      tracked.catch(() => undefined);
      this.pending = tracked;
    } finally {
      this.preparing = false;
      if (watching) await conn.unwatch().catch(() => undefined);
    }
  }
}
