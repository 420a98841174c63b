import type { ErasureReason, SubjectErased } from './subject.events';

/**
 * Erase a subject's personal data (个人信息保护法 art. 47). A data-subject request is recorded by one person and
 * waits for a second (ApproveErasure); the end of retention (art. 19) needs no second person, because the rule is
 * checked against every case of the subject (`openCases` must be empty).
 */
export interface RequestErasure {
  type: 'RequestErasure';
  subjectId: string;
  requestId: string;
  reason: ErasureReason;
  reference?: string;
  /** The org units owning the subject's cases: the requester must be above all of them. */
  owningUnits: string[];
  /** Cases whose retention has not ended (only looked at for `retention_end`). */
  openCases: Array<{ stream: string; why: string }>;
}

/** The second person approves (four eyes): a head or supervisor of the owning units' chain, not the requester. */
export interface ApproveErasure {
  type: 'ApproveErasure';
  requestId: string;
  /** The owning units now (a case may have moved since the request): the approver must be above all of them. */
  owningUnits: string[];
}

/** Withdraw (the requester) or decline (a head or supervisor above every owning unit) a request not yet approved. */
export interface DeclineErasure {
  type: 'DeclineErasure';
  requestId: string;
  reason: string;
  owningUnits: string[];
}

/** The key store destroyed the keys of an authorised request: record it (SubjectErased). */
export interface RecordErasure {
  type: 'RecordErasure';
  requestId: string;
  erasure: Omit<SubjectErased['data'], 'requestId' | 'requestedBy' | 'approvedBy' | 'reason' | 'legalBasis' | 'reference'>;
}

export type SubjectCommand = RequestErasure | ApproveErasure | DeclineErasure | RecordErasure;
