import type { DeadlineCommand } from '../deadlines/deadline.decisions';
import type { LocalDate } from '../calendar/local-date';
import type { MediationRouting } from '../mediation/from-petition';
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
      /** 重大: reported upward at once, like urgent (信访工作条例 art. 25). */
      major?: boolean;
      /** 检举控告 only, and required there: the org unit accused; its users never see the accuser (art. 46(5)). */
      accusedOrgUnit?: string;
      /** Keyed hashes (blind index) of the petitioners' ID numbers, computed at the edge; never the numbers. */
      petitionerKeys?: string[];
    }
  | { type: 'NotifyReceipt'; method: string }
  | { type: 'AcceptPetition'; signedBy: string; note?: string }
  | { type: 'NotAcceptPetition'; signedBy: string; reason: string; legalBasis?: string }
  | {
      type: 'RouteOutPetition';
      signedBy: string;
      procedure: RouteOutProcedure;
      target?: string;
      reason: string;
      legalBasis?: string;
      /** Required for procedure `mediation` (and only there): opens the linked mediation case. */
      mediation?: MediationRouting;
    }
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
  /** 督办: an upper union supervises the case and requires a written reply by `dueDate`. */
  | { type: 'SupervisePetition'; dueDate: LocalDate; instructions: string }
  | { type: 'ReplyToSupervision'; supervisionId: string; reply: string }
  /** The same petitioner on the same subject again (art. 19, 36): linked to this case instead of a new one. */
  | {
      type: 'RecordRepeatPetition';
      receivedAtOrgUnit: string;
      channel: PetitionChannel;
      headcount: number;
      facts?: string;
      request?: string;
      petitionerKeys?: string[];
      /** Hearth itself (system) links the petition registered at another unit: its id. */
      linkedPetitionId?: string;
    }
  | DeadlineCommand;
