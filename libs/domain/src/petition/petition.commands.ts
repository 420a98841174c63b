import type { DeadlineCommand } from '../deadlines/deadline.decisions';
import type { LocalDate } from '../calendar/local-date';
import type {
  AnswerOutcome,
  CloseReason,
  Petitioner,
  PetitionCategory,
  PetitionChannel,
  ReviewOutcome,
  RouteOutProcedure,
} from './petition.events';

export type PetitionCommand =
  | {
      type: 'RegisterPetition';
      petitionId: string;
      orgUnit: string;
      channel: PetitionChannel;
      category: PetitionCategory;
      subject: string;
      facts: string;
      request: string;
      petitioners: Petitioner[];
      headcount: number;
      identityKnown: boolean;
      urgent?: boolean;
    }
  | { type: 'NotifyReceipt'; method: string }
  | { type: 'AcceptPetition'; signedBy: string; note?: string }
  | { type: 'NotAcceptPetition'; signedBy: string; reason: string; legalBasis?: string }
  | { type: 'RouteOutPetition'; signedBy: string; procedure: RouteOutProcedure; target?: string; reason: string; legalBasis?: string }
  | { type: 'TransferPetition'; toOrgUnit: string; reason: string }
  | { type: 'ObjectToTransfer'; reasons: string }
  | { type: 'AssignDown'; toOrgUnit: string; dueDate: LocalDate; instructions: string }
  | { type: 'SubmitCompletionReport'; report: string }
  | { type: 'AssignHandler'; officerId: string }
  | { type: 'RecordProgress'; note: string; attachments?: string[] }
  | { type: 'ExtendHandling'; reason: string; days: number }
  | { type: 'DraftAnswer'; outcome: AnswerOutcome; facts: string; legalBasis: string; mediationAgreement?: string }
  | { type: 'ApproveAnswer' }
  | { type: 'RequestReview'; reasons: string }
  | { type: 'DecideReview'; outcome: ReviewOutcome; facts: string; legalBasis: string }
  | { type: 'RequestRecheck'; reasons: string }
  | { type: 'DecideRecheck'; outcome: ReviewOutcome; facts: string; legalBasis: string }
  | { type: 'ClosePetition'; reason: CloseReason; note?: string }
  | DeadlineCommand;
