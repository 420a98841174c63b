import type Redis from 'ioredis';
import { EventStore, SqliteEventStore } from '@hearth/event-store';
import { activeCheckpoint } from '@hearth/read-models';
import type { HearthConfig } from '../config/hearth-config';
import type { MetricsSources } from './hearth-metrics';

/** A scrape must not hang on a Redis that is gone: such a source is skipped for this scrape. */
const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/** The subscriptions whose checkpoints live under the deployment's prefix (read models in their active generation). */
export function metricsSources(store: EventStore, redis: Redis, c: HearthConfig): MetricsSources {
  const ready = () => {
    if (redis.status !== 'ready') throw new Error('redis not ready');
  };
  const num = (v: string | null) => (v === null || Number.isNaN(Number(v)) ? null : Number(v));
  return {
    subscriptions: async () => {
      ready();
      const [head, readModels, deadlines, processes] = await within(
        c.readyTimeoutMs,
        Promise.all([store.headPosition(), activeCheckpoint(redis, c.redisPrefix), redis.get(`${c.redisPrefix}ckpt:deadlines`), redis.get(`${c.redisPrefix}ckpt:petition-to-mediation`)]),
      );
      return [
        { name: 'read-models', position: readModels, head },
        { name: 'deadlines', position: num(deadlines), head },
        { name: 'petition-to-mediation', position: num(processes), head },
      ];
    },
    pendingTimers: async () => {
      ready();
      return within(c.readyTimeoutMs, redis.zcard(`${c.bullPrefix}:${c.deadlineQueue}:delayed`));
    },
    ...(store instanceof SqliteEventStore ? { sqliteWriterQueue: () => store.pendingAppends } : {}),
  };
}
