import type Redis from 'ioredis';
import {
  activeGenerationKey,
  checkpointKey,
  DEFAULT_PREFIX,
  DEFAULT_RUNNER_NAME,
  escapeGlob,
  generationPrefix,
  parseGeneration,
  rebuildMarkerKey,
  rebuildRequestKey,
  retiredGenerationsKey,
  switchHoldKey,
} from './keys';
import { parseRebuildRequest, purgeGeneration } from './generations';

/** Key namespaces (after the prefix) of every read model in this library. */
export const READ_MODEL_NAMESPACES: readonly string[] = ['pet:', 'alert:', 'inbox:', 'tmp:', 'hs:', 'med:'];

/** SCAN + UNLINK every key under `<prefix><namespace>` for each namespace. Returns the number of keys removed. */
export async function purgeNamespaces(redis: Redis, prefix: string, namespaces: readonly string[]): Promise<number> {
  let removed = 0;
  for (const ns of namespaces) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix + ns)}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  }
  return removed;
}

export interface RebuildOptions {
  /** Runners whose checkpoints are deleted (default: `read-models`, plus `alerts` if run separately). */
  runners?: readonly string[];
  /** Namespaces deleted (default: all read models of this library). */
  namespaces?: readonly string[];
  /** How long runners stay paused if this call dies half way (the marker expires). */
  markerTtlMs?: number;
}

/**
 * Emergency path (`--drop`): throw the active read models away so the running runner rebuilds them in place from
 * position 0. Queries see empty, then partial results until it has caught up; the normal path is the zero-downtime
 * `requestGenerationRebuild`. Never FLUSHDB: BullMQ jobs, leases and other subscriptions' checkpoints stay.
 *
 * A marker key pauses the runners while keys are deleted (a runner WATCHes it, so a batch in flight aborts); a
 * zero-downtime rebuild in progress is cancelled and its half-built generation deleted; then the active generation's
 * checkpoints go first and its data after them. When the marker is removed each runner finds its checkpoint missing
 * and rebuilds from the start. Returns the number of keys removed.
 */
export async function requestRebuild(redis: Redis, prefix = DEFAULT_PREFIX, options: RebuildOptions = {}): Promise<number> {
  const runners = options.runners ?? [DEFAULT_RUNNER_NAME, 'alerts'];
  const namespaces = options.namespaces ?? READ_MODEL_NAMESPACES;
  const marker = rebuildMarkerKey(prefix);
  await redis.set(marker, String(Date.now()), 'PX', options.markerTtlMs ?? 120_000);
  try {
    let removed = 0;
    const [pointer, rawRequest] = await redis.mget(activeGenerationKey(prefix), rebuildRequestKey(prefix));
    const active = parseGeneration(pointer);
    const request = parseRebuildRequest(rawRequest);
    if (request) {
      // The rebuild runner sees its request gone at its next batch and stops; its generation goes now.
      await redis.unlink(rebuildRequestKey(prefix), switchHoldKey(prefix));
      if (request.target !== active) {
        await redis.zrem(retiredGenerationsKey(prefix), String(request.target));
        removed += await purgeGeneration(redis, prefix, request.target, namespaces, runners);
      }
    }
    const data = generationPrefix(prefix, active);
    removed += await redis.unlink(...runners.map((r) => checkpointKey(data, r)));
    removed += await purgeGeneration(redis, prefix, active, namespaces, []);
    return removed;
  } finally {
    await redis.del(marker);
  }
}
