import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { localDateOf, yearsMissingAhead } from '@hearth/domain';
import { CLOCK, Clock } from '../clock/clock';
import { CALENDAR_REGISTRY, CalendarRegistry } from './calendar-registry';
import { MISSING_YEAR_HORIZON_DAYS } from './calendar-recomputation';

export interface CalendarHealth {
  /** `missing_year` while deadlines may be counted in a year without its State Council arrangement (provisional). */
  status: 'ok' | 'missing_year';
  version: string;
  loadedYears: number[];
  missingYears: number[];
}

/**
 * What /health says about the calendar: the version in force, the loaded years and the years that are missing (flagged
 * by the worker, or reachable by a deadline counted today). Reads the calendar stream when the process starts (which
 * also records the shipped years on a fresh log) and on every later call, in the background.
 */
@Injectable()
export class CalendarStatus implements OnApplicationBootstrap {
  constructor(
    @Inject(CALENDAR_REGISTRY) private readonly calendars: CalendarRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.calendars.calendar();
  }

  snapshot(): CalendarHealth {
    void this.calendars.calendar().catch(() => undefined);
    const history = this.calendars.known();
    const current = history.current();
    const missing = new Set([...history.flaggedMissing(), ...yearsMissingAhead(current, localDateOf(this.clock.now()), MISSING_YEAR_HORIZON_DAYS)]);
    const missingYears = [...missing].sort((a, b) => a - b);
    return { status: missingYears.length ? 'missing_year' : 'ok', version: current.version, loadedYears: history.loadedYears(), missingYears };
  }
}
