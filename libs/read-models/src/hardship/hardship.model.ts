import type { AidKind, AidStatus, ExitReason, HardshipCategory } from '@hearth/domain/hardship/hardship.events';
import type { HardshipFileStatus } from '@hearth/domain/hardship/hardship.state';
import type { FundSource } from '@hearth/domain/hardship/fund.events';
import { decodeTimelineList, expandId, packedMs, StoredDeadline, TimelineEntry, unpackTime, PendingDeadline } from '../petition/petition.model';
import { provisionalFlag } from '../provisional-deadlines';

/**
 * Redis layout of the hardship read model (keys under the prefix, default `hearth:`). `<m>` is the file id in
 * compact form (`compactId`). NOTHING PERSONAL is stored (PIPL, domain-spec §5): no names, ID numbers, phones,
 * addresses, bank accounts, household figures or free text — only status, category, org unit, dates, amounts,
 * staff ids and rule outcomes, so every key here survives crypto-shredding of the event log unchanged.
 *   hs:<m>                   string  compact JSON `HardshipFileDoc` (capped timeline, aid measures, pending deadlines)
 *   hs:ix:ou:<unit>          zset    files of the unit's subtree (the file's unit and each ancestor), score appliedAt ms
 *   hs:ix:st:<status>        zset    by status, score appliedAt ms
 *   hs:ix:cat:<category>     zset    files on file (Registered / AnnualReview) by current category, score appliedAt ms
 *   hs:ix:due                zset    next pending deadline per file, score dueAt ms
 *   hs:ctr:<unit>            hash    subtree counters and sums (see `HardshipStats`; money in fen)
 *   hs:fund:<fundId>         string  compact JSON `FundDoc` (year, source, owner, budget, drawn; no per-draw data)
 *   hs:fund:ix:ou:<unit>     zset    funds owned in the unit's subtree, score year
 *   hs:fund:ix:own:<unit>    zset    funds owned by exactly that unit, score year
 */
export const HARDSHIP_NAMESPACE = 'hs:';

export const hardshipKeys = (prefix: string) => ({
  doc: (m: string) => `${prefix}hs:${m}`,
  byUnit: (unit: string) => `${prefix}hs:ix:ou:${unit}`,
  byStatus: (status: string) => `${prefix}hs:ix:st:${status}`,
  byCategory: (category: string) => `${prefix}hs:ix:cat:${category}`,
  due: () => `${prefix}hs:ix:due`,
  counters: (unit: string) => `${prefix}hs:ctr:${unit}`,
  fund: (m: string) => `${prefix}hs:fund:${m}`,
  fundsOfSubtree: (unit: string) => `${prefix}hs:fund:ix:ou:${unit}`,
  fundsOwnedBy: (unit: string) => `${prefix}hs:fund:ix:own:${unit}`,
  tmp: (token: string) => `${prefix}tmp:${token}`,
});

export const HARDSHIP_ON_FILE: readonly HardshipFileStatus[] = ['Registered', 'AnnualReview'];

const AID_STATUS_CODES: Record<AidStatus, string> = { Proposed: 'p', Approved: 'a', Disbursed: 'd', Acknowledged: 'k', Revoked: 'r' };
const AID_STATUS_OF: Record<string, AidStatus> = Object.fromEntries(Object.entries(AID_STATUS_CODES).map(([s, c]) => [c, s as AidStatus]));
export const aidStatusCode = (s: AidStatus): string => AID_STATUS_CODES[s];

/** An aid measure as stored: [kind, amount (fen), status code, fundId ('' = none), upper-level approval 0/1, month disbursed ('' = not)]. */
export type StoredAid = [AidKind, number, string, string, 0 | 1, string];

/** Stored document of one file; short keys because there is one per household. */
export interface HardshipFileDoc {
  st: HardshipFileStatus;
  ou: string;
  /** appliedAt (packed), appliedDate */
  ap: string;
  ad: string;
  /** current category (null until registered), overridden flag, override waiting for registration/review */
  ca: HardshipCategory | null;
  ov?: 1;
  po?: HardshipCategory;
  /** category this file is counted under in `onFile` (absent: not counted) */
  oc?: HardshipCategory;
  /** registrations so far, last registration date */
  rn: number;
  rg?: string;
  /** public notice: start date, end date, completed; objections by id → open | dismissed | upheld */
  ns?: string;
  ne?: string;
  nc?: 1;
  ob?: Record<string, string>;
  /** last annual review: date, on time */
  lr?: string;
  lro?: boolean;
  /** exit: reason, date, keep until (then erase personal data) */
  xr?: ExitReason;
  xd?: string;
  ru?: string;
  /** status the file was rejected from */
  rj?: HardshipFileStatus;
  aids: Record<string, StoredAid>;
  /** effective (not revoked) disbursements by year: count — drives "households aided" */
  dy: Record<string, number>;
  /** pending deadlines by id */
  dl: Record<string, StoredDeadline>;
  /** ids of pending deadlines counted provisionally (a year without a loaded holiday arrangement) */
  pv?: string[];
  up: string;
  rev: number;
  tl: string[];
}

export interface FundDoc {
  y: number;
  src: FundSource;
  ou: string;
  /** budget and drawn (net of returns), fen */
  b: number;
  d: number;
  /** draws and returns */
  nd: number;
  nr: number;
  up: string;
  rev: number;
}

export interface AidView {
  aidId: string;
  kind: AidKind;
  amountYuan: number;
  status: AidStatus;
  fundId?: string;
  upperLevelApproval: boolean;
  disbursedMonth?: string;
}

export interface HardshipFileSummary {
  id: string;
  streamId: string;
  status: HardshipFileStatus;
  orgUnit: string;
  category: HardshipCategory | null;
  categoryOverridden: boolean;
  appliedAt: string;
  appliedDate: string;
  registeredDate?: string;
  nextDueAt?: string;
  nextDueKind?: string;
  missed: boolean;
}

export interface HardshipFileDetail extends HardshipFileSummary {
  pendingOverride?: HardshipCategory;
  registrations: number;
  publicNotice?: { startDate: string; endDate?: string; completed: boolean; objections: Record<string, string> };
  lastReview?: { date: string; onTime: boolean };
  exit?: { reason: ExitReason; date: string; retentionUntil: string };
  rejectedFrom?: HardshipFileStatus;
  aids: AidView[];
  disbursedYuan: number;
  deadlines: PendingDeadline[];
  timeline: TimelineEntry[];
  updatedAt: string;
  revision: number;
}

export interface FundView {
  fundId: string;
  year: number;
  source: FundSource;
  orgUnit: string;
  budgetYuan: number;
  drawnYuan: number;
  remainingYuan: number;
  draws: number;
  returns: number;
  updatedAt: string;
  revision: number;
}

export const yuanOfFen = (fen: number): number => Math.round(fen) / 100;

/** The pending deadline due first. */
export function nextHardshipDeadline(doc: HardshipFileDoc): { d: StoredDeadline; dueMs: number } | undefined {
  let best: StoredDeadline | undefined;
  for (const d of Object.values(doc.dl)) if (!best || packedMs(d[1]) < packedMs(best[1])) best = d;
  return best ? { d: best, dueMs: packedMs(best[1]) } : undefined;
}

export function toFileSummary(m: string, doc: HardshipFileDoc): HardshipFileSummary {
  const id = expandId(m);
  const next = nextHardshipDeadline(doc);
  return {
    id,
    streamId: `hardship-${id}`,
    status: doc.st,
    orgUnit: doc.ou,
    category: doc.ca,
    categoryOverridden: !!doc.ov,
    appliedAt: unpackTime(doc.ap),
    appliedDate: doc.ad,
    ...(doc.rg ? { registeredDate: doc.rg } : {}),
    ...(next ? { nextDueAt: unpackTime(next.d[1]), nextDueKind: next.d[0] } : {}),
    missed: !!next && next.d[3] > 0,
  };
}

export function toFileDetail(m: string, doc: HardshipFileDoc, now?: number): HardshipFileDetail {
  const aids = Object.entries(doc.aids).map(([aidId, a]) => ({
    aidId,
    kind: a[0],
    amountYuan: yuanOfFen(a[1]),
    status: AID_STATUS_OF[a[2]] ?? 'Proposed',
    ...(a[3] ? { fundId: a[3] } : {}),
    upperLevelApproval: a[4] === 1,
    ...(a[5] ? { disbursedMonth: a[5] } : {}),
  }));
  const effective = Object.values(doc.aids).filter((a) => a[2] === 'd' || a[2] === 'k');
  return {
    ...toFileSummary(m, doc),
    ...(doc.po ? { pendingOverride: doc.po } : {}),
    registrations: doc.rn,
    ...(doc.ns ? { publicNotice: { startDate: doc.ns, ...(doc.ne ? { endDate: doc.ne } : {}), completed: !!doc.nc, objections: { ...(doc.ob ?? {}) } } } : {}),
    ...(doc.lr ? { lastReview: { date: doc.lr, onTime: !!doc.lro } } : {}),
    ...(doc.xr ? { exit: { reason: doc.xr, date: doc.xd ?? '', retentionUntil: doc.ru ?? '' } } : {}),
    ...(doc.rj ? { rejectedFrom: doc.rj } : {}),
    aids,
    disbursedYuan: yuanOfFen(effective.reduce((s, a) => s + a[1], 0)),
    deadlines: Object.entries(doc.dl)
      .map(([deadlineId, d]) => ({
        deadlineId,
        kind: d[0],
        dueAt: unpackTime(d[1]),
        ownerOrgUnit: d[2],
        missedLevel: d[3],
        overdue: d[3] > 0 || (now !== undefined && packedMs(d[1]) < now),
        ...provisionalFlag(doc, deadlineId),
      }))
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt)),
    timeline: decodeTimelineList(doc.tl),
    updatedAt: unpackTime(doc.up),
    revision: doc.rev,
  };
}

export function toFundView(m: string, doc: FundDoc): FundView {
  return {
    fundId: expandId(m),
    year: doc.y,
    source: doc.src,
    orgUnit: doc.ou,
    budgetYuan: yuanOfFen(doc.b),
    drawnYuan: yuanOfFen(doc.d),
    remainingYuan: yuanOfFen(doc.b - doc.d),
    draws: doc.nd,
    returns: doc.nr,
    updatedAt: unpackTime(doc.up),
    revision: doc.rev,
  };
}

/**
 * Counter fields of `hs:ctr:<unit>` (subtree totals; money in fen):
 *   applied, rejected, reopened, registered (first registrations), reregistered (after 返困),
 *   onFile, onFile:<category>                      households on file now (Registered / AnnualReview)
 *   new:<year>, rereg:<year>                       registrations by year
 *   exited, exit:<reason>, exit:<year>, exit:<year>:<reason>
 *   reviews, reviewsOnTime, reviews:<year>, reviewsOnTime:<year>, overdueNow, reviewsOverdueNow
 *   aidProposed, aidApproved, aidApprovedUpper, aidRevoked, aidDisbursed (net count), aidAcknowledged
 *   aidFen, aidFen:<year>, aidKind:<kind>, aidKindN:<kind>, aidMonth:<YYYY-MM>, aidFund:<fundId>
 *   aided, aided:<year>                            households with at least one effective disbursement
 *   fundBudget:<year>:<source>, fundDrawn:<year>:<source>   funds owned in the subtree
 */
export interface HardshipStats {
  orgUnit: string;
  applied: number;
  registered: number;
  reregistered: number;
  rejected: number;
  reopened: number;
  onFile: number;
  onFileByCategory: Record<string, number>;
  newFilesByYear: Record<string, number>;
  reregisteredByYear: Record<string, number>;
  exited: number;
  exitsByReason: Record<string, number>;
  exitsByYear: Record<string, { total: number; byReason: Record<string, number> }>;
  /** 解困脱困率 by year: exits for 脱困 (income above the line) or 解困 (safety net) ÷ households on file during the year. */
  exitRateByYear: Record<string, { outOfHardship: number; onFileDuringYear: number; rate: number | null }>;
  reviews: { done: number; onTime: number; onTimeRate: number | null; byYear: Record<string, { done: number; onTime: number }>; overdueNow: number };
  overdueNow: number;
  aid: {
    proposed: number;
    approved: number;
    approvedByUpperLevel: number;
    revoked: number;
    disbursed: number;
    acknowledged: number;
    disbursedYuan: number;
    byKind: Record<string, { yuan: number; count: number }>;
    byMonth: Record<string, number>;
    byFund: Record<string, number>;
    byYear: Record<string, number>;
    householdsAided: number;
    householdsAidedByYear: Record<string, number>;
    /** Disbursed yuan ÷ households aided (all time), and per year. */
    averagePerHousehold: number | null;
    averagePerHouseholdByYear: Record<string, number>;
  };
  funds: Record<string, Record<string, { budgetYuan: number; drawnYuan: number; remainingYuan: number }>>;
}

/** Exits that count as 解困脱困 (out of hardship). */
export const OUT_OF_HARDSHIP: readonly ExitReason[] = ['income_above_line_6_months', 'safety_net_covered'];

export function parseHardshipStats(orgUnit: string, h: Record<string, string>): HardshipStats {
  const n = (f: string): number => Number(h[f] ?? 0);
  const s: HardshipStats = {
    orgUnit,
    applied: n('applied'),
    registered: n('registered'),
    reregistered: n('reregistered'),
    rejected: n('rejected'),
    reopened: n('reopened'),
    onFile: n('onFile'),
    onFileByCategory: {},
    newFilesByYear: {},
    reregisteredByYear: {},
    exited: n('exited'),
    exitsByReason: {},
    exitsByYear: {},
    exitRateByYear: {},
    reviews: { done: n('reviews'), onTime: n('reviewsOnTime'), onTimeRate: null, byYear: {}, overdueNow: n('reviewsOverdueNow') },
    overdueNow: n('overdueNow'),
    aid: {
      proposed: n('aidProposed'),
      approved: n('aidApproved'),
      approvedByUpperLevel: n('aidApprovedUpper'),
      revoked: n('aidRevoked'),
      disbursed: n('aidDisbursed'),
      acknowledged: n('aidAcknowledged'),
      disbursedYuan: yuanOfFen(n('aidFen')),
      byKind: {},
      byMonth: {},
      byFund: {},
      byYear: {},
      householdsAided: n('aided'),
      householdsAidedByYear: {},
      averagePerHousehold: n('aided') > 0 ? Math.round(n('aidFen') / n('aided')) / 100 : null,
      averagePerHouseholdByYear: {},
    },
    funds: {},
  };
  const review = (y: string) => (s.reviews.byYear[y] ??= { done: 0, onTime: 0 });
  const exitYear = (y: string) => (s.exitsByYear[y] ??= { total: 0, byReason: {} });
  const kind = (k: string) => (s.aid.byKind[k] ??= { yuan: 0, count: 0 });
  const fund = (y: string, src: string) => ((s.funds[y] ??= {})[src] ??= { budgetYuan: 0, drawnYuan: 0, remainingYuan: 0 });
  const yearFen: Record<string, number> = {};
  for (const [f, raw] of Object.entries(h)) {
    const v = Number(raw);
    const parts = f.split(':');
    if (parts.length < 2) continue;
    const [head, a, b] = parts;
    switch (head) {
      case 'onFile':
        if (v) s.onFileByCategory[a] = v;
        break;
      case 'new':
        s.newFilesByYear[a] = v;
        break;
      case 'rereg':
        s.reregisteredByYear[a] = v;
        break;
      case 'exit':
        if (/^\d{4}$/.test(a)) {
          if (b) exitYear(a).byReason[b] = v;
          else exitYear(a).total = v;
        } else s.exitsByReason[a] = v;
        break;
      case 'reviews':
        review(a).done = v;
        break;
      case 'reviewsOnTime':
        review(a).onTime = v;
        break;
      case 'aidKind':
        kind(a).yuan = yuanOfFen(v);
        break;
      case 'aidKindN':
        kind(a).count = v;
        break;
      case 'aidMonth':
        if (v) s.aid.byMonth[a] = yuanOfFen(v);
        break;
      case 'aidFund':
        if (v) s.aid.byFund[parts.slice(1).join(':')] = yuanOfFen(v);
        break;
      case 'aidFen':
        yearFen[a] = v;
        if (v) s.aid.byYear[a] = yuanOfFen(v);
        break;
      case 'aided':
        s.aid.householdsAidedByYear[a] = v;
        break;
      case 'fundBudget':
        fund(a, b).budgetYuan = yuanOfFen(v);
        break;
      case 'fundDrawn':
        fund(a, b).drawnYuan = yuanOfFen(v);
        break;
      default:
        break;
    }
  }
  for (const [k, v] of Object.entries(s.aid.byKind)) if (!v.yuan && !v.count) delete s.aid.byKind[k];
  for (const [y, households] of Object.entries(s.aid.householdsAidedByYear))
    if (households > 0) s.aid.averagePerHouseholdByYear[y] = Math.round((yearFen[y] ?? 0) / households) / 100;
  for (const y of Object.keys(s.funds)) for (const f of Object.values(s.funds[y])) f.remainingYuan = Math.round((f.budgetYuan - f.drawnYuan) * 100) / 100;
  s.reviews.onTimeRate = s.reviews.done > 0 ? s.reviews.onTime / s.reviews.done : null;

  // 解困脱困率: households on file during year Y = on file at its start (registrations − exits of earlier years) + registered in Y.
  const years = new Set([...Object.keys(s.newFilesByYear), ...Object.keys(s.reregisteredByYear), ...Object.keys(s.exitsByYear)]);
  const nums = [...years].map(Number).filter(Number.isInteger);
  let carried = 0;
  // Every year from the first to the last, so a quiet year still carries the files on record.
  for (let year = Math.min(...nums); nums.length && year <= Math.max(...nums); year++) {
    const y = String(year);
    const registeredInYear = (s.newFilesByYear[y] ?? 0) + (s.reregisteredByYear[y] ?? 0);
    const during = carried + registeredInYear;
    const ex = s.exitsByYear[y];
    const out = OUT_OF_HARDSHIP.reduce((sum, r) => sum + (ex?.byReason[r] ?? 0), 0);
    s.exitRateByYear[y] = { outOfHardship: out, onFileDuringYear: during, rate: during > 0 ? out / during : null };
    carried = during - (ex?.total ?? 0);
  }
  return s;
}
