import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type Redis from 'ioredis';
import {
  applicationFromPetition,
  ApplyForMediationCommand,
  DomainError,
  fold,
  PetitionEvent,
  petitionDecider,
  PetitionRegistered,
  PetitionRoutedOut,
  SYSTEM_ACTOR,
} from '@hearth/domain';
import { derivedId, EVENT_STORE, EventStore, RecordedEvent, Subscription } from '@hearth/event-store';
import { RedisLease } from '../lease/redis-lease';
import { PROJECTION_EVENT_STORE } from '../pii';
import type { CommandMeta, CommandOutcome } from '../commands/command-runner';
import { HandleCaseCommand } from '../commands/case.commands';
import { HEARTH_CONFIG, HearthConfig } from '../config/hearth-config';
import { REDIS } from '../hearth-core.module';

/** The subscription's name: checkpoint `<prefix>ckpt:petition-to-mediation`, lease `petition-to-mediation`. */
export const PETITION_TO_MEDIATION = 'petition-to-mediation';

/** The mediation case of a petition routed out to mediation: one per petition, whoever computes it, whenever. */
export const mediationIdForPetition = (petitionId: string): string => derivedId(`mediation-from-petition|${petitionId}`);

/** One command id per route-out event, so a replay of the log never opens a second case. */
export const openFromPetitionCommandId = (routedOutEventId: string): string => derivedId(`${PETITION_TO_MEDIATION}|${routedOutEventId}`);

export type DispatchApply = (mediationId: string, command: ApplyForMediationCommand, meta: CommandMeta) => Promise<CommandOutcome>;

export interface ProcessManagerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PetitionToMediationOptions {
  /** The application's store (personal values opened): the petition's history is read from it. */
  store: EventStore;
  /**
   * What it subscribes to (default `store`). The worker passes the projections' feed, which opens no personal
   * value: only route-outs to mediation matter, and decrypting every event of a replayed log cost a third of a rebuild.
   */
  feed?: EventStore;
  /** Checkpoint and lease; plain commands only (no MULTI), so the shared connection is fine. */
  redis: Redis;
  /** Sends the command through the command side (CommandBus → CommandRunner). */
  dispatch: DispatchApply;
  prefix?: string;
  holder?: string;
  leaseTtlMs?: number;
  /** How often the holder renews its lease while idle (default a third of the lease TTL). */
  idleCheckMs?: number;
  batchSize?: number;
  maxBackoffMs?: number;
  logger?: ProcessManagerLogger;
}

export interface PetitionToMediationStats {
  leader: boolean;
  /** Last global position whose route-outs are all handled (-1: none yet). */
  position: number;
  /** Mediation cases this instance opened. */
  opened: number;
  /** Route-outs whose case already existed (replay after a restart or a flush, or opened by another holder). */
  alreadyOpen: number;
  /** Route-outs the mediation workflow refused (logged with the petition id; never retried). */
  refused: number;
  errors: number;
}

/** Saves the checkpoint only while this holder still holds the lease (a paused ex-holder cannot move it back). */
const SAVE_IF_HOLDER = `if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('set', KEYS[2], ARGV[2])
return 1`;

class LeaseLost extends Error {}

/**
 * Process manager "from petition to mediation": follows the global log and, for every `PetitionRoutedOut` with
 * `procedure: 'mediation'`, dispatches `ApplyForMediation` (built by `applicationFromPetition` from the route-out's
 * application data and the petition's registered data) as Hearth itself.
 *
 * Why not a Projection: projections only write to Redis inside the runner's MULTI, and their after-commit hooks
 * are never retried, so a crash between commit and dispatch would lose the case. Here the checkpoint moves only
 * after the batch's commands were appended, so delivery is at-least-once, and every dispatch is idempotent:
 * the mediation id is derived from the petition id and the command id from the route-out event id, so a replay
 * (worker restart, Redis flushed, two holders for a moment) returns the first result instead of opening a second
 * case. One holder at a time (RedisLease), like the other subscriptions.
 */
export class PetitionToMediation {
  private readonly lease: RedisLease;
  private readonly ckptKey: string;
  private readonly leaseKey: string;
  private readonly holder: string;
  private readonly leaseTtlMs: number;
  private readonly idleCheckMs: number;
  private readonly batchSize: number;
  private readonly maxBackoffMs: number;
  private readonly log: ProcessManagerLogger;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private session = 0;
  readonly stats: PetitionToMediationStats = { leader: false, position: -1, opened: 0, alreadyOpen: 0, refused: 0, errors: 0 };

  constructor(private readonly o: PetitionToMediationOptions) {
    const prefix = o.prefix ?? 'hearth:';
    this.ckptKey = `${prefix}ckpt:${PETITION_TO_MEDIATION}`;
    this.holder = o.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = o.leaseTtlMs ?? 10_000;
    this.idleCheckMs = o.idleCheckMs ?? Math.max(50, Math.floor(this.leaseTtlMs / 3));
    this.batchSize = o.batchSize ?? 500;
    this.maxBackoffMs = o.maxBackoffMs ?? 5000;
    this.log = o.logger ?? { log: () => undefined, warn: (m) => console.warn(m), error: (m) => console.error(m) };
    this.lease = new RedisLease(o.redis, PETITION_TO_MEDIATION, this.holder, this.leaseTtlMs, prefix);
    this.leaseKey = this.lease.key;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.session++;
    this.wake?.();
    await this.loop;
    if (this.stats.leader) await this.lease.release().catch(() => undefined);
    this.stats.leader = false;
  }

  /** Resolves true once every route-out up to `position` is handled, false after `timeoutMs`. */
  async waitFor(position: number, timeoutMs = 10_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.stats.position < position) {
      if (Date.now() > until || !this.running) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  /** A sleep that `stop()` or the end of the subscription cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        if (!(await this.lease.acquire())) {
          this.stats.leader = false;
          await this.sleep(Math.min(1000, this.leaseTtlMs / 3));
          continue;
        }
        if (!this.stats.leader) this.log.log(`${PETITION_TO_MEDIATION}: lease acquired by ${this.holder}`);
        this.stats.leader = true;
        await this.follow();
        backoff = 100;
      } catch (err) {
        if (!this.running) break;
        this.stats.errors++;
        this.log.warn(`${PETITION_TO_MEDIATION}: ${(err as Error).message}; starting again in ${backoff} ms`);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  /** One subscription from the stored checkpoint; returns when the lease is lost or on stop, throws on errors. */
  private async follow(): Promise<void> {
    const stored = await this.o.redis.get(this.ckptKey);
    // No checkpoint (first start, Redis flushed): from the start; every case already opened is recognised.
    const from = stored !== null && Number.isSafeInteger(Number(stored)) ? Number(stored) : -1;
    this.stats.position = from;
    const session = ++this.session;
    let failure: unknown;
    let ended = false;
    const sub: Subscription = (this.o.feed ?? this.o.store).subscribeToAll(
      async (events) => {
        if (session !== this.session) throw new LeaseLost('session ended');
        await this.handle(events);
      },
      { after: from < 0 ? undefined : from, batchSize: this.batchSize },
    );
    void sub.done.then(
      () => {
        ended = true;
        this.wake?.();
      },
      (err: unknown) => {
        ended = true;
        failure = err;
        this.wake?.();
      },
    );
    try {
      while (this.running && !ended) {
        await this.sleep(this.idleCheckMs);
        if (!this.running || ended) break;
        // After a flush the lease key is gone: renew fails, acquire takes it again unless someone else did.
        if (!((await this.lease.renew()) || (await this.lease.acquire()))) {
          this.log.warn(`${PETITION_TO_MEDIATION}: lease lost, pausing`);
          this.stats.leader = false;
          return;
        }
      }
      if (failure && !(failure instanceof LeaseLost)) throw failure;
      if (failure instanceof LeaseLost) this.stats.leader = false;
    } finally {
      this.session++;
      await sub.stop().catch(() => undefined);
    }
  }

  private async handle(events: RecordedEvent[]): Promise<void> {
    if (!events.length) return;
    for (const e of events) {
      if (e.type === 'PetitionRoutedOut' && (e.data as PetitionRoutedOut['data']).procedure === 'mediation') await this.open(e);
    }
    const last = events[events.length - 1].position;
    const saved = await this.o.redis.eval(SAVE_IF_HOLDER, 2, this.leaseKey, this.ckptKey, this.holder, String(last));
    if (saved !== 1) throw new LeaseLost('lease lost while saving the checkpoint');
    this.stats.position = last;
  }

  private async open(e: RecordedEvent): Promise<void> {
    const petitionId = e.streamId.slice('petition-'.length);
    const mediationId = mediationIdForPetition(petitionId);
    // Opened before (replay after a restart or a flush): nothing to read or decide.
    if ((await this.o.store.readStream(`mediation-${mediationId}`, { maxCount: 1 })).length) {
      this.stats.alreadyOpen++;
      return;
    }
    const history = (await this.o.store.readStream(e.streamId)).filter((x) => x.revision <= e.revision);
    const registered = history.find((x) => x.type === 'PetitionRegistered') as RecordedEvent<PetitionRegistered['data']> | undefined;
    // The route-out as the application store gives it (its personal values opened), not as the feed delivered it.
    const routedOut = history.find((x) => x.revision === e.revision) ?? e;
    const routing = (routedOut.data as PetitionRoutedOut['data']).mediation;
    if (!registered || !routing) {
      // A route-out recorded before route-outs carried the application data: nothing to open it with.
      this.stats.refused++;
      this.log.error(`${PETITION_TO_MEDIATION}: petition ${petitionId} was routed to mediation without application data (event ${e.id}); no case opened`);
      return;
    }
    const state = fold(petitionDecider, history.map((x) => ({ type: x.type, data: x.data }) as PetitionEvent));
    const command = applicationFromPetition(
      mediationId,
      { petitionId, orgUnit: state.orgUnit ?? registered.data.orgUnit, headcount: registered.data.headcount, facts: registered.data.facts },
      routing,
    );
    const meta: CommandMeta = {
      commandId: openFromPetitionCommandId(e.id),
      correlationId: e.metadata.correlationId,
      causationId: e.id,
      cause: 'PetitionRoutedOut',
    };
    try {
      const out = await this.o.dispatch(mediationId, command, meta);
      if (out.replayed) this.stats.alreadyOpen++;
      else this.stats.opened++;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'MEDIATION_ALREADY_EXISTS') {
        this.stats.alreadyOpen++;
        return;
      }
      // The workflow refuses it (rules changed since the route-out was decided): log, count, go on — retrying would
      // block every later route-out. Anything else (I/O, conflicts) is retried with the batch.
      if (err instanceof DomainError) {
        this.stats.refused++;
        this.log.error(`${PETITION_TO_MEDIATION}: mediation for petition ${petitionId} refused: ${err.code} ${err.message}`);
        return;
      }
      throw err;
    }
  }
}

/** The process manager in a Nest application (the worker, or the api with the embedded worker). */
@Injectable()
export class PetitionToMediationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly manager: PetitionToMediation;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PROJECTION_EVENT_STORE) feed: EventStore,
    @Inject(REDIS) redis: Redis,
    @Inject(HEARTH_CONFIG) config: HearthConfig,
    commands: CommandBus,
  ) {
    const l = new Logger(PETITION_TO_MEDIATION);
    this.manager = new PetitionToMediation({
      store,
      feed,
      redis,
      prefix: config.redisPrefix,
      dispatch: (id, command, meta) =>
        commands.execute<HandleCaseCommand, CommandOutcome>(new HandleCaseCommand('mediation', id, command, SYSTEM_ACTOR, meta)),
      logger: { log: (m) => l.log(m), warn: (m) => l.warn(m), error: (m) => l.error(m) },
    });
  }

  onApplicationBootstrap(): void {
    this.manager.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.manager.stop();
  }
}
