import type { Actor, OrgDirectory } from '@hearth/domain';
import type { FundView } from '@hearth/read-models';
import type { CaseHistory, HistoryEntry } from '../history/case-history.service';

const DRAW_EVENTS = new Set(['FundDrawn', 'FundReturned']);

/** A fund's totals, for readers who see only their own draws. */
export interface FundTotals {
  budgetYuan: number;
  drawnYuan: number;
  remainingYuan: number;
  draws: number;
  returns: number;
}

export type ScopedFundHistory = CaseHistory & { scope: 'all' | 'own_draws'; totals?: FundTotals };

/**
 * Who sees which draws of a fund's history (issue 11): the owner and the units above it (oversight) see every
 * event; a unit below the owner (it draws on the fund) sees the fund's opening and budget changes, its own draws
 * and returns — those of files in its subtree, or made by someone of its subtree — and the fund's totals, never
 * another subtree's file ids and amounts. `remainingYuan` after each draw is left out of such a view, because the
 * difference between two of them is another unit's draw.
 */
export function scopeFundHistory(
  hist: CaseHistory,
  owner: string,
  reader: Actor,
  org: OrgDirectory,
  fileUnits: ReadonlyMap<string, string>,
  fund: FundView | undefined,
): ScopedFundHistory {
  if (org.isWithin(owner, reader.orgUnit)) return { ...hist, scope: 'all' };
  const mine = (e: HistoryEntry): boolean => {
    const fileId = (e.data as { fileId?: string }).fileId;
    const fileUnit = fileId ? fileUnits.get(fileId) : undefined;
    return org.isWithin(e.orgUnit, reader.orgUnit) || (fileUnit !== undefined && org.isWithin(fileUnit, reader.orgUnit));
  };
  const events = hist.events
    .filter((e) => !DRAW_EVENTS.has(e.type) || mine(e))
    .map((e) => {
      if (!DRAW_EVENTS.has(e.type)) return e;
      const { remainingYuan: _hidden, ...data } = e.data as Record<string, unknown>;
      return { ...e, data };
    });
  const totals = fund ? { budgetYuan: fund.budgetYuan, drawnYuan: fund.drawnYuan, remainingYuan: fund.remainingYuan, draws: fund.draws, returns: fund.returns } : undefined;
  return { ...hist, events, scope: 'own_draws', ...(totals ? { totals } : {}) };
}

/** File ids named by the fund's draws and returns. */
export const fileIdsOf = (hist: CaseHistory): string[] =>
  hist.events.flatMap((e) => (DRAW_EVENTS.has(e.type) && typeof (e.data as { fileId?: unknown }).fileId === 'string' ? [(e.data as { fileId: string }).fileId] : []));
