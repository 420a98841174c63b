import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { DEADLINE_QUEUE_OPTIONS, pendingDeadlines } from '@hearth/scheduling';
import { runLoad } from '../load/run-load';
import type { LoadResult } from '../load/client';
import type { WorkloadName } from '../load/workloads';
import { BENCH_SECRET, HearthUnderBench } from '../support/hearth';
import { RssSampler, procMemory } from '../support/processes';
import { bytesByClass, formatNamespaces, redisRss } from '../support/redis-memory';
import { formatProfile, summarizeProfile } from '../support/profile';

export interface HearthLoadOptions {
  dataRoot: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Open-loop phase for projection lag at a fixed command rate. */
  lagRate: number;
  lagDurationMs: number;
  profileDir?: string;
  topology?: 'embedded' | 'split';
  log: (m: string) => void;
}

export interface HearthLoadResult {
  mix: LoadResult;
  lagAtRate: LoadResult;
  /** Open loop at half the sustained command rate: the projection's own lag, the command side not saturated. */
  lagAtHalf: LoadResult;
  apiRssBytes: number;
  apiPeakRssBytes: number;
  redisRssBytes: number;
  openCases: number;
  pendingDeadlines: number;
  redisBytesPerOpenCase: number;
  redisBytesPerDeadline: number;
  redisUsedMemoryPerOpenCase: number;
  catchUpMs: number;
  profile?: string;
}

/**
 * Hearth under the petition mix: closed loop, `concurrency` clerks over HTTP for the sustained figure (with the
 * projection lag at that load), then Redis memory per open case and per pending timer once everything caught
 * up, then an open-loop phase at `lagRate` commands/s for the projection lag at that rate.
 */
export async function hearthLoad(o: HearthLoadOptions): Promise<HearthLoadResult> {
  const cpuProfileDir = o.profileDir ? mkdtempSync(join(o.profileDir, 'api-')) : undefined;
  const h = await HearthUnderBench.start({ dataRoot: o.dataRoot, cpuProfileDir, topology: o.topology });
  const lagKey = await h.readModelCheckpointKey();
  let result: HearthLoadResult | undefined;
  try {
    const rss = new RssSampler(() => h.api.pid);
    o.log(`  petition mix: ${o.concurrency} clients, ${o.warmupMs / 1000} s warm-up + ${o.durationMs / 1000} s`);
    const mix = await runLoad({
      baseUrl: h.baseUrl,
      secret: BENCH_SECRET,
      workload: 'petition',
      concurrency: o.concurrency,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      lag: { redisUrl: h.redis.url, key: lagKey },
      runId: randomUUID(),
    });
    const apiPeakRssBytes = rss.stop();
    const apiRssBytes = procMemory(h.api.pid).rss;
    const t = performance.now();
    await h.caughtUp();
    const catchUpMs = performance.now() - t;

    const queue = new Queue('hearth-deadlines', { connection: h.conn, prefix: 'hearth-bull', ...DEADLINE_QUEUE_OPTIONS });
    const pending = await pendingDeadlines(queue);
    await queue.close();
    const mem = await bytesByClass(h.conn);
    const openCases = mix.casesRegistered;
    const redisRssBytes = await redisRss(h.conn);
    o.log(`  Redis after ${openCases} open cases and ${pending.total} pending timers, by namespace:\n${formatNamespaces(mem, openCases, 'case')}`);

    // Half the sustained rate first, on a drained system; then the overload phase (which leaves backlogs behind).
    const half = Math.max(50, Math.round(mix.commandsPerSec / 2));
    o.log(`  projection lag at ${half} commands/s (half the sustained rate), ${o.lagDurationMs / 2000} s`);
    const lagAtHalf = await runLoad({
      baseUrl: h.baseUrl,
      secret: BENCH_SECRET,
      workload: 'petition-commands',
      concurrency: o.concurrency,
      warmupMs: 2000,
      durationMs: o.lagDurationMs / 2,
      ratePerSec: half,
      lag: { redisUrl: h.redis.url, key: lagKey },
      runId: randomUUID(),
    });
    o.log(`  projection lag at ${o.lagRate} commands/s (open loop), ${o.lagDurationMs / 1000} s`);
    const lagAtRate = await runLoad({
      baseUrl: h.baseUrl,
      secret: BENCH_SECRET,
      workload: 'petition-commands' satisfies WorkloadName,
      concurrency: o.concurrency,
      warmupMs: 2000,
      durationMs: o.lagDurationMs,
      ratePerSec: o.lagRate,
      lag: { redisUrl: h.redis.url, key: lagKey },
      runId: randomUUID(),
    });
    result = {
      mix,
      lagAtRate,
      lagAtHalf,
      apiRssBytes,
      apiPeakRssBytes: Math.max(apiPeakRssBytes, procMemory(h.api.pid).peakRss),
      redisRssBytes,
      openCases,
      pendingDeadlines: pending.total,
      redisBytesPerOpenCase: mem.bytes.readModels / openCases,
      redisBytesPerDeadline: pending.total ? mem.bytes.deadlineTimers / pending.total : NaN,
      redisUsedMemoryPerOpenCase: mem.usedMemory / openCases,
      catchUpMs,
    };
    return result;
  } finally {
    await h.stop();
    const s = cpuProfileDir ? summarizeProfile(cpuProfileDir) : undefined;
    if (s && result) result.profile = formatProfile(s);
  }
}

/** The petition mix alone (closed loop) against a Hearth in the given topology: the other topology's figure. */
export async function petitionMixOnly(o: { dataRoot: string; concurrency: number; warmupMs: number; durationMs: number; topology: 'embedded' | 'split' }): Promise<LoadResult> {
  const h = await HearthUnderBench.start({ dataRoot: o.dataRoot, topology: o.topology });
  try {
    return await runLoad({
      baseUrl: h.baseUrl,
      secret: BENCH_SECRET,
      workload: 'petition',
      concurrency: o.concurrency,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      runId: randomUUID(),
    });
  } finally {
    await h.stop();
  }
}
