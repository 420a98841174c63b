import { createHmac } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type Redis from 'ioredis';
import type { Alert } from '@hearth/read-models';
import type { WebhookEndpoint, WebhookSettings } from './webhook-config';

/** What one delivery job carries: which endpoint, which alert (no personal data: see Alert). */
export interface WebhookJob {
  endpointId: string;
  alert: Alert;
}

export const WEBHOOK_JOB_NAME = 'alert';
const DEFAULT_BULL_PREFIX = 'hearth-bull';

/** Request headers of a delivery. Receivers dedupe by `x-hearth-alert-id` (delivery is at-least-once). */
export const WEBHOOK_HEADERS = {
  alertId: 'x-hearth-alert-id',
  endpointId: 'x-hearth-endpoint',
  attempt: 'x-hearth-attempt',
  timestamp: 'x-hearth-timestamp',
  /** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>` */
  signature: 'x-hearth-signature',
} as const;

/** Deterministic per alert and endpoint: while the job exists, enqueueing it again (a replayed batch) adds nothing. */
export const webhookJobId = (endpointId: string, alertId: string): string => `${endpointId}.${alertId}`.replace(/:/g, '_');

export const webhookSignature = (secret: string, timestamp: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'failed';

/** Recorded per alert and endpoint in `<prefix>webhook:status:<alertId>` (hash field = endpoint id). */
export interface DeliveryStatus {
  endpointId: string;
  status: DeliveryState;
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
  /** Real time of the last change. */
  updatedAt: string;
  deliveredAt?: string;
}

export const deliveryStatusKey = (prefix: string, alertId: string): string => `${prefix}webhook:status:${alertId}`;

/** Delivery status of an alert, per endpoint (what the api shows). */
export async function readDeliveryStatus(redis: Redis, prefix: string, alertId: string): Promise<DeliveryStatus[]> {
  const all = await redis.hgetall(deliveryStatusKey(prefix, alertId));
  return Object.values(all)
    .map((v) => JSON.parse(v) as DeliveryStatus)
    .sort((a, b) => a.endpointId.localeCompare(b.endpointId));
}

export interface WebhookDeliveryOptions {
  settings: WebhookSettings;
  /** Redis for the delivery status (Hearth's own keys). */
  redis: Redis;
  /** Connection options for the BullMQ queue and worker (they open their own connections). */
  connection: ConnectionOptions;
  /** Whether `unit` lies within `ancestor`'s subtree (the org tree), for endpoints with `scope: 'subtree'`. */
  isWithin: (unit: string, ancestor: string) => boolean;
  bullPrefix?: string;
  /** Prefix of Hearth's own keys. Default `hearth:`. */
  keyPrefix?: string;
  /** Keep finished jobs this long (real s) so that replays within it do not deliver again. Default 7 days. */
  keepCompletedSeconds?: number;
  /** Deliveries in parallel. Default 10. */
  concurrency?: number;
  logger?: { warn(m: string): void; error(m: string): void };
  /** Told each recorded outcome of an attempt (metrics: hearth_webhook_deliveries_total). */
  onOutcome?: (state: DeliveryState) => void;
}

/**
 * Webhook delivery of new alerts through a BullMQ queue: one job per alert and endpoint (deterministic id), POSTed as
 * JSON with an HMAC signature header, retried with exponential backoff up to `attempts`, and the outcome recorded.
 *
 * Delivery is at-least-once: a job is enqueued before the alerts batch commits and a replayed batch enqueues it again
 * (a no-op while the job is kept), and a receiver that answered 2xx too late for Hearth to notice gets it again. So
 * receivers must dedupe by the `x-hearth-alert-id` header.
 */
export class WebhookDelivery {
  readonly queue: Queue<WebhookJob>;
  private worker?: Worker<WebhookJob>;
  private readonly byId: Map<string, WebhookEndpoint>;
  private readonly keyPrefix: string;
  private readonly log: { warn(m: string): void; error(m: string): void };

  constructor(private readonly o: WebhookDeliveryOptions) {
    this.byId = new Map(o.settings.endpoints.map((e) => [e.id, e]));
    this.keyPrefix = o.keyPrefix ?? 'hearth:';
    this.log = o.logger ?? { warn: (m) => console.warn(m), error: (m) => console.error(m) };
    this.queue = new Queue<WebhookJob>(o.settings.queueName, { connection: o.connection, prefix: o.bullPrefix ?? DEFAULT_BULL_PREFIX });
    this.queue.on('error', (err) => this.log.warn(`webhook queue: ${err.message}`));
  }

  get enabled(): boolean {
    return this.byId.size > 0;
  }

  /** The endpoints an alert goes to. */
  endpointsFor(alert: Pick<Alert, 'targetOrgUnit' | 'kind'>): WebhookEndpoint[] {
    return this.o.settings.endpoints.filter(
      (e) =>
        (e.orgUnit === alert.targetOrgUnit || (e.scope === 'subtree' && this.o.isWithin(alert.targetOrgUnit, e.orgUnit))) &&
        (!e.kinds || e.kinds.includes(alert.kind)),
    );
  }

  private statusKey(alertId: string): string {
    return deliveryStatusKey(this.keyPrefix, alertId);
  }

  /** Queue the deliveries of newly raised alerts (idempotent per alert and endpoint while the job is kept). */
  async enqueue(alerts: readonly Alert[]): Promise<void> {
    if (!this.enabled) return;
    const jobs = alerts.flatMap((alert) => this.endpointsFor(alert).map((e) => ({ alert, endpoint: e })));
    if (!jobs.length) return;
    const keep = this.o.keepCompletedSeconds ?? 7 * 86_400;
    await this.queue.addBulk(
      jobs.map(({ alert, endpoint }) => ({
        name: WEBHOOK_JOB_NAME,
        data: { endpointId: endpoint.id, alert },
        opts: {
          jobId: webhookJobId(endpoint.id, alert.id),
          attempts: Math.max(1, this.o.settings.attempts),
          backoff: { type: 'exponential', delay: this.o.settings.backoffMs },
          removeOnComplete: { age: keep },
          removeOnFail: { age: keep * 4 },
        },
      })),
    );
    const p = this.o.redis.pipeline();
    const now = new Date().toISOString();
    for (const { alert, endpoint } of jobs) {
      const pending: DeliveryStatus = { endpointId: endpoint.id, status: 'pending', attempts: 0, updatedAt: now };
      // HSETNX: a replay must not turn a delivered status back into pending.
      p.hsetnx(this.statusKey(alert.id), endpoint.id, JSON.stringify(pending));
    }
    await p.exec();
  }

  /** Delivery status of an alert, per endpoint. */
  status(alertId: string): Promise<DeliveryStatus[]> {
    return readDeliveryStatus(this.o.redis, this.keyPrefix, alertId);
  }

  /** Start delivering (the worker process). */
  start(): void {
    if (this.worker || !this.enabled) return;
    this.worker = new Worker<WebhookJob>(this.o.settings.queueName, (job) => this.deliver(job), {
      connection: this.o.connection,
      prefix: this.o.bullPrefix ?? DEFAULT_BULL_PREFIX,
      concurrency: this.o.concurrency ?? 10,
    });
    this.worker.on('error', (err) => this.log.warn(`webhook worker: ${err.message}`));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  private async record(alertId: string, status: DeliveryStatus): Promise<void> {
    await this.o.redis.hset(this.statusKey(alertId), status.endpointId, JSON.stringify(status));
    this.o.onOutcome?.(status.status);
  }

  private async deliver(job: Job<WebhookJob>): Promise<void> {
    const { endpointId, alert } = job.data;
    const endpoint = this.byId.get(endpointId);
    const attempt = job.attemptsMade + 1;
    if (!endpoint) {
      // Removed from the configuration since: nothing to deliver to.
      await this.record(alert.id, { endpointId, status: 'failed', attempts: attempt, lastError: 'endpoint no longer configured', updatedAt: new Date().toISOString() });
      return;
    }
    const body = JSON.stringify({ alert });
    const timestamp = String(Date.now());
    let statusCode: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_HEADERS.alertId]: alert.id,
          [WEBHOOK_HEADERS.endpointId]: endpoint.id,
          [WEBHOOK_HEADERS.attempt]: String(attempt),
          [WEBHOOK_HEADERS.timestamp]: timestamp,
          [WEBHOOK_HEADERS.signature]: webhookSignature(endpoint.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.o.settings.timeoutMs),
      });
      statusCode = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        const now = new Date().toISOString();
        await this.record(alert.id, { endpointId, status: 'delivered', attempts: attempt, lastStatusCode: statusCode, updatedAt: now, deliveredAt: now });
        return;
      }
      error = `HTTP ${statusCode}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const final = attempt >= (job.opts.attempts ?? 1);
    await this.record(alert.id, {
      endpointId,
      status: final ? 'failed' : 'retrying',
      attempts: attempt,
      ...(statusCode !== undefined ? { lastStatusCode: statusCode } : {}),
      lastError: error,
      updatedAt: new Date().toISOString(),
    });
    if (final) this.log.error(`webhook ${endpointId} for alert ${alert.id} failed for good after ${attempt} attempts: ${error}`);
    throw new Error(`webhook ${endpointId}: ${error}`);
  }
}
