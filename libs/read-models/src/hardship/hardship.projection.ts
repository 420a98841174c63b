import type { RecordedEvent } from '@hearth/event-store/event-store.port';
import { LineageCache } from '../org-lineage';
import type { OrgDirectory } from '@hearth/domain/org/org-directory';
import type * as H from '@hearth/domain/hardship/hardship.events';
import type * as F from '@hearth/domain/hardship/fund.events';
import type * as D from '@hearth/domain/deadlines/deadline.events';
import { localDateOf } from '@hearth/domain/calendar/local-date';
import { toFen } from '@hearth/domain/hardship/money';
import type { Projection, ProjectionBatch } from '../projection';
import { compactId, appendTimeline, packedMs, packTime, StoredDeadline } from '../petition/petition.model';
import { aidStatusCode, FundDoc, HARDSHIP_NAMESPACE, HardshipFileDoc, hardshipKeys, nextHardshipDeadline, HARDSHIP_ON_FILE, StoredAid } from './hardship.model';
import { markProvisional } from '../provisional-deadlines';

export interface HardshipProjectionOptions {
  org: OrgDirectory;
  /** Timeline entries kept per file (default 30). */
  timelineCap?: number;
}

type Keys = ReturnType<typeof hardshipKeys>;

const FILE_PREFIX = 'hardship-';
const FUND_PREFIX = 'fund-';
const ANNUAL_REVIEW = 'annualReview';

/** Subtree counter deltas of one batch: unit → field → delta. */
class Deltas {
  readonly byUnit = new Map<string, Map<string, number>>();
  add(units: readonly string[], field: string, n = 1): void {
    if (!n) return;
    for (const u of units) {
      let m = this.byUnit.get(u);
      if (!m) this.byUnit.set(u, (m = new Map()));
      m.set(field, (m.get(field) ?? 0) + n);
    }
  }
}

const yearOf = (date: string): string => date.slice(0, 4);

/**
 * Hardship files (`hardship-*`) and funds (`fund-*`) → one compact JSON document per file and per fund,
 * sorted-set indexes and per-org-unit subtree counters (layout in hardship.model.ts). Reads only
 * non-personal members of the events: `personal` is never touched, so nothing personal can reach Redis.
 * A batch loads every document it touches with one MGET and queues only differences.
 */
export class HardshipProjection implements Projection {
  readonly name = 'hardship';
  readonly namespaces = [HARDSHIP_NAMESPACE];
  private readonly cap: number;
  private readonly lineages: LineageCache;

  constructor(private readonly options: HardshipProjectionOptions) {
    this.lineages = new LineageCache(options.org);
    this.cap = Math.max(1, options.timelineCap ?? 30);
  }


  private fileMemberships(keys: Keys, doc: HardshipFileDoc | undefined): Map<string, number> {
    const m = new Map<string, number>();
    if (!doc) return m;
    const ap = packedMs(doc.ap);
    for (const u of this.lineages.of(doc.ou)) m.set(keys.byUnit(u), ap);
    m.set(keys.byStatus(doc.st), ap);
    if (doc.oc) m.set(keys.byCategory(doc.oc), ap);
    const next = nextHardshipDeadline(doc);
    if (next) m.set(keys.due(), next.dueMs);
    return m;
  }

  private fundMemberships(keys: Keys, doc: FundDoc | undefined): Map<string, number> {
    const m = new Map<string, number>();
    if (!doc) return m;
    for (const u of this.lineages.of(doc.ou)) m.set(keys.fundsOfSubtree(u), doc.y);
    m.set(keys.fundsOwnedBy(doc.ou), doc.y);
    return m;
  }

  async apply(batch: ProjectionBatch): Promise<void> {
    const events = batch.events.filter((e) => e.streamId.startsWith(FILE_PREFIX) || e.streamId.startsWith(FUND_PREFIX));
    if (!events.length) return;
    const keys = hardshipKeys(batch.prefix);
    const memberOf = new Map<string, string>();
    for (const e of events) {
      if (memberOf.has(e.streamId)) continue;
      const isFile = e.streamId.startsWith(FILE_PREFIX);
      memberOf.set(e.streamId, compactId(e.streamId.slice((isFile ? FILE_PREFIX : FUND_PREFIX).length)));
    }
    const streams = [...memberOf.keys()];
    const docKey = (streamId: string) => (streamId.startsWith(FILE_PREFIX) ? keys.doc : keys.fund)(memberOf.get(streamId)!);
    const raw = await batch.redis.mget(streams.map(docKey));
    const files = new Map<string, HardshipFileDoc | undefined>();
    const funds = new Map<string, FundDoc | undefined>();
    const before = new Map<string, Map<string, number>>();
    streams.forEach((sid, i) => {
      const parsed = raw[i] ? JSON.parse(raw[i]!) : undefined;
      if (sid.startsWith(FILE_PREFIX)) {
        files.set(sid, parsed as HardshipFileDoc | undefined);
        before.set(sid, this.fileMemberships(keys, parsed));
      } else {
        funds.set(sid, parsed as FundDoc | undefined);
        before.set(sid, this.fundMemberships(keys, parsed));
      }
    });

    const ctr = new Deltas();
    const changed = new Set<string>();
    for (const e of events) {
      const at = packTime(e.metadata?.occurredAt ?? e.recordedAt);
      if (e.streamId.startsWith(FILE_PREFIX)) {
        const next = this.evolveFile(files.get(e.streamId), e, at, ctr);
        if (!next) continue;
        appendTimeline(next.tl, e.type, at, e.metadata?.actorId ?? '', this.cap);
        files.set(e.streamId, next);
      } else {
        const next = this.evolveFund(funds.get(e.streamId), e, at, ctr);
        if (!next) continue;
        funds.set(e.streamId, next);
      }
      changed.add(e.streamId);
    }
    if (!changed.size && !ctr.byUnit.size) return;

    const tx = batch.tx;
    const mset: string[] = [];
    const zadd = new Map<string, Array<number | string>>();
    const zrem = new Map<string, string[]>();
    for (const sid of changed) {
      const m = memberOf.get(sid)!;
      const isFile = sid.startsWith(FILE_PREFIX);
      const doc = isFile ? files.get(sid) : funds.get(sid);
      mset.push(docKey(sid), JSON.stringify(doc));
      const now = isFile ? this.fileMemberships(keys, doc as HardshipFileDoc) : this.fundMemberships(keys, doc as FundDoc);
      const old = before.get(sid)!;
      for (const k of old.keys()) if (!now.has(k)) (zrem.get(k) ?? zrem.set(k, []).get(k)!).push(m);
      for (const [k, score] of now) if (old.get(k) !== score) (zadd.get(k) ?? zadd.set(k, []).get(k)!).push(score, m);
    }
    if (mset.length) tx.mset(...mset);
    for (const [k, ms] of zrem) tx.zrem(k, ...ms);
    for (const [k, args] of zadd) tx.zadd(k, ...args);
    for (const [unit, fields] of ctr.byUnit) for (const [field, n] of fields) if (n) tx.hincrby(keys.counters(unit), field, n);
  }

  /** Moves the file's "on file" count to `category` (null: not on file any more). */
  private countOnFile(s: HardshipFileDoc, category: H.HardshipCategory | null, ctr: Deltas): void {
    const units = this.lineages.of(s.ou);
    if (s.oc === (category ?? undefined)) return;
    if (s.oc) {
      ctr.add(units, 'onFile', -1);
      ctr.add(units, `onFile:${s.oc}`, -1);
    }
    if (category) {
      ctr.add(units, 'onFile');
      ctr.add(units, `onFile:${category}`);
      s.oc = category;
    } else delete s.oc;
  }

  /** Adds (sign 1) or takes back (sign -1) one disbursement in every aid sum. */
  private countDisbursement(s: HardshipFileDoc, a: StoredAid, sign: 1 | -1, ctr: Deltas): void {
    const units = this.lineages.of(s.ou);
    const [kind, fen, , fundId, , month] = a;
    const year = yearOf(month);
    ctr.add(units, 'aidDisbursed', sign);
    ctr.add(units, 'aidFen', sign * fen);
    ctr.add(units, `aidFen:${year}`, sign * fen);
    ctr.add(units, `aidKind:${kind}`, sign * fen);
    ctr.add(units, `aidKindN:${kind}`, sign);
    ctr.add(units, `aidMonth:${month}`, sign * fen);
    if (fundId) ctr.add(units, `aidFund:${fundId}`, sign * fen);
    const total = (): number => Object.values(s.dy).reduce((x, y) => x + y, 0);
    const hadAny = total() > 0;
    const hadYear = (s.dy[year] ?? 0) > 0;
    s.dy[year] = Math.max(0, (s.dy[year] ?? 0) + sign);
    if (!s.dy[year]) delete s.dy[year];
    const hasYear = (s.dy[year] ?? 0) > 0;
    const hasAny = total() > 0;
    if (hadYear !== hasYear) ctr.add(units, `aided:${year}`, hasYear ? 1 : -1);
    if (hadAny !== hasAny) ctr.add(units, 'aided', hasAny ? 1 : -1);
  }

  private evolveFile(doc: HardshipFileDoc | undefined, e: RecordedEvent, at: string, ctr: Deltas): HardshipFileDoc | undefined {
    if (e.type === 'HardshipFileApplied') {
      if (doc) return undefined; // applied once; a repeat would double the counters
      const d = e.data as H.HardshipFileApplied['data'];
      ctr.add(this.lineages.of(d.orgUnit), 'applied');
      return { st: 'Applied', ou: d.orgUnit, ap: packTime(d.appliedAt), ad: d.appliedDate, ca: null, rn: 0, aids: {}, dy: {}, dl: {}, up: at, rev: e.revision, tl: [] };
    }
    if (!doc) return undefined;
    const s = doc;
    if (at) s.up = at;
    s.rev = e.revision;
    const here = (): string[] => this.lineages.of(s.ou);
    const clearNotice = (): void => {
      delete s.ns;
      delete s.ne;
      delete s.nc;
      delete s.ob;
    };
    switch (e.type) {
      case 'HardshipFilePreScreened':
        s.st = 'PreScreened';
        break;
      case 'HomeVisitRecorded':
        s.st = 'HomeVisited';
        break;
      case 'ConsentRecorded':
        s.st = 'ConsentSigned';
        break;
      case 'EconomicCheckRecorded':
        s.st = 'EconomicCheckDone';
        clearNotice();
        break;
      case 'PublicNoticeStarted': {
        const d = e.data as H.PublicNoticeStarted['data'];
        s.st = 'PublicNotice';
        clearNotice();
        s.ns = d.startDate;
        s.ne = d.endDate;
        s.ob = {};
        break;
      }
      case 'PublicNoticeCompleted':
        s.nc = 1;
        break;
      case 'ObjectionRaised':
        (s.ob ??= {})[(e.data as H.ObjectionRaised['data']).objectionId] = 'open';
        break;
      case 'ObjectionResolved': {
        const d = e.data as H.ObjectionResolved['data'];
        (s.ob ??= {})[d.objectionId] = d.outcome;
        break;
      }
      case 'HardshipFileRegistered': {
        const d = e.data as H.HardshipFileRegistered['data'];
        const year = yearOf(d.registeredDate);
        if (d.previousRegistrations > 0) {
          ctr.add(here(), 'reregistered');
          ctr.add(here(), `rereg:${year}`);
        } else {
          ctr.add(here(), 'registered');
          ctr.add(here(), `new:${year}`);
        }
        s.st = 'Registered';
        s.ca = d.category;
        if (d.overridden) s.ov = 1;
        else delete s.ov;
        delete s.po;
        s.rn += 1;
        s.rg = d.registeredDate;
        this.countOnFile(s, d.category, ctr);
        break;
      }
      case 'CategoryOverridden': {
        const d = e.data as H.CategoryOverridden['data'];
        if (d.pending) s.po = d.category;
        else {
          s.ca = d.category;
          s.ov = 1;
          if (HARDSHIP_ON_FILE.includes(s.st)) this.countOnFile(s, d.category, ctr);
        }
        break;
      }
      case 'AnnualReviewStarted':
        s.st = 'AnnualReview';
        break;
      case 'AnnualReviewCompleted': {
        const d = e.data as H.AnnualReviewCompleted['data'];
        const date = localDateOf(d.reviewedAt);
        const year = yearOf(date);
        ctr.add(here(), 'reviews');
        ctr.add(here(), `reviews:${year}`);
        if (d.onTime) {
          ctr.add(here(), 'reviewsOnTime');
          ctr.add(here(), `reviewsOnTime:${year}`);
        }
        s.lr = date;
        s.lro = d.onTime;
        delete s.po;
        if (d.outcome === 'continue') {
          s.st = 'Registered';
          s.ca = d.category;
          if (d.overridden) s.ov = 1;
          else delete s.ov;
          this.countOnFile(s, d.category, ctr);
        }
        break;
      }
      case 'HardshipFileExited': {
        const d = e.data as H.HardshipFileExited['data'];
        const year = yearOf(d.exitDate);
        ctr.add(here(), 'exited');
        ctr.add(here(), `exit:${d.reason}`);
        ctr.add(here(), `exit:${year}`);
        ctr.add(here(), `exit:${year}:${d.reason}`);
        s.st = 'Exited';
        s.xr = d.reason;
        s.xd = d.exitDate;
        s.ru = d.retentionUntil;
        delete s.po;
        this.countOnFile(s, null, ctr);
        break;
      }
      case 'HardshipFileRejected':
        ctr.add(here(), 'rejected');
        s.rj = (e.data as H.HardshipFileRejected['data']).fromStatus as HardshipFileDoc['st'];
        s.st = 'Rejected';
        delete s.po;
        break;
      case 'HardshipFileReopened':
        ctr.add(here(), 'reopened');
        s.st = 'Reopened';
        s.ca = null;
        delete s.ov;
        delete s.po;
        delete s.xr;
        delete s.xd;
        delete s.ru;
        clearNotice();
        break;
      case 'AidProposed': {
        const d = e.data as H.AidProposed['data'];
        if (s.aids[d.aidId]) break;
        s.aids[d.aidId] = [d.kind, toFen(d.amountYuan), aidStatusCode('Proposed'), d.fundId ?? '', 0, ''];
        ctr.add(here(), 'aidProposed');
        break;
      }
      case 'AidApproved': {
        const d = e.data as H.AidApproved['data'];
        const a = s.aids[d.aidId];
        if (!a) break;
        a[2] = aidStatusCode('Approved');
        a[4] = d.upperLevel ? 1 : 0;
        ctr.add(here(), 'aidApproved');
        if (d.upperLevel) ctr.add(here(), 'aidApprovedUpper');
        break;
      }
      case 'AidDisbursed': {
        const d = e.data as H.AidDisbursed['data'];
        const a = s.aids[d.aidId];
        if (!a) break;
        a[2] = aidStatusCode('Disbursed');
        a[1] = toFen(d.amountYuan);
        a[5] = d.month;
        this.countDisbursement(s, a, 1, ctr);
        break;
      }
      case 'AidAcknowledged': {
        const a = s.aids[(e.data as H.AidAcknowledged['data']).aidId];
        if (!a) break;
        a[2] = aidStatusCode('Acknowledged');
        ctr.add(here(), 'aidAcknowledged');
        break;
      }
      case 'AidRevoked': {
        const d = e.data as H.AidRevoked['data'];
        const a = s.aids[d.aidId];
        if (!a) break;
        if (d.wasDisbursed && a[5]) this.countDisbursement(s, a, -1, ctr);
        a[2] = aidStatusCode('Revoked');
        ctr.add(here(), 'aidRevoked');
        break;
      }
      case 'DeadlineOpened': {
        const d = e.data as D.DeadlineOpened['data'];
        s.dl[d.deadlineId] = [d.kind, packTime(d.dueAt), d.ownerOrgUnit, 0];
        markProvisional(s, d.deadlineId, d.provisional);
        break;
      }
      case 'DeadlineMoved':
      case 'DeadlineRecomputed': {
        const d = e.data as D.DeadlineMoved['data'] | D.DeadlineRecomputed['data'];
        const cur = s.dl[d.deadlineId];
        if (!cur) break;
        // A calendar change recounts the deadline (and may clear its provisional mark); it moves like any other move.
        if (e.type === 'DeadlineRecomputed') markProvisional(s, d.deadlineId, (d as D.DeadlineRecomputed['data']).provisional);
        const due = packTime(d.dueAt);
        // A missed deadline moved later is open again (as in the domain's evolveDeadlines).
        const reopened = cur[3] > 0 && packedMs(due) > packedMs(cur[1]);
        if (reopened) this.countOverdue(s, cur, -1, ctr);
        s.dl[d.deadlineId] = [cur[0], due, cur[2], reopened ? 0 : cur[3]];
        break;
      }
      case 'DeadlineMissed': {
        const d = e.data as D.DeadlineMissed['data'];
        const cur = s.dl[d.deadlineId];
        if (!cur) break;
        if (cur[3] === 0) this.countOverdue(s, cur, 1, ctr);
        s.dl[d.deadlineId] = [cur[0], cur[1], cur[2], Math.max(cur[3], d.level)];
        break;
      }
      case 'DeadlineEscalated': {
        // 督办 further up the ladder: already counted as overdue when missed; only the level rises.
        const d = e.data as { deadlineId: string; level: number };
        const cur = s.dl[d.deadlineId];
        if (cur && cur[3] > 0) s.dl[d.deadlineId] = [cur[0], cur[1], cur[2], Math.max(cur[3], d.level)];
        break;
      }
      case 'DeadlineMet':
      case 'DeadlineCancelled':
      case 'DeadlineLapsed': {
        const id = (e.data as { deadlineId: string }).deadlineId;
        const cur = s.dl[id];
        if (!cur) break;
        markProvisional(s, id, false);
        if (cur[3] > 0) this.countOverdue(s, cur, -1, ctr);
        delete s.dl[id];
        break;
      }
      default:
        break;
    }
    return s;
  }

  private countOverdue(s: HardshipFileDoc, d: StoredDeadline, n: 1 | -1, ctr: Deltas): void {
    ctr.add(this.lineages.of(s.ou), 'overdueNow', n);
    if (d[0] === ANNUAL_REVIEW) ctr.add(this.lineages.of(s.ou), 'reviewsOverdueNow', n);
  }

  private evolveFund(doc: FundDoc | undefined, e: RecordedEvent, at: string, ctr: Deltas): FundDoc | undefined {
    if (e.type === 'FundOpened') {
      if (doc) return undefined;
      const d = e.data as F.FundOpened['data'];
      const b = toFen(d.budgetYuan);
      ctr.add(this.lineages.of(d.orgUnit), `fundBudget:${d.year}:${d.source}`, b);
      return { y: d.year, src: d.source, ou: d.orgUnit, b, d: 0, nd: 0, nr: 0, up: at, rev: e.revision };
    }
    if (!doc) return undefined;
    const s = doc;
    if (at) s.up = at;
    s.rev = e.revision;
    const units = this.lineages.of(s.ou);
    switch (e.type) {
      case 'FundBudgetAdjusted': {
        const b = toFen((e.data as F.FundBudgetAdjusted['data']).budgetYuan);
        ctr.add(units, `fundBudget:${s.y}:${s.src}`, b - s.b);
        s.b = b;
        break;
      }
      case 'FundDrawn': {
        const fen = toFen((e.data as F.FundDrawn['data']).amountYuan);
        s.d += fen;
        s.nd += 1;
        ctr.add(units, `fundDrawn:${s.y}:${s.src}`, fen);
        break;
      }
      case 'FundReturned': {
        const fen = toFen((e.data as F.FundReturned['data']).amountYuan);
        s.d -= fen;
        s.nr += 1;
        ctr.add(units, `fundDrawn:${s.y}:${s.src}`, -fen);
        break;
      }
      default:
        break;
    }
    return s;
  }
}
