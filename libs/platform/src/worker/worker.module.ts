import { Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type Redis from 'ioredis';
import { DomainError } from '@hearth/domain';
import type { EventStore } from '@hearth/event-store';
import { AlertProjection, RepeatPetitionProjection, HardshipProjection, MediationProjection, PetitionProjection, ProjectionRunner, RunnerLogger } from '@hearth/read-models';
import { DeadlineJobData, DeadlineScheduler, DeadlineTimerWorker, timerAt } from '@hearth/scheduling';
import { CLOCK, Clock } from '../clock/clock';
import { HEARTH_CONFIG, HearthConfig } from '../config/hearth-config';
import { ORG_REGISTRY, OrgRegistry } from '../org/org-data';
import { REDIS } from '../hearth-core.module';
import { ExpireDeadline } from '../commands/case.commands';
import { redisOptionsFromUrl } from './redis-connection';
import { WebhookDelivery, webhookSettingsFromEnv } from '../webhooks';
import { PetitionToMediationWorker } from './petition-to-mediation';
import { CalendarRecomputationWorker } from '../calendar/calendar-recomputation.worker';
import { PROJECTION_EVENT_STORE } from '../pii';
import { HEARTH_METRICS, HearthMetrics } from '../metrics/hearth-metrics';

const nestLogger = (name: string): RunnerLogger => {
  const l = new Logger(name);
  return { log: (m) => l.log(m), warn: (m) => l.warn(m), error: (m, t) => l.error(m, t) };
};

/**
 * The worker's moving parts: the read-model/alert subscription, the deadline scheduler (log → BullMQ) and the
 * BullMQ timer worker (timer → ExpireDeadline command). Subscriptions hold Redis leases, so any number of
 * worker processes can run.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly projections: ProjectionRunner;
  /** Builds a new read-model generation next to the active one when a zero-downtime rebuild is requested. */
  readonly rebuilder: ProjectionRunner;
  readonly scheduler: DeadlineScheduler;
  /** Webhook delivery of new alerts (config/webhooks.json); a no-op without endpoints. */
  readonly webhooks: WebhookDelivery;
  private timers?: DeadlineTimerWorker;
  private readonly log = new Logger('worker');

  constructor(
    // Upcast, personal values still encrypted: read models and timers need no personal data (domain-spec §5).
    @Inject(PROJECTION_EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly commands: CommandBus,
    @Inject(HEARTH_METRICS) private readonly metrics: HearthMetrics,
  ) {
    this.webhooks = new WebhookDelivery({
      settings: webhookSettingsFromEnv(process.env, (u) => org.directory.has(u)),
      redis,
      connection: redisOptionsFromUrl(config.redisUrl),
      isWithin: (unit, ancestor) => org.directory.isWithin(unit, ancestor),
      keyPrefix: config.redisPrefix,
      bullPrefix: config.bullPrefix,
      logger: new Logger('webhooks'),
      onOutcome: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
    });
    // Shared by both runners (projections keep no per-batch state); the rebuild runner never delivers or publishes.
    const projections = [new PetitionProjection({ org: org.directory }), new AlertProjection({ org: org.directory, users: org.allUsers(), deliver: (alerts) => this.raised(alerts) }), new RepeatPetitionProjection(), new HardshipProjection({ org: org.directory }), new MediationProjection({ org: org.directory })];
    this.projections = new ProjectionRunner({
      store,
      redis,
      name: 'read-models',
      prefix: config.redisPrefix,
      projections,
      logger: nestLogger('read-models'),
    });
    this.rebuilder = new ProjectionRunner({ store, redis, name: 'read-models', mode: 'rebuild', prefix: config.redisPrefix, projections, logger: nestLogger('read-models-rebuild') });
    this.scheduler = new DeadlineScheduler({
      store,
      redis,
      clock,
      keyPrefix: config.redisPrefix,
      queueName: config.deadlineQueue,
      bullPrefix: config.bullPrefix,
      logger: nestLogger('deadlines'),
    });
  }

  onApplicationBootstrap(): void {
    this.projections.start();
    this.rebuilder.start();
    this.webhooks.start();
    this.scheduler.start();
    this.timers = new DeadlineTimerWorker({
      connection: redisOptionsFromUrl(this.config.redisUrl),
      queueName: this.config.deadlineQueue,
      bullPrefix: this.config.bullPrefix,
      clock: this.clock,
      fire: (d) => this.fire(d),
      logger: nestLogger('timers'),
    });
  }

  private raised(alerts: Parameters<WebhookDelivery['enqueue']>[0]): Promise<void> {
    this.metrics.alertsRaised.inc(alerts.length);
    return this.webhooks.enqueue(alerts);
  }

  private async fire(d: DeadlineJobData): Promise<void> {
    // Real seconds between the rung's instant and now (the clock may run faster than real time).
    this.metrics.timerLateness.observe(Math.max(0, (this.clock.now().getTime() - Date.parse(timerAt(d))) / this.clock.speed / 1000));
    try {
      await this.commands.execute(new ExpireDeadline(d.streamId, d.deadlineId, d.dueAt, d.step, d.level, d.at));
    } catch (err) {
      // A timer for a deadline its stream no longer knows has nothing left to decide.
      if (err instanceof DomainError && err.kind === 'not_found') {
        this.log.warn(`timer ${d.streamId}/${d.deadlineId}: ${err.message}`);
        return;
      }
      throw err;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.timers?.close(), this.scheduler.stop(), this.projections.stop(), this.rebuilder.stop()]);
    await this.webhooks.close().catch(() => undefined);
  }
}

@Module({
  providers: [WorkerService, PetitionToMediationWorker, CalendarRecomputationWorker],
  exports: [WorkerService, PetitionToMediationWorker, CalendarRecomputationWorker],
})
export class WorkerModule {}
