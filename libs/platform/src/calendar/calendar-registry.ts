import {
  CALENDAR_ID,
  CALENDAR_STREAM,
  CalendarEvent,
  calendarDecider,
  CalendarHistory,
  CN_HOLIDAYS,
  defaultCalendar,
  defaultRuleBook,
  OrgDirectory,
  SYSTEM_ACTOR,
} from '@hearth/domain';
import { derivedId, EventStore } from '@hearth/event-store';
import type { Clock } from '../clock/clock';
import { CommandRunner } from '../commands/command-runner';

export const CALENDAR_REGISTRY = Symbol('CALENDAR_REGISTRY');

/** One id for recording the shipped years, whoever does it first: a second process's attempt appends nothing. */
export const SHIPPED_CALENDAR_COMMAND_ID = derivedId('calendar|record-shipped|cn');

/**
 * The calendar deciders use: the projection of the calendar stream `calendar-cn`, folded in memory from the log in
 * every process (never from Redis, so a flush or a restart gives the same calendar). `calendar()` reads the stream's
 * new events before every decision, so a year loaded through any process is used by the next command in all of
 * them. On a fresh log the shipped years are recorded first, as revision 1, through the calendar decider.
 */
export class CalendarRegistry {
  private readonly history = new CalendarHistory();
  private seeded = false;
  private readonly seeder: CommandRunner;

  constructor(
    /** Read side: upcast, no decryption (calendar events hold no personal data). */
    private readonly feed: EventStore,
    /** Write side for the shipped years (the application's store). */
    store: EventStore,
    clock: Clock,
    org: OrgDirectory,
  ) {
    const calendar = defaultCalendar();
    const rules = defaultRuleBook();
    this.seeder = new CommandRunner(store, (actor, now) => ({ actor, now, calendar, rules, org, jurisdiction: 'national' }), clock);
  }

  /** The calendar history as the log holds it now. */
  async calendar(): Promise<CalendarHistory> {
    await this.catchUp();
    if (!this.seeded && this.history.streamRevision < 0) {
      await this.seeder.execute(calendarDecider, CALENDAR_ID, { type: 'RecordShippedCalendar', years: CN_HOLIDAYS }, SYSTEM_ACTOR, {
        commandId: SHIPPED_CALENDAR_COMMAND_ID,
        cause: 'calendar-seed',
      });
      await this.catchUp();
    }
    this.seeded = true;
    return this.history;
  }

  /** The history folded so far, without reading the log (for synchronous readers such as /health). */
  known(): CalendarHistory {
    return this.history;
  }

  private async catchUp(): Promise<void> {
    const fresh = await this.feed.readStream(CALENDAR_STREAM, { fromRevision: this.history.streamRevision + 1 });
    for (const e of fresh) if (e.revision > this.history.streamRevision) this.history.apply({ type: e.type, data: e.data } as CalendarEvent, e.revision);
  }
}
