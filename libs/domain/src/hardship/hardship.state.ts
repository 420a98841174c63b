import type { LocalDate } from '../calendar/local-date';
import { Deadlines, evolveDeadlines } from '../deadlines/deadline.state';
import { isDeadlineEvent } from '../deadlines/deadline.events';
import type { AidKind, AidStatus, ExitReason, HardshipCategory, HardshipEvent, HouseholdStats, ObjectionOutcome } from './hardship.events';

/** Deadline kinds (as on DeadlineOpened.kind); their rules are `hardship.<kind>` (same convention as petitions). */
export const PUBLIC_NOTICE_KIND = 'publicNotice';
export const ANNUAL_REVIEW_KIND = 'annualReview';
export const hardshipRuleKey = (kind: string): string => `hardship.${kind}`;

export type HardshipFileStatus =
  | 'Applied'
  | 'PreScreened'
  | 'HomeVisited'
  | 'ConsentSigned'
  | 'EconomicCheckDone'
  | 'PublicNotice'
  | 'Registered'
  | 'AnnualReview'
  | 'Exited'
  | 'Rejected'
  | 'Reopened';

export interface AidState {
  aidId: string;
  kind: AidKind;
  amountYuan: number;
  fundId?: string;
  status: AidStatus;
  approvedBy?: string;
  upperLevel?: boolean;
}

export interface ObjectionState {
  objectionId: string;
  status: 'open' | ObjectionOutcome;
}

/**
 * The file as decisions need it. Holds no personal data: `evolve` never reads an event's `personal`
 * member, so a stream whose personal data was crypto-shredded folds to the same state.
 */
export interface HardshipFileState {
  exists: boolean;
  fileId: string;
  orgUnit: string;
  jurisdiction: string;
  status: HardshipFileStatus;
  appliedDate?: LocalDate;
  declaredStats?: HouseholdStats;
  verifiedStats?: HouseholdStats;
  noticeCompleted: boolean;
  objections: Readonly<Record<string, ObjectionState>>;
  category: HardshipCategory | null;
  categoryOverridden: boolean;
  /** A head's override waiting for the next registration or annual-review completion. */
  pendingOverride: HardshipCategory | null;
  registrations: number;
  registeredDate?: LocalDate;
  exitReason?: ExitReason;
  exitDate?: LocalDate;
  retentionUntil?: LocalDate;
  aids: Readonly<Record<string, AidState>>;
  deadlines: Deadlines;
}

export const initialHardshipFileState: HardshipFileState = {
  exists: false,
  fileId: '',
  orgUnit: '',
  jurisdiction: '',
  status: 'Applied',
  noticeCompleted: false,
  objections: {},
  category: null,
  categoryOverridden: false,
  pendingOverride: null,
  registrations: 0,
  aids: {},
  deadlines: {},
};

const patchAid = (s: HardshipFileState, aidId: string, f: (a: AidState) => AidState): HardshipFileState => {
  const a = s.aids[aidId];
  return a ? { ...s, aids: { ...s.aids, [aidId]: f(a) } } : s;
};

export function evolveHardshipFile(s: HardshipFileState, e: HardshipEvent): HardshipFileState {
  if (isDeadlineEvent(e)) return { ...s, deadlines: evolveDeadlines(s.deadlines, e) };
  switch (e.type) {
    case 'HardshipFileApplied':
      return {
        ...initialHardshipFileState,
        exists: true,
        fileId: e.data.fileId,
        orgUnit: e.data.orgUnit,
        jurisdiction: e.data.jurisdiction,
        appliedDate: e.data.appliedDate,
        declaredStats: e.data.stats,
        status: 'Applied',
      };
    case 'HardshipFilePreScreened':
      return { ...s, status: 'PreScreened' };
    case 'HomeVisitRecorded':
      return { ...s, status: 'HomeVisited' };
    case 'ConsentRecorded':
      return { ...s, status: 'ConsentSigned' };
    case 'EconomicCheckRecorded':
      return { ...s, status: 'EconomicCheckDone', verifiedStats: e.data.stats, noticeCompleted: false, objections: {} };
    case 'PublicNoticeStarted':
      return { ...s, status: 'PublicNotice', noticeCompleted: false, objections: {} };
    case 'PublicNoticeCompleted':
      return { ...s, noticeCompleted: true };
    case 'ObjectionRaised':
      return { ...s, objections: { ...s.objections, [e.data.objectionId]: { objectionId: e.data.objectionId, status: 'open' } } };
    case 'ObjectionResolved':
      return { ...s, objections: { ...s.objections, [e.data.objectionId]: { objectionId: e.data.objectionId, status: e.data.outcome } } };
    case 'HardshipFileRegistered':
      return {
        ...s,
        status: 'Registered',
        category: e.data.category,
        categoryOverridden: e.data.overridden,
        pendingOverride: null,
        registrations: s.registrations + 1,
        registeredDate: e.data.registeredDate,
      };
    case 'CategoryOverridden':
      return e.data.pending
        ? { ...s, pendingOverride: e.data.category }
        : { ...s, category: e.data.category, categoryOverridden: true };
    case 'AnnualReviewStarted':
      return { ...s, status: 'AnnualReview' };
    case 'AnnualReviewCompleted':
      return e.data.outcome === 'continue'
        ? { ...s, status: 'Registered', verifiedStats: e.data.stats, category: e.data.category, categoryOverridden: e.data.overridden, pendingOverride: null }
        : { ...s, verifiedStats: e.data.stats, pendingOverride: null };
    case 'HardshipFileExited':
      return { ...s, status: 'Exited', exitReason: e.data.reason, exitDate: e.data.exitDate, retentionUntil: e.data.retentionUntil, pendingOverride: null };
    case 'HardshipFileRejected':
      return { ...s, status: 'Rejected', pendingOverride: null };
    case 'HardshipFileReopened':
      return {
        ...s,
        status: 'Reopened',
        category: null,
        categoryOverridden: false,
        pendingOverride: null,
        noticeCompleted: false,
        objections: {},
        exitReason: undefined,
        exitDate: undefined,
        retentionUntil: undefined,
      };
    case 'AidProposed':
      return {
        ...s,
        aids: {
          ...s.aids,
          [e.data.aidId]: { aidId: e.data.aidId, kind: e.data.kind, amountYuan: e.data.amountYuan, fundId: e.data.fundId, status: 'Proposed' },
        },
      };
    case 'AidApproved':
      return patchAid(s, e.data.aidId, (a) => ({ ...a, status: 'Approved', approvedBy: e.data.approvedBy, upperLevel: e.data.upperLevel }));
    case 'AidDisbursed':
      return patchAid(s, e.data.aidId, (a) => ({ ...a, status: 'Disbursed' }));
    case 'AidAcknowledged':
      return patchAid(s, e.data.aidId, (a) => ({ ...a, status: 'Acknowledged' }));
    case 'AidRevoked':
      return patchAid(s, e.data.aidId, (a) => ({ ...a, status: 'Revoked' }));
  }
}
