import type { RecordedEvent } from '@hearth/event-store/event-store.port';
import { LineageCache } from '../org-lineage';
import type { OrgDirectory } from '@hearth/domain/org/org-directory';
import type * as M from '@hearth/domain/mediation/mediation.events';
import type * as D from '@hearth/domain/deadlines/deadline.events';
import type { Projection, ProjectionBatch } from '../projection';
import { compactId, packedMs, packTime, StoredDeadline } from '../petition/petition.model';
import {
  encodeMediationTimeline,
  MEDIATION_NAMESPACE,
  MediationCounterField,
  MediationDoc,
  mediationKeys,
  monthOf,
  nextMediationDue,
  StoredObligation,
  toFen,
  TOTAL_ONLY_FIELDS,
} from './mediation.model';
import { markProvisional } from '../provisional-deadlines';

export interface MediationProjectionOptions {
  org: OrgDirectory;
  /** Timeline entries kept per case (default 40). */
  timelineCap?: number;
}

type Keys = ReturnType<typeof mediationKeys>;
const STREAM = 'mediation-';

const stored = (kind: string, due: string, owner: string, missedLevel: number, overdueUnit?: string | null): StoredDeadline =>
  overdueUnit ? [kind, due, owner, missedLevel, overdueUnit] : [kind, due, owner, missedLevel];

/** Counter deltas of one batch: hash key → field → delta (subtree totals, and per month unless total-only). */
class CounterDeltas {
  readonly byKey = new Map<string, Map<string, number>>();
  constructor(private readonly keys: Keys) {}
  add(units: readonly string[], month: string, field: MediationCounterField, n = 1): void {
    if (!n) return;
    for (const u of units) {
      this.bump(this.keys.counters(u), field, n);
      if (!TOTAL_ONLY_FIELDS.has(field)) this.bump(this.keys.counters(u, month), field, n);
    }
  }
  private bump(key: string, field: string, n: number): void {
    let m = this.byKey.get(key);
    if (!m) this.byKey.set(key, (m = new Map()));
    m.set(field, (m.get(field) ?? 0) + n);
  }
}

/**
 * Mediation cases → one compact JSON document per case (no personal data), sorted-set indexes and subtree
 * counters, in total and per month (layout in mediation.model.ts). Same batching as the petition projection: one
 * MGET per batch, fold in memory, one MSET, grouped ZADD/ZREM, one HINCRBY per counter.
 */
export class MediationProjection implements Projection {
  readonly name = 'mediations';
  readonly namespaces = [MEDIATION_NAMESPACE];
  private readonly cap: number;
  private readonly lineages: LineageCache;

  constructor(private readonly options: MediationProjectionOptions) {
    this.lineages = new LineageCache(options.org);
    this.cap = Math.max(1, options.timelineCap ?? 40);
  }


  private memberships(keys: Keys, doc: MediationDoc | undefined): Map<string, number> {
    const m = new Map<string, number>();
    if (!doc) return m;
    const rc = packedMs(doc.rc);
    for (const u of this.lineages.of(doc.ou)) m.set(keys.byUnit(u), rc);
    m.set(keys.byStatus(doc.st), rc);
    if (doc.st !== 'Closed') m.set(keys.open(), rc);
    if (doc.mr) m.set(keys.byMediator(doc.mr), rc);
    if (doc.co) m.set(keys.collective(), rc);
    const next = nextMediationDue(doc);
    if (next) m.set(keys.due(), next.dueMs);
    return m;
  }

  async apply(batch: ProjectionBatch): Promise<void> {
    const events = batch.events.filter((e) => e.streamId.startsWith(STREAM));
    if (!events.length) return;
    const keys = mediationKeys(batch.prefix);
    const memberOf = new Map<string, string>();
    for (const e of events) if (!memberOf.has(e.streamId)) memberOf.set(e.streamId, compactId(e.streamId.slice(STREAM.length)));
    const members = [...memberOf.values()];
    const raw = await batch.redis.mget(members.map((m) => keys.doc(m)));
    const docs = new Map<string, MediationDoc | undefined>();
    const before = new Map<string, Map<string, number>>();
    members.forEach((m, i) => {
      const doc = raw[i] ? (JSON.parse(raw[i]!) as MediationDoc) : undefined;
      docs.set(m, doc);
      before.set(m, this.memberships(keys, doc));
    });

    const ctr = new CounterDeltas(keys);
    const changed = new Set<string>();
    for (const e of events) {
      const m = memberOf.get(e.streamId)!;
      const occurred = e.metadata?.occurredAt ?? e.recordedAt;
      const next = this.evolve(docs.get(m), e, occurred, ctr);
      if (!next) continue;
      next.tl.push(encodeMediationTimeline(e.type, packTime(occurred), e.metadata?.actorId ?? ''));
      if (next.tl.length > this.cap) next.tl.splice(0, next.tl.length - this.cap);
      docs.set(m, next);
      changed.add(m);
    }
    if (!changed.size && !ctr.byKey.size) return;

    const tx = batch.tx;
    const mset: string[] = [];
    const zadd = new Map<string, Array<number | string>>();
    const zrem = new Map<string, string[]>();
    for (const m of changed) {
      const doc = docs.get(m)!;
      mset.push(keys.doc(m), JSON.stringify(doc));
      const old = before.get(m)!;
      const now = this.memberships(keys, doc);
      for (const k of old.keys()) if (!now.has(k)) (zrem.get(k) ?? zrem.set(k, []).get(k)!).push(m);
      for (const [k, score] of now) if (old.get(k) !== score) (zadd.get(k) ?? zadd.set(k, []).get(k)!).push(score, m);
    }
    if (mset.length) tx.mset(...mset);
    for (const [k, ms] of zrem) tx.zrem(k, ...ms);
    for (const [k, args] of zadd) tx.zadd(k, ...args);
    for (const [key, fields] of ctr.byKey) for (const [field, n] of fields) if (n) tx.hincrby(key, field, n);
  }

  /** Folds one event into the document; undefined when it does not concern a known case. */
  private evolve(doc: MediationDoc | undefined, e: RecordedEvent, occurred: string, ctr: CounterDeltas): MediationDoc | undefined {
    if (e.type === 'MediationApplied') {
      if (doc) return undefined; // applied once; a repeat would double the counters
      const d = e.data as M.MediationApplied['data'];
      const units = this.lineages.of(d.orgUnit);
      const month = monthOf(d.receivedDate);
      ctr.add(units, month, 'applications');
      if (d.collective) ctr.add(units, month, 'collective');
      if (d.involvesMigrantWorkers) ctr.add(units, month, 'migrantCases');
      if (d.fromPetition) ctr.add(units, month, 'fromPetition');
      ctr.add(units, month, 'workersCovered', d.headcount);
      ctr.add(units, month, 'claimedFen', toFen(d.claimTotalYuan));
      ctr.add(units, month, 'wageClaimedFen', toFen(d.claimTotalsByType?.wages));
      return {
        st: 'Applied',
        ou: d.orgUnit,
        rc: packTime(d.receivedAt),
        rd: d.receivedDate,
        fm: d.form,
        hc: d.headcount,
        wn: d.workers?.length ?? 0,
        mw: d.migrantWorkerCount,
        rp: d.representatives?.length ?? 0,
        ...(d.collective ? { co: 1 as const } : {}),
        ...(d.commonClaim ? { cc: 1 as const } : {}),
        cl: d.claimTotalsByType,
        ct: d.claimTotalYuan,
        ...(d.fromPetition ? { fp: d.fromPetition.petitionId } : {}),
        dd: d.disputeDate,
        ld: d.arbitrationLimitationDate,
        lr: d.limitationRecountedDate,
        se: [],
        rv: 0,
        dl: {},
        up: packTime(occurred),
        rev: e.revision,
        tl: [],
      };
    }
    if (!doc) return undefined;
    // Documents are parsed fresh for each batch and owned by it: fold in place.
    const s = doc;
    s.up = packTime(occurred);
    s.rev = e.revision;
    const units = this.lineages.of(s.ou);
    const add = (field: MediationCounterField, n = 1, date: string = occurred): void => ctr.add(units, monthOf(date), field, n);
    switch (e.type) {
      case 'MediationAccepted': {
        const d = e.data as M.MediationAccepted['data'];
        s.st = 'Accepted';
        s.ac = 'a';
        s.aot = !!d.onTime;
        s.ad = packTime(d.acceptedAt);
        add('accepted', 1, d.acceptedDate);
        if (d.onTime) add('acceptedOnTime', 1, d.acceptedDate);
        break;
      }
      case 'MediationRejected': {
        const d = e.data as M.MediationRejected['data'];
        s.st = 'Rejected';
        s.ac = 'r';
        s.aot = !!d.onTime;
        s.ad = packTime(d.rejectedAt);
        add('rejected', 1, d.rejectedAt);
        if (d.onTime) add('acceptedOnTime', 1, d.rejectedAt);
        break;
      }
      case 'MediatorAssigned':
        s.mr = (e.data as M.MediatorAssigned['data']).mediatorId;
        break;
      case 'SessionScheduled': {
        const d = e.data as M.SessionScheduled['data'];
        s.se.push([d.sessionId, packTime(d.at), 0]);
        break;
      }
      case 'SessionHeld': {
        const d = e.data as M.SessionHeld['data'];
        const sess = s.se.find((x) => x[0] === d.sessionId);
        if (sess) sess[2] = 1;
        if (d.startedMediation || s.st === 'Accepted') s.st = 'Mediating';
        add('sessionsHeld', 1, d.heldAt);
        break;
      }
      case 'MediationPeriodExtended':
        s.ex = (e.data as M.MediationPeriodExtended['data']).totalExtensionDays;
        add('extensions');
        break;
      case 'AgreementDrafted': {
        const d = e.data as M.AgreementDrafted['data'];
        s.st = 'Agreed';
        s.ag = {
          v: d.version,
          sg: [],
          tot: d.agreedTotalYuan,
          ob: d.obligations.map((o): StoredObligation => [o.obligationId, o.claimType, o.amountYuan, o.dueDate, 0, 'o', o.payer === 'worker' ? 'w' : 'e']),
        };
        break;
      }
      case 'AgreementSigned': {
        const d = e.data as M.AgreementSigned['data'];
        if (s.ag && !s.ag.sg.includes(d.party)) s.ag.sg.push(d.party);
        break;
      }
      case 'AgreementSealed':
        if (s.ag) s.ag.sl = 1;
        break;
      case 'AgreementEffective': {
        const d = e.data as M.AgreementEffective['data'];
        s.st = 'Performing';
        if (s.ag) {
          s.ag.ef = d.effectiveDate;
          s.ag.dta = d.daysToAgreement;
        }
        add('agreements', 1, d.effectiveDate);
        add('daysToAgreementSum', d.daysToAgreement, d.effectiveDate);
        add('workersInAgreements', d.headcount, d.effectiveDate);
        add('agreedFen', toFen(d.agreedTotalYuan), d.effectiveDate);
        break;
      }
      case 'MediationFailed': {
        const d = e.data as M.MediationFailed['data'];
        s.st = 'Failed';
        s.fr = d.reason;
        add('failed', 1, d.failedAt);
        if (d.reason === 'period_lapsed') add('periodLapsed', 1, d.failedAt);
        break;
      }
      case 'ArbitrationEligible': {
        const d = e.data as M.ArbitrationEligible['data'];
        if (!s.el?.length) add('arbitrationEligible', 1, d.eligibleDate);
        if (d.reason === 'statutory_period_lapsed') add('statutoryLapsed', 1, d.eligibleDate);
        s.el = [...(s.el ?? []), d.reason];
        s.ip = 1;
        break;
      }
      case 'WorkerInformedOfArbitration':
        delete s.ip;
        add('workersInformed', 1, (e.data as M.WorkerInformedOfArbitration['data']).informedAt);
        break;
      case 'PerformanceRecorded': {
        const d = e.data as M.PerformanceRecorded['data'];
        const o = s.ag?.ob.find((x) => x[0] === d.obligationId);
        if (o) {
          o[4] = d.paidTotalYuan;
          if (d.obligationPerformed) o[5] = 'p';
        }
        // Recovered for the workers: what the employer paid (an obligation may also bind the worker).
        if (d.payer === 'employer') {
          s.rv = Math.round((s.rv + d.amountYuan) * 100) / 100;
          add('recoveredFen', toFen(d.amountYuan), d.paidDate);
          if (d.claimType === 'wages') add('wageRecoveredFen', toFen(d.amountYuan), d.paidDate);
        }
        break;
      }
      case 'AgreementPerformed': {
        const d = e.data as M.AgreementPerformed['data'];
        s.st = 'Performed';
        add('performed', 1, d.performedAt);
        add('workersInPerformedAgreements', d.headcount, d.performedAt);
        break;
      }
      case 'ObligationBreached': {
        const d = e.data as M.ObligationBreached['data'];
        const o = s.ag?.ob.find((x) => x[0] === d.obligationId);
        if (o) o[5] = 'b';
        if (s.st !== 'Breached') add('breached', 1, d.recordedAt);
        add('obligationsBreached', 1, d.recordedAt);
        s.st = 'Breached';
        break;
      }
      case 'ReferredToArbitration':
        s.st = 'ReferredToArbitration';
        s.ra = 1;
        add('referredToArbitration', 1, (e.data as M.ReferredToArbitration['data']).referredAt);
        break;
      case 'PaymentOrderAdvised': {
        const d = e.data as M.PaymentOrderAdvised['data'];
        s.st = 'PaymentOrderAdvised';
        s.po = d.obligationId;
        add('paymentOrdersAdvised', 1, d.advisedAt);
        break;
      }
      case 'ArbitrationFiled': {
        const d = e.data as M.ArbitrationFiled['data'];
        s.af = d.filedOn;
        s.aw = [d.awardDueDate, d.awardLatestDueDate];
        add('arbitrationFiled', 1, d.filedOn);
        break;
      }
      case 'LegalAidRequested': {
        const d = e.data as M.LegalAidRequested['data'];
        s.la = [d.requestNo, 'requested', d.workerCount, d.migrantWageClaim ? 1 : 0];
        add('legalAidRequested', 1, d.requestedAt);
        break;
      }
      case 'LegalAidDecided': {
        const d = e.data as M.LegalAidDecided['data'];
        if (s.la) s.la[1] = d.granted ? 'granted' : 'denied';
        add(d.granted ? 'legalAidGranted' : 'legalAidDenied', 1, d.decidedAt);
        if (d.onTime) add('legalAidDecidedOnTime', 1, d.decidedAt);
        break;
      }
      case 'LegalAidLawyerAssigned':
        if (s.la) s.la[1] = 'assigned';
        add('lawyersAssigned', 1, (e.data as M.LegalAidLawyerAssigned['data']).assignedAt);
        break;
      case 'MediationClosed': {
        const d = e.data as M.MediationClosed['data'];
        if (s.st !== 'Closed') add('closed', 1, d.closedDate);
        s.st = 'Closed';
        s.oc = d.outcome;
        s.cd = packTime(d.closedAt);
        break;
      }
      case 'DeadlineOpened': {
        const d = e.data as D.DeadlineOpened['data'];
        s.dl[d.deadlineId] = stored(d.kind, packTime(d.dueAt), d.ownerOrgUnit, 0);
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
        const reopened = cur[3] > 0 && packedMs(due) > packedMs(cur[1]);
        if (reopened) ctr.add(this.lineages.of(cur[4] ?? s.ou), '', 'overdueNow', -1);
        s.dl[d.deadlineId] = reopened ? stored(cur[0], due, cur[2], 0) : stored(cur[0], due, cur[2], cur[3], cur[4]);
        break;
      }
      case 'DeadlineMissed': {
        const d = e.data as D.DeadlineMissed['data'];
        const cur = s.dl[d.deadlineId];
        if (!cur) break;
        if (cur[3] === 0) {
          ctr.add(units, '', 'overdueNow');
          s.dl[d.deadlineId] = stored(cur[0], cur[1], cur[2], d.level, s.ou);
        } else s.dl[d.deadlineId] = stored(cur[0], cur[1], cur[2], Math.max(cur[3], d.level), cur[4]);
        break;
      }
      case 'DeadlineMet':
      case 'DeadlineCancelled':
      case 'DeadlineLapsed': {
        const id = (e.data as { deadlineId: string }).deadlineId;
        const cur = s.dl[id];
        if (!cur) break;
        markProvisional(s, id, false);
        if (cur[3] > 0) ctr.add(this.lineages.of(cur[4] ?? s.ou), '', 'overdueNow', -1);
        delete s.dl[id];
        break;
      }
      default:
        break;
    }
    return s;
  }
}
