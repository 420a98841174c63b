import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { HardshipCategory } from '@hearth/domain/hardship/hardship.events';
import type { HardshipFileStatus } from '@hearth/domain/hardship/hardship.state';
import { DEFAULT_PREFIX } from '../keys';
import { GenerationKeys, PrefixSource } from '../generations';
import { compactId } from '../petition/petition.model';
import {
  FundDoc,
  FundView,
  HardshipFileDetail,
  HardshipFileDoc,
  HardshipFileSummary,
  hardshipKeys,
  HardshipStats,
  parseHardshipStats,
  toFileDetail,
  toFileSummary,
  toFundView,
} from './hardship.model';

export interface HardshipListQuery {
  /** Files of this unit's subtree. */
  orgUnit: string;
  status?: HardshipFileStatus;
  /** Files on file now under this category. */
  category?: HardshipCategory;
  /** Only files whose next pending deadline is due before this instant (ISO or ms). */
  dueBefore?: string | number;
  /** Only files whose next pending deadline is already past `now`. */
  overdue?: boolean;
  /** Domain time; default wall clock. */
  now?: string | number | Date;
  /** `applied` (default, newest first) or `due` (most urgent first; only files with a pending deadline). */
  sort?: 'applied' | 'due';
  order?: 'asc' | 'desc';
  offset?: number;
  /** Default 20, at most 500. */
  limit?: number;
}

const ms = (v: string | number | Date): number => (typeof v === 'number' ? v : new Date(v).getTime());
const FILE_PREFIX = 'hardship-';

/** Reads of the hardship read model. */
export class HardshipQueries {
  private readonly keys: GenerationKeys<ReturnType<typeof hardshipKeys>>;
  /** Base prefix (without generation). */
  readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    source: PrefixSource = DEFAULT_PREFIX,
  ) {
    this.keys = new GenerationKeys(redis, source, hardshipKeys);
    this.prefix = this.keys.active.basePrefix;
  }

  async list(q: HardshipListQuery): Promise<{ total: number; items: HardshipFileSummary[] }> {
    const k = await this.keys.get();
    const sort = q.sort ?? 'applied';
    const order = q.order ?? (sort === 'due' ? 'asc' : 'desc');
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const limit = Math.min(500, Math.max(0, Math.floor(q.limit ?? 20)));
    const filters = [k.byUnit(q.orgUnit)];
    if (q.status) filters.push(k.byStatus(q.status));
    if (q.category) filters.push(k.byCategory(q.category));
    let dueMax: number | undefined = q.dueBefore !== undefined ? ms(q.dueBefore) : undefined;
    if (q.overdue) {
      const now = q.now !== undefined ? ms(q.now) : Date.now();
      dueMax = dueMax === undefined ? now : Math.min(dueMax, now);
    }
    const needDue = sort === 'due' || dueMax !== undefined;
    const all = needDue ? [...filters, k.due()] : filters;
    const tmp = k.tmp(randomUUID());
    const tx = this.redis.multi();
    // Score of the result: the due time when filtering or sorting by it, else appliedAt (from the unit index).
    const weights = all.map((key, i) => (needDue ? (key === k.due() ? 1 : 0) : i === 0 ? 1 : 0));
    tx.zinterstore(tmp, all.length, ...all, 'WEIGHTS', ...weights);
    if (dueMax !== undefined) tx.zremrangebyscore(tmp, `(${dueMax}`, '+inf');
    // Sorted by applied but filtered by due: take appliedAt back from the unit index.
    if (needDue && sort === 'applied') tx.zinterstore(tmp, 2, tmp, k.byUnit(q.orgUnit), 'WEIGHTS', 0, 1);
    tx.zcard(tmp);
    if (order === 'desc') tx.zrevrange(tmp, offset, offset + limit - 1);
    else tx.zrange(tmp, offset, offset + limit - 1);
    tx.del(tmp);
    const res = (await tx.exec())!;
    const failed = res.find(([e]) => e);
    if (failed) throw failed[0];
    const total = res[res.length - 3][1] as number;
    const ids = limit ? (res[res.length - 2][1] as string[]) : [];
    if (!ids.length) return { total, items: [] };
    const raw = await this.redis.mget(ids.map((m) => k.doc(m)));
    const items: HardshipFileSummary[] = [];
    ids.forEach((m, i) => {
      if (raw[i]) items.push(toFileSummary(m, JSON.parse(raw[i]!) as HardshipFileDoc));
    });
    return { total, items };
  }

  /** One file (id or stream id `hardship-<id>`), with aid measures, pending deadlines and the recent timeline. */
  async get(idOrStream: string, now?: string | number | Date): Promise<HardshipFileDetail | undefined> {
    const m = compactId(idOrStream.startsWith(FILE_PREFIX) ? idOrStream.slice(FILE_PREFIX.length) : idOrStream);
    const raw = await this.redis.get((await this.keys.get()).doc(m));
    return raw ? toFileDetail(m, JSON.parse(raw) as HardshipFileDoc, now !== undefined ? ms(now) : undefined) : undefined;
  }

  /** Subtree statistics of one unit (domain-spec §4, hardship). */
  async stats(orgUnit: string): Promise<HardshipStats> {
    return (await this.statsOf([orgUnit]))[orgUnit];
  }

  async statsOf(units: readonly string[]): Promise<Record<string, HardshipStats>> {
    const k = await this.keys.get();
    const p = this.redis.pipeline();
    for (const u of units) p.hgetall(k.counters(u));
    const res = (await p.exec())!;
    const out: Record<string, HardshipStats> = {};
    units.forEach((u, i) => {
      const [err, h] = res[i] as [Error | null, Record<string, string>];
      if (err) throw err;
      out[u] = parseHardshipStats(u, h);
    });
    return out;
  }

  /**
   * The org unit of each file (for the fund history: a unit below a fund's owner sees only the draws of its own
   * files). Files not in the read model yet are left out.
   */
  async orgUnitsOfFiles(fileIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(fileIds)];
    const out = new Map<string, string>();
    if (!ids.length) return out;
    const k = await this.keys.get();
    const raw = await this.redis.mget(ids.map((id) => k.doc(compactId(id))));
    ids.forEach((id, i) => {
      if (raw[i]) out.set(id, (JSON.parse(raw[i]!) as HardshipFileDoc).ou);
    });
    return out;
  }

  async fund(fundId: string): Promise<FundView | undefined> {
    const m = compactId(fundId);
    const raw = await this.redis.get((await this.keys.get()).fund(m));
    return raw ? toFundView(m, JSON.parse(raw) as FundDoc) : undefined;
  }

  /**
   * Funds a user of `orgUnit` works with: those owned in its subtree and those owned by each unit above it
   * (a county fund pays for the unions below it). `year` filters by budget year.
   */
  async funds(orgUnit: string, ancestors: readonly string[], year?: number): Promise<FundView[]> {
    const k = await this.keys.get();
    const p = this.redis.pipeline();
    const min = year ?? '-inf';
    const max = year ?? '+inf';
    p.zrangebyscore(k.fundsOfSubtree(orgUnit), min, max);
    for (const a of ancestors) p.zrangebyscore(k.fundsOwnedBy(a), min, max);
    const res = (await p.exec())!;
    const ids = [...new Set(res.flatMap(([err, v]) => {
      if (err) throw err;
      return v as string[];
    }))];
    if (!ids.length) return [];
    const raw = await this.redis.mget(ids.map((m) => k.fund(m)));
    const out: FundView[] = [];
    ids.forEach((m, i) => {
      if (raw[i]) out.push(toFundView(m, JSON.parse(raw[i]!) as FundDoc));
    });
    return out.sort((a, b) => b.year - a.year || a.fundId.localeCompare(b.fundId));
  }
}
