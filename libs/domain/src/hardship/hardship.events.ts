import type { DomainEvent } from '../common/decider';
import type { DeadlineEvent } from '../deadlines/deadline.events';
import type { LocalDate } from '../calendar/local-date';

/**
 * Hardship-assistance file (困难职工帮扶, domain-spec §3): one stream `hardship-<fileId>` per household
 * (一户一档), holding the file, its aid measures (child records keyed by `aidId`) and its deadlines.
 *
 * PERSONAL DATA (PIPL, domain-spec §5). Every event keeps personal data in one place: the optional
 * `personal` member. Everything else (`stats`, codes, amounts, dates, staff ids) is non-personal and is all
 * that statistics, state and decisions use, so a stream whose `personal` members were crypto-shredded still
 * folds to the same state. Rule: names, ID numbers, contacts, addresses, bank accounts, health/disability
 * notes and every free-text field describing the household go under `personal`.
 */

export const HARDSHIP_CATEGORIES = ['deep', 'relative', 'accident'] as const;
/** 深度困难 / 相对困难 / 意外致困. */
export type HardshipCategory = (typeof HARDSHIP_CATEGORIES)[number];

export const ACCIDENT_KINDS = ['disaster', 'injury', 'death'] as const;
export type AccidentKind = (typeof ACCIDENT_KINDS)[number];

export const EXIT_REASONS = [
  /** 脱困: income above the line for 6 consecutive months. */
  'income_above_line_6_months',
  /** 解困: covered by the government safety net plus regular union support. */
  'safety_net_covered',
  'not_eligible',
  'death',
  'retirement',
  'transfer',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const AID_KINDS = [
  /** 金秋助学 (campaign window, Jul–Aug). */
  'golden_autumn_education',
  /** 送温暖 (campaign window around New Year and Spring Festival). */
  'winter_relief',
  /** 大病救助. */
  'serious_illness',
  'living',
  'temporary',
  'job_referral',
  'skills_training',
  'startup_support',
  'legal_aid',
  'goods',
] as const;
export type AidKind = (typeof AID_KINDS)[number];
/** Aid kinds that may only be proposed inside a configured campaign window. */
export const CAMPAIGN_AID_KINDS: readonly AidKind[] = ['golden_autumn_education', 'winter_relief'];

export const OBJECTION_OUTCOMES = ['dismissed', 'upheld'] as const;
export type ObjectionOutcome = (typeof OBJECTION_OUTCOMES)[number];

export const DISBURSEMENT_METHODS = ['bank_transfer', 'cash', 'goods', 'service'] as const;
export type DisbursementMethod = (typeof DISBURSEMENT_METHODS)[number];

// ---------------------------------------------------------------------------------------------------------
// Household data: statistics (non-personal) vs personal
// ---------------------------------------------------------------------------------------------------------

/** Monthly rigid expenses (刚性支出) in yuan. */
export interface RigidExpenses {
  medicalYuan?: number;
  educationYuan?: number;
  housingYuan?: number;
  otherYuan?: number;
}

/** Non-personal household figures: everything the category computation and the statistics need. */
export interface HouseholdStats {
  membersCount: number;
  /** Household income per month, yuan. */
  monthlyIncomeYuan: number;
  rigidExpenses: RigidExpenses;
  /** Disaster, injury or death that caused the hardship, if any. */
  accident?: AccidentKind;
  /** This year's hardship costs (medical bills, losses, …), yuan. */
  yearlyHardshipCostsYuan?: number;
  /** Household income over the year, yuan; defaults to 12 × monthly income. */
  yearlyIncomeYuan?: number;
  migrantWorker: boolean;
  /** Months employed with the current employer (migrant workers need ≥ 12). */
  monthsEmployed: number;
}

export interface HouseholdMember {
  name: string;
  /** 'self', 'spouse', 'child', 'parent', … */
  relation: string;
  age: number;
  idNumber?: string;
  healthNotes?: string;
  disabilityNotes?: string;
}

/** Personal data of the household (PIPL); wrapped by per-subject encryption at the edge. */
export interface HouseholdPersonal {
  headName: string;
  idNumber: string;
  phone?: string;
  address?: string;
  bankAccount?: string;
  members: HouseholdMember[];
  employer?: string;
  /** Free-text account of the household's situation. */
  situation?: string;
}

/** Free text about the household (reasons, notes, findings): personal by rule. */
export interface PersonalNote {
  note?: string;
}

/** Result of the category computation, recorded on the events that used it. */
export interface CategoryComputation {
  category: HardshipCategory | null;
  /** Why not eligible, when `category` is null. */
  ineligibleReason?: 'income_above_relative_line' | 'migrant_employment_too_short';
  year: number;
  lowIncomeLineYuan: number;
  /** (monthly income − monthly rigid expenses) / members, yuan, rounded to fen. */
  perCapitaNetIncomeYuan: number;
  deepThresholdYuan: number;
  relativeThresholdYuan: number;
  /** Yearly hardship costs as a share of yearly household income, percent (rounded to 0.01). */
  hardshipCostSharePercent: number | null;
  accidentCostSharePercent: number;
  migrantMinMonths: number;
}

// ---------------------------------------------------------------------------------------------------------
// File events
// ---------------------------------------------------------------------------------------------------------

export type HardshipFileApplied = DomainEvent<
  'HardshipFileApplied',
  {
    fileId: string;
    orgUnit: string;
    /** The rule table's jurisdiction for this file. */
    jurisdiction: string;
    appliedAt: string;
    appliedDate: LocalDate;
    appliedBy: string;
    stats: HouseholdStats;
    personal: HouseholdPersonal;
  }
>;
export type HardshipFilePreScreened = DomainEvent<
  'HardshipFilePreScreened',
  { screenedBy: string; screenedAt: string; orgUnit: string; personal?: PersonalNote }
>;
export type HomeVisitRecorded = DomainEvent<
  'HomeVisitRecorded',
  { visitDate: LocalDate; visitors: string[]; recordedBy: string; recordedAt: string; personal?: { findings?: string } }
>;
export type ConsentRecorded = DomainEvent<
  'ConsentRecorded',
  {
    signedDate: LocalDate;
    /** What the household consented to, e.g. collect, verify_income, public_notice. */
    scopes: string[];
    documentRef?: string;
    recordedBy: string;
    recordedAt: string;
    personal?: { signedByName?: string };
  }
>;
export type EconomicCheckRecorded = DomainEvent<
  'EconomicCheckRecorded',
  {
    /** Verified figures; they replace the declared ones for the category. */
    stats: HouseholdStats;
    /** Where the figures were checked, e.g. civil_affairs, social_security, bank. */
    sources: string[];
    checkedBy: string;
    checkedAt: string;
    /** True when this check re-opened a public notice in progress (an upheld objection). */
    noticeRestarted: boolean;
    personal?: PersonalNote;
  }
>;
export type PublicNoticeStarted = DomainEvent<
  'PublicNoticeStarted',
  { deadlineId: string; days: number; startDate: LocalDate; endDate: LocalDate; where?: string; startedBy: string; startedAt: string }
>;
/** The notice period ran out (the `publicNotice` deadline, rule `hardship.publicNotice`, lapsed). */
export type PublicNoticeCompleted = DomainEvent<'PublicNoticeCompleted', { completedAt: string; unresolvedObjections: number }>;
export type ObjectionRaised = DomainEvent<
  'ObjectionRaised',
  { objectionId: string; raisedAt: string; recordedBy: string; personal: { content: string; objectorName?: string; objectorContact?: string } }
>;
export type ObjectionResolved = DomainEvent<
  'ObjectionResolved',
  { objectionId: string; outcome: ObjectionOutcome; resolvedBy: string; resolvedAt: string; personal?: PersonalNote }
>;
export type HardshipFileRegistered = DomainEvent<
  'HardshipFileRegistered',
  {
    category: HardshipCategory;
    /** True when the category is a head's override (CategoryOverridden), not the computed one. */
    overridden: boolean;
    computation: CategoryComputation;
    /** The rule key the 低保 line came from. */
    lowIncomeLineKey: string;
    registeredBy: string;
    registeredAt: string;
    registeredDate: LocalDate;
    /** Count of earlier registrations of this file (re-registration after relapse > 0). */
    previousRegistrations: number;
  }
>;
export type CategoryOverridden = DomainEvent<
  'CategoryOverridden',
  {
    category: HardshipCategory;
    previousCategory: HardshipCategory | null;
    /** True when it applies at the next registration / review instead of at once. */
    pending: boolean;
    approvedBy: string;
    approvedAt: string;
    personal: { reason: string };
  }
>;
export type AnnualReviewStarted = DomainEvent<'AnnualReviewStarted', { startedBy: string; startedAt: string }>;
export type AnnualReviewCompleted = DomainEvent<
  'AnnualReviewCompleted',
  {
    outcome: 'continue' | 'exit';
    stats: HouseholdStats;
    /** Category after the review (continue), or the computation result (exit). */
    category: HardshipCategory | null;
    overridden: boolean;
    computation: CategoryComputation | null;
    reviewedBy: string;
    reviewedAt: string;
    /** Done by the review deadline. */
    onTime: boolean;
    personal?: PersonalNote;
  }
>;
export type HardshipFileExited = DomainEvent<
  'HardshipFileExited',
  {
    reason: ExitReason;
    category: HardshipCategory | null;
    exitedBy: string;
    exitedAt: string;
    exitDate: LocalDate;
    /** Keep the file until this date, then erase the personal data (≥ 10 years after exit). */
    retentionUntil: LocalDate;
    monthsAboveLine?: number;
    personal?: PersonalNote;
  }
>;
export type HardshipFileRejected = DomainEvent<
  'HardshipFileRejected',
  { fromStatus: string; rejectedBy: string; rejectedAt: string; personal: { reason: string } }
>;
/** 返困: the household fell back into hardship; the file goes back to the economic re-check. */
export type HardshipFileReopened = DomainEvent<
  'HardshipFileReopened',
  { previousExitReason: ExitReason; reopenedBy: string; reopenedAt: string; personal: { reason: string } }
>;

// ---------------------------------------------------------------------------------------------------------
// Aid measures (child records of the file)
// ---------------------------------------------------------------------------------------------------------

export type AidProposed = DomainEvent<
  'AidProposed',
  {
    aidId: string;
    kind: AidKind;
    amountYuan: number;
    fundId?: string;
    category: HardshipCategory | null;
    orgUnit: string;
    proposedBy: string;
    proposedAt: string;
    proposedDate: LocalDate;
    personal?: PersonalNote;
  }
>;
export type AidApproved = DomainEvent<
  'AidApproved',
  {
    aidId: string;
    approvedBy: string;
    approverOrgUnit: string;
    approvedAt: string;
    /** Above the kind's threshold: approved by a head of a unit above the file's unit. */
    upperLevel: boolean;
    upperApprovalAboveYuan: number;
    maxYuan: number;
  }
>;
export type AidDisbursed = DomainEvent<
  'AidDisbursed',
  {
    aidId: string;
    kind: AidKind;
    amountYuan: number;
    fundId?: string;
    /** YYYY-MM of the disbursement (statistics by month). */
    month: string;
    method: DisbursementMethod;
    reference?: string;
    disbursedBy: string;
    disbursedAt: string;
  }
>;
/** 签领: the household signed for the aid. */
export type AidAcknowledged = DomainEvent<
  'AidAcknowledged',
  { aidId: string; receiptRef?: string; recordedBy: string; acknowledgedAt: string }
>;
export type AidRevoked = DomainEvent<
  'AidRevoked',
  {
    aidId: string;
    fromStatus: AidStatus;
    /** Money already left the fund: the command side returns it (ReturnToFund). */
    wasDisbursed: boolean;
    fundId?: string;
    amountYuan: number;
    /** 'file_exited' when revoked because the file was exited or rejected. */
    cause: 'decision' | 'file_exited';
    revokedBy: string;
    revokedAt: string;
    personal?: { reason?: string };
  }
>;

export type AidStatus = 'Proposed' | 'Approved' | 'Disbursed' | 'Acknowledged' | 'Revoked';

export type HardshipOwnEvent =
  | HardshipFileApplied
  | HardshipFilePreScreened
  | HomeVisitRecorded
  | ConsentRecorded
  | EconomicCheckRecorded
  | PublicNoticeStarted
  | PublicNoticeCompleted
  | ObjectionRaised
  | ObjectionResolved
  | HardshipFileRegistered
  | CategoryOverridden
  | AnnualReviewStarted
  | AnnualReviewCompleted
  | HardshipFileExited
  | HardshipFileRejected
  | HardshipFileReopened
  | AidProposed
  | AidApproved
  | AidDisbursed
  | AidAcknowledged
  | AidRevoked;

/** Everything a hardship stream holds. */
export type HardshipEvent = HardshipOwnEvent | DeadlineEvent;
