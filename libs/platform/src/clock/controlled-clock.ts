import type { Clock } from './clock';

/**
 * Real milliseconds a timer waits whose domain instant has not come yet on a controlled clock. Such a timer does not
 * fire by itself: whoever owns the timers promotes it when the clock is advanced past its instant (see
 * `onAdvance`). If it ever fires anyway, the decider answers "not due" and it is parked again.
 */
export const PARKED_DELAY_MS = 24 * 3600_000;

/**
 * A clock that stands still until it is told to move: domain time changes only through `set`/`advance`, so a test
 * gets the same dates however slow the machine is. Used directly by in-process tests, and behind the Redis test
 * clock (redis-test-clock.ts) by every process of one e2e test. Never used in production.
 */
export class ControlledClock implements Clock {
  /**
   * It does not run by itself; 1 keeps the conversions of domain durations into real ones that callers make (e.g. a
   * timer's lateness metric) finite. Timers never rely on it: see realDelayUntil.
   */
  readonly speed = 1;
  readonly controlled = true;
  private ms: number;
  private readonly listeners = new Set<(now: Date) => void>();

  constructor(start: string | Date | number) {
    this.ms = new Date(start).getTime();
    if (Number.isNaN(this.ms)) throw new Error('controlled clock: invalid start instant');
  }

  now(): Date {
    return new Date(this.ms);
  }

  /** 0 once due; otherwise parked until an advance promotes it. */
  realDelayUntil(at: string | Date): number {
    return new Date(at).getTime() <= this.ms ? 0 : PARKED_DELAY_MS;
  }

  /** Moves domain time to `to`; never backwards (an older value, e.g. a late message, is ignored). */
  set(to: string | Date | number): Date {
    const next = new Date(to).getTime();
    if (Number.isNaN(next)) throw new Error('controlled clock: invalid instant');
    if (next > this.ms) {
      this.ms = next;
      const now = this.now();
      for (const l of this.listeners) l(now);
    }
    return this.now();
  }

  advance(ms: number): Date {
    return this.set(this.ms + ms);
  }

  /** Called after every forward move; returns the unsubscribe function. */
  onAdvance(listener: (now: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Whether `clock` only moves when told to (then due timers must be promoted on each advance). */
export function isControlledClock(clock: Clock | undefined): clock is ControlledClock {
  return clock instanceof ControlledClock;
}
