import type { Queue } from 'bullmq';

/** Default BullMQ queue of deadline timers. */
export const DEFAULT_DEADLINE_QUEUE = 'hearth-deadlines';
/** Default BullMQ key prefix (keys are `<bullPrefix>:<queueName>:…`). */
export const DEFAULT_BULL_PREFIX = 'hearth-bull';
/** BullMQ job name of a deadline timer. */
export const DEADLINE_JOB_NAME = 'deadline-due';

/** Rungs of the deadline ladder (as in `@hearth/domain` LadderStep). */
export type LadderStep = 'approaching' | 'dueSoon' | 'missed' | 'escalated';

/**
 * What a deadline timer carries; what `fire` receives. A deadline has one live timer at a time: the next rung of its
 * ladder (the step events name the rung after them). Without `step` the timer is the due time itself (deadlines
 * without a ladder, and timers written before ladders existed).
 */
export interface DeadlineJobData {
  streamId: string;
  deadlineId: string;
  /** Due instant (domain time, ISO) of the deadline. */
  dueAt: string;
  /** The ladder rung, its escalation level (`escalated`), and the instant it is reached (domain time, ISO). */
  step?: LadderStep;
  level?: number;
  at?: string;
}

/** The domain instant a timer is for: its rung's, or the due time. */
export const timerAt = (job: DeadlineJobData): string => job.at ?? job.dueAt;

/**
 * Options every Queue handle on the deadline queue must pass (each handle writes them to the queue's meta key):
 * nothing reads BullMQ's event stream (alerts come from the log), so it is kept short.
 */
export const DEADLINE_QUEUE_OPTIONS = { streams: { events: { maxLen: 1000 } } } as const;

/** Where the deadline timers live; the scheduler and the worker must agree on both. */
export interface DeadlineQueueConfig {
  /** Default `hearth-deadlines`. */
  queueName?: string;
  /** BullMQ key prefix. Default `hearth-bull`. */
  bullPrefix?: string;
}

export interface SchedulingLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: SchedulingLogger = {
  log: () => undefined,
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

/** BullMQ custom ids must not contain ':' (Redis key separator) and must not be integers. */
const safe = (s: string): string => s.replace(/:/g, '_');

/** `<streamId>.<deadlineId>` — the key of one deadline across its moves. */
export const deadlineKey = (streamId: string, deadlineId: string): string => `${safe(streamId)}.${safe(deadlineId)}`;

/**
 * Deterministic timer id: `<streamId>.<deadlineId>.<epoch ms>` for the due time (`missed`), and
 * `<streamId>.<deadlineId>.<step>[<level>].<epoch ms>` for the other rungs. A move yields new ids.
 */
export function deadlineJobId(streamId: string, deadlineId: string, at: string, step?: LadderStep, level?: number): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new Error(`deadline ${streamId}/${deadlineId}: invalid instant ${at}`);
  const rung = !step || step === 'missed' ? '' : `${step}${step === 'escalated' ? (level ?? 2) : ''}.`;
  return `${deadlineKey(streamId, deadlineId)}.${rung}${ms}`;
}

/**
 * The scheduler's index (`<key>` → current timer) stores only what follows the key in the timer's id
 * (`[<step>.]<epoch ms>`): with 100,000 pending deadlines the full ids would cost ~9 MB of repeated keys.
 */
export const indexValueOf = (key: string, jobId: string): string => (jobId.startsWith(`${key}.`) ? jobId.slice(key.length + 1) : jobId);

/** The timer id an index value stands for (older indexes stored the full id: those are returned as they are). */
export const jobIdFromIndex = (key: string, value: string): string => (value.startsWith(`${key}.`) ? value : `${key}.${value}`);

/** The id of a timer. */
export const jobIdOf = (job: DeadlineJobData): string => deadlineJobId(job.streamId, job.deadlineId, timerAt(job), job.step, job.level);

/** Error code the `fire` callback throws when, by domain time, the deadline is not yet due. */
export const DEADLINE_NOT_DUE = 'DEADLINE_NOT_DUE';

export const isDeadlineNotDue = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DEADLINE_NOT_DUE;

export interface PendingDeadlines {
  /** Timers waiting for their due time. */
  delayed: number;
  /** Due, waiting for a worker. */
  waiting: number;
  /** Being fired right now. */
  active: number;
  /** Gave up after the retries (kept for inspection, bounded). */
  failed: number;
  /** delayed + waiting + active: deadlines with a live timer. */
  total: number;
}

/** Counts of the deadline timers (for tests and the api's health endpoint). */
export async function pendingDeadlines(queue: Queue): Promise<PendingDeadlines> {
  const c = await queue.getJobCounts('delayed', 'waiting', 'prioritized', 'active', 'failed');
  const delayed = c.delayed ?? 0;
  const waiting = (c.waiting ?? 0) + (c.prioritized ?? 0);
  const active = c.active ?? 0;
  return { delayed, waiting, active, failed: c.failed ?? 0, total: delayed + waiting + active };
}

/** Number of deadline timers not yet fired (delayed + waiting). */
export async function countPending(queue: Queue): Promise<number> {
  const p = await pendingDeadlines(queue);
  return p.delayed + p.waiting;
}
