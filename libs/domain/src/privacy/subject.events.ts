import type { DomainEvent } from '../common/decider';

/**
 * Why personal data is erased (个人信息保护法): the retention period ended (art. 19, art. 47(1)(1)), or the person
 * made a valid request for deletion (art. 47).
 */
export const ERASURE_REASONS = ['retention_end', 'data_subject_request'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

export const ERASURE_LEGAL_BASIS: Readonly<Record<ErasureReason, string>> = {
  retention_end: '个人信息保护法 art. 19, art. 47(1)(1)',
  data_subject_request: '个人信息保护法 art. 47',
};

/** A data-subject request to erase, waiting for a second person's approval (four eyes). No personal data. */
export type ErasureRequested = DomainEvent<
  'ErasureRequested',
  {
    subjectId: string;
    requestId: string;
    reason: ErasureReason;
    legalBasis: string;
    reference?: string;
    /** The org units owning the subject's cases when it was requested: requester and approver must be above all. */
    owningUnits: string[];
    requestedBy: string;
    requestedAt: string;
  }
>;

/** A second, different person of the owning units' chain approved the request: the keys may now be destroyed. */
export type ErasureApproved = DomainEvent<'ErasureApproved', { subjectId: string; requestId: string; approvedBy: string; approvedAt: string }>;

/** The request was withdrawn by its requester or declined by a head or supervisor of the chain: nothing is erased. */
export type ErasureDeclined = DomainEvent<'ErasureDeclined', { subjectId: string; requestId: string; reason: string; declinedBy: string; declinedAt: string }>;

/** The subject's keys were destroyed (crypto-shredding): every personal value of it now reads `[erased]`. */
export type SubjectErased = DomainEvent<
  'SubjectErased',
  {
    subjectId: string;
    kind: string;
    erasureId: string;
    reason: ErasureReason;
    legalBasis: string;
    reference?: string;
    /** The approved request (data-subject requests); absent for the end of retention. */
    requestId?: string;
    requestedBy?: string;
    approvedBy?: string;
    erasedBy: string;
    erasedAt: string;
    /** Data keys destroyed (ids only). */
    keyIds: string[];
    /** Case streams whose personal values of this subject are now unreadable. */
    streams: string[];
    /** Blind-index values removed: derived indexes (e.g. repeat petitions in Redis) drop them when they see this event. */
    blindIndexes: Array<{ scope: string; value: string }>;
  }
>;

/**
 * Appended before any plaintext of the subject leaves Hearth (an auditor's reveal, or a need-to-know display on a
 * case view): where each value sits, never the value.
 */
export type PersonalDataRevealed = DomainEvent<
  'PersonalDataRevealed',
  {
    subjectId: string;
    fields: Array<{ stream: string; revision: number; eventType: string; path: string; kind?: string }>;
    reason: string;
    /** `audit` (the auditor's request) or the view that displayed the values (`case_history`). */
    purpose?: string;
    revealedBy: string;
    revealedAt: string;
  }
>;

export type SubjectEvent = ErasureRequested | ErasureApproved | ErasureDeclined | SubjectErased | PersonalDataRevealed;
