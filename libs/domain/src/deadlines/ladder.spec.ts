import type { Actor, Role } from '../common/actor';
import { SYSTEM_ACTOR } from '../common/actor';
import { DecisionContext, fold } from '../common/decider';
import { DomainError } from '../common/domain-error';
import { defaultCalendar } from '../calendar/data';
import { endOfDay } from '../calendar/local-date';
import { mergeRuleFragments, RULE_TABLES } from '../rules/rule-tables';
import { RuleBook } from '../rules/rule-book';
import { PETITION_RULES } from '../rules/petition.rules';
import { OrgDirectory } from '../org/org-directory';
import { petitionDecider } from '../petition/petition.decider';
import type { PetitionCommand } from '../petition/petition.commands';
import type { PetitionEvent } from '../petition/petition.events';
import { mediationDecider } from '../mediation/mediation.decider';
import type { MediationCommand } from '../mediation/mediation.commands';
import type { MediationEvent } from '../mediation/mediation.events';
import { computeLadder, decideLadderStep } from './deadline.decisions';
import type { DeadlineOpened, LadderEntry } from './deadline.events';

/**
 *   city (L1) ── east (L2) ── east-s1 (L3) ── east-s1-g1 (L4)
 */
const org = new OrgDirectory([
  { id: 'city', name: '市总工会', level: 1 },
  { id: 'east', name: '东城区总工会', level: 2, parentId: 'city' },
  { id: 'east-s1', name: '街道工会', level: 3, parentId: 'east' },
  { id: 'east-s1-g1', name: '基层工会', level: 4, parentId: 'east-s1' },
]);
const calendar = defaultCalendar();
const nationalRules = new RuleBook(RULE_TABLES);
/** The demo configuration: a third level, so a grassroots duty climbs to the city federation. */
const threeLevels = new RuleBook(
  mergeRuleFragments([...RULE_TABLES, { jurisdiction: 'national', effectiveFrom: '2025-01-01', deadlines: {}, limits: { 'ladder.escalation.levels': 3 } }]),
);

const who = (role: Role, orgUnit: string): Actor => ({ id: `${role}.${orgUnit}`, role, orgUnit });
const at = (cst: string): string => new Date(`${cst}:00+08:00`).toISOString();
const ctx = (actor: Actor, now: string, rules = threeLevels): DecisionContext => ({ actor, now, calendar, rules, org, jurisdiction: 'national' });
const system = SYSTEM_ACTOR;

const register: PetitionCommand = {
  type: 'RegisterPetition',
  petitionId: 'p-1',
  orgUnit: 'east-s1-g1',
  channel: 'letter',
  category: 'claim',
  subject: '拖欠工资',
  facts: '拖欠三个月工资',
  request: '补发',
  petitioners: [{ name: '张三' }],
  headcount: 1,
  identityKnown: true,
};

function run(history: PetitionEvent[], command: PetitionCommand, c: DecisionContext): PetitionEvent[] {
  return petitionDecider.decide(command, fold(petitionDecider, history), c);
}
function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
  return undefined;
}

// Received Tue 2025-09-23 at the grassroots union: acceptance due Thu 10/9 (15 days, 10/8 is a holiday).
const registered = run([], register, ctx(who('intake', 'east-s1-g1'), at('2025-09-23T10:00')));
const opened = registered.find((e): e is DeadlineOpened => e.type === 'DeadlineOpened')!;
const expire = (step: LadderEntry['step'], rung: Partial<LadderEntry> = {}): PetitionCommand => {
  const r = opened.data.ladder!.find((x) => x.step === step && (rung.level === undefined || x.level === rung.level))!;
  return { type: 'ExpireDeadline', deadlineId: 'acceptance-1', step, ...(r.level !== undefined ? { level: r.level } : {}), at: rung.at ?? r.at };
};

describe('the deadline ladder (domain-spec §0)', () => {
  it('is computed when the deadline opens and stored on the event: approaching, dueSoon, 催办, then 督办 one level up per 5 working days', () => {
    expect(opened.data.dueAt).toBe('2025-10-09T16:00:00.000Z');
    expect(opened.data.ladder).toEqual([
      // Only 3 working days left from Mon 9/29 on (9/29, 9/30, 10/9; Sun 9/28 is a make-up working day).
      { step: 'approaching', at: '2025-09-28T16:00:00.000Z' },
      // One day before the due time.
      { step: 'dueSoon', at: '2025-10-08T16:00:00.000Z' },
      { step: 'missed', level: 1, at: '2025-10-09T16:00:00.000Z' },
      // 10/9 + 5 working days = Wed 10/15 (Sat 10/11 is a make-up working day); + 10 = Wed 10/22.
      { step: 'escalated', level: 2, at: '2025-10-15T16:00:00.000Z' },
      { step: 'escalated', level: 3, at: '2025-10-22T16:00:00.000Z' },
    ]);
  });

  it('takes its offsets and levels from the rule book, and stops where the org tree ends', () => {
    const d = { dueDate: '2025-10-09', dueAt: endOfDay('2025-10-09'), onExpiry: 'miss' as const };
    const c = ctx(system, at('2025-09-23T10:00'), nationalRules);
    // National default: two levels.
    expect(computeLadder({ ...d, ownerOrgUnit: 'east-s1-g1' }, '2025-09-23', c)!.map((r) => r.level ?? r.step)).toEqual(['approaching', 'dueSoon', 1, 2]);
    // Owned by a district: only the city is above it.
    expect(computeLadder({ ...d, ownerOrgUnit: 'east' }, '2025-09-23', c)!.map((r) => r.level ?? r.step)).toEqual(['approaching', 'dueSoon', 1]);
    // Another table: 5 working days' warning, no dueSoon, 2 working days between levels.
    const local = new RuleBook(
      mergeRuleFragments([
        ...RULE_TABLES,
        {
          jurisdiction: 'national',
          effectiveFrom: '2025-01-01',
          deadlines: {},
          limits: { 'ladder.approaching.workingDaysBefore': 5, 'ladder.dueSoon.daysBefore': 0, 'ladder.escalation.workingDaysAfter': 2 },
        },
      ]),
    );
    expect(computeLadder({ ...d, ownerOrgUnit: 'east-s1-g1' }, '2025-09-23', ctx(system, at('2025-09-23T10:00'), local))).toEqual([
      { step: 'approaching', at: '2025-09-25T16:00:00.000Z' },
      { step: 'missed', level: 1, at: '2025-10-09T16:00:00.000Z' },
      // 10/9 + 2 working days: Fri 10/10, Sat 10/11 (a make-up working day).
      { step: 'escalated', level: 2, at: '2025-10-11T16:00:00.000Z' },
    ]);
    // The rule in force on the day the deadline opened applies: before the local table, the national one.
    expect(computeLadder({ ...d, ownerOrgUnit: 'east-s1-g1' }, '2024-12-31', ctx(system, at('2024-12-31T10:00'), local))!.length).toBe(4);
  });

  it('leaves out reminders already past when the deadline opens; windows and rule books without a ladder have none', () => {
    const c = ctx(system, at('2025-10-08T10:00'));
    const late = computeLadder({ dueDate: '2025-10-09', dueAt: endOfDay('2025-10-09'), ownerOrgUnit: 'east-s1-g1', onExpiry: 'miss' }, '2025-10-08', c)!;
    expect(late.map((r) => r.step)).toEqual(['dueSoon', 'missed', 'escalated', 'escalated']);
    expect(computeLadder({ dueDate: '2025-10-09', dueAt: endOfDay('2025-10-09'), ownerOrgUnit: 'east-s1-g1', onExpiry: 'lapse' }, '2025-09-23', c)).toBeUndefined();
    const noLadder = new RuleBook(PETITION_RULES);
    expect(run([], register, ctx(who('intake', 'east-s1-g1'), at('2025-09-23T10:00'), noLadder))[1].data).not.toHaveProperty('ladder');
  });

  it('a petition left alone climbs the whole ladder, each step an event naming the next rung', () => {
    let h = registered;
    const step = (command: PetitionCommand, now: string) => {
      const out = run(h, command, ctx(system, now));
      h = [...h, ...out];
      return out;
    };
    expect(step(expire('approaching'), '2025-09-29T00:00:00+08:00')).toEqual([
      {
        type: 'DeadlineApproaching',
        data: {
          deadlineId: 'acceptance-1',
          kind: 'acceptance',
          dueAt: '2025-10-09T16:00:00.000Z',
          raisedAt: '2025-09-28T16:00:00.000Z',
          ownerOrgUnit: 'east-s1-g1',
          next: { step: 'dueSoon', at: '2025-10-08T16:00:00.000Z' },
        },
      },
    ]);
    expect(step(expire('dueSoon'), '2025-10-09T09:00:00+08:00')).toMatchObject([{ type: 'DeadlineDueSoon', data: { next: { step: 'missed', level: 1 } } }]);
    expect(step(expire('missed'), '2025-10-10T00:00:00+08:00')).toMatchObject([
      { type: 'DeadlineMissed', data: { level: 1, escalateTo: 'east-s1', next: { step: 'escalated', level: 2, at: '2025-10-15T16:00:00.000Z' } } },
    ]);
    expect(step(expire('escalated', { level: 2 }), '2025-10-16T00:00:00+08:00')).toEqual([
      {
        type: 'DeadlineEscalated',
        data: {
          deadlineId: 'acceptance-1',
          kind: 'acceptance',
          dueAt: '2025-10-09T16:00:00.000Z',
          escalatedAt: '2025-10-15T16:00:00.000Z',
          ownerOrgUnit: 'east-s1-g1',
          escalateTo: 'east',
          level: 2,
          next: { step: 'escalated', level: 3, at: '2025-10-22T16:00:00.000Z' },
        },
      },
    ]);
    expect(step(expire('escalated', { level: 3 }), '2025-10-23T00:00:00+08:00')).toMatchObject([
      { type: 'DeadlineEscalated', data: { escalateTo: 'city', level: 3, next: null } },
    ]);
    const d = fold(petitionDecider, h).deadlines['acceptance-1'];
    expect(d).toMatchObject({ status: 'missed', escalationLevel: 3, reached: ['approaching', 'dueSoon', 'missed', 'escalated:2', 'escalated:3'] });
    // A repeated timer decides nothing.
    expect(step(expire('escalated', { level: 2 }), '2025-10-24T00:00:00+08:00')).toEqual([]);
    expect(step(expire('approaching'), '2025-10-24T00:00:00+08:00')).toEqual([]);
  });

  it('a timer that fires early is refused so it is retried; one for a rung no longer on the ladder decides nothing', () => {
    expect(codeOf(() => run(registered, expire('approaching'), ctx(system, '2025-09-28T23:59:00+08:00')))).toBe('DEADLINE_NOT_DUE');
    expect(codeOf(() => run(registered, expire('escalated', { level: 2 }), ctx(system, '2025-10-15T12:00:00+08:00')))).toBe('DEADLINE_NOT_DUE');
    // A timer armed for another instant (the deadline moved since) is stale.
    expect(run(registered, expire('approaching', { at: '2025-09-20T16:00:00.000Z' }), ctx(system, at('2025-09-29T09:00')))).toEqual([]);
    // A rung the ladder does not have.
    expect(run(registered, { type: 'ExpireDeadline', deadlineId: 'acceptance-1', step: 'escalated', level: 4, at: '2025-10-29T16:00:00.000Z' }, ctx(system, at('2025-11-01T09:00')))).toEqual(
      [],
    );
    // A timer from before ladders existed (no step) is the due time.
    expect(run(registered, { type: 'ExpireDeadline', deadlineId: 'acceptance-1' }, ctx(system, at('2025-10-10T09:00')))).toMatchObject([
      { type: 'DeadlineMissed', data: { level: 1 } },
    ]);
  });

  it('fulfilling the duty ends the ladder: later timers decide nothing', () => {
    const accepted = [...registered, ...run(registered, { type: 'AcceptPetition', signedBy: 'head.east-s1-g1' }, ctx(who('officer', 'east-s1-g1'), at('2025-10-09T10:00')))];
    expect(run(accepted, expire('missed'), ctx(system, at('2025-10-10T09:00')))).toEqual([]);
    expect(run(accepted, expire('escalated', { level: 2 }), ctx(system, at('2025-10-16T09:00')))).toEqual([]);
  });

  it('acknowledging a level is for that level’s unit or one above; it does not stop the next level', () => {
    let h = [...registered];
    for (const [c, now] of [
      [expire('missed'), at('2025-10-10T09:00')],
      [expire('escalated', { level: 2 }), at('2025-10-16T09:00')],
    ] as const)
      h = [...h, ...run(h, c, ctx(system, now))];
    const ack = (level: number): PetitionCommand => ({ type: 'AcknowledgeEscalation', deadlineId: 'acceptance-1', level, note: '已督促' });
    expect(codeOf(() => run(h, ack(2), ctx(who('supervisor', 'east-s1'), at('2025-10-16T10:00'))))).toBe('OUTSIDE_ESCALATION_SCOPE');
    expect(run(h, ack(1), ctx(who('supervisor', 'east-s1'), at('2025-10-16T10:00')))).toMatchObject([
      { type: 'EscalationAcknowledged', data: { level: 1, acknowledgedBy: 'supervisor.east-s1' } },
    ]);
    expect(run(h, ack(2), ctx(who('supervisor', 'city'), at('2025-10-16T10:00')))).toMatchObject([{ type: 'EscalationAcknowledged', data: { level: 2 } }]);
    expect(codeOf(() => run(h, ack(3), ctx(who('supervisor', 'city'), at('2025-10-16T10:00'))))).toBe('NO_ESCALATION_AT_LEVEL');
    const acked1 = [...h.slice(0, h.length - 1), ...run(h.slice(0, h.length - 1), ack(1), ctx(who('supervisor', 'east-s1'), at('2025-10-10T10:00')))];
    expect(fold(petitionDecider, acked1).deadlines['acceptance-1'].acknowledgedLevels).toEqual([1]);
    expect(run(acked1, expire('escalated', { level: 2 }), ctx(system, at('2025-10-16T09:00')))).toMatchObject([{ type: 'DeadlineEscalated', data: { level: 2 } }]);
  });

  it('a move (extension) stores a new ladder and starts it afresh; the old rungs are stale', () => {
    const officer = who('officer', 'east-s1-g1');
    const head = who('head', 'east-s1-g1');
    let h = [...registered];
    for (const [c, a, now] of [
      [{ type: 'AcceptPetition', signedBy: 'head.east-s1-g1' }, officer, at('2025-09-25T10:00')],
      [{ type: 'AssignHandler', officerId: 'officer.east-s1-g1' }, head, at('2025-09-25T11:00')],
    ] as const)
      h = [...h, ...run(h, c as PetitionCommand, ctx(a, now))];
    const handling = fold(petitionDecider, h).deadlines['handling-1'];
    const approaching = handling.ladder!.find((r) => r.step === 'approaching')!;
    // The approaching reminder goes to the handler, the assigned officer.
    const fired = run(h, { type: 'ExpireDeadline', deadlineId: 'handling-1', step: 'approaching', at: approaching.at }, ctx(system, approaching.at));
    expect(fired).toMatchObject([{ type: 'DeadlineApproaching', data: { assignee: 'officer.east-s1-g1', ownerOrgUnit: 'east-s1-g1' } }]);
    h = [...h, ...fired];
    const moved = run(h, { type: 'ExtendHandling', reason: '情况复杂', days: 30 }, ctx(head, at('2025-11-20T10:00')));
    const move = moved.find((e) => e.type === 'DeadlineMoved')!;
    expect(move.data).toMatchObject({ dueDate: '2025-12-24', ladder: [{ step: 'approaching', at: '2025-12-19T16:00:00.000Z' }, { step: 'dueSoon' }, { step: 'missed' }, { step: 'escalated', level: 2 }, { step: 'escalated', level: 3 }] });
    h = [...h, ...moved];
    expect(fold(petitionDecider, h).deadlines['handling-1'].reached).toEqual([]);
    expect(run(h, { type: 'ExpireDeadline', deadlineId: 'handling-1', step: 'approaching', at: approaching.at }, ctx(system, at('2025-12-20T09:00')))).toEqual([]);
    expect(run(h, { type: 'ExpireDeadline', deadlineId: 'handling-1', step: 'approaching', at: '2025-12-19T16:00:00.000Z' }, ctx(system, at('2025-12-20T09:00')))).toMatchObject([
      { type: 'DeadlineApproaching' },
    ]);
  });

  it('is the same for every workflow: a mediation acceptance duty climbs through the mediation decider', () => {
    const street = 'east-s1';
    const apply: MediationCommand = {
      type: 'ApplyForMediation',
      mediationId: 'm-1',
      orgUnit: street,
      form: 'written',
      workers: [{ workerId: 'w1', name: '工人1', migrantWorker: true }],
      employer: { name: '某建筑公司' },
      facts: '拖欠工资',
      claims: [{ type: 'wages', amountYuan: 30000 }],
      headcount: 1,
      commonClaim: false,
      disputeDate: '2025-09-01',
    };
    const mrun = (h: MediationEvent[], c: MediationCommand, x: DecisionContext) => mediationDecider.decide(c, fold(mediationDecider, h), x);
    const applied = mrun([], apply, ctx(who('intake', street), at('2025-09-23T10:00')));
    const acceptance = applied.find((e): e is DeadlineOpened => e.type === 'DeadlineOpened' && (e.data as { kind: string }).kind === 'acceptance')!;
    // 3 working days: due Fri 9/26; the approaching reminder when only 3 working days remain (from Wed 9/24 on).
    expect(acceptance.data.ladder).toEqual([
      { step: 'approaching', at: '2025-09-23T16:00:00.000Z' },
      { step: 'dueSoon', at: '2025-09-25T16:00:00.000Z' },
      { step: 'missed', level: 1, at: '2025-09-26T16:00:00.000Z' },
      // 9/26 + 5 working days: Sun 9/28 (make-up), 9/29, 9/30, then after the holiday 10/9 and 10/10.
      { step: 'escalated', level: 2, at: '2025-10-10T16:00:00.000Z' },
    ]);
    const missed = mrun(applied, { type: 'ExpireDeadline', deadlineId: acceptance.data.deadlineId, step: 'missed', at: '2025-09-26T16:00:00.000Z' }, ctx(system, at('2025-09-27T09:00')));
    expect(missed).toMatchObject([{ type: 'DeadlineMissed', data: { escalateTo: 'east', level: 1 } }]);
    const esc = mrun(
      [...applied, ...missed],
      { type: 'ExpireDeadline', deadlineId: acceptance.data.deadlineId, step: 'escalated', level: 2, at: '2025-10-10T16:00:00.000Z' },
      ctx(system, at('2025-10-11T09:00')),
    );
    expect(esc).toMatchObject([{ type: 'DeadlineEscalated', data: { escalateTo: 'city', level: 2, next: null } }]);
    // The statutory 15-day clock is a window: no ladder.
    expect(applied.find((e) => e.type === 'DeadlineOpened' && (e.data as { kind: string }).kind === 'statutory')!.data).not.toHaveProperty('ladder');
  });

  it('decideLadderStep needs a known deadline', () => {
    expect(codeOf(() => decideLadderStep({}, { deadlineId: 'x-1', step: 'missed' }, ctx(system, at('2025-10-10T09:00'))))).toBe('DEADLINE_NOT_FOUND');
  });
});
