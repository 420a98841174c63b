import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { Observable, Subject, filter, takeUntil } from 'rxjs';
import type { Actor } from '@hearth/domain';
import { Alert, alertsChannel } from '@hearth/read-models';
import { DIRECTORY_FOLLOWER, DirectoryFollower, HEARTH_CONFIG, HearthConfig, ORG_REGISTRY, OrgRegistry, REDIS } from '@hearth/platform';

/** Roles that may open any alert addressed to their unit or a unit below it (overview), besides their own. */
const OVERVIEW_ROLES = new Set(['supervisor', 'head', 'auditor']);

/**
 * Live alerts: one Redis subscription per api process, fanned out to every SSE client and filtered per user. A user's
 * stream carries the alerts of which they are a recipient (resolved from the org data when the alert was raised);
 * an auditor's carries every alert addressed within their subtree (auditors read everything there).
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
    @Inject(DIRECTORY_FOLLOWER) private readonly directory: DirectoryFollower,
  ) {}

  /** What the user's own stream and inbox carry. */
  isFor(actor: Actor, alert: Pick<Alert, 'targetOrgUnit' | 'recipients'>): boolean {
    if (actor.role === 'auditor') return this.withinSubtree(actor, alert);
    return (alert.recipients ?? []).includes(actor.id);
  }

  /** What the user may open: their own alerts, and for supervisors, heads and auditors any alert of their subtree. */
  maySee(actor: Actor, alert: Pick<Alert, 'targetOrgUnit' | 'recipients'>): boolean {
    return this.isFor(actor, alert) || (OVERVIEW_ROLES.has(actor.role) && this.withinSubtree(actor, alert));
  }

  private withinSubtree(actor: Actor, alert: Pick<Alert, 'targetOrgUnit'>): boolean {
    return this.org.directory.isWithin(alert.targetOrgUnit, actor.orgUnit);
  }

  streamFor(actor: Actor): Observable<Alert> {
    this.ensureSubscribed();
    return this.subject.pipe(
      filter((a) => this.isFor(actor, a)),
      takeUntil(this.accessLost(actor)),
    );
  }

  /** Fires when the directory no longer admits the actor as they connected (disabled, moved, new role): issue 14. */
  private accessLost(actor: Actor): Observable<void> {
    return new Observable<void>((sub) =>
      this.directory.onUsersChanged((ids) => {
        if (!ids.includes(actor.id)) return;
        const u = this.org.user(actor.id);
        if (!u || !u.active || u.role !== actor.role || u.orgUnit !== actor.orgUnit) sub.next();
      }),
    );
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
