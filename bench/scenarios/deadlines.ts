import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { Actor, DomainEvent, localDateOf, petitionDecider } from '@hearth/domain';
import { DEADLINE_QUEUE_OPTIONS, pendingDeadlines } from '@hearth/scheduling';
import { UNITS } from '../load/workloads';
import { registerBody } from '../load/workloads';
import { HearthUnderBench } from '../support/hearth';
import { RssSampler, sleep } from '../support/processes';
import { bytesByClass, formatNamespaces } from '../support/redis-memory';
import { BenchRedis } from '../support/redis-server';
import { contextFactory, openHearthStore, seedLog, withMetadata } from '../support/seed';
import { Samples, Summary } from '../support/stats';
import { formatProfile, summarizeProfile } from '../support/profile';

export interface DeadlinesOptions {
  dataRoot: string;
  deadlines: number;
  /** How many of them come due, spread uniformly over the window; the rest stay pending (due weeks later). */
  due: number;
  /** Real time over which the `due` deadlines come due. */
  windowMs: number;
  /** Real time between Hearth's start and the first due time (start-up + scheduling every timer). */
  leadMs: number;
  profileDir?: string;
  log: (m: string) => void;
}

export interface DeadlinesResult {
  deadlines: number;
  due: number;
  windowMs: number;
  /** Timers still pending when the window ended (the ones not due in it). */
  pendingAfterWindow: number;
  seedMs: number;
  /** Hearth start → every timer scheduled (deadline scheduler's checkpoint at the seeded head). */
  schedulingMs: number;
  scheduledBeforeFirstDue: boolean;
  pendingAtStart: number;
  redisBytesPerDeadline: number;
  fired: number;
  lateness: Summary;
  apiPeakRssBytes: number;
  profile?: string;
}

/** Domain instant of the first due time (a Tuesday inside the shipped holiday calendars). */
const D0 = Date.parse('2026-03-10T02:00:00.000Z');

/**
 * Deadline lateness with N pending deadlines, through the real scheduler and timer worker. N petitions are seeded,
 * registered by Hearth's decider, each with its acceptance deadline edited so that its due times are spread
 * uniformly over `windowMs`, with a ladder of just the due-time rung (so the armed timer is the due time itself).
 * Hearth starts on that log with a clock (speed 1) that reaches the first due time `leadMs` after start: its
 * deadline scheduler schedules every timer, the timer worker fires each one as ExpireDeadline through the command
 * bus, and the decider records DeadlineMissed. Lateness = the DeadlineMissed's commit time (recordedAt) − the real
 * instant its due time maps to.
 */
export async function deadlines(o: DeadlinesOptions): Promise<DeadlinesResult> {
  const dataDir = mkdtempSync(join(o.dataRoot, 'hearth-deadlines-'));
  const n = o.deadlines;
  const contextFor = contextFactory();
  const redis = await BenchRedis.start();
  const t0 = performance.now();
  /** Stream → due instant (domain, epoch ms) of its deadline. */
  const dues = new Map<string, number>();
  const seededHead = await seedLog(dataDir, redis.url, async (store) => {
    const registeredAt = new Date(D0 - 3_600_000).toISOString();
    const batch: Array<Promise<unknown>> = [];
    for (let i = 0; i < n; i++) {
      const unit = UNITS[i % UNITS.length];
      const actor: Actor = { id: `intake.${unit}`, role: 'intake', orgUnit: unit };
      const id = randomUUID();
      // The first `due` petitions come due over the window, the others four weeks later (pending throughout).
      const dueAt = new Date(i < o.due ? D0 + Math.floor((i * o.windowMs) / o.due) : D0 + 28 * 86_400_000 + i).toISOString();
      const body = registerBody({ unit, id, seq: i, loop: 99 });
      const decided = petitionDecider.decide(
        { type: 'RegisterPetition', petitionId: id, ...(body as object) } as never,
        petitionDecider.initialState,
        contextFor(actor, registeredAt),
      ) as DomainEvent[];
      const events = decided.map((e) =>
        e.type === 'DeadlineOpened'
          ? { ...e, data: { ...(e.data as object), dueAt, dueDate: localDateOf(dueAt), ladder: [{ step: 'missed', level: 1, at: dueAt }] } }
          : e,
      );
      if (i < o.due) dues.set(`petition-${id}`, Date.parse(dueAt));
      batch.push(store.append(`petition-${id}`, withMetadata(events, actor, registeredAt, randomUUID(), 'RegisterPetition'), 'no_stream'));
      if (batch.length >= 500) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    return store.headPosition();
  });
  const seedMs = performance.now() - t0;
  o.log(`  seeded ${n} petitions with pending deadlines (${seededHead + 1} events) in ${(seedMs / 1000).toFixed(1)} s`);

  const realStart = Date.now();
  // domain = real + offset, with the first due time (D0) reached `leadMs` after start.
  const offset = D0 - o.leadMs - realStart;
  const cpuProfileDir = o.profileDir ? mkdtempSync(join(o.profileDir, 'deadlines-')) : undefined;
  const h = await HearthUnderBench.start({
    dataRoot: o.dataRoot,
    dataDir,
    redis,
    cpuProfileDir,
    name: 'hearth-api (deadlines)',
    env: { HEARTH_CLOCK_SPEED: '1', HEARTH_CLOCK_START: new Date(realStart + offset).toISOString(), HEARTH_CLOCK_REAL_START: String(realStart) },
  });
  const rss = new RssSampler(() => h.api.pid);
  const queue = new Queue('hearth-deadlines', { connection: h.conn, prefix: 'hearth-bull', ...DEADLINE_QUEUE_OPTIONS });
  let result: DeadlinesResult | undefined;
  try {
    let schedulingMs = NaN;
    for (;;) {
      const health = await h.health();
      if ((health.checkpoints.deadlines ?? -1) >= seededHead) {
        schedulingMs = Date.now() - realStart;
        break;
      }
      if (Date.now() > realStart + o.leadMs + o.windowMs) break;
      await sleep(100);
    }
    const firstDue = realStart + o.leadMs;
    const scheduledBeforeFirstDue = Date.now() < firstDue;
    const pendingAtStart = (await pendingDeadlines(queue)).total;
    let redisBytesPerDeadline = NaN;
    if (Date.now() < firstDue - 2000) {
      const mem = await bytesByClass(h.conn);
      redisBytesPerDeadline = mem.bytes.deadlineTimers / pendingAtStart;
      o.log(`  Redis with ${pendingAtStart} pending timers, by namespace:\n${formatNamespaces(mem, pendingAtStart, 'deadline')}`);
    }
    o.log(
      `  scheduled ${pendingAtStart} timers in ${(schedulingMs / 1000).toFixed(1)} s ` +
        `(${scheduledBeforeFirstDue ? 'before' : 'AFTER'} the first due time); ${o.due} coming due over ${o.windowMs / 1000} s ` +
        `(${Math.round((o.due * 1000) / o.windowMs)}/s), ${n - o.due} staying pending`,
    );

    const until = firstDue + o.windowMs + Math.max(60_000, 2 * o.windowMs);
    let pendingAfterWindow = NaN;
    while (Date.now() < until) {
      if (Date.now() > firstDue + o.windowMs && (pendingAfterWindow = (await pendingDeadlines(queue)).total) <= n - o.due) break;
      await sleep(500);
    }
    await h.caughtUp(60_000).catch(() => undefined);

    const lateness = new Samples();
    const { store: reader, close } = await openHearthStore(dataDir, redis.url);
    try {
      for (let after = seededHead; ; ) {
        const page = await reader.readAll({ after, maxCount: 10_000 });
        if (!page.length) break;
        for (const e of page) {
          if (e.type !== 'DeadlineMissed' || !dues.has(e.streamId)) continue;
          const dueReal = Date.parse((e.data as { dueAt: string }).dueAt) - offset;
          lateness.add(Date.parse(e.recordedAt) - dueReal);
          dues.delete(e.streamId);
        }
        after = page[page.length - 1].position;
      }
    } finally {
      await close();
    }
    const fired = lateness.count;
    // Timers that had not fired when the wait ended count with their lateness so far (a lower bound), not as absent.
    const now = Date.now();
    for (const due of dues.values()) lateness.add(now - (due - offset));
    if (dues.size) o.log(`  ${dues.size} deadlines had not fired ${((now - firstDue - o.windowMs) / 1000).toFixed(0)} s after the window: counted as late so far`);
    result = {
      deadlines: n,
      due: o.due,
      windowMs: o.windowMs,
      pendingAfterWindow,
      seedMs,
      schedulingMs,
      scheduledBeforeFirstDue,
      pendingAtStart,
      redisBytesPerDeadline,
      fired,
      lateness: lateness.summary(),
      apiPeakRssBytes: rss.stop(),
    };
    return result;
  } finally {
    await queue.close();
    await h.stop();
    const s = cpuProfileDir ? summarizeProfile(cpuProfileDir) : undefined;
    if (s && result) result.profile = formatProfile(s);
  }
}
