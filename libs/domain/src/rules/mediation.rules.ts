import type { RuleTable } from './rule-book';

/** Filled in by the mediation workflow. */
export const MEDIATION_RULES: readonly RuleTable[] = [];
