import type { DeadlineCommand } from '../deadlines/deadline.decisions';
import type { LocalDate } from '../calendar/local-date';
import type {
  AgreementParty,
  ApplicationForm,
  Claim,
  ConsentRecord,
  Employer,
  LegalAidLawyer,
  MediationFailureReason,
  MediationWorker,
  Obligation,
} from './mediation.events';

export type MediationCommand =
  | {
      type: 'ApplyForMediation';
      mediationId: string;
      orgUnit: string;
      form: ApplicationForm;
      workers: MediationWorker[];
      employer: Employer;
      facts: string;
      claims: Claim[];
      /** Workers on the applying side (may exceed the listed workers in a collective case). */
      headcount: number;
      /** The workers share a common claim (LDMAL art. 7). */
      commonClaim: boolean;
      /** Worker ids of the elected representatives (collective cases). */
      representatives?: string[];
      /** The day the dispute arose / the worker knew of the infringement (art. 27). */
      disputeDate: LocalDate;
      fromPetition?: { petitionId: string };
    }
  | { type: 'AcceptApplication' }
  | { type: 'RejectApplication'; reason: string }
  | { type: 'AssignMediator'; mediatorId: string }
  | { type: 'ScheduleSession'; at: string; place: string }
  | { type: 'RecordSessionHeld'; sessionId: string; notes: string }
  | { type: 'ExtendMediationPeriod'; days: number; consent?: Partial<ConsentRecord> }
  | { type: 'RecordAgreement'; obligations: Obligation[] }
  | { type: 'SignAgreement'; party: AgreementParty; signatoryId?: string }
  | { type: 'SealAgreement' }
  | { type: 'RecordMediationFailed'; reason: Exclude<MediationFailureReason, 'period_lapsed'>; note?: string }
  | { type: 'RecordWorkerInformed'; method: string }
  | { type: 'RecordPerformance'; obligationId: string; amountYuan: number; at: string }
  | { type: 'RecordBreach'; obligationId: string; note: string }
  | { type: 'ReferToArbitration'; commission?: string; note?: string }
  | { type: 'AdvisePaymentOrder'; obligationId: string; court?: string; note?: string }
  | { type: 'RecordArbitrationFiled'; filedAt: LocalDate; acceptedByCommissionOn?: LocalDate; commission?: string }
  | { type: 'RequestLegalAid'; workerIds: string[]; migrantWageClaim: boolean; meansTested?: { eligible: boolean } }
  | { type: 'DecideLegalAid'; granted: boolean; reason: string; meansTest?: { eligible: boolean } }
  | { type: 'AssignLegalAidLawyer'; lawyer: LegalAidLawyer }
  | { type: 'CloseMediation'; reason: string }
  | DeadlineCommand;

export type MediationCommandType = MediationCommand['type'];
