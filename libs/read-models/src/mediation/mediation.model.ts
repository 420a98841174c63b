import type {
  AgreementParty,
  ApplicationForm,
  ArbitrationGround,
  ClaimTotals,
  ClaimType,
  CloseOutcome,
  MediationFailureReason,
  MediationStatus,
} from '@hearth/domain/mediation/mediation.events';
import type { LegalAidStatus } from '@hearth/domain/mediation/mediation.state';
import { compactId, expandId, packedMs, PendingDeadline, StoredDeadline, TimelineEntry, unpackTime } from '../petition/petition.model';
import { provisionalFlag } from '../provisional-deadlines';

/**
 * Redis layout of the mediation read model (all keys under the prefix, default `hearth:`). `<m>` is the case id in
 * compact form (`compactId`), the member of every index. Nothing personal is stored: no worker or employer names,
 * no facts, session notes, obligation descriptions or lawyers — only ids of staff, unit ids, dates, counts, amounts.
 *   med:<m>                    string  compact JSON `MediationDoc` incl. the capped timeline
 *   med:ix:ou:<unit>           zset    cases of the unit's subtree (the case's unit and each ancestor), score receivedAt ms
 *   med:ix:st:<status>         zset    by status, score receivedAt ms
 *   med:ix:open                zset    every case not Closed, score receivedAt ms
 *   med:ix:mr:<mediatorId>     zset    by assigned mediator, score receivedAt ms
 *   med:ix:co                  zset    collective cases (LDMAL art. 7), score receivedAt ms
 *   med:ix:due                 zset    next pending deadline per case, score dueAt ms (absent: nothing pending)
 *   med:ctr:<unit>             hash    subtree totals (`MediationCounterField`, amounts in fen)
 *   med:ctr:<unit>:<YYYY-MM>   hash    subtree totals of one month (CST); each figure counts in the month of its event
 */
export const MEDIATION_NAMESPACE = 'med:';

export const mediationKeys = (prefix: string) => ({
  doc: (m: string) => `${prefix}med:${m}`,
  byUnit: (unit: string) => `${prefix}med:ix:ou:${unit}`,
  byStatus: (status: string) => `${prefix}med:ix:st:${status}`,
  open: () => `${prefix}med:ix:open`,
  byMediator: (mediatorId: string) => `${prefix}med:ix:mr:${mediatorId}`,
  collective: () => `${prefix}med:ix:co`,
  due: () => `${prefix}med:ix:due`,
  counters: (unit: string, month?: string) => (month ? `${prefix}med:ctr:${unit}:${month}` : `${prefix}med:ctr:${unit}`),
  tmp: (token: string) => `${prefix}tmp:${token}`,
});

/** Obligation as stored: [obligationId, claimType, amountYuan, dueDate, paidYuan, state o(pen) / p(erformed) / b(reached), payer e/w]. */
export type StoredObligation = [string, ClaimType, number, string, number, 'o' | 'p' | 'b', 'e' | 'w'];

/** Stored document; short keys because there is one per case. */
export interface MediationDoc {
  st: MediationStatus;
  ou: string;
  /** receivedAt (packed), received date (CST) */
  rc: string;
  rd: string;
  fm: ApplicationForm;
  /** headcount; workers named; migrant workers named; representatives */
  hc: number;
  wn: number;
  mw: number;
  rp: number;
  co?: 1;
  cc?: 1;
  /** claims by type and total (yuan) */
  cl: ClaimTotals;
  ct: number;
  /** linked petition id */
  fp?: string;
  /** dispute date; arbitration limitation date; limitation recounted from the application (null: had run out) */
  dd: string;
  ld: string;
  lr: string | null;
  /** mediator id */
  mr?: string;
  /** acceptance decision a/r, on time, decided at (packed) */
  ac?: 'a' | 'r';
  aot?: boolean;
  ad?: string;
  /** sessions: [sessionId, at (packed), held 0/1] */
  se: [string, string, 0 | 1][];
  /** period extension days in total (with both parties' consent) */
  ex?: number;
  /** agreement */
  ag?: {
    v: number;
    sg: AgreementParty[];
    sl?: 1;
    /** effective date, days from receipt, agreed total yuan */
    ef?: string;
    dta?: number;
    tot: number;
    ob: StoredObligation[];
  };
  /** failure reason */
  fr?: MediationFailureReason;
  /** arbitration: grounds, worker still to be informed, filed on, award due / latest */
  el?: ArbitrationGround[];
  ip?: 1;
  af?: string;
  aw?: [string, string];
  /** referred to arbitration; payment order advised for obligation */
  ra?: 1;
  po?: string;
  /** recovered so far (yuan) */
  rv: number;
  /** legal aid: [requestNo, status, workers, migrant wage claim 0/1] */
  la?: [number, LegalAidStatus, number, 0 | 1];
  /** close outcome and time (packed) */
  oc?: CloseOutcome;
  cd?: string;
  dl: Record<string, StoredDeadline>;
  /** ids of pending deadlines counted provisionally (a year without a loaded holiday arrangement) */
  pv?: string[];
  up: string;
  rev: number;
  tl: string[];
}

export interface MediationSummary {
  id: string;
  streamId: string;
  status: MediationStatus;
  orgUnit: string;
  receivedAt: string;
  headcount: number;
  collective: boolean;
  involvesMigrantWorkers: boolean;
  claimTotalYuan: number;
  mediatorId?: string;
  fromPetition?: { petitionId: string };
  nextDueAt?: string;
  missed: boolean;
}

export interface MediationObligationView {
  obligationId: string;
  claimType: ClaimType;
  payer: 'employer' | 'worker';
  amountYuan: number;
  dueDate: string;
  paidYuan: number;
  state: 'open' | 'performed' | 'breached';
}

export interface MediationDetail extends MediationSummary {
  receivedDate: string;
  form: ApplicationForm;
  workersNamed: number;
  migrantWorkersNamed: number;
  representatives: number;
  commonClaim: boolean;
  claimsByType: ClaimTotals;
  disputeDate: string;
  /** External milestone (LDMAL art. 27): one year from the dispute date, and counted afresh from the application. */
  arbitrationLimitation: { date: string; recountedDate: string | null };
  acceptance?: { decision: 'accepted' | 'rejected'; onTime: boolean; decidedAt: string };
  sessions: { scheduled: number; held: number; nextAt?: string };
  extensionDays: number;
  agreement?: {
    version: number;
    signedBy: AgreementParty[];
    sealed: boolean;
    effectiveDate?: string;
    daysToAgreement?: number;
    agreedTotalYuan: number;
    obligations: MediationObligationView[];
  };
  failureReason?: MediationFailureReason;
  arbitration: {
    eligible: boolean;
    grounds: ArbitrationGround[];
    workerToBeInformed: boolean;
    filedOn?: string;
    /** External milestone (art. 43): award due, and the latest date if extended. */
    awardDueDate?: string;
    awardLatestDueDate?: string;
    referred: boolean;
  };
  paymentOrderAdvisedFor?: string;
  recoveredYuan: number;
  legalAid?: { requestNo: number; status: LegalAidStatus; workerCount: number; migrantWageClaim: boolean };
  closeOutcome?: CloseOutcome;
  closedAt?: string;
  deadlines: PendingDeadline[];
  timeline: TimelineEntry[];
  updatedAt: string;
  revision: number;
}

export const MEDIATION_COUNTER_FIELDS = [
  'applications',
  'collective',
  'migrantCases',
  'fromPetition',
  /** Workers on the applying side (headcount). */
  'workersCovered',
  'accepted',
  'acceptedOnTime',
  'rejected',
  'sessionsHeld',
  'extensions',
  'agreements',
  'daysToAgreementSum',
  /** Headcount of the cases whose agreement took effect. */
  'workersInAgreements',
  'failed',
  'periodLapsed',
  'arbitrationEligible',
  'statutoryLapsed',
  'workersInformed',
  'performed',
  'workersInPerformedAgreements',
  'obligationsBreached',
  'breached',
  'referredToArbitration',
  'paymentOrdersAdvised',
  'arbitrationFiled',
  'legalAidRequested',
  'legalAidGranted',
  'legalAidDenied',
  'legalAidDecidedOnTime',
  'lawyersAssigned',
  'closed',
  'claimedFen',
  'wageClaimedFen',
  'agreedFen',
  'recoveredFen',
  'wageRecoveredFen',
  'overdueNow',
] as const;
export type MediationCounterField = (typeof MEDIATION_COUNTER_FIELDS)[number];

/** Fields counted only as a current total (not per month). */
export const TOTAL_ONLY_FIELDS: ReadonlySet<MediationCounterField> = new Set(['overdueNow']);

/**
 * domain-spec §4 mediation statistics of one subtree (and one month, when asked). Counts are events of the period:
 * `applications` received, `agreements` taking effect, … Rates are null when their denominator is 0.
 */
export interface MediationStats {
  orgUnit: string;
  month?: string;
  applications: number;
  collective: number;
  migrantCases: number;
  fromPetition: number;
  workersCovered: number;
  accepted: number;
  /** Acceptance decisions (accepted or rejected) made within the acceptance period. */
  acceptedOnTime: number;
  rejected: number;
  /** accepted / (accepted + rejected) */
  acceptanceRate: number | null;
  acceptedOnTimeRate: number | null;
  sessionsHeld: number;
  extensions: number;
  agreements: number;
  failed: number;
  periodLapsed: number;
  /** 调解成功率: agreements / (agreements + failed) — mediations concluded either way. */
  successRate: number | null;
  averageDaysToAgreement: number | null;
  workersInAgreements: number;
  arbitrationEligible: number;
  statutoryLapsed: number;
  workersInformed: number;
  performed: number;
  workersInPerformedAgreements: number;
  breached: number;
  obligationsBreached: number;
  referredToArbitration: number;
  paymentOrdersAdvised: number;
  arbitrationFiled: number;
  legalAid: { requested: number; granted: number; denied: number; decidedOnTime: number; lawyersAssigned: number };
  closed: number;
  claimedYuan: number;
  wageArrearsClaimedYuan: number;
  agreedYuan: number;
  recoveredYuan: number;
  wageArrearsRecoveredYuan: number;
  /** Current total only (no month): cases with a missed deadline still open. */
  overdueNow?: number;
}

/** Yuan → integer fen (HINCRBY keeps money exact). */
export const toFen = (yuan: number | undefined): number => Math.round((yuan ?? 0) * 100);
const fenToYuan = (fen: number): number => Math.round(fen) / 100;
const ratio = (n: number, d: number): number | null => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);

export function toStats(orgUnit: string, month: string | undefined, h: Record<string, string>): MediationStats {
  const c = {} as Record<MediationCounterField, number>;
  for (const f of MEDIATION_COUNTER_FIELDS) c[f] = Number(h[f] ?? 0);
  return {
    orgUnit,
    ...(month ? { month } : {}),
    applications: c.applications,
    collective: c.collective,
    migrantCases: c.migrantCases,
    fromPetition: c.fromPetition,
    workersCovered: c.workersCovered,
    accepted: c.accepted,
    acceptedOnTime: c.acceptedOnTime,
    rejected: c.rejected,
    acceptanceRate: ratio(c.accepted, c.accepted + c.rejected),
    acceptedOnTimeRate: ratio(c.acceptedOnTime, c.accepted + c.rejected),
    sessionsHeld: c.sessionsHeld,
    extensions: c.extensions,
    agreements: c.agreements,
    failed: c.failed,
    periodLapsed: c.periodLapsed,
    successRate: ratio(c.agreements, c.agreements + c.failed),
    averageDaysToAgreement: c.agreements > 0 ? Math.round((c.daysToAgreementSum / c.agreements) * 100) / 100 : null,
    workersInAgreements: c.workersInAgreements,
    arbitrationEligible: c.arbitrationEligible,
    statutoryLapsed: c.statutoryLapsed,
    workersInformed: c.workersInformed,
    performed: c.performed,
    workersInPerformedAgreements: c.workersInPerformedAgreements,
    breached: c.breached,
    obligationsBreached: c.obligationsBreached,
    referredToArbitration: c.referredToArbitration,
    paymentOrdersAdvised: c.paymentOrdersAdvised,
    arbitrationFiled: c.arbitrationFiled,
    legalAid: {
      requested: c.legalAidRequested,
      granted: c.legalAidGranted,
      denied: c.legalAidDenied,
      decidedOnTime: c.legalAidDecidedOnTime,
      lawyersAssigned: c.lawyersAssigned,
    },
    closed: c.closed,
    claimedYuan: fenToYuan(c.claimedFen),
    wageArrearsClaimedYuan: fenToYuan(c.wageClaimedFen),
    agreedYuan: fenToYuan(c.agreedFen),
    recoveredYuan: fenToYuan(c.recoveredFen),
    wageArrearsRecoveredYuan: fenToYuan(c.wageRecoveredFen),
    ...(month ? {} : { overdueNow: c.overdueNow }),
  };
}

/** Event types get a short code in the timeline list; unknown types are stored by name. */
export const MEDIATION_TIMELINE_TYPES = [
  'MediationApplied',
  'MediationAccepted',
  'MediationRejected',
  'MediatorAssigned',
  'SessionScheduled',
  'SessionHeld',
  'MediationPeriodExtended',
  'AgreementDrafted',
  'AgreementSigned',
  'AgreementSealed',
  'AgreementEffective',
  'MediationFailed',
  'ArbitrationEligible',
  'WorkerInformedOfArbitration',
  'PerformanceRecorded',
  'AgreementPerformed',
  'ObligationBreached',
  'ReferredToArbitration',
  'PaymentOrderAdvised',
  'ArbitrationFiled',
  'LegalAidRequested',
  'LegalAidDecided',
  'LegalAidLawyerAssigned',
  'MediationClosed',
  'DeadlineOpened',
  'DeadlineMet',
  'DeadlineMoved',
  'DeadlineMissed',
  'DeadlineLapsed',
  'DeadlineCancelled',
  'EscalationAcknowledged',
] as const;
const CODE_OF = new Map<string, string>(MEDIATION_TIMELINE_TYPES.map((t, i) => [t, i.toString(36)]));

/** `at` is a packed time. */
export function encodeMediationTimeline(type: string, at: string, actorId: string): string {
  return `${CODE_OF.get(type) ?? type}|${at}|${compactId(actorId)}`;
}

export function decodeMediationTimeline(entry: string): TimelineEntry {
  const a = entry.indexOf('|');
  const b = entry.indexOf('|', a + 1);
  const code = entry.slice(0, a);
  const type = /^[0-9a-z]$/.test(code) ? (MEDIATION_TIMELINE_TYPES[parseInt(code, 36)] ?? code) : code;
  return { type, at: unpackTime(entry.slice(a + 1, b)), actorId: expandId(entry.slice(b + 1)) };
}

/** The pending deadline due first. */
export function nextMediationDue(doc: MediationDoc): { due: string; dueMs: number; missed: boolean } | undefined {
  let best: StoredDeadline | undefined;
  for (const d of Object.values(doc.dl)) if (!best || packedMs(d[1]) < packedMs(best[1])) best = d;
  return best ? { due: best[1], dueMs: packedMs(best[1]), missed: best[3] > 0 } : undefined;
}

export function toMediationSummary(m: string, doc: MediationDoc): MediationSummary {
  const next = nextMediationDue(doc);
  const id = expandId(m);
  return {
    id,
    streamId: `mediation-${id}`,
    status: doc.st,
    orgUnit: doc.ou,
    receivedAt: unpackTime(doc.rc),
    headcount: doc.hc,
    collective: !!doc.co,
    involvesMigrantWorkers: doc.mw > 0,
    claimTotalYuan: doc.ct,
    ...(doc.mr ? { mediatorId: doc.mr } : {}),
    ...(doc.fp ? { fromPetition: { petitionId: doc.fp } } : {}),
    ...(next ? { nextDueAt: unpackTime(next.due) } : {}),
    missed: !!next?.missed,
  };
}

const OB_STATE = { o: 'open', p: 'performed', b: 'breached' } as const;

function sessionsOf(doc: MediationDoc): MediationDetail['sessions'] {
  const pending = doc.se.filter((x) => x[2] === 0).sort((a, b) => packedMs(a[1]) - packedMs(b[1]));
  return { scheduled: doc.se.length, held: doc.se.length - pending.length, ...(pending.length ? { nextAt: unpackTime(pending[0][1]) } : {}) };
}

export function toMediationDetail(m: string, doc: MediationDoc, now?: number): MediationDetail {
  const ag = doc.ag;
  return {
    ...toMediationSummary(m, doc),
    receivedDate: doc.rd,
    form: doc.fm,
    workersNamed: doc.wn,
    migrantWorkersNamed: doc.mw,
    representatives: doc.rp,
    commonClaim: !!doc.cc,
    claimsByType: doc.cl,
    disputeDate: doc.dd,
    arbitrationLimitation: { date: doc.ld, recountedDate: doc.lr },
    ...(doc.ac ? { acceptance: { decision: doc.ac === 'a' ? ('accepted' as const) : ('rejected' as const), onTime: !!doc.aot, decidedAt: unpackTime(doc.ad) } } : {}),
    sessions: sessionsOf(doc),
    extensionDays: doc.ex ?? 0,
    ...(ag
      ? {
          agreement: {
            version: ag.v,
            signedBy: ag.sg,
            sealed: !!ag.sl,
            ...(ag.ef ? { effectiveDate: ag.ef } : {}),
            ...(ag.dta !== undefined ? { daysToAgreement: ag.dta } : {}),
            agreedTotalYuan: ag.tot,
            obligations: ag.ob.map(([obligationId, claimType, amountYuan, dueDate, paidYuan, state, payer]) => ({
              obligationId,
              claimType,
              payer: payer === 'w' ? ('worker' as const) : ('employer' as const),
              amountYuan,
              dueDate,
              paidYuan,
              state: OB_STATE[state],
            })),
          },
        }
      : {}),
    ...(doc.fr ? { failureReason: doc.fr } : {}),
    arbitration: {
      eligible: !!doc.el?.length,
      grounds: doc.el ?? [],
      workerToBeInformed: !!doc.ip,
      ...(doc.af ? { filedOn: doc.af } : {}),
      ...(doc.aw ? { awardDueDate: doc.aw[0], awardLatestDueDate: doc.aw[1] } : {}),
      referred: !!doc.ra,
    },
    ...(doc.po ? { paymentOrderAdvisedFor: doc.po } : {}),
    recoveredYuan: doc.rv,
    ...(doc.la ? { legalAid: { requestNo: doc.la[0], status: doc.la[1], workerCount: doc.la[2], migrantWageClaim: doc.la[3] === 1 } } : {}),
    ...(doc.oc ? { closeOutcome: doc.oc } : {}),
    ...(doc.cd ? { closedAt: unpackTime(doc.cd) } : {}),
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
    timeline: doc.tl.map(decodeMediationTimeline),
    updatedAt: unpackTime(doc.up),
    revision: doc.rev,
  };
}

/** `YYYY-MM` of a CST date or instant. */
export const monthOf = (dateOrInstant: string): string =>
  /^\d{4}-\d{2}-\d{2}$/.test(dateOrInstant) ? dateOrInstant.slice(0, 7) : new Date(Date.parse(dateOrInstant) + 8 * 3600_000).toISOString().slice(0, 7);

/** [start, end) of a CST month in epoch ms. */
export function monthRangeMs(month: string): [number, number] {
  const [y, mo] = month.split('-').map(Number);
  const start = Date.UTC(y, mo - 1, 1) - 8 * 3600_000;
  const end = Date.UTC(y, mo, 1) - 8 * 3600_000;
  return [start, end];
}
