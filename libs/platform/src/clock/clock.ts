/**
 * The one injectable clock (architecture.md, "Time"). Domain time may run faster than real time so that
 * "15 days" passes in seconds in tests and demos, through the same code paths. Every process of one
 * deployment must share the anchor (`HEARTH_CLOCK_REAL_START`) to agree on domain time.
 */
export interface Clock {
  /** Domain time now. */
  now(): Date;
  /** Domain milliseconds per real millisecond (1 in production). */
  readonly speed: number;
  /** Real milliseconds until the domain instant `at` (0 if already past). */
  realDelayUntil(at: string | Date): number;
}

export const CLOCK = Symbol('CLOCK');

export class SystemClock implements Clock {
  readonly speed = 1;
  now(): Date {
    return new Date();
  }
  realDelayUntil(at: string | Date): number {
    return Math.max(0, new Date(at).getTime() - Date.now());
  }
}

/** domain = domainStart + (real − realStart) × speed */
export class AcceleratedClock implements Clock {
  constructor(
    readonly speed: number,
    private readonly domainStartMs: number,
    private readonly realStartMs: number,
    private readonly realNow: () => number = Date.now,
  ) {
    if (!(speed > 0)) throw new Error('clock speed must be positive');
  }
  now(): Date {
    return new Date(this.domainStartMs + (this.realNow() - this.realStartMs) * this.speed);
  }
  realDelayUntil(at: string | Date): number {
    return Math.max(0, Math.ceil((new Date(at).getTime() - this.now().getTime()) / this.speed));
  }
}

/**
 * From the environment: HEARTH_CLOCK_SPEED (default 1), HEARTH_CLOCK_START (domain ISO instant at the
 * anchor; default = real anchor), HEARTH_CLOCK_REAL_START (real epoch ms of the anchor; default = now).
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const speed = Number(env.HEARTH_CLOCK_SPEED ?? '1');
  if (speed === 1 && !env.HEARTH_CLOCK_START) return new SystemClock();
  const realStart = env.HEARTH_CLOCK_REAL_START ? Number(env.HEARTH_CLOCK_REAL_START) : Date.now();
  const domainStart = env.HEARTH_CLOCK_START ? Date.parse(env.HEARTH_CLOCK_START) : realStart;
  if (Number.isNaN(domainStart) || Number.isNaN(realStart)) throw new Error('HEARTH_CLOCK_START / HEARTH_CLOCK_REAL_START are not valid');
  return new AcceleratedClock(speed, domainStart, realStart);
}
