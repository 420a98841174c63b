import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Queue } from 'bullmq';
import type { EventMetadata, EventStore, NewEvent } from '@hearth/event-store/event-store.port';
import { SqliteEventStore } from '@hearth/event-store/sqlite/sqlite-event-store';
import { AcceleratedClock, type Clock } from '@hearth/platform/clock/clock';
import type { DeadlineOpenedData } from '@hearth/domain/deadlines/deadline.events';
import { TestRedis } from '../support/redis-server';
import {
  DEFAULT_BULL_PREFIX,
  DEFAULT_DEADLINE_QUEUE,
  DEADLINE_NOT_DUE,
  type DeadlineJobData,
  type SchedulingLogger,
} from '@hearth/scheduling';

/** One domain day per real second. */
export const SPEED = 86_400;

const dbg = process.env.SCHED_DEBUG ? (m: string) => process.stderr.write(`[${Date.now() % 100000}] ${m}\n`) : () => undefined;
export const quietLogger: SchedulingLogger = { log: dbg, warn: dbg, error: (m) => console.error(m) };

export interface Env {
  redis: TestRedis;
  /** Client for the scheduler (checkpoint, index, lease, its Queue). */
  client: Redis;
  /** Separate client for test inspection and FLUSHALL. */
  admin: Redis;
  /** Inspection queue (same name/prefix as the scheduler's). */
  queue: Queue<DeadlineJobData>;
  store: SqliteEventStore;
  clock: Clock;
  dir: string;
  close(): Promise<void>;
}

export const newClient = (redis: TestRedis): Redis =>
  new Redis(redis.url, { retryStrategy: () => 50, lazyConnect: false });

/** Domain time at which every test environment's clock starts. */
export const CLOCK_START = '2025-09-23T00:00:00Z';

/** `clock`: e.g. a ControlledClock the test advances; default an accelerated clock (a day per second) from CLOCK_START. */
export async function setup(options: { clock?: Clock } = {}): Promise<Env> {
  const redis = await TestRedis.start();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-sched-'));
  const store = new SqliteEventStore({ file: join(dir, 'events.db'), pollIntervalMs: 10 });
  const client = newClient(redis);
  const admin = newClient(redis);
  const queue = new Queue<DeadlineJobData>(DEFAULT_DEADLINE_QUEUE, { connection: admin, prefix: DEFAULT_BULL_PREFIX });
  queue.on('error', () => undefined);
  const clock = options.clock ?? new AcceleratedClock(SPEED, Date.parse(CLOCK_START), Date.now());
  return {
    redis,
    client,
    admin,
    queue,
    store,
    clock,
    dir,
    async close() {
      await queue.close().catch(() => undefined);
      client.disconnect();
      admin.disconnect();
      await store.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Domain instant that is `realMs` real milliseconds from now on `clock`. */
export const dueIn = (clock: Clock, realMs: number): string => new Date(clock.now().getTime() + realMs * clock.speed).toISOString();

/** Real epoch ms at which the domain instant `iso` is (was) reached on `clock`. */
export const realTimeOf = (clock: Clock, iso: string): number => Date.now() - (clock.now().getTime() - Date.parse(iso)) / clock.speed;

const meta = (): EventMetadata => ({
  actorId: 'u-test',
  role: 'officer',
  orgUnit: 'org-1',
  occurredAt: new Date().toISOString(),
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  schemaVersion: 1,
});

export const ev = (type: string, data: unknown): NewEvent => ({ id: randomUUID(), type, data, metadata: meta() });

export const opened = (deadlineId: string, dueAt: string): NewEvent => {
  const data: DeadlineOpenedData = {
    deadlineId,
    kind: 'acceptance',
    duty: 'decide acceptance',
    ownerOrgUnit: 'org-1',
    startDate: '2025-09-23',
    days: 15,
    unit: 'calendar',
    dueDate: dueAt.slice(0, 10),
    dueAt,
    onExpiry: 'miss',
    legalBasis: '信访工作条例 art. 23',
    calendarVersion: 'cn-2025',
    calendarCovered: true,
  };
  return ev('DeadlineOpened', data);
};
export const moved = (deadlineId: string, dueAt: string): NewEvent =>
  ev('DeadlineMoved', { deadlineId, kind: 'acceptance', dueDate: dueAt.slice(0, 10), dueAt, reason: 'extension', calendarVersion: 'cn-2025' });
export const met = (deadlineId: string): NewEvent => ev('DeadlineMet', { deadlineId, kind: 'acceptance', metAt: new Date().toISOString(), late: false });
export const cancelled = (deadlineId: string): NewEvent => ev('DeadlineCancelled', { deadlineId, kind: 'acceptance', reason: 'closed' });
export const other = (type = 'PetitionRegistered'): NewEvent => ev(type, { note: 'not a deadline event' });

/** Appends at the end of the stream; returns the global position of the last event. */
export async function append(store: EventStore, streamId: string, ...events: NewEvent[]): Promise<number> {
  return (await store.append(streamId, events, 'any')).position;
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FireRecord extends Omit<DeadlineJobData, 'at'> {
  outcome: 'missed' | 'not-due' | 'closed' | 'stale';
  /** Real time of the call. */
  at: number;
}

/**
 * A stand-in for the ExpireDeadline command (no mocks: it reads and appends to the real store): not due by the
 * domain clock → DEADLINE_NOT_DUE; deadline closed or moved elsewhere → no-op; otherwise appends DeadlineMissed.
 */
export function domainFire(store: EventStore, clock: Clock) {
  const calls: FireRecord[] = [];
  const fire = async (job: DeadlineJobData): Promise<void> => {
    const at = Date.now();
    const events = await store.readStream(job.streamId);
    let dueAt: string | undefined;
    let open = false;
    for (const e of events) {
      const d = e.data as { deadlineId?: string; dueAt?: string };
      if (d?.deadlineId !== job.deadlineId) continue;
      if (e.type === 'DeadlineOpened' || e.type === 'DeadlineMoved') {
        dueAt = d.dueAt;
        open = true;
      } else if (['DeadlineMet', 'DeadlineMissed', 'DeadlineLapsed', 'DeadlineCancelled'].includes(e.type)) open = false;
    }
    if (!open) return void calls.push({ ...job, outcome: 'closed', at });
    if (dueAt !== job.dueAt) return void calls.push({ ...job, outcome: 'stale', at });
    if (clock.now().getTime() < Date.parse(job.dueAt)) {
      calls.push({ ...job, outcome: 'not-due', at });
      throw Object.assign(new Error('deadline not due yet'), { code: DEADLINE_NOT_DUE });
    }
    await store.append(job.streamId, [ev('DeadlineMissed', { deadlineId: job.deadlineId, kind: 'acceptance', dueAt: job.dueAt, missedAt: clock.now().toISOString(), ownerOrgUnit: 'org-1', escalateTo: 'org-0', level: 1 })], events.length - 1);
    calls.push({ ...job, outcome: 'missed', at });
  };
  return { fire, calls };
}

/** Delayed timers as `jobId → real fire time (ms)`. */
export async function delayedTimers(queue: Queue<DeadlineJobData>): Promise<Map<string, number>> {
  const jobs = await queue.getDelayed(0, -1);
  return new Map(jobs.map((j) => [j.id!, j.timestamp + j.delay]));
}
