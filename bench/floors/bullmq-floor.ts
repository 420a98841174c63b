import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { BenchRedis } from '../support/redis-server';
import { Samples, Summary } from '../support/stats';
import { sleep } from '../support/processes';

export interface TimerFloorResult {
  jobs: number;
  windowMs: number;
  addPerSec: number;
  lateness: Summary;
  fired: number;
  redisBytesPerJob: number;
  /** The same jobs with Redis `hash-max-listpack-value 512` (job hashes then stay compact listpacks). */
  redisBytesPerJobListpack512: number;
}

/**
 * The timer floor: raw BullMQ, no Hearth. `n` delayed jobs shaped like Hearth's deadline timers (same data and
 * options) are added with addBulk in chunks of 1000, due uniformly over `windowMs` starting `leadMs` from now; a
 * Worker (concurrency 20, as Hearth's) fires them with a no-op. Lateness = processing start − (added + delay).
 */
export async function timerFloor(n: number, windowMs: number, leadMs: number): Promise<TimerFloorResult> {
  const redis = await BenchRedis.start();
  const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('floor-timers', { connection: conn, prefix: 'floor-bull' });
  const lateness = new Samples();
  let fired = 0;
  try {
    // Memory per job first with Redis's own default (the bench's servers start with Hearth's setting, 512).
    await conn.config('SET', 'hash-max-listpack-value', '64');
    const before = Number(/used_memory:(\d+)/.exec(await conn.info('memory'))![1]);
    const start = Date.now() + leadMs;
    const t0 = performance.now();
    await addJobs(queue, n, start, windowMs);
    const addPerSec = (n * 1000) / (performance.now() - t0);
    const after = Number(/used_memory:(\d+)/.exec(await conn.info('memory'))![1]);
    const worker = new Worker(
      'floor-timers',
      async (job) => {
        lateness.add(Date.now() - (job.timestamp + (job.opts.delay ?? 0)));
        fired++;
      },
      { connection: { host: '127.0.0.1', port: redis.port }, prefix: 'floor-bull', concurrency: 20 },
    );
    const until = start + windowMs + 30_000;
    while (fired < n && Date.now() < until) await sleep(200);
    await worker.close();

    // Memory per job again, on an empty server configured to keep small hashes as listpacks.
    await conn.flushall();
    await conn.config('SET', 'hash-max-listpack-value', '512');
    const before2 = Number(/used_memory:(\d+)/.exec(await conn.info('memory'))![1]);
    const m = Math.min(n, 20_000);
    await addJobs(queue, m, Date.now() + 3_600_000, windowMs);
    const after2 = Number(/used_memory:(\d+)/.exec(await conn.info('memory'))![1]);
    return {
      jobs: n,
      windowMs,
      addPerSec,
      lateness: lateness.summary(),
      fired,
      redisBytesPerJob: (after - before) / n,
      redisBytesPerJobListpack512: (after2 - before2) / m,
    };
  } finally {
    await queue.close();
    conn.disconnect();
    await redis.stop();
  }
}

/** `n` jobs shaped like Hearth's deadline timers (same data and options), due uniformly over `windowMs` from `start`. */
async function addJobs(queue: Queue, n: number, start: number, windowMs: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const chunk = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      const due = start + Math.floor((j * windowMs) / n);
      const streamId = `petition-${randomUUID()}`;
      const at = new Date(due).toISOString();
      chunk.push({
        name: 'deadline-due',
        data: { streamId, deadlineId: 'acceptance-1', dueAt: at, step: 'missed', level: 1, at },
        opts: {
          jobId: `${streamId}.acceptance-1.${due}`,
          delay: Math.max(0, due - Date.now()),
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: true,
          removeOnFail: { count: 1000 },
        },
      });
    }
    await queue.addBulk(chunk);
  }
}
