import type { RuleTable } from './rule-book';

/**
 * The deadline ladder (domain-spec §0) [local practice, configuration]. Applies to every duty deadline of every
 * workflow; a local table (e.g. `config/local-rules.json`) overrides any key from its effective date on.
 * - `ladder.approaching.workingDaysBefore`: remind the assigned officer when this many working days remain (0 = off);
 * - `ladder.dueSoon.daysBefore`: alert the head of the owning body this many days before the due time (0 = off);
 * - `ladder.escalation.levels`: how many units up a missed duty climbs (1 = only 催办 to the unit above);
 * - `ladder.escalation.workingDaysAfter`: working days after the due date between one level and the next (督办).
 * A rule book without `ladder.escalation.levels` has no ladder: deadlines then only time out at their due time.
 */
export const LADDER_RULES: readonly RuleTable[] = [
  {
    jurisdiction: 'national',
    effectiveFrom: '2000-01-01',
    deadlines: {},
    limits: {
      'ladder.approaching.workingDaysBefore': 3,
      'ladder.dueSoon.daysBefore': 1,
      'ladder.escalation.levels': 2,
      'ladder.escalation.workingDaysAfter': 5,
    },
  },
];
