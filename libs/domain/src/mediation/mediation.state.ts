import type { LocalDate } from '../calendar/local-date';
import type { Deadlines } from '../deadlines/deadline.state';
import { evolveDeadlines } from '../deadlines/deadline.state';
import { isDeadlineEvent } from '../deadlines/deadline.events';
import type {
  AgreementParty,
  ArbitrationGround,
  Claim,
  MediationEvent,
  MediationStatus,
  Obligation,
} from './mediation.events';

export interface MediationFacts {
  mediationId: string;
  orgUnit: string;
  jurisdiction: string;
  receivedAt: string;
  receivedDate: LocalDate;
  headcount: number;
  collective: boolean;
  involvesMigrantWorkers: boolean;
  workerIds: string[];
  migrantWorkerIds: string[];
  claims: Claim[];
  arbitrationLimitationDate: LocalDate;
  limitationRecountedDate: LocalDate | null;
}

export interface SessionState {
  sessionId: string;
  at: string;
  place: string;
  held: boolean;
}

export interface ObligationState extends Obligation {
  paidYuan: number;
  performed: boolean;
  breached: boolean;
  /** The `obligation` deadline opened when the agreement became effective. */
  deadlineId?: string;
}

export interface AgreementState {
  version: number;
  obligations: Readonly<Record<string, ObligationState>>;
  obligationOrder: string[];
  signatures: Partial<Record<AgreementParty, string>>;
  sealedAt?: string;
  effectiveAt?: string;
}

export interface ArbitrationTrack {
  eligible: boolean;
  grounds: ArbitrationGround[];
  /** Eligibility recorded and the worker not yet told. */
  workerInformPending: boolean;
  filedOn?: LocalDate;
}

export type LegalAidStatus = 'requested' | 'granted' | 'denied' | 'assigned';

export interface LegalAidState {
  requestNo: number;
  status: LegalAidStatus;
  workerIds: string[];
  migrantWageClaim: boolean;
  meansTest?: { eligible: boolean };
}

export interface MediationState {
  status: MediationStatus | 'None';
  /** Set by MediationApplied. */
  facts: MediationFacts | null;
  mediatorId?: string;
  sessions: Readonly<Record<string, SessionState>>;
  sessionCount: number;
  agreement: AgreementState | null;
  arbitration: ArbitrationTrack;
  legalAid: LegalAidState | null;
  extensionDaysUsed: number;
  deadlines: Deadlines;
}

export const initialMediationState: MediationState = {
  status: 'None',
  facts: null,
  sessions: {},
  sessionCount: 0,
  agreement: null,
  arbitration: { eligible: false, grounds: [], workerInformPending: false },
  legalAid: null,
  extensionDaysUsed: 0,
  deadlines: {},
};

const round2 = (x: number): number => Math.round(x * 100) / 100;

function patchObligation(s: MediationState, id: string, f: (o: ObligationState) => ObligationState): MediationState {
  const a = s.agreement;
  const o = a?.obligations[id];
  if (!a || !o) return s;
  return { ...s, agreement: { ...a, obligations: { ...a.obligations, [id]: f(o) } } };
}

export function evolveMediation(s: MediationState, e: MediationEvent): MediationState {
  if (isDeadlineEvent(e)) {
    const next = { ...s, deadlines: evolveDeadlines(s.deadlines, e) };
    // Remember which deadline watches which obligation (opened in order when the agreement took effect).
    if (e.type === 'DeadlineOpened' && e.data.kind === 'obligation' && s.agreement) {
      const id = s.agreement.obligationOrder.find((oid) => !s.agreement!.obligations[oid].deadlineId);
      if (id) return patchObligation(next, id, (o) => ({ ...o, deadlineId: e.data.deadlineId }));
    }
    return next;
  }
  switch (e.type) {
    case 'MediationApplied': {
      const d = e.data;
      return {
        ...initialMediationState,
        status: 'Applied',
        facts: {
          mediationId: d.mediationId,
          orgUnit: d.orgUnit,
          jurisdiction: d.jurisdiction,
          receivedAt: d.receivedAt,
          receivedDate: d.receivedDate,
          headcount: d.headcount,
          collective: d.collective,
          involvesMigrantWorkers: d.involvesMigrantWorkers,
          workerIds: d.workers.map((w) => w.workerId),
          migrantWorkerIds: d.workers.filter((w) => w.migrantWorker).map((w) => w.workerId),
          claims: d.claims,
          arbitrationLimitationDate: d.arbitrationLimitationDate,
          limitationRecountedDate: d.limitationRecountedDate,
        },
      };
    }
    case 'MediationAccepted':
      return { ...s, status: 'Accepted' };
    case 'MediationRejected':
      return { ...s, status: 'Rejected' };
    case 'MediatorAssigned':
      return { ...s, mediatorId: e.data.mediatorId };
    case 'SessionScheduled':
      return {
        ...s,
        sessionCount: s.sessionCount + 1,
        sessions: { ...s.sessions, [e.data.sessionId]: { sessionId: e.data.sessionId, at: e.data.at, place: e.data.place, held: false } },
      };
    case 'SessionHeld': {
      const sess = s.sessions[e.data.sessionId];
      return {
        ...s,
        status: s.status === 'Accepted' ? 'Mediating' : s.status,
        sessions: sess ? { ...s.sessions, [sess.sessionId]: { ...sess, held: true } } : s.sessions,
      };
    }
    case 'MediationPeriodExtended':
      return { ...s, extensionDaysUsed: e.data.totalExtensionDays };
    case 'AgreementDrafted': {
      const obligations: Record<string, ObligationState> = {};
      for (const o of e.data.obligations) obligations[o.obligationId] = { ...o, paidYuan: 0, performed: false, breached: false };
      return {
        ...s,
        status: 'Agreed',
        agreement: { version: e.data.version, obligations, obligationOrder: e.data.obligations.map((o) => o.obligationId), signatures: {} },
      };
    }
    case 'AgreementSigned':
      return s.agreement
        ? { ...s, agreement: { ...s.agreement, signatures: { ...s.agreement.signatures, [e.data.party]: e.data.signedAt } } }
        : s;
    case 'AgreementSealed':
      return s.agreement ? { ...s, agreement: { ...s.agreement, sealedAt: e.data.sealedAt } } : s;
    case 'AgreementEffective':
      return s.agreement ? { ...s, status: 'Performing', agreement: { ...s.agreement, effectiveAt: e.data.effectiveAt } } : s;
    case 'MediationFailed':
      return { ...s, status: 'Failed' };
    case 'ArbitrationEligible':
      return {
        ...s,
        arbitration: {
          ...s.arbitration,
          eligible: true,
          grounds: [...s.arbitration.grounds, e.data.reason],
          workerInformPending: true,
        },
      };
    case 'WorkerInformedOfArbitration':
      return { ...s, arbitration: { ...s.arbitration, workerInformPending: false } };
    case 'PerformanceRecorded':
      return patchObligation(s, e.data.obligationId, (o) => ({
        ...o,
        paidYuan: round2(e.data.paidTotalYuan),
        performed: e.data.obligationPerformed,
      }));
    case 'AgreementPerformed':
      return { ...s, status: 'Performed' };
    case 'ObligationBreached':
      return { ...patchObligation(s, e.data.obligationId, (o) => ({ ...o, breached: true })), status: 'Breached' };
    case 'ReferredToArbitration':
      return { ...s, status: 'ReferredToArbitration' };
    case 'PaymentOrderAdvised':
      return { ...s, status: 'PaymentOrderAdvised' };
    case 'ArbitrationFiled':
      return { ...s, arbitration: { ...s.arbitration, filedOn: e.data.filedOn } };
    case 'LegalAidRequested':
      return {
        ...s,
        legalAid: {
          requestNo: e.data.requestNo,
          status: 'requested',
          workerIds: e.data.workerIds,
          migrantWageClaim: e.data.migrantWageClaim,
          ...(e.data.meansTest ? { meansTest: e.data.meansTest } : {}),
        },
      };
    case 'LegalAidDecided':
      return s.legalAid
        ? {
            ...s,
            legalAid: {
              ...s.legalAid,
              status: e.data.granted ? 'granted' : 'denied',
              ...(e.data.meansTest ? { meansTest: e.data.meansTest } : {}),
            },
          }
        : s;
    case 'LegalAidLawyerAssigned':
      return s.legalAid ? { ...s, legalAid: { ...s.legalAid, status: 'assigned' } } : s;
    case 'MediationClosed':
      return { ...s, status: 'Closed' };
  }
}
