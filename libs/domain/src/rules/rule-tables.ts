import { RuleBook, RuleTable } from './rule-book';
import { PETITION_RULES } from './petition.rules';
import { MEDIATION_RULES } from './mediation.rules';
import { HARDSHIP_RULES } from './hardship.rules';
import { LADDER_RULES } from './ladder.rules';

/**
 * Every workflow contributes fragments (jurisdiction + effective date + its own keys); fragments with the
 * same jurisdiction and date merge into one table. Local tables list only what differs from national.
 */
export function mergeRuleFragments(fragments: readonly RuleTable[]): RuleTable[] {
  const merged = new Map<string, RuleTable>();
  for (const f of fragments) {
    const key = `${f.jurisdiction}@${f.effectiveFrom}`;
    const prev = merged.get(key);
    merged.set(key, prev ? { ...prev, deadlines: { ...prev.deadlines, ...f.deadlines }, limits: { ...prev.limits, ...f.limits } } : f);
  }
  return [...merged.values()];
}

export const RULE_TABLES: readonly RuleTable[] = mergeRuleFragments([...PETITION_RULES, ...MEDIATION_RULES, ...HARDSHIP_RULES, ...LADDER_RULES]);

export const defaultRuleBook = (): RuleBook => new RuleBook(RULE_TABLES);
