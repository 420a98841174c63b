import type { AidKind } from './hardship.events';
import type { FundSource } from './fund.events';

/**
 * Commands on a fund stream `fund-<fundId>`. The command side appends with the expected revision, so
 * concurrent draws on one fund serialise through optimistic concurrency; "disburse" = DrawFromFund here,
 * then RecordDisbursement on the file.
 */
export type FundCommand =
  | { type: 'OpenFund'; fundId: string; year: number; source: FundSource; budgetYuan: number; orgUnit: string }
  | { type: 'AdjustBudget'; budgetYuan: number; reason: string }
  | { type: 'DrawFromFund'; aidId: string; fileId: string; amountYuan: number; kind: AidKind; month: string }
  | { type: 'ReturnToFund'; aidId: string; reason?: string };
