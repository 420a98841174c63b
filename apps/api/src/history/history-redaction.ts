import type { Actor, OrgDirectory } from '@hearth/domain';
import { redactAccuserFor } from '../petitions/accuser-redaction';
import type { CaseHistory } from './case-history.service';

/** What the hardship history route shows instead of a household's personal part (same text as that route). */
export const HARDSHIP_PERSONAL_WITHHELD = '[personal data withheld]';

/**
 * The per-workflow redactions every history view applies, whichever route serves it:
 * - petitions: an accusation never shows the accuser to the accused org (信访工作条例 art. 46(5), redactAccuserFor);
 * - hardship files: the household's `personal` part is withheld (reading it is a separate, logged act).
 */
export function redactHistoryFor<H extends CaseHistory>(category: string, history: H, actor: Actor, org: OrgDirectory): H & { accuserRedacted?: true } {
  if (category === 'petition') return redactAccuserFor(history, actor, org);
  if (category === 'hardship')
    return {
      ...history,
      events: history.events.map((e) => {
        const data = (e.data ?? {}) as Record<string, unknown>;
        return 'personal' in data ? { ...e, data: { ...data, personal: HARDSHIP_PERSONAL_WITHHELD } } : e;
      }),
    };
  return history;
}
