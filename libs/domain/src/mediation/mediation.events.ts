import type { DomainEvent } from '../common/decider';
import type { DeadlineEvent } from '../deadlines/deadline.events';
import type { LocalDate } from '../calendar/local-date';

/**
 * Labour-dispute mediation 劳动争议调解 (劳动争议调解仲裁法, LDMAL; 法律援助法 for the legal-aid side flow).
 *
 * Personal data (PIPL) lives only in the fields documented as such (`workers`, `employer`, `facts`,
 * session notes, the legal-aid lawyer); every event also carries the non-personal figures that the
 * statistics of domain-spec §4 need (org unit, dates, headcount, migrant flags, claim and recovered
 * amounts by claim type), so statistics survive crypto-shredding of the personal fields.
 */

export const MEDIATION_STATUSES = [
  'Applied',
  'Accepted',
  'Rejected',
  'Mediating',
  'Agreed',
  'Failed',
  'Performing',
  'Performed',
  'Breached',
  'ReferredToArbitration',
  'PaymentOrderAdvised',
  'Closed',
] as const;
export type MediationStatus = (typeof MEDIATION_STATUSES)[number];

export const APPLICATION_FORMS = ['written', 'oral'] as const;
export type ApplicationForm = (typeof APPLICATION_FORMS)[number];

export const CLAIM_TYPES = ['wages', 'social_insurance', 'injury', 'termination', 'severance', 'other'] as const;
/** `severance` covers 经济补偿 and 赔偿金 (LDMAL art. 16 "经济补偿或者赔偿金"). */
export type ClaimType = (typeof CLAIM_TYPES)[number];

export const AGREEMENT_PARTIES = ['worker', 'employer', 'mediator'] as const;
export type AgreementParty = (typeof AGREEMENT_PARTIES)[number];

export const OBLIGATION_SIDES = ['employer', 'worker'] as const;
export type ObligationSide = (typeof OBLIGATION_SIDES)[number];

export const FAILURE_REASONS = ['no_agreement', 'party_refused', 'party_absent', 'withdrawn', 'agreement_not_signed', 'other'] as const;
/** Why mediation ended without agreement; `period_lapsed` is set by the timer only. */
export type MediationFailureReason = (typeof FAILURE_REASONS)[number] | 'period_lapsed';

export const ARBITRATION_GROUNDS = [
  'statutory_period_lapsed',
  'period_lapsed',
  'mediation_failed',
  'application_rejected',
  'agreement_breached',
] as const;
export type ArbitrationGround = (typeof ARBITRATION_GROUNDS)[number];

export const CLOSE_OUTCOMES = ['rejected', 'performed', 'failed', 'referred_to_arbitration', 'payment_order_advised'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

/** Personal data (PIPL): name, ID number and phone are encrypted per subject; `workerId` and the flag are not. */
export interface MediationWorker {
  /** Stable id within the case (client-chosen), used for representatives, legal aid, signatures. */
  workerId: string;
  name: string;
  idNumber?: string;
  phone?: string;
  /** 农民工. Non-personal statistic flag. */
  migrantWorker: boolean;
}

export interface Employer {
  name: string;
  /** 统一社会信用代码. */
  creditCode?: string;
}

/** Non-personal: a claim's type and amount. */
export interface Claim {
  type: ClaimType;
  amountYuan: number;
}

export type ClaimTotals = Partial<Record<ClaimType, number>>;

export interface Obligation {
  obligationId: string;
  payer: ObligationSide;
  payee: ObligationSide;
  description: string;
  amountYuan: number;
  dueDate: LocalDate;
  /** Which claim the obligation settles (statistics; payment-order eligibility, LDMAL art. 16). */
  claimType: ClaimType;
  /** For `injury`: the amount is 工伤医疗费 (injury medical costs), which art. 16 covers. */
  injuryMedicalCosts?: boolean;
}

export interface ConsentRecord {
  workerConsentRecordedAt: string;
  employerConsentRecordedAt: string;
}

/** Personal data of the legal-aid lawyer (name, licence). */
export interface LegalAidLawyer {
  name: string;
  firm?: string;
  licenceNumber?: string;
}

export type MediationApplied = DomainEvent<
  'MediationApplied',
  {
    mediationId: string;
    orgUnit: string;
    form: ApplicationForm;
    /** Oral applications are recorded on the spot (LDMAL art. 12): who wrote the record, and when. */
    recordedBy?: string;
    /** PII: workers and the facts as stated. */
    workers: MediationWorker[];
    employer: Employer;
    facts: string;
    /** Representatives (worker ids) of a collective case (LDMAL art. 7). */
    representatives: string[];
    claims: Claim[];
    // ---- non-personal statistics ----
    claimTotalsByType: ClaimTotals;
    claimTotalYuan: number;
    headcount: number;
    commonClaim: boolean;
    collective: boolean;
    migrantWorkerCount: number;
    involvesMigrantWorkers: boolean;
    fromPetition?: { petitionId: string };
    receivedAt: string;
    receivedDate: LocalDate;
    /** The rule table this case runs under for its whole life. */
    jurisdiction: string;
    appliedBy: string;
    // ---- external milestone (tracked, not controlled): arbitration limitation, LDMAL art. 27 ----
    disputeDate: LocalDate;
    /** One year from the dispute date. */
    arbitrationLimitationDate: LocalDate;
    /** The application interrupts the limitation (art. 27(2)); null when it had already run out. */
    limitationInterruptedOn: LocalDate | null;
    /** The limitation counted afresh from the interruption; null when it had already run out. */
    limitationRecountedDate: LocalDate | null;
    limitationLegalBasis: string;
  }
>;
export type MediationAccepted = DomainEvent<
  'MediationAccepted',
  { orgUnit: string; acceptedAt: string; acceptedDate: LocalDate; acceptedBy: string; onTime: boolean; legalBasis: string }
>;
export type MediationRejected = DomainEvent<
  'MediationRejected',
  { orgUnit: string; reason: string; rejectedAt: string; rejectedBy: string; onTime: boolean; legalBasis: string }
>;
export type MediatorAssigned = DomainEvent<
  'MediatorAssigned',
  { mediatorId: string; previousMediatorId?: string; assignedBy: string; assignedAt: string }
>;
export type SessionScheduled = DomainEvent<
  'SessionScheduled',
  { sessionId: string; at: string; place: string; scheduledBy: string; scheduledAt: string }
>;
/** `notes` may hold personal data. `startedMediation`: the first held session moves Accepted → Mediating. */
export type SessionHeld = DomainEvent<
  'SessionHeld',
  { sessionId: string; notes: string; heldAt: string; recordedBy: string; startedMediation: boolean }
>;
export type MediationPeriodExtended = DomainEvent<
  'MediationPeriodExtended',
  {
    days: number;
    previousDueDate: LocalDate;
    newDueDate: LocalDate;
    totalExtensionDays: number;
    consent: ConsentRecord;
    approvedBy: string;
    extendedAt: string;
    legalBasis: string;
  }
>;
export type AgreementDrafted = DomainEvent<
  'AgreementDrafted',
  {
    version: number;
    obligations: Obligation[];
    agreedTotalYuan: number;
    agreedTotalsByType: ClaimTotals;
    draftedBy: string;
    draftedAt: string;
  }
>;
export type AgreementSigned = DomainEvent<
  'AgreementSigned',
  { version: number; party: AgreementParty; signatoryId?: string; recordedBy: string; signedAt: string }
>;
export type AgreementSealed = DomainEvent<'AgreementSealed', { version: number; sealedBy: string; sealedAt: string }>;
/** Signed by both parties and the mediator and sealed by the body (LDMAL art. 14). */
export type AgreementEffective = DomainEvent<
  'AgreementEffective',
  {
    orgUnit: string;
    version: number;
    effectiveAt: string;
    effectiveDate: LocalDate;
    /** Calendar days from receipt of the application (average days to agreement). */
    daysToAgreement: number;
    obligationCount: number;
    agreedTotalYuan: number;
    agreedTotalsByType: ClaimTotals;
    headcount: number;
    collective: boolean;
    involvesMigrantWorkers: boolean;
    legalBasis: string;
  }
>;
export type MediationFailed = DomainEvent<
  'MediationFailed',
  { orgUnit: string; reason: MediationFailureReason; note?: string; failedAt: string; recordedBy: string; legalBasis: string }
>;
/** The worker may apply for arbitration; the worker is to be informed (RecordWorkerInformed). */
export type ArbitrationEligible = DomainEvent<
  'ArbitrationEligible',
  {
    orgUnit: string;
    reason: ArbitrationGround;
    legalBasis: string;
    workerToBeInformed: true;
    eligibleAt: string;
    eligibleDate: LocalDate;
    /** External milestone (art. 27), as recorded at application; null when it had already run out. */
    arbitrationLimitationDate: LocalDate | null;
  }
>;
export type WorkerInformedOfArbitration = DomainEvent<
  'WorkerInformedOfArbitration',
  { method: string; informedBy: string; informedAt: string; grounds: ArbitrationGround[] }
>;
export type PerformanceRecorded = DomainEvent<
  'PerformanceRecorded',
  {
    orgUnit: string;
    obligationId: string;
    claimType: ClaimType;
    payer: ObligationSide;
    payee: ObligationSide;
    /** Amount recovered by this payment. */
    amountYuan: number;
    paidAt: string;
    paidDate: LocalDate;
    paidTotalYuan: number;
    outstandingYuan: number;
    obligationPerformed: boolean;
    onTime: boolean;
    recordedBy: string;
    recordedAt: string;
  }
>;
export type AgreementPerformed = DomainEvent<
  'AgreementPerformed',
  { orgUnit: string; performedAt: string; recoveredTotalYuan: number; recoveredByType: ClaimTotals; headcount: number; involvesMigrantWorkers: boolean }
>;
export type ObligationBreached = DomainEvent<
  'ObligationBreached',
  { orgUnit: string; obligationId: string; claimType: ClaimType; outstandingYuan: number; note: string; recordedBy: string; recordedAt: string; legalBasis: string }
>;
export type ReferredToArbitration = DomainEvent<
  'ReferredToArbitration',
  { orgUnit: string; commission?: string; note?: string; referredBy: string; referredAt: string; legalBasis: string }
>;
export type PaymentOrderAdvised = DomainEvent<
  'PaymentOrderAdvised',
  {
    orgUnit: string;
    obligationId: string;
    claimType: ClaimType;
    outstandingYuan: number;
    court?: string;
    note?: string;
    advisedBy: string;
    advisedAt: string;
    legalBasis: string;
  }
>;
/** External milestone (tracked, not a deadline): the award is due 45 days (+15 if extended) after acceptance (art. 43). */
export type ArbitrationFiled = DomainEvent<
  'ArbitrationFiled',
  {
    filedOn: LocalDate;
    acceptedByCommissionOn?: LocalDate;
    commission?: string;
    awardDueDate: LocalDate;
    awardLatestDueDate: LocalDate;
    recordedBy: string;
    recordedAt: string;
    legalBasis: string;
  }
>;
export type LegalAidRequested = DomainEvent<
  'LegalAidRequested',
  {
    orgUnit: string;
    requestNo: number;
    workerIds: string[];
    workerCount: number;
    migrantWageClaim: boolean;
    meansTest?: { eligible: boolean };
    requestedBy: string;
    requestedAt: string;
  }
>;
export type LegalAidDecided = DomainEvent<
  'LegalAidDecided',
  {
    orgUnit: string;
    requestNo: number;
    granted: boolean;
    reason: string;
    /** Migrant workers claiming wages skip the means test (法律援助法 art. 42). */
    meansTestWaived: boolean;
    meansTest?: { eligible: boolean };
    decidedBy: string;
    decidedAt: string;
    onTime: boolean;
    legalBasis: string;
  }
>;
export type LegalAidLawyerAssigned = DomainEvent<
  'LegalAidLawyerAssigned',
  { requestNo: number; lawyer: LegalAidLawyer; assignedBy: string; assignedAt: string; onTime: boolean; legalBasis: string }
>;
export type MediationClosed = DomainEvent<
  'MediationClosed',
  { orgUnit: string; outcome: CloseOutcome; reason: string; closedBy: string; closedAt: string; closedDate: LocalDate }
>;

export type MediationOwnEvent =
  | MediationApplied
  | MediationAccepted
  | MediationRejected
  | MediatorAssigned
  | SessionScheduled
  | SessionHeld
  | MediationPeriodExtended
  | AgreementDrafted
  | AgreementSigned
  | AgreementSealed
  | AgreementEffective
  | MediationFailed
  | ArbitrationEligible
  | WorkerInformedOfArbitration
  | PerformanceRecorded
  | AgreementPerformed
  | ObligationBreached
  | ReferredToArbitration
  | PaymentOrderAdvised
  | ArbitrationFiled
  | LegalAidRequested
  | LegalAidDecided
  | LegalAidLawyerAssigned
  | MediationClosed;

/** Everything a mediation stream holds. */
export type MediationEvent = MediationOwnEvent | DeadlineEvent;
