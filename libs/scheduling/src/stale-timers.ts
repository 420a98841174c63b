import type { Queue } from 'bullmq';
import { DEADLINE_JOB_NAME, type DeadlineJobData } from './deadline-jobs';

/**
 * States of a timer that has not fired yet. An active one is firing right now: its decider decides (a met deadline:
 * nothing) and removeOnComplete drops it.
 */
const NOT_FIRED = ['delayed', 'waiting', 'prioritized', 'paused'] as const;

/** Timers not fired yet, whatever their name: none (Redis lost everything) means the rebuild has nothing to sweep. */
export async function unfiredTimers(queue: Queue<DeadlineJobData>): Promise<number> {
  const counts = await queue.getJobCounts(...NOT_FIRED);
  return NOT_FIRED.reduce((n, state) => n + (counts[state] ?? 0), 0);
}

export interface StaleTimerSweep {
  /** Timers removed because the log no longer asks for them. */
  removed: number;
  /** Stale timers found firing (locked): they decide nothing and are dropped once done. */
  locked: number;
}

/**
 * Removes every deadline timer of the queue that is not in `wanted` (the timers the log asks for), issue 11.9: after
 * Redis was killed under load, timers for deadlines the log shows as met stayed. The rebuild used to assume an empty
 * queue whenever the checkpoint was gone, but jobs can outlive it: a batch's `addBulk` queued by ioredis while Redis
 * was down lands on the restarted, empty Redis; a rebuild interrupted by a second loss leaves the chunks it added;
 * an operator deletes Hearth's keys but not BullMQ's. Jobs of another name on the queue are left alone.
 */
export async function removeStaleTimers(queue: Queue<DeadlineJobData>, wanted: ReadonlySet<string>, interrupted: () => boolean): Promise<StaleTimerSweep> {
  const sweep: StaleTimerSweep = { removed: 0, locked: 0 };
  // One listing (ids only: ~60 B each, 6 MB for 100,000 pending), so a timer promoted meanwhile is not skipped by paging.
  const stale = (await queue.getRanges([...NOT_FIRED], 0, -1)).filter((id) => !wanted.has(id));
  for (const id of stale) {
    if (interrupted()) break;
    const job = await queue.getJob(id);
    if (!job || job.name !== DEADLINE_JOB_NAME) continue;
    // 1 = removed (or already gone); 0 = locked: it is firing now.
    if ((await queue.remove(id)) === 1) sweep.removed++;
    else sweep.locked++;
  }
  return sweep;
}
