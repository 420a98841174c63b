import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { MediationStatus } from '@hearth/domain/mediation/mediation.events';
import { DEFAULT_PREFIX } from '../keys';
import { GenerationKeys, PrefixSource } from '../generations';
import { compactId } from '../petition/petition.model';
import {
  MediationDetail,
  MediationDoc,
  mediationKeys,
  MediationStats,
  MediationSummary,
  monthRangeMs,
  toMediationDetail,
  toMediationSummary,
  toStats,
} from './mediation.model';

export interface MediationListQuery {
  /** Cases of this unit's subtree. */
  orgUnit: string;
  /** A status, or `open` (anything not Closed). */
  status?: MediationStatus | 'open';
  mediatorId?: string;
  /** true: collective cases only (LDMAL art. 7); false: individual cases only. */
  collective?: boolean;
  /** `YYYY-MM`: cases received in that month (CST). */
  month?: string;
  /** Only cases whose next pending deadline is already past `now`. */
  overdue?: boolean;
  /** Domain time (may run faster than wall time). Default: wall clock. */
  now?: string | number | Date;
  /** `received` (default) or `due` (only cases with a pending deadline). */
  sort?: 'received' | 'due';
  /** Default: desc for `received`, asc for `due`. */
  order?: 'asc' | 'desc';
  offset?: number;
  /** Default 20, at most 500. */
  limit?: number;
}

export interface MediationPage {
  total: number;
  items: MediationSummary[];
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const ms = (v: string | number | Date): number => (typeof v === 'number' ? v : new Date(v).getTime());

/** Reads of the mediation read model; a list is a few sorted-set operations in one MULTI. */
export class MediationQueries {
  private readonly keys: GenerationKeys<ReturnType<typeof mediationKeys>>;
  /** Base prefix (without generation). */
  readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    source: PrefixSource = DEFAULT_PREFIX,
  ) {
    this.keys = new GenerationKeys(redis, source, mediationKeys);
    this.prefix = this.keys.active.basePrefix;
  }

  async list(q: MediationListQuery): Promise<MediationPage> {
    const k = await this.keys.get();
    const sort = q.sort ?? 'received';
    const order = q.order ?? (sort === 'due' ? 'asc' : 'desc');
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const limit = Math.min(500, Math.max(0, Math.floor(q.limit ?? 20)));
    if (q.month !== undefined && !MONTH.test(q.month)) throw new Error(`month must be YYYY-MM, got ${q.month}`);
    const range = q.month ? monthRangeMs(q.month) : undefined;

    const filters: string[] = [k.byUnit(q.orgUnit)];
    if (q.status) filters.push(q.status === 'open' ? k.open() : k.byStatus(q.status));
    if (q.mediatorId) filters.push(k.byMediator(q.mediatorId));
    if (q.collective === true) filters.push(k.collective());
    const needDue = sort === 'due' || q.overdue === true;

    let total: number;
    let ids: string[];
    if (filters.length === 1 && !needDue && q.collective !== false) {
      // Subtree (and month) only: the unit index is scored by receipt time.
      const [min, max] = range ? [String(range[0]), `(${range[1]}`] : ['-inf', '+inf'];
      const tx = this.redis.multi().zcount(filters[0], min, max);
      if (order === 'desc') tx.zrange(filters[0], max, min, 'BYSCORE', 'REV', 'LIMIT', offset, limit);
      else tx.zrange(filters[0], min, max, 'BYSCORE', 'LIMIT', offset, limit);
      const res = (await tx.exec())!;
      const err = res.find(([e]) => e);
      if (err) throw err[0];
      total = res[0][1] as number;
      ids = limit ? (res[1][1] as string[]) : [];
    } else {
      const tmp = k.tmp(randomUUID());
      const tx = this.redis.multi();
      // Stage 1: the filters, scored by receipt time (from the unit index).
      tx.zinterstore(tmp, filters.length, ...filters, 'WEIGHTS', ...filters.map((_, i) => (i === 0 ? 1 : 0)));
      if (q.collective === false) tx.zdiffstore(tmp, 2, tmp, k.collective());
      if (range) {
        tx.zremrangebyscore(tmp, '-inf', `(${range[0]}`);
        tx.zremrangebyscore(tmp, range[1], '+inf');
      }
      // Stage 2: only cases with a pending deadline, scored by the next due time.
      if (needDue) {
        tx.zinterstore(tmp, 2, tmp, k.due(), 'WEIGHTS', 0, 1);
        if (q.overdue === true) tx.zremrangebyscore(tmp, `(${q.now !== undefined ? ms(q.now) : Date.now()}`, '+inf');
        if (sort === 'received') tx.zinterstore(tmp, 2, tmp, k.byUnit(q.orgUnit), 'WEIGHTS', 0, 1);
      }
      tx.zcard(tmp);
      if (order === 'desc') tx.zrevrange(tmp, offset, offset + limit - 1);
      else tx.zrange(tmp, offset, offset + limit - 1);
      tx.del(tmp);
      const res = (await tx.exec())!;
      const err = res.find(([e]) => e);
      if (err) throw err[0];
      total = res[res.length - 3][1] as number;
      ids = limit ? (res[res.length - 2][1] as string[]) : [];
    }
    if (!ids.length) return { total, items: [] };
    const raw = await this.redis.mget(ids.map((m) => k.doc(m)));
    const items: MediationSummary[] = [];
    ids.forEach((m, i) => {
      if (raw[i]) items.push(toMediationSummary(m, JSON.parse(raw[i]!) as MediationDoc));
    });
    return { total, items };
  }

  /** Detail of one case (id, or stream id `mediation-<id>`). */
  async get(idOrStream: string, now?: string | number | Date): Promise<MediationDetail | undefined> {
    const m = compactId(idOrStream.startsWith('mediation-') ? idOrStream.slice('mediation-'.length) : idOrStream);
    const raw = await this.redis.get((await this.keys.get()).doc(m));
    if (!raw) return undefined;
    return toMediationDetail(m, JSON.parse(raw) as MediationDoc, now !== undefined ? ms(now) : undefined);
  }

  /** domain-spec §4 statistics of a subtree, in total or for one month (`YYYY-MM`, CST). */
  async stats(orgUnit: string, month?: string): Promise<MediationStats> {
    return (await this.statsOf([orgUnit], month))[0];
  }

  /** Statistics of several subtrees (e.g. a unit and each of its children) in one round trip. */
  async statsOf(units: readonly string[], month?: string): Promise<MediationStats[]> {
    if (month !== undefined && !MONTH.test(month)) throw new Error(`month must be YYYY-MM, got ${month}`);
    const k = await this.keys.get();
    const p = this.redis.pipeline();
    for (const u of units) p.hgetall(k.counters(u, month));
    const res = (await p.exec())!;
    return units.map((u, i) => {
      const [err, h] = res[i] as [Error | null, Record<string, string>];
      if (err) throw err;
      return toStats(u, month, h);
    });
  }

  /** One row per month (`YYYY-MM`, in the order given) for a subtree. */
  async monthly(orgUnit: string, months: readonly string[]): Promise<MediationStats[]> {
    for (const m of months) if (!MONTH.test(m)) throw new Error(`month must be YYYY-MM, got ${m}`);
    const k = await this.keys.get();
    const p = this.redis.pipeline();
    for (const m of months) p.hgetall(k.counters(orgUnit, m));
    const res = (await p.exec())!;
    return months.map((m, i) => {
      const [err, h] = res[i] as [Error | null, Record<string, string>];
      if (err) throw err;
      return toStats(orgUnit, m, h);
    });
  }
}
