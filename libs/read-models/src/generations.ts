import type Redis from 'ioredis';
import {
  activeGenerationKey,
  checkpointKey,
  DEFAULT_PREFIX,
  DEFAULT_RUNNER_NAME,
  escapeGlob,
  generationPrefix,
  generationSeqKey,
  parseGeneration,
  rebuildRequestKey,
  retiredGenerationsKey,
} from './keys';

/** A zero-downtime rebuild in progress: generation `target` is being built from position 0 next to `from`. */
export interface RebuildRequest {
  target: number;
  /** The generation that was active when the rebuild was requested. */
  from: number;
  requestedAt: string;
  requestedBy?: string;
}

export function parseRebuildRequest(raw: string | null | undefined): RebuildRequest | undefined {
  if (!raw) return undefined;
  try {
    const r = JSON.parse(raw) as RebuildRequest;
    return Number.isSafeInteger(r.target) && r.target > 0 ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves the key prefix of the active read-model generation for queries. The pointer is read at most once per
 * `cacheMs` (concurrent callers share one GET); a switched-away generation is kept for a grace period much longer than
 * that (`retireGraceMs` of the runner), so a query never reads a generation that is half built or being deleted.
 */
export class ActiveGeneration {
  private cached?: { generation: number; until: number };
  private loading?: Promise<number>;

  constructor(
    private readonly redis: Redis,
    readonly basePrefix = DEFAULT_PREFIX,
    readonly cacheMs = 250,
  ) {}

  async generation(): Promise<number> {
    const c = this.cached;
    if (c && Date.now() < c.until) return c.generation;
    if (!this.loading) {
      this.loading = this.redis
        .get(activeGenerationKey(this.basePrefix))
        .then((raw) => {
          const generation = parseGeneration(raw);
          this.cached = { generation, until: Date.now() + this.cacheMs };
          return generation;
        })
        .finally(() => {
          this.loading = undefined;
        });
    }
    return this.loading;
  }

  async prefix(): Promise<string> {
    return generationPrefix(this.basePrefix, await this.generation());
  }

  /** Forget the cached pointer (tests; after a switch made by this process). */
  invalidate(): void {
    this.cached = undefined;
  }
}

/** What query classes accept: a base prefix (they resolve the generation themselves) or a shared resolver. */
export type PrefixSource = string | ActiveGeneration;

/**
 * Keys of the active generation, built by `make` once per generation (key builders are plain closures over the
 * prefix). Used by every query class.
 */
export class GenerationKeys<K> {
  readonly active: ActiveGeneration;
  private last?: { prefix: string; keys: K };

  constructor(
    redis: Redis,
    source: PrefixSource,
    private readonly make: (prefix: string) => K,
  ) {
    this.active = typeof source === 'string' ? new ActiveGeneration(redis, source) : source;
  }

  async get(): Promise<K> {
    const prefix = await this.active.prefix();
    if (this.last?.prefix !== prefix) this.last = { prefix, keys: this.make(prefix) };
    return this.last.keys;
  }
}

export interface RequestRebuildResult {
  /** The generation being built. */
  target: number;
  /** The generation queries read meanwhile. */
  active: number;
  /** False when a rebuild was already in progress (this call joined it). */
  created: boolean;
  request: RebuildRequest;
}

/**
 * Ask the rebuild runner (a `ProjectionRunner` with `mode: 'rebuild'`, run by every worker) to build a new generation
 * from position 0 and switch to it once it has caught up. Nothing is deleted now; queries keep reading the active
 * generation. Idempotent while a rebuild is in progress.
 */
export async function requestGenerationRebuild(redis: Redis, prefix = DEFAULT_PREFIX, requestedBy?: string): Promise<RequestRebuildResult> {
  const conn = redis.duplicate();
  conn.on('error', () => undefined);
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      const keys = [activeGenerationKey(prefix), rebuildRequestKey(prefix), generationSeqKey(prefix), retiredGenerationsKey(prefix)];
      await conn.watch(...keys);
      const [pointer, rawRequest, seq] = await conn.mget(keys[0], keys[1], keys[2]);
      const active = parseGeneration(pointer);
      const existing = parseRebuildRequest(rawRequest);
      if (existing) {
        await conn.unwatch();
        return { target: existing.target, active, created: false, request: existing };
      }
      // Never reuse a number whose keys may still exist (a retired generation waiting for deletion).
      const retired = (await conn.zrange(keys[3], 0, -1)).map(Number).filter(Number.isSafeInteger);
      const target = Math.max(active, parseGeneration(seq), ...retired) + 1;
      const request: RebuildRequest = { target, from: active, requestedAt: new Date().toISOString(), ...(requestedBy ? { requestedBy } : {}) };
      const res = await conn.multi().set(keys[2], String(target)).set(keys[1], JSON.stringify(request)).exec();
      if (res) return { target, active, created: true, request };
    }
    throw new Error('could not record the rebuild request (the pointer kept changing)');
  } finally {
    conn.disconnect();
  }
}

export interface ReadModelStatus {
  /** Generation queries read (0 = the unversioned layout). */
  generation: number;
  /** Last log position applied to it (null: not built yet, e.g. right after a flush). */
  position: number | null;
  /** A rebuild in progress and how far it got. */
  rebuild?: RebuildRequest & { position: number | null };
  /** Generations switched away from, waiting for background deletion. */
  retired: number[];
}

export async function readModelStatus(redis: Redis, prefix = DEFAULT_PREFIX, runnerName = DEFAULT_RUNNER_NAME): Promise<ReadModelStatus> {
  const [pointer, rawRequest] = await redis.mget(activeGenerationKey(prefix), rebuildRequestKey(prefix));
  const generation = parseGeneration(pointer);
  const request = parseRebuildRequest(rawRequest);
  const [active, building] = await redis.mget(
    checkpointKey(generationPrefix(prefix, generation), runnerName),
    checkpointKey(generationPrefix(prefix, request?.target ?? generation), runnerName),
  );
  const retired = (await redis.zrange(retiredGenerationsKey(prefix), 0, -1)).map(Number);
  const num = (v: string | null): number | null => (v === null ? null : Number(v));
  return {
    generation,
    position: num(active),
    ...(request ? { rebuild: { ...request, position: num(building) } } : {}),
    retired,
  };
}

/** The checkpoint of the active generation (what `/health` should report). */
export async function activeCheckpoint(redis: Redis, prefix = DEFAULT_PREFIX, runnerName = DEFAULT_RUNNER_NAME): Promise<number | null> {
  return (await readModelStatus(redis, prefix, runnerName)).position;
}

export interface PurgeOptions {
  /** Keys per SCAN step and UNLINK (default 1000). */
  chunk?: number;
  /** Called between chunks; return false to stop early (the caller retries later). */
  keepGoing?: () => boolean | Promise<boolean>;
}

/** SCAN + UNLINK every key matching `pattern`, in chunks. Returns the number of keys removed, or -1 if stopped. */
export async function unlinkMatching(redis: Redis, pattern: string, options: PurgeOptions = {}): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    if (options.keepGoing && !(await options.keepGoing())) return -1;
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', options.chunk ?? 1000);
    cursor = next;
    if (keys.length) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}

/**
 * Delete one generation's keys: everything under `<prefix>g<n>:` for n ≥ 1; for generation 0 (shared with other
 * parts of Hearth) only the read-model namespaces and the runners' checkpoints. Returns keys removed, -1 if stopped.
 */
export async function purgeGeneration(
  redis: Redis,
  prefix: string,
  generation: number,
  namespaces: readonly string[],
  runnerNames: readonly string[],
  options: PurgeOptions = {},
): Promise<number> {
  if (generation > 0) return unlinkMatching(redis, `${escapeGlob(generationPrefix(prefix, generation))}*`, options);
  let removed = runnerNames.length ? await redis.unlink(...runnerNames.map((n) => checkpointKey(prefix, n))) : 0;
  for (const ns of namespaces) {
    const n = await unlinkMatching(redis, `${escapeGlob(prefix + ns)}*`, options);
    if (n < 0) return -1;
    removed += n;
  }
  return removed;
}
