import type { RuleTable } from './rule-book';

/** 信访工作条例 (2022), in force 2022-05-01; art. 2 covers mass organisations such as unions. */
const REGS = '信访工作条例';
const IN_FORCE = '2022-05-01';

/**
 * Petition periods and limits (domain-spec §1). National defaults, then local variants that list
 * only what differs. Deadline keys are `petition.<kind>`; the kind is the deadline's `kind` on events.
 * `petition.assignedDown` (交办) has no rule: its due date is given by the assigning union.
 */
export const PETITION_RULES: readonly RuleTable[] = [
  {
    jurisdiction: 'national',
    effectiveFrom: IN_FORCE,
    deadlines: {
      'petition.acceptance': {
        days: 15,
        unit: 'calendar',
        shiftOffRestDay: true,
        legalBasis: `${REGS} art. 23`,
        onExpiry: 'miss',
        duty: '自收到信访事项之日起15日内决定是否受理并书面告知信访人',
      },
      'petition.transferObjection': {
        days: 5,
        unit: 'working',
        shiftOffRestDay: true,
        legalBasis: `${REGS} art. 23`,
        // The receiver's right to object, not a duty: running out means the transfer stands.
        onExpiry: 'lapse',
        duty: '对转送的信访事项有异议的，自收到之日起5个工作日内提出',
      },
      'petition.handling': {
        days: 60,
        unit: 'calendar',
        shiftOffRestDay: true,
        legalBasis: `${REGS} art. 34`,
        onExpiry: 'miss',
        duty: '自受理之日起60日内办结，出具书面处理意见',
      },
      'petition.reviewWindow': {
        days: 30,
        unit: 'calendar',
        shiftOffRestDay: true,
        legalBasis: `${REGS} art. 35`,
        onExpiry: 'lapse',
        duty: '信访人自收到处理意见之日起30日内可请求上一级工会复查',
      },
      'petition.reviewDecision': {
        days: 30,
        unit: 'calendar',
        shiftOffRestDay: true,
        legalBasis: `${REGS} art. 35`,
        onExpiry: 'miss',
        duty: '自收到复查请求之日起30日内提出复查意见',
      },
      'petition.recheckWindow': {
        days: 30,
        unit: 'calendar',
        shiftOffRestDay: true,
        legalBasis: `${REGS} art. 36`,
        onExpiry: 'lapse',
        duty: '信访人自收到复查意见之日起30日内可请求再上一级工会复核',
      },
      'petition.recheckDecision': {
        days: 30,
        unit: 'calendar',
        shiftOffRestDay: true,
        legalBasis: `${REGS} art. 36`,
        onExpiry: 'miss',
        duty: '自收到复核请求之日起30日内提出复核意见',
      },
    },
    limits: {
      /** Longest extension of the handling period, in days (art. 34). */
      'petition.extensionMaxDays': 30,
      /** A visit by this many people or more is a collective petition. */
      'petition.collectiveVisitHeadcount': 5,
      /** Most representatives a collective visit may send (art. 20). */
      'petition.maxVisitRepresentatives': 5,
    },
  },
  {
    // [local] Zhejiang practice: decide on acceptance within 5 working days, handle within 30 days.
    jurisdiction: 'zhejiang',
    effectiveFrom: IN_FORCE,
    deadlines: {
      'petition.acceptance': {
        days: 5,
        unit: 'working',
        shiftOffRestDay: true,
        legalBasis: `${REGS} art. 23; 浙江省本地规定`,
        onExpiry: 'miss',
        duty: '自收到信访事项之日起5个工作日内决定是否受理并书面告知信访人',
      },
      'petition.handling': {
        days: 30,
        unit: 'calendar',
        shiftOffRestDay: true,
        legalBasis: `${REGS} art. 34; 浙江省本地规定`,
        onExpiry: 'miss',
        duty: '自受理之日起30日内办结，出具书面处理意见',
      },
    },
    limits: {},
  },
];
