import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type Redis from 'ioredis';
import { SYSTEM_ACTOR } from '@hearth/domain';
import type { EventStore } from '@hearth/event-store';
import { CLOCK, Clock } from '../clock/clock';
import { HEARTH_CONFIG, HearthConfig } from '../config/hearth-config';
import { REDIS } from '../hearth-core.module';
import { PROJECTION_EVENT_STORE } from '../pii';
import { CaseCategory, deciderForStream } from '../commands/decider-registry';
import { HandleCaseCommand } from '../commands/case.commands';
import { CALENDAR_REGISTRY, CalendarRegistry } from './calendar-registry';
import { HandleCalendarCommand } from './calendar.commands';
import { CalendarRecomputation } from './calendar-recomputation';

/** The worker's part of issue 13: recompute open deadlines when the calendar changes, flag missing years. */
@Injectable()
export class CalendarRecomputationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly recomputation: CalendarRecomputation;

  constructor(
    @Inject(PROJECTION_EVENT_STORE) feed: EventStore,
    @Inject(REDIS) redis: Redis,
    @Inject(HEARTH_CONFIG) config: HearthConfig,
    @Inject(CLOCK) clock: Clock,
    @Inject(CALENDAR_REGISTRY) calendars: CalendarRegistry,
    commands: CommandBus,
  ) {
    const l = new Logger('calendar');
    this.recomputation = new CalendarRecomputation({
      feed,
      redis,
      calendars,
      clock,
      prefix: config.redisPrefix,
      recompute: async (streamId, calendarVersion, commandId) => {
        const target = deciderForStream(streamId);
        if (!target) return;
        await commands.execute(
          new HandleCaseCommand(target.decider.category as CaseCategory, target.id, { type: 'RecomputeDeadlines', calendarVersion }, SYSTEM_ACTOR, { commandId, cause: 'calendar' }),
        );
      },
      flagMissing: async (year, commandId) => {
        await commands.execute(new HandleCalendarCommand({ type: 'FlagMissingCalendarYear', year }, SYSTEM_ACTOR, { commandId, cause: 'calendar' }));
      },
      logger: { log: (m) => l.log(m), warn: (m) => l.warn(m) },
    });
  }

  onApplicationBootstrap(): void {
    this.recomputation.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.recomputation.stop();
  }
}
