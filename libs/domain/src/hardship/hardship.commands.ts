import type { DeadlineCommand } from '../deadlines/deadline.decisions';
import type { LocalDate } from '../calendar/local-date';
import type {
  AidKind,
  DisbursementMethod,
  ExitReason,
  HardshipCategory,
  HouseholdPersonal,
  HouseholdStats,
  ObjectionOutcome,
} from './hardship.events';

/** Commands on a hardship file stream `hardship-<fileId>`. Time comes from `ctx.now`, never from here. */
export type HardshipCommand =
  | {
      type: 'ApplyForHardshipFile';
      /** One file per household: the command side derives it from the household (e.g. blind index of the ID number). */
      fileId: string;
      /** The grassroots union (L4) the file is lodged with. */
      orgUnit: string;
      stats: HouseholdStats;
      personal: HouseholdPersonal;
    }
  | { type: 'PreScreen'; note?: string }
  | { type: 'RecordHomeVisit'; visitDate: LocalDate; visitors: string[]; findings?: string }
  | { type: 'RecordConsent'; signedDate: LocalDate; scopes: string[]; documentRef?: string; signedByName?: string }
  | { type: 'RecordEconomicCheck'; stats: HouseholdStats; sources: string[]; note?: string }
  /** `days` within the configured 5–7 (`hardship.publicNotice.minDays/maxDays`); default from the rule. */
  | { type: 'StartPublicNotice'; days?: number; where?: string }
  | { type: 'RaiseObjection'; objectionId: string; content: string; objectorName?: string; objectorContact?: string }
  | { type: 'ResolveObjection'; objectionId: string; outcome: ObjectionOutcome; note?: string }
  | { type: 'RegisterFile' }
  | { type: 'OverrideCategory'; category: HardshipCategory; reason: string }
  | { type: 'StartAnnualReview' }
  | { type: 'CompleteAnnualReview'; stats: HouseholdStats; outcome: 'continue' | 'exit'; exitReason?: ExitReason; monthsAboveLine?: number; note?: string }
  | { type: 'ExitFile'; reason: ExitReason; monthsAboveLine?: number; note?: string }
  | { type: 'RejectFile'; reason: string }
  | { type: 'ReopenFile'; reason: string }
  | { type: 'ProposeAid'; aidId: string; kind: AidKind; amountYuan: number; fundId?: string; note?: string }
  | { type: 'ApproveAid'; aidId: string }
  | { type: 'RecordDisbursement'; aidId: string; method?: DisbursementMethod; reference?: string }
  | { type: 'AcknowledgeAid'; aidId: string; receiptRef?: string }
  | { type: 'RevokeAid'; aidId: string; reason: string }
  | DeadlineCommand;

export type HardshipCommandType = HardshipCommand['type'];
