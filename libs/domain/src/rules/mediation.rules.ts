import type { DeadlineRule, RuleTable } from './rule-book';

/**
 * Labour-dispute mediation (劳动争议调解仲裁法, LDMAL, in force 2008-05-01) and its legal-aid side flow
 * (法律援助法, in force 2022-01-01). Marks: [law] statute text; [local] local practice, configurable by a
 * local table that lists only what differs.
 */
const LDMAL_DEADLINES: Readonly<Record<string, DeadlineRule>> = {
  /** [local] The law sets no acceptance period; 3 working days is local practice. */
  'mediation.acceptance': {
    days: 3,
    unit: 'working',
    shiftOffRestDay: false,
    legalBasis: 'local practice [configurable] (LDMAL art. 12)',
    onExpiry: 'miss',
    duty: 'decide whether to accept the mediation application and notify the applicant (local practice: 3 working days)',
  },
  /** [law] No agreement within 15 days of receipt: the worker may apply for arbitration. */
  'mediation.statutory': {
    days: 15,
    unit: 'calendar',
    shiftOffRestDay: true,
    legalBasis: 'LDMAL art. 14',
    onExpiry: 'lapse',
    duty: 'reach a mediation agreement within 15 days of receiving the application; otherwise the worker may apply for arbitration',
  },
  /** The body's own period from acceptance, extendable only with both parties' consent; lapsing = failed. */
  'mediation.period': {
    days: 15,
    unit: 'calendar',
    shiftOffRestDay: true,
    legalBasis: 'LDMAL art. 14; 企业劳动争议协商调解规定 art. 26',
    onExpiry: 'lapse',
    duty: 'conclude mediation within 15 days of acceptance (extendable with both parties\u2019 consent)',
  },
};

const LDMAL_LIMITS: Readonly<Record<string, number>> = {
  /** [law] ≥10 workers with a common claim is a collective dispute (LDMAL art. 7). */
  'mediation.collectiveHeadcount': 10,
  /** [local] Representatives a collective case may elect (art. 7 sets no number; 3–5 in practice). */
  'mediation.maxRepresentatives': 5,
  /** [local] Total extension of the body's own period with both parties' consent (企业劳动争议协商调解规定 art. 26). */
  'mediation.maxPeriodExtensionDays': 15,
  /** [law] Arbitration award within 45 days of acceptance, extendable by at most 15 (LDMAL art. 43). */
  'mediation.arbitrationAwardDays': 45,
  'mediation.arbitrationAwardExtensionDays': 15,
  /** [law] Arbitration limitation period in years (LDMAL art. 27). */
  'mediation.arbitrationLimitationYears': 1,
};

const LEGAL_AID_DEADLINES: Readonly<Record<string, DeadlineRule>> = {
  'mediation.legalAidDecision': {
    days: 7,
    unit: 'calendar',
    shiftOffRestDay: true,
    legalBasis: '法律援助法 art. 43',
    onExpiry: 'miss',
    duty: 'decide on the legal-aid application within 7 days of receipt',
  },
  'mediation.legalAidAssignment': {
    days: 3,
    unit: 'calendar',
    shiftOffRestDay: true,
    legalBasis: '法律援助法 art. 43',
    onExpiry: 'miss',
    duty: 'assign a legal-aid lawyer within 3 days of the decision to grant legal aid',
  },
};

/**
 * The 2022 fragment repeats the LDMAL keys: `RuleBook` resolves a key in the newest table in force only,
 * so a fragment that listed just the legal-aid keys would hide the LDMAL keys from 2022 on.
 */
export const MEDIATION_RULES: readonly RuleTable[] = [
  { jurisdiction: 'national', effectiveFrom: '2008-05-01', deadlines: LDMAL_DEADLINES, limits: LDMAL_LIMITS },
  {
    jurisdiction: 'national',
    effectiveFrom: '2022-01-01',
    deadlines: { ...LDMAL_DEADLINES, ...LEGAL_AID_DEADLINES },
    limits: LDMAL_LIMITS,
  },
];
