import type Redis from 'ioredis';
import { DEFAULT_PREFIX } from '../keys';
import { GenerationKeys, PrefixSource } from '../generations';
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

/** Reads of the alert inboxes (active generation). */
export class AlertQueries {
  private readonly keys: GenerationKeys<ReturnType<typeof alertKeys>>;
  /** Base prefix (without generation). */
  readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    source: PrefixSource = DEFAULT_PREFIX,
  ) {
    this.keys = new GenerationKeys(redis, source, alertKeys);
    this.prefix = this.keys.active.basePrefix;
  }

  /** Alerts addressed to a unit and role, oldest first (by raisedAt). */
  async inbox(orgUnit: string, role: string, q: InboxQuery = {}): Promise<AlertPage> {
    const status = q.status ?? 'open';
    const k = await this.keys.get();
    return this.page(k, status === 'all' ? k.inbox(orgUnit, role) : k.inboxByStatus(orgUnit, role, status), q);
  }

  /** A user's own inbox: the alerts of which they are a recipient, oldest first. */
  async userInbox(userId: string, q: InboxQuery = {}): Promise<AlertPage> {
    const status = q.status ?? 'open';
    const k = await this.keys.get();
    return this.page(k, status === 'all' ? k.userInbox(userId) : k.userInboxByStatus(userId, status), q);
  }

  /** Every alert addressed to the unit or a unit below it, oldest first (auditors; supervisors' overview). */
  async subtree(orgUnit: string, q: InboxQuery = {}): Promise<AlertPage> {
    const status = q.status ?? 'open';
    const k = await this.keys.get();
    return this.page(k, status === 'all' ? k.subtree(orgUnit) : k.subtreeByStatus(orgUnit, status), q);
  }

  async get(alertId: string): Promise<Alert | undefined> {
    const raw = await this.redis.get((await this.keys.get()).alert(alertId));
    return raw ? (JSON.parse(raw) as Alert) : undefined;
  }

  private async page(k: ReturnType<typeof alertKeys>, key: string, q: InboxQuery): Promise<AlertPage> {
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const limit = Math.min(500, Math.max(0, Math.floor(q.limit ?? 50)));
    const [[, total], [, ids]] = (await this.redis.multi().zcard(key).zrange(key, offset, offset + limit - 1).exec())! as [
      [null, number],
      [null, string[]],
    ];
    if (!limit || !ids.length) return { total, items: [] };
    const raw = await this.redis.mget(ids.map((id) => k.alert(id)));
    return { total, items: raw.filter((r): r is string => !!r).map((r) => JSON.parse(r) as Alert) };
  }
}
