import type { DomainEvent } from '../common/decider';
import type { DeadlineEvent } from '../deadlines/deadline.events';
import type { LocalDate } from '../calendar/local-date';
import type { MediationRouting } from '../mediation/from-petition';

export const PETITION_CHANNELS = ['online', 'letter', 'visit', 'hotline'] as const;
export type PetitionChannel = (typeof PETITION_CHANNELS)[number];
/** 建议意见 / 检举控告 / 申诉求决 (信访工作条例 art. 29–31). */
export const PETITION_CATEGORIES = ['suggestion', 'accusation', 'claim'] as const;
export type PetitionCategory = (typeof PETITION_CATEGORIES)[number];
export const ROUTE_OUT_PROCEDURES = ['labour_arbitration', 'mediation', 'litigation', 'administrative', 'other'] as const;
export type RouteOutProcedure = (typeof ROUTE_OUT_PROCEDURES)[number];
export const ANSWER_OUTCOMES = ['support', 'explain', 'not_support'] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];
export const REVIEW_OUTCOMES = ['upheld', 'revised', 'reversed'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];
export const CLOSE_REASONS = ['resolved', 'window_lapsed', 'rechecked', 'not_accepted', 'routed_out', 'withdrawn'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/**
 * Personal data (PIPL): never used in statistics; encrypted per subject in the log.
 * Schema v2 of PetitionRegistered: v1 had one free-text `contact`, now `phone` and `email` (upcaster
 * `petitionRegisteredV1` in libs/event-store/src/upcasting splits stored v1 events on read).
 */
export interface Petitioner {
  name: string;
  phone?: string;
  email?: string;
  idNumber?: string;
  address?: string;
}

export type PetitionRegistered = DomainEvent<
  'PetitionRegistered',
  {
    petitionId: string;
    orgUnit: string;
    channel: PetitionChannel;
    category: PetitionCategory;
    subject: string;
    facts: string;
    request: string;
    petitioners: Petitioner[];
    headcount: number;
    /** False when name or address is unknown: no written notice is owed (art. 23). */
    identityKnown: boolean;
    /** A visit by 5 or more people. */
    collective: boolean;
    urgent: boolean;
    /** 重大 (present only when flagged). */
    major?: boolean;
    /** 检举控告: the accused org unit, whose users never see the petitioners (art. 46(5)). */
    accusedOrgUnit?: string;
    /** Blind-index keys (HMAC) of the petitioners' ID numbers, for finding repeat petitions; not personal data. */
    petitionerKeys?: string[];
    receivedAt: string;
    receivedDate: LocalDate;
    /** The rule table this case runs under for its whole life. */
    jurisdiction: string;
    registeredBy: string;
  }
>;
/** The written notice of receipt (信访工作条例 art. 23); `legalBasis` on events written since it was recorded. */
export type PetitionReceiptNotified = DomainEvent<'PetitionReceiptNotified', { method: string; notifiedAt: string; legalBasis?: string }>;
export type PetitionAccepted = DomainEvent<
  'PetitionAccepted',
  { acceptedAt: string; signedBy: string; legalBasis: string; onTime: boolean; note?: string }
>;
export type PetitionNotAccepted = DomainEvent<
  'PetitionNotAccepted',
  { decidedAt: string; signedBy: string; reason: string; legalBasis: string; onTime: boolean }
>;
export type PetitionRoutedOut = DomainEvent<
  'PetitionRoutedOut',
  {
    decidedAt: string;
    signedBy: string;
    procedure: RouteOutProcedure;
    target?: string;
    reason: string;
    legalBasis: string;
    onTime: boolean;
    /** Procedure `mediation` only: the application data the linked mediation case opens with (PII: workers, employer). */
    mediation?: MediationRouting;
  }
>;
/** 转送: an upper union sends the case to another (usually lower) org unit, which receives it now. */
export type PetitionTransferred = DomainEvent<
  'PetitionTransferred',
  { fromOrgUnit: string; toOrgUnit: string; reason: string; transferredAt: string; receivedDate: LocalDate }
>;
export type PetitionTransferObjected = DomainEvent<
  'PetitionTransferObjected',
  { byOrgUnit: string; returnedTo: string; reasons: string; objectedAt: string; legalBasis?: string }
>;
/** 交办: assigned down with a due date and a required completion report. */
export type PetitionAssignedDown = DomainEvent<
  'PetitionAssignedDown',
  { fromOrgUnit: string; toOrgUnit: string; dueDate: LocalDate; instructions: string; assignedAt: string }
>;
export type CompletionReportSubmitted = DomainEvent<'CompletionReportSubmitted', { report: string; submittedAt: string; submittedBy: string }>;
export type HandlerAssigned = DomainEvent<'HandlerAssigned', { officerId: string; assignedBy: string; assignedAt: string }>;
export type ProgressRecorded = DomainEvent<'ProgressRecorded', { note: string; attachments: string[]; recordedBy: string; recordedAt: string }>;
export type HandlingExtended = DomainEvent<
  'HandlingExtended',
  { reason: string; days: number; newDueDate: LocalDate; approvedBy: string; legalBasis: string; extendedAt: string }
>;
export type AnswerDrafted = DomainEvent<
  'AnswerDrafted',
  { outcome: AnswerOutcome; facts: string; legalBasis: string; mediationAgreement?: string; draftedBy: string; draftedAt: string }
>;
export type PetitionAnswered = DomainEvent<
  'PetitionAnswered',
  { outcome: AnswerOutcome; facts: string; legalBasis: string; mediationAgreement?: string; draftedBy: string; approvedBy: string; answeredAt: string; onTime: boolean }
>;
/** 复查 requested within 30 days of the answer, decided by the union one level up (信访工作条例 art. 35). */
export type ReviewRequested = DomainEvent<'ReviewRequested', { reasons: string; requestedAt: string; reviewBody: string; legalBasis?: string }>;
export type ReviewDecided = DomainEvent<
  'ReviewDecided',
  { outcome: ReviewOutcome; facts: string; legalBasis: string; decidedBy: string; decidedAt: string; onTime: boolean }
>;
/** 复核 requested within 30 days of the review, decided by the next level up (信访工作条例 art. 36). */
export type RecheckRequested = DomainEvent<'RecheckRequested', { reasons: string; requestedAt: string; recheckBody: string; legalBasis?: string }>;
export type RecheckDecided = DomainEvent<
  'RecheckDecided',
  { outcome: ReviewOutcome; facts: string; legalBasis: string; decidedBy: string; decidedAt: string; onTime: boolean }
>;
/** `legalBasis` when a rule closes the case (a review or recheck window lapsed: art. 35, 36). */
export type PetitionClosed = DomainEvent<'PetitionClosed', { reason: CloseReason; closedAt: string; closedBy: string; note?: string; legalBasis?: string }>;

export const REPORT_REASONS = ['collective', 'urgent', 'major'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
/** A collective, urgent or major case is reported to the union above at once (信访工作条例 art. 25). */
export type PetitionReportedUpward = DomainEvent<
  'PetitionReportedUpward',
  { reasons: ReportReason[]; orgUnit: string; reportedTo: string; headcount: number; reportedAt: string; legalBasis: string }
>;
/** 督办: supervised by an upper union, which requires a written reply by `dueDate` (deadline `supervisionId`). */
export type PetitionSupervised = DomainEvent<
  'PetitionSupervised',
  {
    supervisionId: string;
    byOrgUnit: string;
    toOrgUnit: string;
    dueDate: LocalDate;
    instructions: string;
    supervisedBy: string;
    supervisedAt: string;
  }
>;
export type SupervisionReplied = DomainEvent<
  'SupervisionReplied',
  { supervisionId: string; reply: string; repliedBy: string; repliedAt: string; onTime: boolean }
>;
/** A repeat petition (same petitioner, same subject) linked to this open or rechecked case (art. 19, 36). */
export type RepeatPetitionReceived = DomainEvent<
  'RepeatPetitionReceived',
  {
    orgUnit: string;
    receivedAtOrgUnit: string;
    channel: PetitionChannel;
    headcount: number;
    facts?: string;
    request?: string;
    petitionerKeys?: string[];
    /** Linked by Hearth: the petition registered where the repeat was received (absent in older events). */
    linkedPetitionId?: string;
    receivedAt: string;
    receivedBy: string;
    /** The case was closed by 复核: the same facts are not accepted again (art. 36). */
    afterRecheck: boolean;
    legalBasis: string;
  }
>;

export type PetitionOwnEvent =
  | PetitionRegistered
  | PetitionReceiptNotified
  | PetitionAccepted
  | PetitionNotAccepted
  | PetitionRoutedOut
  | PetitionTransferred
  | PetitionTransferObjected
  | PetitionAssignedDown
  | CompletionReportSubmitted
  | HandlerAssigned
  | ProgressRecorded
  | HandlingExtended
  | AnswerDrafted
  | PetitionAnswered
  | ReviewRequested
  | ReviewDecided
  | RecheckRequested
  | RecheckDecided
  | PetitionClosed
  | PetitionReportedUpward
  | PetitionSupervised
  | SupervisionReplied
  | RepeatPetitionReceived;

/** Everything a petition stream holds. */
export type PetitionEvent = PetitionOwnEvent | DeadlineEvent;
