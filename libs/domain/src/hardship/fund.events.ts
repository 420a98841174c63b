import type { DomainEvent } from '../common/decider';
import type { AidKind } from './hardship.events';

/**
 * Hardship-assistance funds (帮扶资金): one stream `fund-<fundId>` per fund, with a budget for one year from
 * one source. No personal data: draws name the aid and file ids only.
 */
export const FUND_SOURCES = ['union_dues', 'government', 'donation', 'upper_union', 'other'] as const;
export type FundSource = (typeof FUND_SOURCES)[number];

export type FundOpened = DomainEvent<
  'FundOpened',
  { fundId: string; year: number; source: FundSource; budgetYuan: number; orgUnit: string; openedBy: string; openedAt: string }
>;
export type FundBudgetAdjusted = DomainEvent<
  'FundBudgetAdjusted',
  { fundId: string; previousBudgetYuan: number; budgetYuan: number; reason: string; adjustedBy: string; adjustedAt: string }
>;
export type FundDrawn = DomainEvent<
  'FundDrawn',
  {
    fundId: string;
    aidId: string;
    fileId: string;
    amountYuan: number;
    kind: AidKind;
    /** YYYY-MM the disbursement counts under. */
    month: string;
    /** Budget left after this draw. */
    remainingYuan: number;
    drawnBy: string;
    drawnAt: string;
  }
>;
/** Money of a revoked, already disbursed aid comes back to the fund. */
export type FundReturned = DomainEvent<
  'FundReturned',
  { fundId: string; aidId: string; fileId: string; amountYuan: number; remainingYuan: number; reason: string; returnedBy: string; returnedAt: string }
>;

export type FundEvent = FundOpened | FundBudgetAdjusted | FundDrawn | FundReturned;
