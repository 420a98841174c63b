import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { EventStore, PostgresEventStore, SqliteEventStore } from '@hearth/event-store';
import { activeCheckpoint } from '@hearth/read-models';
import { HEARTH_CONFIG, HearthConfig, RAW_EVENT_STORE, REDIS } from '@hearth/platform';

/** Rejects after `ms`: a probe that hangs (Redis gone, a stuck writer thread) counts as down, so ready answers within 1 s. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The parts /health/ready checks: the log accepts writes, Redis answers, the subscriptions keep up with the log. */
@Injectable()
export class Readiness {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(RAW_EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  /**
   * SQLite: an empty write transaction on the writer's connection (thread); PostgreSQL: the head row lock taken and
   * released in a transaction that writes nothing; EventStoreDB: a read of the head.
   */
  async eventStore(): Promise<HealthIndicatorResult<'eventStore'>> {
    const check = this.indicators.check('eventStore');
    try {
      const head = await within(this.config.readyTimeoutMs, 'event store', this.store.headPosition());
      const probed = this.store instanceof SqliteEventStore || this.store instanceof PostgresEventStore;
      if (probed) await within(this.config.readyTimeoutMs, 'event store write probe', this.store.probeWrite());
      return check.up({ kind: this.config.eventStore, headPosition: head, writable: probed ? true : undefined });
    } catch (err) {
      return check.down({ kind: this.config.eventStore, message: reason(err) });
    }
  }

  /** A connection that is not ready fails at once (ioredis would queue the PING until it reconnects). */
  async redisUp(): Promise<HealthIndicatorResult<'redis'>> {
    const check = this.indicators.check('redis');
    if (this.redis.status !== 'ready') return check.down({ message: `connection ${this.redis.status}` });
    try {
      await within(this.config.readyTimeoutMs, 'redis', this.redis.ping());
      return check.up();
    } catch (err) {
      return check.down({ message: reason(err) });
    }
  }

  /** Read models and deadline scheduler: events of the log not yet covered by their checkpoints, against the bound. */
  async subscriptions(): Promise<HealthIndicatorResult<'subscriptions'>> {
    const check = this.indicators.check('subscriptions');
    const maxLag = this.config.readyMaxLag;
    try {
      if (this.redis.status !== 'ready') throw new Error('redis not ready');
      const [head, readModels, deadlines] = await within(
        this.config.readyTimeoutMs,
        'checkpoints',
        Promise.all([this.store.headPosition(), activeCheckpoint(this.redis, this.config.redisPrefix), this.redis.get(`${this.config.redisPrefix}ckpt:deadlines`)]),
      );
      const lagOf = (ckpt: number | null) => Math.max(0, head - (ckpt ?? -1));
      const lag = { readModels: lagOf(readModels), deadlines: lagOf(deadlines === null ? null : Number(deadlines)) };
      const data = { maxLag, lag, checkpoints: { readModels, deadlines: deadlines === null ? null : Number(deadlines) } };
      return lag.readModels <= maxLag && lag.deadlines <= maxLag ? check.up(data) : check.down({ ...data, message: `a subscription trails the log by more than ${maxLag} events` });
    } catch (err) {
      return check.down({ maxLag, message: reason(err) });
    }
  }
}
