import type { Actor, Role } from '../common/actor';
import { SYSTEM_ACTOR } from '../common/actor';
import { DecisionContext, fold } from '../common/decider';
import { DomainError } from '../common/domain-error';
import { defaultCalendar } from '../calendar/data';
import { defaultRuleBook } from '../rules/rule-tables';
import { OrgDirectory } from '../org/org-directory';
import { petitionDecider } from './petition.decider';
import type { PetitionCommand } from './petition.commands';
import type { PetitionEvent } from './petition.events';

const org = new OrgDirectory([
  { id: 'city', name: '市总工会', level: 1 },
  { id: 'east', name: '东城区总工会', level: 2, parentId: 'city' },
  { id: 'west', name: '西城区总工会', level: 2, parentId: 'city' },
  { id: 'east-s1', name: '街道工会', level: 3, parentId: 'east' },
  { id: 'east-s1-g1', name: '基层工会1', level: 4, parentId: 'east-s1' },
  { id: 'east-s1-g2', name: '基层工会2', level: 4, parentId: 'east-s1' },
]);
const who = (role: Role, orgUnit: string): Actor => ({ id: `${role}.${orgUnit}`, role, orgUnit });
const at = (cst: string): string => new Date(`${cst}:00+08:00`).toISOString();
const ctx = (actor: Actor, now: string): DecisionContext => ({ actor, now, calendar: defaultCalendar(), rules: defaultRuleBook(), org, jurisdiction: 'national' });

const register = (over: Partial<Extract<PetitionCommand, { type: 'RegisterPetition' }>> = {}): PetitionCommand => ({
  type: 'RegisterPetition',
  petitionId: 'p-1',
  orgUnit: 'east-s1',
  channel: 'letter',
  category: 'claim',
  subject: '拖欠工资',
  facts: '拖欠三个月工资',
  request: '补发',
  petitioners: [{ name: '张三', idNumber: '110101199001011234' }],
  headcount: 1,
  identityKnown: true,
  ...over,
});

function story(...steps: Array<[PetitionCommand, Actor, string]>): PetitionEvent[] {
  const h: PetitionEvent[] = [];
  for (const [c, a, now] of steps) h.push(...petitionDecider.decide(c, fold(petitionDecider, h), ctx(a, now)));
  return h;
}
const decide = (h: PetitionEvent[], c: PetitionCommand, a: Actor, now: string) => petitionDecider.decide(c, fold(petitionDecider, h), ctx(a, now));
function refused(h: PetitionEvent[], c: PetitionCommand, a: Actor, now: string): { code: string; kind: string } {
  try {
    decide(h, c, a, now);
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, kind: e.kind };
    throw e;
  }
  throw new Error('not refused');
}

const intakeS = who('intake', 'east-s1');
const officerS = who('officer', 'east-s1');
const headS = who('head', 'east-s1');
const registered = story([register(), intakeS, at('2025-09-23T10:00')]);
const accepted = [...registered, ...decide(registered, { type: 'AcceptPetition', signedBy: 'head.east-s1' }, officerS, at('2025-09-24T10:00'))];

describe('reporting upward: collective, urgent and major cases (信访工作条例 art. 25)', () => {
  it('reports at once to the union above, with every reason', () => {
    const events = decide([], register({ channel: 'visit', headcount: 12, urgent: true, major: true }), intakeS, at('2025-09-23T10:00'));
    expect(events.map((e) => e.type)).toEqual(['PetitionRegistered', 'PetitionReportedUpward', 'DeadlineOpened']);
    expect(events[0].data).toMatchObject({ collective: true, urgent: true, major: true });
    expect(events[1].data).toEqual({
      reasons: ['collective', 'urgent', 'major'],
      orgUnit: 'east-s1',
      reportedTo: 'east',
      headcount: 12,
      reportedAt: '2025-09-23T02:00:00.000Z',
      legalBasis: '信访工作条例 art. 25',
    });
    expect(fold(petitionDecider, events)).toMatchObject({ collective: true, urgent: true, major: true });
  });

  it('an ordinary case is not reported; nor is anything at the city federation (nobody above)', () => {
    expect(registered.map((e) => e.type)).toEqual(['PetitionRegistered', 'DeadlineOpened']);
    expect(registered[0].data).not.toHaveProperty('major');
    expect(decide([], register({ orgUnit: 'city', major: true }), who('intake', 'city'), at('2025-09-23T10:00')).map((e) => e.type)).toEqual([
      'PetitionRegistered',
      'DeadlineOpened',
    ]);
  });
});

describe('accusations (检举控告) and the accused org (art. 46(5))', () => {
  const accusation = register({ category: 'accusation', accusedOrgUnit: 'east-s1-g1' });

  it('names the accused org unit, which must exist; other categories name none', () => {
    expect(decide([], accusation, intakeS, at('2025-09-23T10:00'))[0].data).toMatchObject({ category: 'accusation', accusedOrgUnit: 'east-s1-g1' });
    expect(refused([], register({ category: 'accusation' }), intakeS, at('2025-09-23T10:00'))).toEqual({ code: 'ACCUSED_ORG_REQUIRED', kind: 'rule' });
    expect(refused([], register({ category: 'accusation', accusedOrgUnit: 'nowhere' }), intakeS, at('2025-09-23T10:00')).code).toBe('UNKNOWN_ORG_UNIT');
    expect(refused([], register({ accusedOrgUnit: 'east-s1-g1' }), intakeS, at('2025-09-23T10:00')).code).toBe('ACCUSED_ORG_NOT_APPLICABLE');
  });

  it('is never transferred or assigned down to the accused org', () => {
    const h = story([accusation, intakeS, at('2025-09-23T10:00')]);
    expect(fold(petitionDecider, h).accusedOrgUnit).toBe('east-s1-g1');
    expect(refused(h, { type: 'TransferPetition', toOrgUnit: 'east-s1-g1', reason: '属地' }, officerS, at('2025-09-24T10:00')).code).toBe('TARGET_IS_ACCUSED_ORG');
    expect(decide(h, { type: 'TransferPetition', toOrgUnit: 'east-s1-g2', reason: '属地' }, officerS, at('2025-09-24T10:00'))[0].type).toBe('PetitionTransferred');
    const acc = [...h, ...decide(h, { type: 'AcceptPetition', signedBy: 'head.east-s1' }, officerS, at('2025-09-24T10:00'))];
    expect(refused(acc, { type: 'AssignDown', toOrgUnit: 'east-s1-g1', dueDate: '2025-10-20', instructions: '核实' }, officerS, at('2025-09-25T10:00')).code).toBe(
      'TARGET_IS_ACCUSED_ORG',
    );
  });

  it('stores only blind-index keys of ID numbers, never anything that looks like one', () => {
    const key = 'k'.repeat(43);
    expect(decide([], register({ petitionerKeys: [key] }), intakeS, at('2025-09-23T10:00'))[0].data).toMatchObject({ petitionerKeys: [key] });
    expect(refused([], register({ petitionerKeys: ['11010119900101123X'] }), intakeS, at('2025-09-23T10:00')).code).toBe('INVALID_PETITIONER_KEYS');
  });
});

describe('督办: supervising with a required written reply', () => {
  const supervisorD = who('supervisor', 'east');
  const supervise: PetitionCommand = { type: 'SupervisePetition', dueDate: '2025-10-20', instructions: '请于10月20日前书面答复办理情况' };

  it('a supervisor above the case opens the reply deadline, owned by the case unit, with its own ladder', () => {
    const events = decide(accepted, supervise, supervisorD, at('2025-09-26T10:00'));
    expect(events.map((e) => e.type)).toEqual(['PetitionSupervised', 'DeadlineOpened']);
    expect(events[0].data).toEqual({
      supervisionId: 'supervisionReply-1',
      byOrgUnit: 'east',
      toOrgUnit: 'east-s1',
      dueDate: '2025-10-20',
      instructions: '请于10月20日前书面答复办理情况',
      supervisedBy: 'supervisor.east',
      supervisedAt: '2025-09-26T02:00:00.000Z',
    });
    expect(events[1].data).toMatchObject({
      deadlineId: 'supervisionReply-1',
      kind: 'supervisionReply',
      ownerOrgUnit: 'east-s1',
      dueAt: '2025-10-20T16:00:00.000Z',
      onExpiry: 'miss',
      ladder: [{ step: 'approaching' }, { step: 'dueSoon' }, { step: 'missed', level: 1 }, { step: 'escalated', level: 2 }],
    });
  });

  it('only from above the case unit, by a supervisor or head, never an auditor; the due date lies ahead', () => {
    expect(refused(accepted, supervise, who('supervisor', 'east-s1'), at('2025-09-26T10:00'))).toEqual({ code: 'NOT_ABOVE_CASE_UNIT', kind: 'forbidden' });
    expect(refused(accepted, supervise, who('supervisor', 'west'), at('2025-09-26T10:00'))).toEqual({ code: 'OUTSIDE_ORG_SUBTREE', kind: 'forbidden' });
    expect(refused(accepted, supervise, who('auditor', 'city'), at('2025-09-26T10:00'))).toEqual({ code: 'ROLE_NOT_ALLOWED', kind: 'forbidden' });
    expect(refused(accepted, supervise, who('officer', 'east'), at('2025-09-26T10:00'))).toEqual({ code: 'ROLE_NOT_ALLOWED', kind: 'forbidden' });
    expect(decide(accepted, supervise, who('head', 'city'), at('2025-09-26T10:00'))[0].type).toBe('PetitionSupervised');
    expect(refused(accepted, { ...supervise, dueDate: '2025-09-26' } as PetitionCommand, supervisorD, at('2025-09-26T10:00')).code).toBe('DUE_DATE_NOT_IN_FUTURE');
  });

  it('the supervised unit replies in writing, which fulfils the duty; late replies count as late', () => {
    const supervised = [...accepted, ...decide(accepted, supervise, supervisorD, at('2025-09-26T10:00'))];
    const reply: PetitionCommand = { type: 'ReplyToSupervision', supervisionId: 'supervisionReply-1', reply: '已约谈企业，欠薪将于10月底前付清' };
    expect(decide(supervised, reply, headS, at('2025-10-20T18:00'))).toEqual([
      {
        type: 'SupervisionReplied',
        data: { supervisionId: 'supervisionReply-1', reply: '已约谈企业，欠薪将于10月底前付清', repliedBy: 'head.east-s1', repliedAt: '2025-10-20T10:00:00.000Z', onTime: true },
      },
      { type: 'DeadlineMet', data: { deadlineId: 'supervisionReply-1', kind: 'supervisionReply', metAt: '2025-10-20T10:00:00.000Z', late: false } },
    ]);
    expect(decide(supervised, reply, officerS, at('2025-10-22T10:00'))).toMatchObject([{ data: { onTime: false } }, { data: { late: true } }]);
    expect(refused(supervised, reply, supervisorD, at('2025-10-01T10:00')).kind).toBe('forbidden');
    expect(refused(supervised, { ...reply, supervisionId: 'handling-1' } as PetitionCommand, headS, at('2025-10-01T10:00')).code).toBe('NO_SUCH_SUPERVISION');
    expect(refused(supervised, { ...reply, reply: ' ' } as PetitionCommand, headS, at('2025-10-01T10:00')).code).toBe('REPLY_REQUIRED');
    const replied = [...supervised, ...decide(supervised, reply, headS, at('2025-10-01T10:00'))];
    expect(refused(replied, reply, headS, at('2025-10-02T10:00')).code).toBe('SUPERVISION_ALREADY_ANSWERED');
    // A later 督办 opens its own reply deadline.
    const again = [...replied, ...decide(replied, supervise, supervisorD, at('2025-10-02T10:00'))];
    expect(fold(petitionDecider, again).deadlines['supervisionReply-2']).toMatchObject({ status: 'open' });
  });
});

describe('repeat petitions are linked to the case (信访工作条例 art. 19, 36)', () => {
  const repeat = (over: Partial<Extract<PetitionCommand, { type: 'RecordRepeatPetition' }>> = {}): PetitionCommand => ({
    type: 'RecordRepeatPetition',
    receivedAtOrgUnit: 'east',
    channel: 'visit',
    headcount: 2,
    facts: '仍未解决',
    ...over,
  });

  it('while the case is open, recorded by a user above the case, received at a unit of their subtree', () => {
    const events = decide(accepted, repeat(), who('intake', 'east'), at('2025-10-01T10:00'));
    expect(events).toEqual([
      {
        type: 'RepeatPetitionReceived',
        data: {
          orgUnit: 'east-s1',
          receivedAtOrgUnit: 'east',
          channel: 'visit',
          headcount: 2,
          facts: '仍未解决',
          receivedAt: '2025-10-01T02:00:00.000Z',
          receivedBy: 'intake.east',
          afterRecheck: false,
          legalBasis: '信访工作条例 art. 19, 36',
        },
      },
    ]);
    expect(fold(petitionDecider, [...accepted, ...events]).repeats).toBe(1);
    expect(refused(accepted, repeat({ receivedAtOrgUnit: 'west' }), who('intake', 'east'), at('2025-10-01T10:00')).code).toBe('OUTSIDE_ORG_SUBTREE');
    expect(refused(accepted, repeat(), who('auditor', 'city'), at('2025-10-01T10:00')).code).toBe('ROLE_NOT_ALLOWED');
  });

  // Issue 11 defect 2: nobody appends to a case outside their subtree, whatever unit they received the repeat at.
  it('a user of another district or of a unit below the case may not record a repeat on it', () => {
    expect(refused(accepted, repeat({ receivedAtOrgUnit: 'west' }), who('intake', 'west'), at('2025-10-01T10:00'))).toEqual({ code: 'OUTSIDE_ORG_SUBTREE', kind: 'forbidden' });
    expect(refused(accepted, repeat({ receivedAtOrgUnit: 'east-s1-g1' }), who('intake', 'east-s1-g1'), at('2025-10-01T10:00'))).toEqual({
      code: 'OUTSIDE_ORG_SUBTREE',
      kind: 'forbidden',
    });
  });

  it('a user of the accused org may not record a repeat on the accusation, even from above its unit', () => {
    const accusation = story([register({ category: 'accusation', accusedOrgUnit: 'east-s1', orgUnit: 'east' }), who('intake', 'east'), at('2025-09-23T10:00')]);
    expect(refused(accusation, repeat({ receivedAtOrgUnit: 'east-s1' }), who('officer', 'east-s1'), at('2025-10-01T10:00')).code).toBe('OUTSIDE_ORG_SUBTREE');
    expect(decide(accusation, repeat(), who('intake', 'east'), at('2025-10-01T10:00'))[0].type).toBe('RepeatPetitionReceived');
  });

  it('Hearth links the petition registered at another unit, naming it, and only such a petition', () => {
    const linked = decide(accepted, repeat({ receivedAtOrgUnit: 'west', linkedPetitionId: 'p-west' }), SYSTEM_ACTOR, at('2025-10-01T10:00'));
    expect(linked).toMatchObject([{ type: 'RepeatPetitionReceived', data: { orgUnit: 'east-s1', receivedAtOrgUnit: 'west', linkedPetitionId: 'p-west', receivedBy: 'system' } }]);
    expect(refused(accepted, repeat({ receivedAtOrgUnit: 'west' }), SYSTEM_ACTOR, at('2025-10-01T10:00')).code).toBe('LINKED_PETITION_REQUIRED');
    // A person's link never carries a linked petition id (it is Hearth's record of where the repeat went).
    expect(decide(accepted, repeat({ linkedPetitionId: 'p-x' }), who('intake', 'east'), at('2025-10-01T10:00'))[0].data).not.toHaveProperty('linkedPetitionId');
  });

  it('after 复核 closed the case it is still linked; after any other closure it is not', () => {
    const withdrawn = [...accepted, ...decide(accepted, { type: 'ClosePetition', reason: 'withdrawn' }, headS, at('2025-09-30T10:00'))];
    expect(refused(withdrawn, repeat(), who('intake', 'east'), at('2025-10-01T10:00')).code).toBe('CASE_NOT_LINKABLE');
    const rechecked: PetitionEvent[] = [
      ...accepted,
      { type: 'PetitionClosed', data: { reason: 'rechecked', closedAt: at('2025-12-01T10:00'), closedBy: 'head.city' } },
    ];
    expect(decide(rechecked, repeat(), who('intake', 'east'), at('2025-12-05T10:00'))).toMatchObject([{ data: { afterRecheck: true } }]);
  });
});

// Issue 11: whoever could never take the step is refused (403) whatever state the case is in, so a refusal tells an
// outsider nothing of whether a 督办 or a review exists.
describe('scope before state', () => {
  const forbiddenCode = (h: PetitionEvent[], c: PetitionCommand, a: Actor) => refused(h, c, a, at('2025-10-01T10:00'));

  it('a 督办 reply: only the supervised unit learns whether there is such a 督办', () => {
    const reply: PetitionCommand = { type: 'ReplyToSupervision', supervisionId: 'supervisionReply-1', reply: '已办理' };
    for (const actor of [who('head', 'east'), who('officer', 'city')])
      expect(forbiddenCode(accepted, reply, actor)).toEqual({ code: 'NOT_SUPERVISED_UNIT', kind: 'forbidden' });
    expect(forbiddenCode(accepted, reply, headS)).toEqual({ code: 'NO_SUCH_SUPERVISION', kind: 'rule' });
  });

  it('a review or recheck decision: only the (would-be) reviewing or rechecking union learns the case’s state', () => {
    const review: PetitionCommand = { type: 'DecideReview', outcome: 'upheld', facts: 'x', legalBasis: 'y' } as PetitionCommand;
    const recheck: PetitionCommand = { type: 'DecideRecheck', outcome: 'upheld', facts: 'x', legalBasis: 'y' } as PetitionCommand;
    expect(forbiddenCode(accepted, review, officerS)).toEqual({ code: 'NOT_REVIEW_BODY', kind: 'forbidden' });
    expect(forbiddenCode(accepted, review, who('officer', 'east'))).toEqual({ code: 'INVALID_TRANSITION', kind: 'rule' });
    for (const actor of [officerS, who('head', 'east')]) expect(forbiddenCode(accepted, recheck, actor)).toEqual({ code: 'NOT_RECHECK_BODY', kind: 'forbidden' });
    expect(forbiddenCode(accepted, recheck, who('head', 'city'))).toEqual({ code: 'INVALID_TRANSITION', kind: 'rule' });
  });

  it('a 督办 from the case’s own unit, an objection to a transfer from another unit, a report from outside the 交办', () => {
    const closed = [...accepted, ...decide(accepted, { type: 'ClosePetition', reason: 'withdrawn' }, headS, at('2025-09-30T10:00'))];
    const supervise: PetitionCommand = { type: 'SupervisePetition', dueDate: '2025-10-20', instructions: '限期答复' };
    expect(forbiddenCode(closed, supervise, headS)).toEqual({ code: 'NOT_ABOVE_CASE_UNIT', kind: 'forbidden' });
    expect(forbiddenCode(closed, supervise, who('supervisor', 'east'))).toEqual({ code: 'INVALID_TRANSITION', kind: 'rule' });
    // Never transferred: a head above learns nothing of that; the case's own head is told.
    const object: PetitionCommand = { type: 'ObjectToTransfer', reasons: '不属本单位' };
    expect(forbiddenCode(registered, object, who('head', 'east'))).toEqual({ code: 'NOT_RECEIVING_UNIT', kind: 'forbidden' });
    expect(forbiddenCode(registered, object, headS)).toEqual({ code: 'NOT_TRANSFERRED', kind: 'rule' });
    // A 交办 whose report was already given: another unit is refused as before the report.
    const assigned = [...accepted, ...decide(accepted, { type: 'AssignDown', toOrgUnit: 'east-s1-g1', dueDate: '2025-10-20', instructions: '核实' }, officerS, at('2025-09-25T10:00'))];
    const report: PetitionCommand = { type: 'SubmitCompletionReport', report: '已办结' };
    const reported = [...assigned, ...decide(assigned, report, who('officer', 'east-s1-g1'), at('2025-09-28T10:00'))];
    for (const h of [assigned, reported]) expect(forbiddenCode(h, report, officerS)).toEqual({ code: 'NOT_ASSIGNED_UNIT', kind: 'forbidden' });
    expect(forbiddenCode(reported, report, who('officer', 'east-s1-g1'))).toEqual({ code: 'NO_PENDING_ASSIGNMENT', kind: 'rule' });
  });
});

describe('system', () => {
  it('the timer role never supervises', () => {
    expect(refused(accepted, { type: 'SupervisePetition', dueDate: '2025-10-20', instructions: 'x' }, SYSTEM_ACTOR, at('2025-09-26T10:00')).code).toBe('ROLE_NOT_ALLOWED');
  });
});
