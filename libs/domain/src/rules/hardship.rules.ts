import type { RuleTable } from './rule-book';

/** Filled in by the hardship workflow. */
export const HARDSHIP_RULES: readonly RuleTable[] = [];
