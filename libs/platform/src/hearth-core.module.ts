import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import Redis from 'ioredis';
import { existsSync, readFileSync } from 'node:fs';
import { DecisionContext, mergeRuleFragments, RULE_TABLES, RuleBook, RuleTable } from '@hearth/domain';
import { EVENT_STORE, EventStore, UpcastingEventStore, hearthUpcasters } from '@hearth/event-store';
import { eventStoreFor, keyStoreFor } from './stores/store-adapters';
import { CLOCK, Clock, clockFromEnv } from './clock/clock';
import { testClockFromEnv } from './clock/redis-test-clock';
import { HEARTH_CONFIG, HearthConfig, configFromEnv } from './config/hearth-config';
import { ORG_REGISTRY, OrgRegistry } from './org/org-data';
import { DIRECTORY_FOLLOWER, DirectoryFollower } from './org/directory-follower';
import { startDirectory } from './org/directory-bootstrap';
import { DIRECTORY_COMMAND_HANDLERS } from './org/directory.commands';
import { SIGN_IN_COMMAND_HANDLERS } from './auth/sign-in.commands';
import { HEARTH_METRICS, HearthMetrics } from './metrics/hearth-metrics';
import { MeteredCommandRunner } from './metrics/metered-command-runner';
import { metricsSources } from './metrics/metrics-sources';
import { CASE_COMMAND_HANDLERS, COMMAND_RUNNER } from './commands/case.commands';
import { CALENDAR_REGISTRY, CalendarRegistry } from './calendar/calendar-registry';
import { CALENDAR_COMMAND_HANDLERS } from './calendar/calendar.commands';
import { CalendarStatus } from './calendar/calendar-status';
import {
  EncryptingEventStore,
  hearthPersonalDataPolicy,
  KEY_STORE,
  KeyStore,
  PERSONAL_DATA_CIPHER,
  PersonalDataCipher,
  PROJECTION_EVENT_STORE,
  RAW_EVENT_STORE,
} from './pii';

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
    // A test's shared controlled clock only when the test enables it (HEARTH_TEST_CLOCK); otherwise the env clock.
    { provide: CLOCK, inject: [HEARTH_CONFIG], useFactory: (c: HearthConfig) => testClockFromEnv(process.env, c.redisUrl) ?? clockFromEnv() },
    {
      provide: RAW_EVENT_STORE,
      inject: [HEARTH_CONFIG],
      useFactory: (c: HearthConfig): Promise<EventStore> => eventStoreFor(c),
    },
    // Crypto-shredding (domain-spec §5): data keys in their own durable file, wrapped by HEARTH_MASTER_KEY.
    { provide: KEY_STORE, inject: [HEARTH_CONFIG], useFactory: (c: HearthConfig): Promise<KeyStore> => keyStoreFor(c) },
    {
      provide: PERSONAL_DATA_CIPHER,
      inject: [KEY_STORE, HEARTH_CONFIG],
      useFactory: (keys: KeyStore, c: HearthConfig) => new PersonalDataCipher(keys, hearthPersonalDataPolicy(c.blindIndexKey)),
    },
    // What the application reads and writes: upcast to current schema versions, personal values encrypted before append.
    {
      provide: EVENT_STORE,
      inject: [RAW_EVENT_STORE, PERSONAL_DATA_CIPHER],
      useFactory: (raw: EventStore, cipher: PersonalDataCipher): EventStore => new UpcastingEventStore(new EncryptingEventStore(raw, cipher), hearthUpcasters()),
    },
    // What projections and the deadline scheduler read: upcast, personal values left encrypted (they need none).
    { provide: PROJECTION_EVENT_STORE, inject: [RAW_EVENT_STORE], useFactory: (raw: EventStore): EventStore => new UpcastingEventStore(raw, hearthUpcasters()) },
    // The org directory (issue 14): a projection of the orgunit-/user- streams in memory, the org file imported on a fresh log.
    {
      provide: DIRECTORY_FOLLOWER,
      inject: [PROJECTION_EVENT_STORE, EVENT_STORE, CLOCK, HEARTH_CONFIG],
      useFactory: (feed: EventStore, store: EventStore, clock: Clock, c: HearthConfig) => startDirectory(feed, store, clock, c.orgFile),
    },
    { provide: ORG_REGISTRY, inject: [DIRECTORY_FOLLOWER], useFactory: (f: DirectoryFollower): OrgRegistry => f.registry },
    { provide: REDIS, inject: [HEARTH_CONFIG], useFactory: (c: HearthConfig) => new Redis(c.redisUrl, { lazyConnect: false }) },
    // One metrics registry per process (GET /metrics in the api); scrape-time gauges read the log head and Redis.
    {
      provide: HEARTH_METRICS,
      inject: [RAW_EVENT_STORE, REDIS, HEARTH_CONFIG],
      useFactory: (raw: EventStore, redis: Redis, c: HearthConfig) => {
        const m = new HearthMetrics();
        m.use(metricsSources(raw, redis, c));
        return m;
      },
    },
    // The calendar stream folded in memory (issue 13): the calendar of every decision, the same in every process.
    {
      provide: CALENDAR_REGISTRY,
      inject: [PROJECTION_EVENT_STORE, EVENT_STORE, CLOCK, ORG_REGISTRY],
      useFactory: (feed: EventStore, store: EventStore, clock: Clock, org: OrgRegistry) => new CalendarRegistry(feed, store, clock, org.directory),
    },
    {
      provide: COMMAND_RUNNER,
      inject: [EVENT_STORE, ORG_REGISTRY, CLOCK, HEARTH_CONFIG, HEARTH_METRICS, CALENDAR_REGISTRY],
      useFactory: (store: EventStore, org: OrgRegistry, clock: Clock, c: HearthConfig, metrics: HearthMetrics, calendars: CalendarRegistry) => {
        const rules = ruleBookFor(c);
        if (!rules.knows(c.jurisdiction)) throw new Error(`HEARTH_JURISDICTION ${c.jurisdiction} has no rule table`);
        const contextFor = async (actor: DecisionContext['actor'], now: string): Promise<DecisionContext> => {
          const history = await calendars.calendar();
          return { actor, now, calendar: history.current(), calendarAt: (v: string) => history.atVersion(v), rules, org: org.directory, jurisdiction: c.jurisdiction };
        };
        return new MeteredCommandRunner(store, contextFor, clock, c.commandRetries).meter(metrics);
      },
    },
    ...CASE_COMMAND_HANDLERS,
    ...CALENDAR_COMMAND_HANDLERS,
    ...DIRECTORY_COMMAND_HANDLERS,
    ...SIGN_IN_COMMAND_HANDLERS,
    CalendarStatus,
  ],
  exports: [HEARTH_CONFIG, CLOCK, ORG_REGISTRY, DIRECTORY_FOLLOWER, EVENT_STORE, RAW_EVENT_STORE, PROJECTION_EVENT_STORE, KEY_STORE, PERSONAL_DATA_CIPHER, REDIS, COMMAND_RUNNER, HEARTH_METRICS, CALENDAR_REGISTRY, CalendarStatus, CqrsModule],
})
export class HearthCoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DIRECTORY_FOLLOWER) private readonly directory: DirectoryFollower,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.directory.stop();
    await this.store.close();
    await this.keys.close();
    await (this.clock as Partial<{ close(): Promise<void> }>).close?.();
    this.redis.disconnect();
  }
}
