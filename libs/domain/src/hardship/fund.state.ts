import type { AidKind } from './hardship.events';
import type { FundEvent, FundSource } from './fund.events';
import { toFen } from './money';

export interface FundDraw {
  aidId: string;
  fileId: string;
  amountYuan: number;
  kind: AidKind;
  month: string;
  returned: boolean;
}

export interface FundState {
  exists: boolean;
  fundId: string;
  year: number;
  source: FundSource | '';
  orgUnit: string;
  budgetFen: number;
  /** Drawn and not returned. */
  drawnFen: number;
  draws: Readonly<Record<string, FundDraw>>;
}

export const initialFundState: FundState = { exists: false, fundId: '', year: 0, source: '', orgUnit: '', budgetFen: 0, drawnFen: 0, draws: {} };

export const remainingFen = (s: FundState): number => s.budgetFen - s.drawnFen;

export function evolveFund(s: FundState, e: FundEvent): FundState {
  switch (e.type) {
    case 'FundOpened':
      return {
        ...initialFundState,
        exists: true,
        fundId: e.data.fundId,
        year: e.data.year,
        source: e.data.source,
        orgUnit: e.data.orgUnit,
        budgetFen: toFen(e.data.budgetYuan),
      };
    case 'FundBudgetAdjusted':
      return { ...s, budgetFen: toFen(e.data.budgetYuan) };
    case 'FundDrawn':
      return {
        ...s,
        drawnFen: s.drawnFen + toFen(e.data.amountYuan),
        draws: {
          ...s.draws,
          [e.data.aidId]: { aidId: e.data.aidId, fileId: e.data.fileId, amountYuan: e.data.amountYuan, kind: e.data.kind, month: e.data.month, returned: false },
        },
      };
    case 'FundReturned': {
      const d = s.draws[e.data.aidId];
      if (!d) return s;
      return { ...s, drawnFen: s.drawnFen - toFen(d.amountYuan), draws: { ...s.draws, [d.aidId]: { ...d, returned: true } } };
    }
  }
}
