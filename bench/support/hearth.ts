import Redis from 'ioredis';
import { activeGenerationKey, checkpointKey, generationPrefix, parseGeneration } from '@hearth/read-models';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { API_MAIN, HEARTH_NODE_FLAGS, NodeProcess, sleep, WORKER_MAIN } from './processes';
import { BenchRedis, freePort } from './redis-server';
import { hearthEnv } from './seed';

export { BENCH_SECRET } from './seed';

export interface Health {
  eventStore: { headPosition: number };
  checkpoints: { readModels: number | null; deadlines: number | null };
}

/**
 * Hearth on the embedded default (the event log in a SQLite file in a temp data folder on disk, its own
 * redis-server), in one of two topologies:
 * - `embedded`: as `scripts/start.sh` runs it, one api process with the worker inside (subscriptions, projections,
 *   deadline scheduler and timer worker in-process);
 * - `split`: as README "Running at scale" advises, the api (HEARTH_EMBEDDED_WORKER=false) and one worker process
 *   (`npm run start:worker`) on the same files and Redis.
 */
export class HearthUnderBench {
  private constructor(
    readonly api: NodeProcess,
    readonly worker: NodeProcess | undefined,
    readonly redis: BenchRedis,
    readonly dataDir: string,
    readonly port: number,
    readonly conn: Redis,
  ) {}

  static async start(options: {
    dataRoot: string;
    dataDir?: string;
    redis?: BenchRedis;
    env?: Record<string, string>;
    cpuProfileDir?: string;
    name?: string;
    topology?: 'embedded' | 'split';
  }): Promise<HearthUnderBench> {
    const redis = options.redis ?? (await BenchRedis.start());
    const dataDir = options.dataDir ?? mkdtempSync(join(options.dataRoot, 'hearth-'));
    const port = await freePort();
    const split = options.topology === 'split';
    const env = { ...hearthEnv(dataDir, redis.url), ...(split ? { HEARTH_EMBEDDED_WORKER: 'false' } : {}), ...options.env };
    const api = new NodeProcess({
      name: options.name ?? 'hearth-api',
      main: API_MAIN,
      nodeFlags: HEARTH_NODE_FLAGS,
      cpuProfileDir: options.cpuProfileDir,
      env: { ...env, HEARTH_PORT: String(port) },
    });
    const worker = split
      ? new NodeProcess({
          name: 'hearth-worker',
          main: WORKER_MAIN,
          nodeFlags: HEARTH_NODE_FLAGS,
          // Its own folder: the api's profile is the one summarised.
          cpuProfileDir: options.cpuProfileDir ? join(options.cpuProfileDir, 'worker') : undefined,
          env,
        })
      : undefined;
    const h = new HearthUnderBench(api, worker, redis, dataDir, port, new Redis(redis.url, { maxRetriesPerRequest: null }));
    try {
      await api.waitHealthy(`${h.baseUrl}/health`, 120_000);
    } catch (err) {
      await h.stop();
      throw err;
    }
    return h;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The checkpoint key of the read-model generation queries read now (generation 0 on a fresh Redis). */
  async readModelCheckpointKey(): Promise<string> {
    const generation = parseGeneration(await this.conn.get(activeGenerationKey('hearth:')));
    return checkpointKey(generationPrefix('hearth:', generation), 'read-models');
  }

  async health(): Promise<Health> {
    return (await (await fetch(`${this.baseUrl}/health`)).json()) as Health;
  }

  /** Waits until the read models and the deadline scheduler have processed the whole log. */
  async caughtUp(timeoutMs = 120_000): Promise<Health> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const h = await this.health();
      const head = h.eventStore.headPosition;
      if ((h.checkpoints.readModels ?? -1) >= head && (h.checkpoints.deadlines ?? -1) >= head) return h;
      if (Date.now() > deadline) throw new Error(`Hearth did not catch up with the log: ${JSON.stringify(h)}`);
      await sleep(100);
    }
  }

  async stop(keepData = false): Promise<void> {
    await this.api.stop();
    await this.worker?.stop();
    this.conn.disconnect();
    await this.redis.stop();
    if (!keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
