import type { Actor, Role } from '../../common/actor';
import { SYSTEM_ACTOR } from '../../common/actor';
import type { DecisionContext } from '../../common/decider';
import { HolidayCalendar } from '../../calendar/holiday-calendar';
import { OrgDirectory } from '../../org/org-directory';
import { RuleBook, RuleTable } from '../../rules/rule-book';
import { mergeRuleFragments } from '../../rules/rule-tables';
import { HARDSHIP_RULES, dibaoLineFragment } from '../../rules/hardship.rules';
import type { HouseholdPersonal, HouseholdStats } from '../hardship.events';

/** Test fixtures: city → district → street → grassroots, a small inline calendar, hardship rules + 低保 lines. */
export const org = new OrgDirectory([
  { id: 'city', name: '市总工会', level: 1 },
  { id: 'dist-a', name: 'A区总工会', level: 2, parentId: 'city' },
  { id: 'dist-b', name: 'B区总工会', level: 2, parentId: 'city' },
  { id: 'street-a1', name: 'A1街道工会', level: 3, parentId: 'dist-a' },
  { id: 'street-b1', name: 'B1街道工会', level: 3, parentId: 'dist-b' },
  { id: 'gr-a1', name: 'A1某公司工会', level: 4, parentId: 'street-a1' },
  { id: 'gr-a2', name: 'A2某公司工会', level: 4, parentId: 'street-a1' },
  { id: 'gr-b1', name: 'B1某公司工会', level: 4, parentId: 'street-b1' },
]);

/** Inline holiday data (a few official 2025/2026 days), independent of the shipped calendar files. */
export const calendar = new HolidayCalendar([
  {
    year: 2025,
    source: 'test fixture (国办发明电〔2024〕12号, excerpt)',
    revision: 1,
    offDays: ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08'].map((date) => ({
      date,
      name: '国庆节、中秋节',
    })),
    workingWeekendDays: [
      { date: '2025-09-28', name: '国庆节' },
      { date: '2025-10-11', name: '国庆节' },
    ],
  },
  {
    year: 2026,
    source: 'test fixture (2026 arrangement, excerpt)',
    revision: 1,
    offDays: [
      ...['2026-01-01', '2026-01-02', '2026-01-03'].map((date) => ({ date, name: '元旦' })),
      ...['2026-09-25', '2026-09-26', '2026-09-27'].map((date) => ({ date, name: '中秋节' })),
      ...['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'].map((date) => ({ date, name: '国庆节' })),
    ],
    workingWeekendDays: [
      { date: '2026-01-04', name: '元旦' },
      { date: '2026-09-20', name: '中秋节' },
      { date: '2026-10-10', name: '国庆节' },
    ],
  },
]);

export const LOCAL = 'cn-test';
/** 低保 lines: configured at the district (covers every union below it) for 2025 and 2026. */
export const DIBAO = dibaoLineFragment(LOCAL, '2025-01-01', [
  { orgUnit: 'dist-a', year: 2025, yuan: 800 },
  { orgUnit: 'dist-a', year: 2026, yuan: 850 },
  { orgUnit: 'gr-a2', year: 2025, yuan: 900 },
]);

export const ruleBook = (...extra: RuleTable[]): RuleBook => new RuleBook(mergeRuleFragments([...HARDSHIP_RULES, DIBAO, ...extra]));
export const rules = ruleBook();

export const who = (role: Role, orgUnit: string, id = `${role}@${orgUnit}`): Actor => ({ id, role, orgUnit });
export const intakeG = who('intake', 'gr-a1');
export const officerG = who('officer', 'gr-a1');
export const headG = who('head', 'gr-a1');
export const officerS = who('officer', 'street-a1');
export const headS = who('head', 'street-a1');
export const headD = who('head', 'dist-a');
export const supervisorS = who('supervisor', 'street-a1');
export const supervisorD = who('supervisor', 'dist-a');
export const officerB = who('officer', 'street-b1');
export const headB = who('head', 'dist-b');
export const auditorC = who('auditor', 'city');
export const system = SYSTEM_ACTOR;

/** An instant given as CST wall-clock time, e.g. at('2025-09-01T10:00'). */
export const at = (cst: string): string => new Date(`${cst}:00+08:00`).toISOString();

export const ctx = (actor: Actor, now: string, jurisdiction = LOCAL, book: RuleBook = rules): DecisionContext => ({
  actor,
  now,
  calendar,
  rules: book,
  org,
  jurisdiction,
});

/** 低保 800: (3000 − 800) / 3 = 733.33 < 800 → deep. */
export const DEEP: HouseholdStats = {
  membersCount: 3,
  monthlyIncomeYuan: 3000,
  rigidExpenses: { medicalYuan: 800 },
  migrantWorker: false,
  monthsEmployed: 60,
};
/** (4500 − 300) / 3 = 1400 < 1600 → relative. */
export const RELATIVE: HouseholdStats = {
  membersCount: 3,
  monthlyIncomeYuan: 4500,
  rigidExpenses: { educationYuan: 300 },
  migrantWorker: false,
  monthsEmployed: 60,
};
/** 5000 / 2 = 2500 ≥ 1600, but an injury → accident. */
export const ACCIDENT: HouseholdStats = {
  membersCount: 2,
  monthlyIncomeYuan: 5000,
  rigidExpenses: {},
  accident: 'injury',
  migrantWorker: false,
  monthsEmployed: 60,
};
/** 5000 / 2 = 2500 ≥ 1600, no accident → not eligible. */
export const INELIGIBLE: HouseholdStats = {
  membersCount: 2,
  monthlyIncomeYuan: 5000,
  rigidExpenses: {},
  migrantWorker: false,
  monthsEmployed: 60,
};

export const PERSONAL: HouseholdPersonal = {
  headName: '张三',
  idNumber: '110101198001011234',
  phone: '13800000000',
  address: 'A区某街道1号',
  bankAccount: '6222000000000000',
  members: [
    { name: '张三', relation: 'self', age: 45 },
    { name: '李四', relation: 'spouse', age: 43, healthNotes: '慢性肾病' },
    { name: '张小', relation: 'child', age: 12, disabilityNotes: '听力残疾二级' },
  ],
  employer: '某机械厂',
  situation: '妻子长期透析',
};
