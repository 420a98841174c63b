import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { PetitionCategory, PetitionChannel } from '@hearth/domain/petition/petition.events';
import type { PetitionStatus } from '@hearth/domain/petition/petition.state';
import { DEFAULT_PREFIX } from '../keys';
import { GenerationKeys, PrefixSource } from '../generations';
import { compactId, COUNTER_FIELDS, PetitionCounters, PetitionDetail, PetitionDoc, petitionKeys, PetitionSummary, toDetail, toSummary } from './petition.model';

export interface PetitionListQuery {
  /** Cases of this unit's subtree. */
  orgUnit: string;
  /** A status, or `open` (anything not Closed). */
  status?: PetitionStatus | 'open';
  assignee?: string;
  channel?: PetitionChannel;
  category?: PetitionCategory;
  /** Only cases whose next pending deadline is due before this instant (ISO or ms). */
  dueBefore?: string | number;
  /** true: next pending deadline already past `now`; false: no pending deadline past `now`. */
  overdue?: boolean;
  /** Domain time (may run faster than wall time); required with `overdue`. Default: wall clock. */
  now?: string | number | Date;
  /** `received` (default) or `due` (only cases with a pending deadline). */
  sort?: 'received' | 'due';
  /** Default: desc for `received` (newest first), asc for `due` (most urgent first). */
  order?: 'asc' | 'desc';
  offset?: number;
  /** Default 20, at most 500. */
  limit?: number;
}

export interface PetitionPage {
  total: number;
  items: PetitionSummary[];
}

const ms = (v: string | number | Date): number => (typeof v === 'number' ? v : new Date(v).getTime());

/** Reads of the petition read model (active generation); every list is a few sorted-set operations in one MULTI. */
export class PetitionQueries {
  private readonly keys: GenerationKeys<ReturnType<typeof petitionKeys>>;
  /** Base prefix (without generation). */
  readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    source: PrefixSource = DEFAULT_PREFIX,
  ) {
    this.keys = new GenerationKeys(redis, source, petitionKeys);
    this.prefix = this.keys.active.basePrefix;
  }

  async list(q: PetitionListQuery): Promise<PetitionPage> {
    const k = await this.keys.get();
    const sort = q.sort ?? 'received';
    const order = q.order ?? (sort === 'due' ? 'asc' : 'desc');
    const offset = Math.max(0, Math.floor(q.offset ?? 0));
    const limit = Math.min(500, Math.max(0, Math.floor(q.limit ?? 20)));
    const nowMs = q.now !== undefined ? ms(q.now) : Date.now();

    const filters: string[] = [k.byUnit(q.orgUnit)];
    if (q.status) filters.push(q.status === 'open' ? k.open() : k.byStatus(q.status));
    if (q.assignee) filters.push(k.byAssignee(q.assignee));
    if (q.channel) filters.push(k.byChannel(q.channel));
    if (q.category) filters.push(k.byCategory(q.category));
    let dueMax: number | undefined;
    if (q.dueBefore !== undefined) dueMax = ms(q.dueBefore);
    if (q.overdue === true) dueMax = dueMax === undefined ? nowMs : Math.min(dueMax, nowMs);
    const needDue = sort === 'due' || dueMax !== undefined;

    let total: number;
    let ids: string[];
    if (filters.length === 1 && !needDue && q.overdue !== false) {
      // Subtree only: read the index directly.
      const tx = this.redis.multi().zcard(filters[0]);
      if (order === 'desc') tx.zrevrange(filters[0], offset, offset + limit - 1);
      else tx.zrange(filters[0], offset, offset + limit - 1);
      const [[, card], [, page]] = (await tx.exec())! as [[null, number], [null, string[]]];
      total = card;
      ids = limit ? page : [];
    } else {
      const tmp = k.tmp(randomUUID());
      const tmp2 = `${tmp}:x`;
      const keys = needDue ? [...filters, k.due()] : filters;
      // Score of the result: the due time when filtering or sorting by it, else receivedAt (from the unit index).
      const weights = keys.map((key, i) => (needDue ? (key === k.due() ? 1 : 0) : i === 0 ? 1 : 0));
      const tx = this.redis.multi();
      let cardIndex = 1;
      tx.zinterstore(tmp, keys.length, ...keys, 'WEIGHTS', ...weights);
      if (dueMax !== undefined) {
        tx.zremrangebyscore(tmp, `(${dueMax}`, '+inf');
        cardIndex++;
      }
      if (needDue && sort === 'received') {
        tx.zinterstore(tmp, 2, tmp, k.byUnit(q.orgUnit), 'WEIGHTS', 0, 1);
        cardIndex++;
      }
      if (q.overdue === false) {
        tx.zrangestore(tmp2, k.due(), '-inf', `(${nowMs}`, 'BYSCORE');
        tx.zdiffstore(tmp, 2, tmp, tmp2);
        tx.del(tmp2);
        cardIndex += 3;
      }
      tx.zcard(tmp);
      if (order === 'desc') tx.zrevrange(tmp, offset, offset + limit - 1);
      else tx.zrange(tmp, offset, offset + limit - 1);
      tx.del(tmp);
      const res = (await tx.exec())!;
      const err = res.find(([e]) => e);
      if (err) throw err[0];
      total = res[cardIndex][1] as number;
      ids = limit ? (res[cardIndex + 1][1] as string[]) : [];
    }
    if (!ids.length) return { total, items: [] };
    const raw = await this.redis.mget(ids.map((m) => k.doc(m)));
    const items: PetitionSummary[] = [];
    ids.forEach((m, i) => {
      if (raw[i]) items.push(toSummary(m, JSON.parse(raw[i]!) as PetitionDoc));
    });
    return { total, items };
  }

  /** Detail of one case (id, or stream id `petition-<id>`), with pending deadlines and the recent timeline. */
  async get(idOrStream: string, now?: string | number | Date): Promise<PetitionDetail | undefined> {
    const m = compactId(idOrStream.startsWith('petition-') ? idOrStream.slice('petition-'.length) : idOrStream);
    const raw = await this.redis.get((await this.keys.get()).doc(m));
    if (!raw) return undefined;
    return toDetail(m, JSON.parse(raw) as PetitionDoc, now !== undefined ? ms(now) : undefined);
  }

  /** Subtree totals of one unit. */
  async counters(orgUnit: string): Promise<PetitionCounters> {
    return (await this.countersOf([orgUnit]))[orgUnit];
  }

  /** Subtree totals of several units (e.g. each child of a supervisor's unit) in one round trip. */
  async countersOf(units: readonly string[]): Promise<Record<string, PetitionCounters>> {
    const k = await this.keys.get();
    const p = this.redis.pipeline();
    for (const u of units) p.hgetall(k.counters(u));
    const res = (await p.exec())!;
    const out: Record<string, PetitionCounters> = {};
    units.forEach((u, i) => {
      const [err, h] = res[i] as [Error | null, Record<string, string>];
      if (err) throw err;
      out[u] = parseCounters(h);
    });
    return out;
  }
}

export function parseCounters(h: Record<string, string>): PetitionCounters {
  const c = { byChannel: {}, byCategory: {} } as unknown as PetitionCounters;
  for (const f of COUNTER_FIELDS) c[f] = Number(h[f] ?? 0);
  for (const [f, v] of Object.entries(h)) {
    if (f.startsWith('ch:')) c.byChannel[f.slice(3)] = Number(v);
    else if (f.startsWith('cat:')) c.byCategory[f.slice(4)] = Number(v);
  }
  return c;
}
