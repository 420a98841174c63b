import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { existsSync, readFileSync } from 'node:fs';
import { defaultCalendar, DecisionContext, mergeRuleFragments, RULE_TABLES, RuleBook, RuleTable } from '@hearth/domain';
import { EVENT_STORE, EventStore, EsdbEventStore, SqliteEventStore } from '@hearth/event-store';
import { CLOCK, Clock, clockFromEnv } from './clock/clock';
import { HEARTH_CONFIG, HearthConfig, configFromEnv } from './config/hearth-config';
import { ORG_REGISTRY, OrgRegistry } from './org/org-data';
import { CommandRunner } from './commands/command-runner';
import { CASE_COMMAND_HANDLERS, COMMAND_RUNNER } from './commands/case.commands';

export const REDIS = Symbol('REDIS');

/** National rule tables plus the deployment's local tables (HEARTH_RULES_FILE), if the file exists. */
export function ruleBookFor(c: HearthConfig): RuleBook {
  const local: RuleTable[] = existsSync(c.rulesFile) ? (JSON.parse(readFileSync(c.rulesFile, 'utf8')) as { tables: RuleTable[] }).tables : [];
  return new RuleBook(mergeRuleFragments([...RULE_TABLES, ...local]));
}

/**
 * The parts every Hearth process shares: configuration, the clock, the org tree, the event store,
 * a Redis connection for queries, and the command side (CommandBus + handlers + runner).
 */
@Global()
@Module({
  imports: [CqrsModule.forRoot()],
  providers: [
    { provide: HEARTH_CONFIG, useFactory: () => configFromEnv() },
    { provide: CLOCK, useFactory: () => clockFromEnv() },
    { provide: ORG_REGISTRY, inject: [HEARTH_CONFIG], useFactory: (c: HearthConfig) => OrgRegistry.fromFile(c.orgFile) },
    {
      provide: EVENT_STORE,
      inject: [HEARTH_CONFIG],
      useFactory: (c: HearthConfig): EventStore =>
        c.eventStore === 'esdb' ? new EsdbEventStore({ connectionString: c.esdbConnectionString! }) : new SqliteEventStore({ file: c.sqliteFile }),
    },
    { provide: REDIS, inject: [HEARTH_CONFIG], useFactory: (c: HearthConfig) => new Redis(c.redisUrl, { lazyConnect: false }) },
    {
      provide: COMMAND_RUNNER,
      inject: [EVENT_STORE, ORG_REGISTRY, CLOCK, HEARTH_CONFIG],
      useFactory: (store: EventStore, org: OrgRegistry, clock: Clock, c: HearthConfig) => {
        const calendar = defaultCalendar();
        const rules = ruleBookFor(c);
        if (!rules.knows(c.jurisdiction)) throw new Error(`HEARTH_JURISDICTION ${c.jurisdiction} has no rule table`);
        const contextFor = (actor: DecisionContext['actor'], now: string): DecisionContext => ({
          actor,
          now,
          calendar,
          rules,
          org: org.directory,
          jurisdiction: c.jurisdiction,
        });
        return new CommandRunner(store, contextFor, clock, c.commandRetries);
      },
    },
    ...CASE_COMMAND_HANDLERS,
  ],
  exports: [HEARTH_CONFIG, CLOCK, ORG_REGISTRY, EVENT_STORE, REDIS, COMMAND_RUNNER, CqrsModule],
})
export class HearthCoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    this.redis.disconnect();
  }
}
