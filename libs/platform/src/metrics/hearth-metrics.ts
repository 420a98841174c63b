import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const HEARTH_METRICS = Symbol('HEARTH_METRICS');

/** What a scrape asks for at that moment (Redis checkpoints, the log head, queue lengths); errors leave the old values. */
export interface MetricsSources {
  subscriptions?: () => Promise<{ name: string; position: number | null; head: number }[]>;
  pendingTimers?: () => Promise<number>;
  sqliteWriterQueue?: () => number;
}

/**
 * Every metric family Hearth exposes at /metrics (Prometheus text format, prom-client), on a registry of its own so
 * that several Hearth apps in one test process do not collide. Labels never carry an id or a personal value.
 */
export class HearthMetrics {
  readonly registry = new Registry();
  private sources: MetricsSources = {};

  readonly commandDuration = new Histogram({
    name: 'hearth_command_duration_seconds',
    help: 'Command handling time (load, decide, append), by workflow, command and outcome',
    labelNames: ['workflow', 'command', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({ name: 'hearth_events_appended_total', help: 'Events appended to the log by this process, by workflow', labelNames: ['workflow'] as const, registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'hearth_http_request_duration_seconds',
    help: 'HTTP answers by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly subscriptionPosition = new Gauge({ name: 'hearth_subscription_position', help: 'Last log position a subscription has processed (checkpoint; -1: none yet)', labelNames: ['subscription'] as const, registers: [this.registry] });
  readonly subscriptionLag = new Gauge({ name: 'hearth_subscription_lag_events', help: 'Events of the log a subscription has not processed yet', labelNames: ['subscription'] as const, registers: [this.registry] });
  readonly logHead = new Gauge({ name: 'hearth_log_head_position', help: 'Position of the last event in the log', registers: [this.registry] });
  readonly timerLateness = new Histogram({
    name: 'hearth_deadline_timer_lateness_seconds',
    help: 'Real time between a deadline timer coming due and its firing in this process',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly pendingTimers = new Gauge({ name: 'hearth_deadline_timers_pending', help: 'Deadline timers scheduled and not yet due (BullMQ delayed jobs)', registers: [this.registry] });
  readonly alertsRaised = new Counter({ name: 'hearth_alerts_raised_total', help: 'Alerts raised by the alert projection (live, not rebuilds)', registers: [this.registry] });
  readonly alertsAcknowledged = new Counter({ name: 'hearth_alerts_acknowledged_total', help: 'Alerts acknowledged (EscalationAcknowledged appended)', registers: [this.registry] });
  readonly webhookDeliveries = new Counter({ name: 'hearth_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome (delivered, retrying, failed)', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly sqliteWriterQueue = new Gauge({ name: 'hearth_sqlite_writer_queue', help: 'Appends waiting for the SQLite group commit', registers: [this.registry] });

  constructor() {
    // Node's process metrics and event-loop lag (nodejs_eventloop_lag_seconds, heap, GC, handles).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    // Touch the label-less counters so every family shows from the first scrape.
    this.alertsRaised.inc(0);
    this.alertsAcknowledged.inc(0);
  }

  /** Where the scrape-time gauges come from (the event store, Redis); set once the process has them. */
  use(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** The Prometheus text exposition, refreshing the scrape-time gauges first. */
  async render(): Promise<string> {
    await this.refresh();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async refresh(): Promise<void> {
    const s = this.sources;
    const [subs, pending] = await Promise.allSettled([s.subscriptions?.(), s.pendingTimers?.()]);
    if (subs.status === 'fulfilled' && subs.value) {
      for (const sub of subs.value) {
        this.logHead.set(sub.head);
        this.subscriptionPosition.set({ subscription: sub.name }, sub.position ?? -1);
        this.subscriptionLag.set({ subscription: sub.name }, Math.max(0, sub.head - (sub.position ?? -1)));
      }
    }
    if (pending.status === 'fulfilled' && pending.value !== undefined) this.pendingTimers.set(pending.value);
    if (s.sqliteWriterQueue) this.sqliteWriterQueue.set(s.sqliteWriterQueue());
  }
}
