import type Redis from 'ioredis';
import { DEFAULT_PREFIX } from '../keys';
import { Alert, alertKeys, AlertStatus } from './alert.model';

export interface InboxQuery {
  /** Default `open`. */
  status?: AlertStatus | 'all';
  offset?: number;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface AlertPage {
  total: number;
  items: Alert[];
}

export class AlertQueries {
  private readonly keys: ReturnType<typeof alertKeys>;

  constructor(
    private readonly redis: Redis,
    readonly prefix = DEFAULT_PREFIX,
  ) {
    this.keys = alertKeys(prefix);
  }

  /** Alerts addressed to a unit and role, oldest first (by raisedAt). */
  inbox(orgUnit: string, role: string, q: InboxQuery = {}): Promise<AlertPage> {
    const status = q.status ?? 'open';
    return this.page(status === 'all' ? this.keys.inbox(orgUnit, role) : this.keys.inboxByStatus(orgUnit, role, status), q);
  }

  /** A user's own inbox: the alerts of which they are a recipient, oldest first. */
  userInbox(userId: string, q: InboxQuery = {}): Promise<AlertPage> {
    const status = q.status ?? 'open';
    return this.page(status === 'all' ? this.keys.userInbox(userId) : this.keys.userInboxByStatus(userId, status), q);
  }

  /** Every alert addressed to the unit or a unit below it, oldest first (auditors; supervisors' overview). */
  subtree(orgUnit: string, q: InboxQuery = {}): Promise<AlertPage> {
    const status = q.status ?? 'open';
    return this.page(status === 'all' ? this.keys.subtree(orgUnit) : this.keys.subtreeByStatus(orgUnit, status), q);
  }

  async get(alertId: string): Promise<Alert | undefined> {
    const raw = await this.redis.get(this.keys.alert(alertId));
    return raw ? (JSON.parse(raw) as Alert) : undefined;
  }

  private async page(key: string, q: InboxQuery): Promise<AlertPage> {
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const limit = Math.min(500, Math.max(0, Math.floor(q.limit ?? 50)));
    const [[, total], [, ids]] = (await this.redis.multi().zcard(key).zrange(key, offset, offset + limit - 1).exec())! as [
      [null, number],
      [null, string[]],
    ];
    if (!limit || !ids.length) return { total, items: [] };
    const raw = await this.redis.mget(ids.map((id) => this.keys.alert(id)));
    return { total, items: raw.filter((r): r is string => !!r).map((r) => JSON.parse(r) as Alert) };
  }
}
