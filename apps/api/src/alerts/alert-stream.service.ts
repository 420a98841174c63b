import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { Observable, Subject, filter } from 'rxjs';
import type { Actor } from '@hearth/domain';
import { Alert, alertsChannel } from '@hearth/read-models';
import { HEARTH_CONFIG, HearthConfig, ORG_REGISTRY, OrgRegistry, REDIS } from '@hearth/platform';

/** Roles that see escalation alerts addressed to their unit or a unit below it. */
const ALERT_ROLES = new Set(['supervisor', 'head', 'auditor']);

/**
 * Live alerts: one Redis subscription per api process, fanned out to every SSE client and filtered to the
 * alerts that client may see.
 */
@Injectable()
export class AlertStream implements OnModuleDestroy {
  private readonly subject = new Subject<Alert>();
  private subscriber?: Redis;
  private readonly log = new Logger('alerts-sse');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
  ) {}

  maySee(actor: Actor, alert: Pick<Alert, 'targetOrgUnit'>): boolean {
    return ALERT_ROLES.has(actor.role) && this.org.directory.isWithin(alert.targetOrgUnit, actor.orgUnit);
  }

  streamFor(actor: Actor): Observable<Alert> {
    this.ensureSubscribed();
    return this.subject.pipe(filter((a) => this.maySee(actor, a)));
  }

  private ensureSubscribed(): void {
    if (this.subscriber) return;
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    // ioredis subscribes again by itself after a reconnect.
    sub.subscribe(alertsChannel(this.config.redisPrefix)).catch((err: Error) => this.log.error(`subscribe failed: ${err.message}`));
    sub.on('message', (_channel: string, message: string) => {
      try {
        this.subject.next(JSON.parse(message) as Alert);
      } catch {
        this.log.warn('ignored a malformed alert message');
      }
    });
  }

  onModuleDestroy(): void {
    this.subject.complete();
    this.subscriber?.disconnect();
  }
}
