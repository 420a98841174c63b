import type { LocalDate } from '../calendar/local-date';
import { localDateOf } from '../calendar/local-date';
import { Deadlines, evolveDeadlines } from '../deadlines/deadline.state';
import { isDeadlineEvent } from '../deadlines/deadline.events';
import type { AnswerOutcome, CloseReason, PetitionCategory, PetitionChannel, PetitionEvent, ReviewOutcome } from './petition.events';

/** domain-spec §1. `None` = no petition in this stream yet. Extension is a flag (`extended`), not a status. */
export const PETITION_STATUSES = [
  'None',
  'Registered',
  'NotAccepted',
  'RoutedOut',
  'Accepted',
  'InHandling',
  'Answered',
  'ReviewRequested',
  'Reviewed',
  'RecheckRequested',
  'Rechecked',
  'Closed',
] as const;
export type PetitionStatus = (typeof PETITION_STATUSES)[number];

export interface DraftAnswer {
  outcome: AnswerOutcome;
  facts: string;
  legalBasis: string;
  mediationAgreement?: string;
  draftedBy: string;
}

export interface TransferInfo {
  fromOrgUnit: string;
  toOrgUnit: string;
  receivedDate: LocalDate;
  objected: boolean;
}

export interface AssignedDownInfo {
  fromOrgUnit: string;
  toOrgUnit: string;
  dueDate: LocalDate;
  reportSubmitted: boolean;
}

export interface ReviewInfo {
  /** The union body that decides (one level up from the answering unit, or one more for 复核). */
  body: string;
  requestedAt: string;
  outcome?: ReviewOutcome;
  decidedBy?: string;
  decidedAt?: string;
}

export interface PetitionState {
  status: PetitionStatus;
  petitionId?: string;
  /** The org unit the case currently belongs to (changes on transfer, objection and 交办). */
  orgUnit?: string;
  /** The org unit it was registered at. */
  registeredOrgUnit?: string;
  /** Rule table jurisdiction for the whole life of the case. */
  jurisdiction?: string;
  receivedAt?: string;
  /** Day of first receipt; also the date rules are looked up by (the rule in force when the case was opened). */
  receivedDate?: LocalDate;
  channel?: PetitionChannel;
  category?: PetitionCategory;
  headcount?: number;
  collective: boolean;
  urgent: boolean;
  major: boolean;
  /** 检举控告: the accused org unit (art. 46(5)). */
  accusedOrgUnit?: string;
  /** Repeat petitions linked to this case. */
  repeats: number;
  identityKnown: boolean;
  receiptNotified: boolean;
  handler?: string;
  extended: boolean;
  draft?: DraftAnswer;
  answeredDate?: LocalDate;
  answerOutcome?: AnswerOutcome;
  transfer?: TransferInfo;
  assignedDown?: AssignedDownInfo;
  review?: ReviewInfo;
  recheck?: ReviewInfo;
  closeReason?: CloseReason;
  closedAt?: string;
  deadlines: Deadlines;
}

export const initialPetitionState: PetitionState = {
  status: 'None',
  collective: false,
  urgent: false,
  major: false,
  repeats: 0,
  identityKnown: true,
  receiptNotified: false,
  extended: false,
  deadlines: {},
};

export function evolvePetition(state: PetitionState, event: PetitionEvent): PetitionState {
  if (isDeadlineEvent(event)) return { ...state, deadlines: evolveDeadlines(state.deadlines, event) };
  switch (event.type) {
    case 'PetitionRegistered': {
      const d = event.data;
      return {
        ...state,
        status: 'Registered',
        petitionId: d.petitionId,
        orgUnit: d.orgUnit,
        registeredOrgUnit: d.orgUnit,
        jurisdiction: d.jurisdiction,
        receivedAt: d.receivedAt,
        receivedDate: d.receivedDate,
        channel: d.channel,
        category: d.category,
        headcount: d.headcount,
        collective: d.collective,
        urgent: d.urgent,
        major: d.major === true,
        ...(d.accusedOrgUnit ? { accusedOrgUnit: d.accusedOrgUnit } : {}),
        identityKnown: d.identityKnown,
      };
    }
    case 'PetitionReceiptNotified':
      return { ...state, receiptNotified: true };
    case 'PetitionAccepted':
      return { ...state, status: 'Accepted' };
    case 'PetitionNotAccepted':
      return { ...state, status: 'NotAccepted' };
    case 'PetitionRoutedOut':
      return { ...state, status: 'RoutedOut' };
    case 'PetitionTransferred':
      return {
        ...state,
        orgUnit: event.data.toOrgUnit,
        transfer: { fromOrgUnit: event.data.fromOrgUnit, toOrgUnit: event.data.toOrgUnit, receivedDate: event.data.receivedDate, objected: false },
      };
    case 'PetitionTransferObjected':
      return { ...state, orgUnit: event.data.returnedTo, transfer: state.transfer ? { ...state.transfer, objected: true } : undefined };
    case 'PetitionAssignedDown':
      return {
        ...state,
        orgUnit: event.data.toOrgUnit,
        assignedDown: { fromOrgUnit: event.data.fromOrgUnit, toOrgUnit: event.data.toOrgUnit, dueDate: event.data.dueDate, reportSubmitted: false },
      };
    case 'CompletionReportSubmitted':
      return { ...state, assignedDown: state.assignedDown ? { ...state.assignedDown, reportSubmitted: true } : undefined };
    case 'HandlerAssigned':
      return { ...state, status: 'InHandling', handler: event.data.officerId };
    case 'ProgressRecorded':
      return state;
    case 'HandlingExtended':
      return { ...state, extended: true };
    case 'AnswerDrafted': {
      const d = event.data;
      return {
        ...state,
        draft: { outcome: d.outcome, facts: d.facts, legalBasis: d.legalBasis, draftedBy: d.draftedBy, ...(d.mediationAgreement ? { mediationAgreement: d.mediationAgreement } : {}) },
      };
    }
    case 'PetitionAnswered':
      return { ...state, status: 'Answered', answeredDate: localDateOf(event.data.answeredAt), answerOutcome: event.data.outcome, draft: undefined };
    case 'ReviewRequested':
      return { ...state, status: 'ReviewRequested', review: { body: event.data.reviewBody, requestedAt: event.data.requestedAt } };
    case 'ReviewDecided':
      return {
        ...state,
        status: 'Reviewed',
        review: state.review ? { ...state.review, outcome: event.data.outcome, decidedBy: event.data.decidedBy, decidedAt: event.data.decidedAt } : undefined,
      };
    case 'RecheckRequested':
      return { ...state, status: 'RecheckRequested', recheck: { body: event.data.recheckBody, requestedAt: event.data.requestedAt } };
    case 'RecheckDecided':
      return {
        ...state,
        status: 'Rechecked',
        recheck: state.recheck ? { ...state.recheck, outcome: event.data.outcome, decidedBy: event.data.decidedBy, decidedAt: event.data.decidedAt } : undefined,
      };
    case 'PetitionClosed':
      return { ...state, status: 'Closed', closeReason: event.data.reason, closedAt: event.data.closedAt };
    case 'RepeatPetitionReceived':
      return { ...state, repeats: state.repeats + 1 };
    default:
      return state;
  }
}
