import type { RuleTable } from './rule-book';

/**
 * Hardship assistance (困难职工帮扶, domain-spec §3). Almost everything here is local practice [local]:
 * the national fragment holds defaults, a local fragment (same keys, own jurisdiction/date) overrides them.
 *
 * Keys
 * - deadlines `hardship.publicNotice` (公示, lapses → notice completed), `hardship.annualReview` (missed → ladder).
 * - `hardship.publicNotice.minDays` / `.maxDays`: allowed notice lengths for StartPublicNotice(days).
 * - `hardship.retentionYears`: keep the file this long after exit, then erase personal data.
 * - `hardship.migrantMinMonths`, `hardship.deepMultiplier`, `hardship.relativeMultiplier`,
 *   `hardship.accident.costSharePercent`: the category computation (see hardship-category.ts).
 * - `hardship.exit.monthsAboveLine`: 脱困 needs income above the line this many consecutive months.
 * - `hardship.aid.maxYuan.<kind>`: refused above; `hardship.aid.upperApprovalAboveYuan.<kind>`: above this
 *   the approving head must belong to a unit above the file's unit.
 * - `hardship.campaign.<kind>.fromMonth/.fromDay/.toMonth/.toDay`: campaign window (inclusive, may wrap the
 *   year end; `toDay` 29 for February means "end of February").
 * - `hardship.dibaoLine.<orgUnitId>.<year>`: the 低保 line (yuan per person per month) — NOT in the national
 *   table: each deployment adds it to its local fragment (see `dibaoLineFragment`). It is looked up for the
 *   file's unit, then each ancestor up to the root, so a line configured at the county (L2) covers every
 *   union below it.
 */
const AID_MAX_YUAN: Record<string, number> = {
  golden_autumn_education: 10000,
  winter_relief: 3000,
  serious_illness: 50000,
  living: 10000,
  temporary: 5000,
  job_referral: 1000,
  skills_training: 5000,
  startup_support: 20000,
  legal_aid: 10000,
  goods: 3000,
};

const AID_UPPER_APPROVAL_ABOVE_YUAN: Record<string, number> = {
  golden_autumn_education: 5000,
  winter_relief: 2000,
  serious_illness: 20000,
  living: 5000,
  temporary: 3000,
  job_referral: 1000,
  skills_training: 3000,
  startup_support: 10000,
  legal_aid: 5000,
  goods: 2000,
};

const prefixed = (prefix: string, values: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));

export const HARDSHIP_RULES: RuleTable[] = [
  {
    jurisdiction: 'national',
    effectiveFrom: '2020-01-01',
    deadlines: {
      'hardship.publicNotice': {
        days: 7,
        unit: 'calendar',
        shiftOffRestDay: false,
        legalBasis: '全总困难职工建档帮扶规定：建档前公示（公示期5–7天，地方规定）[local]',
        onExpiry: 'lapse',
        duty: 'publish the hardship file for objections (公示)',
      },
      'hardship.annualReview': {
        days: 365,
        unit: 'calendar',
        shiftOffRestDay: true,
        legalBasis: '全总困难职工档案动态管理：每年至少复核一次 [local]',
        onExpiry: 'miss',
        duty: 'review the hardship file (年度复核)',
      },
    },
    limits: {
      'hardship.publicNotice.minDays': 5,
      'hardship.publicNotice.maxDays': 7,
      'hardship.retentionYears': 10,
      'hardship.migrantMinMonths': 12,
      'hardship.deepMultiplier': 1,
      'hardship.relativeMultiplier': 2,
      'hardship.accident.costSharePercent': 80,
      'hardship.exit.monthsAboveLine': 6,
      ...prefixed('hardship.aid.maxYuan.', AID_MAX_YUAN),
      ...prefixed('hardship.aid.upperApprovalAboveYuan.', AID_UPPER_APPROVAL_ABOVE_YUAN),
      'hardship.campaign.golden_autumn_education.fromMonth': 7,
      'hardship.campaign.golden_autumn_education.fromDay': 1,
      'hardship.campaign.golden_autumn_education.toMonth': 8,
      'hardship.campaign.golden_autumn_education.toDay': 31,
      'hardship.campaign.winter_relief.fromMonth': 12,
      'hardship.campaign.winter_relief.fromDay': 1,
      'hardship.campaign.winter_relief.toMonth': 2,
      'hardship.campaign.winter_relief.toDay': 29,
    },
  },
];

/** A local rule fragment holding 低保 lines (yuan per person per month) by org unit and year. */
export function dibaoLineFragment(
  jurisdiction: string,
  effectiveFrom: string,
  lines: ReadonlyArray<{ orgUnit: string; year: number; yuan: number }>,
): RuleTable {
  return {
    jurisdiction,
    effectiveFrom,
    deadlines: {},
    limits: Object.fromEntries(lines.map((l) => [`hardship.dibaoLine.${l.orgUnit}.${l.year}`, l.yuan])),
  };
}
