import type { Actor, Role } from '../common/actor';
import { SYSTEM_ACTOR } from '../common/actor';
import { DecisionContext, fold } from '../common/decider';
import { DomainError } from '../common/domain-error';
import { defaultCalendar } from '../calendar/data';
import { defaultRuleBook } from '../rules/rule-tables';
import { OrgDirectory } from '../org/org-directory';
import type { DeadlineOpened } from '../deadlines/deadline.events';
import { petitionDecider } from './petition.decider';
import type { PetitionCommand } from './petition.commands';
import type { PetitionEvent } from './petition.events';
import type { PetitionState } from './petition.state';

// ---------------------------------------------------------------------------------------------
// Fixtures: a small org tree (city → district → street → grassroots) and actors in it.
// ---------------------------------------------------------------------------------------------

const org = new OrgDirectory([
  { id: 'city', name: '市总工会', level: 1 },
  { id: 'dist-a', name: 'A区总工会', level: 2, parentId: 'city' },
  { id: 'dist-b', name: 'B区总工会', level: 2, parentId: 'city' },
  { id: 'street-a1', name: 'A1街道工会', level: 3, parentId: 'dist-a' },
  { id: 'street-a2', name: 'A2街道工会', level: 3, parentId: 'dist-a' },
  { id: 'gr-a1', name: 'A1某公司工会', level: 4, parentId: 'street-a1' },
]);
const calendar = defaultCalendar();
const rules = defaultRuleBook();

const who = (role: Role, orgUnit: string, id = `${role}@${orgUnit}`): Actor => ({ id, role, orgUnit });
const intakeS = who('intake', 'street-a1');
const officerS = who('officer', 'street-a1');
const headS = who('head', 'street-a1');
const officerD = who('officer', 'dist-a');
const headD = who('head', 'dist-a');
const supervisorD = who('supervisor', 'dist-a');
const officerC = who('officer', 'city');
const headC = who('head', 'city');
const supervisorC = who('supervisor', 'city');
const auditorC = who('auditor', 'city');
const officerB = who('officer', 'dist-b');
const headB = who('head', 'dist-b');
const officerG = who('officer', 'gr-a1');
const system = SYSTEM_ACTOR;

/** An instant given as China Standard Time wall-clock time, e.g. at('2025-09-23T10:00'). */
const at = (cst: string): string => new Date(`${cst}:00+08:00`).toISOString();

const ctx = (actor: Actor, now: string, jurisdiction = 'national'): DecisionContext => ({ actor, now, calendar, rules, org, jurisdiction });

// ---------------------------------------------------------------------------------------------
// given(events).when(command, ctx).then(events) / .thenThrows(code)
// ---------------------------------------------------------------------------------------------

function given(...histories: PetitionEvent[][]) {
  const history = histories.flat();
  const state: PetitionState = fold(petitionDecider, history);
  return {
    state,
    when(command: PetitionCommand, context: DecisionContext) {
      const run = () => petitionDecider.decide(command, state, context);
      return {
        then(expected: PetitionEvent[]): PetitionEvent[] {
          const events = run();
          expect(events).toEqual(expected);
          return events;
        },
        /** Partial match, event by event, with the same number of events. */
        thenMatch(expected: Array<{ type: string; data?: unknown }>): PetitionEvent[] {
          const events = run();
          expect(events.map((e) => e.type)).toEqual(expected.map((e) => e.type));
          expect(events).toMatchObject(expected);
          return events;
        },
        thenThrows(code: string, kind: DomainError['kind'] = 'rule'): DomainError {
          let caught: unknown;
          try {
            run();
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(DomainError);
          const err = caught as DomainError;
          expect({ code: err.code, kind: err.kind }).toEqual({ code, kind });
          return err;
        },
        /** The state after the decision's events. */
        state(): PetitionState {
          return fold(petitionDecider, [...history, ...run()]);
        },
      };
    },
  };
}

/** Build a history by running commands through the decider itself. */
function story(...steps: Array<[PetitionCommand, DecisionContext]>): PetitionEvent[] {
  const events: PetitionEvent[] = [];
  for (const [command, context] of steps) events.push(...petitionDecider.decide(command, fold(petitionDecider, events), context));
  return events;
}

const register = (over: Partial<Extract<PetitionCommand, { type: 'RegisterPetition' }>> = {}): PetitionCommand => ({
  type: 'RegisterPetition',
  petitionId: 'p-1',
  orgUnit: 'street-a1',
  channel: 'letter',
  category: 'claim',
  subject: '拖欠工资',
  facts: '某公司拖欠三个月工资',
  request: '协调支付欠薪',
  petitioners: [{ name: '张三', phone: '13800000000' }],
  headcount: 1,
  identityKnown: true,
  ...over,
});
const accept: PetitionCommand = { type: 'AcceptPetition', signedBy: 'head@street-a1' };
const draft: PetitionCommand = { type: 'DraftAnswer', outcome: 'support', facts: '经核实，欠薪属实', legalBasis: '劳动合同法 art. 30' };
const approve: PetitionCommand = { type: 'ApproveAnswer' };
const requestReview: PetitionCommand = { type: 'RequestReview', reasons: '不服处理意见' };
const decideReview: PetitionCommand = { type: 'DecideReview', outcome: 'upheld', facts: '复查属实', legalBasis: '信访工作条例 art. 35' };
const requestRecheck: PetitionCommand = { type: 'RequestRecheck', reasons: '不服复查意见' };
const decideRecheck: PetitionCommand = { type: 'DecideRecheck', outcome: 'revised', facts: '复核', legalBasis: '信访工作条例 art. 36' };
const expire = (deadlineId: string): PetitionCommand => ({ type: 'ExpireDeadline', deadlineId });

// The standard case: a letter received at street A1 on Tue 2025-09-23 (due 10/9, see §0).
const registered = story([register(), ctx(intakeS, at('2025-09-23T10:00'))]);
const accepted = [...registered, ...step(registered, accept, ctx(officerS, at('2025-09-25T10:00')))];
const inHandling = [...accepted, ...step(accepted, { type: 'AssignHandler', officerId: 'officer@street-a1' }, ctx(headS, at('2025-09-26T10:00')))];
const drafted = [...inHandling, ...step(inHandling, draft, ctx(officerS, at('2025-10-15T10:00')))];
const answered = [...drafted, ...step(drafted, approve, ctx(headS, at('2025-10-20T10:00')))];
const reviewRequested = [...answered, ...step(answered, requestReview, ctx(officerS, at('2025-10-27T10:00')))];
const reviewed = [...reviewRequested, ...step(reviewRequested, decideReview, ctx(headD, at('2025-11-05T10:00')))];
const recheckRequested = [...reviewed, ...step(reviewed, requestRecheck, ctx(officerS, at('2025-11-10T10:00')))];

function step(history: PetitionEvent[], command: PetitionCommand, context: DecisionContext): PetitionEvent[] {
  return petitionDecider.decide(command, fold(petitionDecider, history), context);
}

/** A case registered at the city federation on Thu 2025-09-25 and transferred to district A the same day. */
const cityRegistered = story([register({ orgUnit: 'city' }), ctx(officerC, at('2025-09-25T09:00'))]);
const transferred = [
  ...cityRegistered,
  ...step(cityRegistered, { type: 'TransferPetition', toOrgUnit: 'dist-a', reason: '属地管理' }, ctx(officerC, at('2025-09-25T11:00'))),
];

/** The deadline ladder (domain-spec §0) as stored on DeadlineOpened/Moved: [step, at] (+ level for escalations). */
const ladder = (...rungs: Array<[string, string, number?]>) =>
  rungs.map(([step, at, level]) => ({ step, ...(level !== undefined ? { level } : {}), at })) as DeadlineOpened['data']['ladder'];

const acceptanceOpened = (over: Partial<DeadlineOpened['data']> = {}): DeadlineOpened => ({
  type: 'DeadlineOpened',
  data: {
    deadlineId: 'acceptance-1',
    kind: 'acceptance',
    duty: rules.deadline('petition.acceptance', 'national', '2025-09-23').duty,
    ownerOrgUnit: 'street-a1',
    startDate: '2025-09-23',
    days: 15,
    unit: 'calendar',
    dueDate: '2025-10-09',
    dueAt: '2025-10-09T16:00:00.000Z',
    onExpiry: 'miss',
    legalBasis: '信访工作条例 art. 23',
    calendarVersion: 'cn:2025r1+2026r1',
    calendarCovered: true,
    // Due Thu 10/9: three working days left from Mon 9/29 (Sun 9/28 is a make-up working day); 督办 5 working days after.
    ladder: ladder(
      ['approaching', '2025-09-28T16:00:00.000Z'],
      ['dueSoon', '2025-10-08T16:00:00.000Z'],
      ['missed', '2025-10-09T16:00:00.000Z', 1],
      ['escalated', '2025-10-15T16:00:00.000Z', 2],
    ),
    ...over,
  },
});

// ---------------------------------------------------------------------------------------------

describe('petitionDecider', () => {
  it('is the petition stream category and starts empty', () => {
    expect(petitionDecider.category).toBe('petition');
    expect(petitionDecider.initialState.status).toBe('None');
  });

  describe('RegisterPetition', () => {
    it('registers the case and opens the 15-day acceptance deadline (due 10/9/2025, §0)', () => {
      given()
        .when(register(), ctx(intakeS, at('2025-09-23T10:00')))
        .then([
          {
            type: 'PetitionRegistered',
            data: {
              petitionId: 'p-1',
              orgUnit: 'street-a1',
              channel: 'letter',
              category: 'claim',
              subject: '拖欠工资',
              facts: '某公司拖欠三个月工资',
              request: '协调支付欠薪',
              petitioners: [{ name: '张三', phone: '13800000000' }],
              headcount: 1,
              identityKnown: true,
              collective: false,
              urgent: false,
              receivedAt: '2025-09-23T02:00:00.000Z',
              receivedDate: '2025-09-23',
              jurisdiction: 'national',
              registeredBy: 'intake@street-a1',
            },
          },
          acceptanceOpened(),
        ]);
    });

    it('the received date is the CST date, and instants are stored canonical', () => {
      const [e] = given().when(register(), ctx(intakeS, '2025-09-23T00:30:00+08:00')).thenMatch([
        { type: 'PetitionRegistered', data: { receivedDate: '2025-09-23', receivedAt: '2025-09-22T16:30:00.000Z' } },
        { type: 'DeadlineOpened', data: { startDate: '2025-09-23', dueDate: '2025-10-09' } },
      ]);
      expect(e.type).toBe('PetitionRegistered');
    });

    it('opens no acceptance deadline when name or address is unknown (art. 23)', () => {
      given()
        .when(register({ identityKnown: false, petitioners: [] }), ctx(intakeS, at('2025-09-23T10:00')))
        .thenMatch([{ type: 'PetitionRegistered', data: { identityKnown: false } }]);
    });

    it.each([
      ['visit', 5, true],
      ['visit', 40, true],
      ['visit', 4, false],
      ['online', 20, false],
    ] as const)('channel %s with headcount %i → collective %s', (channel, headcount, collective) => {
      // A collective case is reported to the union above at once (art. 25).
      const report = collective ? [{ type: 'PetitionReportedUpward', data: { reasons: ['collective'], reportedTo: 'dist-a', headcount } }] : [];
      given()
        .when(register({ channel, headcount }), ctx(intakeS, at('2025-09-23T10:00')))
        .thenMatch([{ type: 'PetitionRegistered', data: { collective, headcount } }, ...report, { type: 'DeadlineOpened' }]);
    });

    it('records the urgent flag', () => {
      given()
        .when(register({ urgent: true }), ctx(intakeS, at('2025-09-23T10:00')))
        .thenMatch([
          { type: 'PetitionRegistered', data: { urgent: true } },
          { type: 'PetitionReportedUpward', data: { reasons: ['urgent'], orgUnit: 'street-a1', reportedTo: 'dist-a', legalBasis: '信访工作条例 art. 25' } },
          { type: 'DeadlineOpened' },
        ]);
    });

    it('under the zhejiang table: acceptance within 5 working days (due 9/29/2025)', () => {
      given()
        .when(register(), ctx(intakeS, at('2025-09-23T10:00'), 'zhejiang'))
        .thenMatch([
          { type: 'PetitionRegistered', data: { jurisdiction: 'zhejiang' } },
          { type: 'DeadlineOpened', data: { kind: 'acceptance', days: 5, unit: 'working', dueDate: '2025-09-29' } },
        ]);
    });

    it('an officer may register, for a unit below its own', () => {
      given()
        .when(register({ orgUnit: 'gr-a1' }), ctx(officerD, at('2025-09-23T10:00')))
        .thenMatch([{ type: 'PetitionRegistered', data: { orgUnit: 'gr-a1' } }, { type: 'DeadlineOpened', data: { ownerOrgUnit: 'gr-a1' } }]);
    });

    it('a visit may send at most 5 representatives (art. 20)', () => {
      const six = Array.from({ length: 6 }, (_, i) => ({ name: `代表${i + 1}` }));
      given().when(register({ channel: 'visit', petitioners: six, headcount: 30 }), ctx(intakeS, at('2025-09-23T10:00'))).thenThrows('TOO_MANY_REPRESENTATIVES');
      given()
        .when(register({ channel: 'visit', petitioners: six.slice(0, 5), headcount: 30 }), ctx(intakeS, at('2025-09-23T10:00')))
        .thenMatch([{ type: 'PetitionRegistered', data: { collective: true } }, { type: 'PetitionReportedUpward' }, { type: 'DeadlineOpened' }]);
    });

    it('a jointly signed letter may name more than 5 petitioners', () => {
      const six = Array.from({ length: 6 }, (_, i) => ({ name: `职工${i + 1}` }));
      given()
        .when(register({ channel: 'letter', petitioners: six, headcount: 6 }), ctx(intakeS, at('2025-09-23T10:00')))
        .thenMatch([{ type: 'PetitionRegistered', data: { collective: false } }, { type: 'DeadlineOpened' }]);
    });

    it.each([0, 1.5])('refuses headcount %p', (headcount) => {
      given().when(register({ headcount }), ctx(intakeS, at('2025-09-23T10:00'))).thenThrows('INVALID_HEADCOUNT');
    });

    it('refuses a headcount below the number of petitioners named', () => {
      given()
        .when(register({ petitioners: [{ name: '甲' }, { name: '乙' }], headcount: 1 }), ctx(intakeS, at('2025-09-23T10:00')))
        .thenThrows('INVALID_HEADCOUNT');
    });

    it('needs a named petitioner unless the identity is unknown', () => {
      given().when(register({ petitioners: [] }), ctx(intakeS, at('2025-09-23T10:00'))).thenThrows('PETITIONER_REQUIRED');
    });

    it('refuses an unknown org unit', () => {
      given().when(register({ orgUnit: 'nowhere' }), ctx(officerC, at('2025-09-23T10:00'))).thenThrows('UNKNOWN_ORG_UNIT');
    });

    it('refuses an unknown jurisdiction', () => {
      given().when(register(), ctx(intakeS, at('2025-09-23T10:00'), 'atlantis')).thenThrows('UNKNOWN_JURISDICTION');
    });

    it('refuses a unit outside the actor subtree (sibling, or a unit above)', () => {
      given().when(register(), ctx(who('intake', 'dist-b'), at('2025-09-23T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      given().when(register({ orgUnit: 'dist-a' }), ctx(intakeS, at('2025-09-23T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    });

    it.each(['head', 'mediator', 'supervisor', 'auditor', 'system'] as const)('role %s may not register', (role) => {
      given().when(register(), ctx(who(role, 'street-a1'), at('2025-09-23T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('refuses to register twice', () => {
      given(registered).when(register(), ctx(intakeS, at('2025-09-23T11:00'))).thenThrows('PETITION_ALREADY_EXISTS');
    });

    it('scope before existence (issue 11): an outsider gets the same 403 whether or not the id is taken', () => {
      given().when(register(), ctx(officerB, at('2025-09-23T11:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      given(registered).when(register(), ctx(officerB, at('2025-09-23T11:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      given(registered).when({ ...register(), orgUnit: 'dist-b' } as PetitionCommand, ctx(officerB, at('2025-09-23T11:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    });
  });

  describe('commands on a petition that does not exist', () => {
    it.each<PetitionCommand>([
      { type: 'NotifyReceipt', method: 'sms' },
      accept,
      { type: 'TransferPetition', toOrgUnit: 'dist-a', reason: 'x' },
      { type: 'AssignHandler', officerId: 'o' },
      approve,
      { type: 'ClosePetition', reason: 'resolved' },
      expire('acceptance-1'),
      { type: 'AcknowledgeEscalation', deadlineId: 'acceptance-1', level: 1, note: '' },
    ])('$type → PETITION_NOT_FOUND', (command) => {
      given().when(command, ctx(headC, at('2025-09-23T10:00'))).thenThrows('PETITION_NOT_FOUND', 'not_found');
    });
  });

  describe('NotifyReceipt', () => {
    it('records the notice; the case stays Registered', () => {
      const w = given(registered).when({ type: 'NotifyReceipt', method: '短信' }, ctx(officerS, at('2025-09-23T15:00')));
      w.then([{ type: 'PetitionReceiptNotified', data: { method: '短信', notifiedAt: '2025-09-23T07:00:00.000Z', legalBasis: '信访工作条例 art. 23' } }]);
      expect(w.state()).toMatchObject({ status: 'Registered', receiptNotified: true });
    });

    it('is only for Registered petitions', () => {
      const err = given(accepted).when({ type: 'NotifyReceipt', method: '短信' }, ctx(officerS, at('2025-09-26T10:00'))).thenThrows('INVALID_TRANSITION');
      expect(err.details).toMatchObject({ status: 'Accepted', command: 'NotifyReceipt' });
    });

    it('intake may not', () => {
      given(registered).when({ type: 'NotifyReceipt', method: '短信' }, ctx(intakeS, at('2025-09-23T15:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });
  });

  describe('AcceptPetition', () => {
    it('on time: meets the acceptance deadline and opens the 60-day handling deadline', () => {
      const w = given(registered).when(accept, ctx(officerS, at('2025-09-25T10:00')));
      w.then([
        {
          type: 'PetitionAccepted',
          data: { acceptedAt: '2025-09-25T02:00:00.000Z', signedBy: 'head@street-a1', legalBasis: '信访工作条例 art. 23', onTime: true },
        },
        { type: 'DeadlineMet', data: { deadlineId: 'acceptance-1', kind: 'acceptance', metAt: '2025-09-25T02:00:00.000Z', late: false } },
        {
          type: 'DeadlineOpened',
          data: {
            deadlineId: 'handling-1',
            kind: 'handling',
            duty: rules.deadline('petition.handling', 'national', '2025-09-23').duty,
            ownerOrgUnit: 'street-a1',
            startDate: '2025-09-25',
            days: 60,
            unit: 'calendar',
            dueDate: '2025-11-24',
            dueAt: '2025-11-24T16:00:00.000Z',
            onExpiry: 'miss',
            legalBasis: '信访工作条例 art. 34',
            calendarVersion: 'cn:2025r1+2026r1',
            calendarCovered: true,
            ladder: ladder(
              ['approaching', '2025-11-19T16:00:00.000Z'],
              ['dueSoon', '2025-11-23T16:00:00.000Z'],
              ['missed', '2025-11-24T16:00:00.000Z', 1],
              ['escalated', '2025-12-01T16:00:00.000Z', 2],
            ),
          },
        },
      ]);
      expect(w.state().status).toBe('Accepted');
    });

    it('on the due date itself (late evening CST) is still on time', () => {
      given(registered)
        .when(accept, ctx(officerS, at('2025-10-09T23:59')))
        .thenMatch([{ type: 'PetitionAccepted', data: { onTime: true } }, { type: 'DeadlineMet', data: { late: false } }, { type: 'DeadlineOpened' }]);
    });

    it('after the due date: late', () => {
      given(registered)
        .when(accept, ctx(officerS, at('2025-10-10T09:00')))
        .thenMatch([{ type: 'PetitionAccepted', data: { onTime: false } }, { type: 'DeadlineMet', data: { late: true } }, { type: 'DeadlineOpened' }]);
    });

    it('after the deadline was missed and escalated: still meets it, late', () => {
      const missed = [...registered, ...step(registered, expire('acceptance-1'), ctx(system, at('2025-10-10T00:00')))];
      given(missed)
        .when(accept, ctx(officerS, at('2025-10-11T09:00')))
        .thenMatch([
          { type: 'PetitionAccepted', data: { onTime: false } },
          { type: 'DeadlineMet', data: { deadlineId: 'acceptance-1', late: true } },
          { type: 'DeadlineOpened', data: { kind: 'handling' } },
        ]);
    });

    it('with identity unknown there is no acceptance duty: on time', () => {
      const anon = story([register({ identityKnown: false, petitioners: [] }), ctx(intakeS, at('2025-09-23T10:00'))]);
      given(anon)
        .when(accept, ctx(officerS, at('2025-12-01T10:00')))
        .thenMatch([{ type: 'PetitionAccepted', data: { onTime: true } }, { type: 'DeadlineOpened', data: { kind: 'handling' } }]);
    });

    it('a zhejiang case handles within 30 days, whatever the current configuration', () => {
      const zj = story([register(), ctx(intakeS, at('2025-09-23T10:00'), 'zhejiang')]);
      given(zj)
        .when(accept, ctx(officerS, at('2025-09-25T10:00'), 'national'))
        .thenMatch([
          { type: 'PetitionAccepted' },
          { type: 'DeadlineMet' },
          { type: 'DeadlineOpened', data: { kind: 'handling', days: 30, dueDate: '2025-10-27' } }, // 10/25 is a Saturday
        ]);
    });

    it('needs the signing head', () => {
      given(registered).when({ type: 'AcceptPetition', signedBy: ' ' }, ctx(officerS, at('2025-09-25T10:00'))).thenThrows('SIGNATURE_REQUIRED');
    });

    it('only once', () => {
      given(accepted).when(accept, ctx(officerS, at('2025-09-26T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('an officer of an upper unit may accept; a sibling or lower unit may not', () => {
      given(registered).when(accept, ctx(officerD, at('2025-09-25T10:00'))).thenMatch([{ type: 'PetitionAccepted' }, { type: 'DeadlineMet' }, { type: 'DeadlineOpened' }]);
      given(registered).when(accept, ctx(officerB, at('2025-09-25T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      given(registered).when(accept, ctx(officerG, at('2025-09-25T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    });

    it.each(['intake', 'mediator', 'supervisor', 'auditor', 'system'] as const)('role %s may not accept', (role) => {
      given(registered).when(accept, ctx(who(role, 'street-a1'), at('2025-09-25T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });
  });

  describe('NotAcceptPetition', () => {
    const reason = '已经或者依法应当通过诉讼解决';
    const notAccept: PetitionCommand = { type: 'NotAcceptPetition', signedBy: 'head@street-a1', reason };

    it('records the decision and meets the acceptance deadline; no handling period', () => {
      const w = given(registered).when(notAccept, ctx(headS, at('2025-09-24T10:00')));
      w.then([
        {
          type: 'PetitionNotAccepted',
          data: { decidedAt: '2025-09-24T02:00:00.000Z', signedBy: 'head@street-a1', reason, legalBasis: '信访工作条例 art. 23', onTime: true },
        },
        { type: 'DeadlineMet', data: { deadlineId: 'acceptance-1', kind: 'acceptance', metAt: '2025-09-24T02:00:00.000Z', late: false } },
      ]);
      expect(w.state().status).toBe('NotAccepted');
    });

    it('uses the legal basis given', () => {
      given(registered)
        .when({ ...notAccept, legalBasis: '信访工作条例 art. 31' } as PetitionCommand, ctx(headS, at('2025-09-24T10:00')))
        .thenMatch([{ type: 'PetitionNotAccepted', data: { legalBasis: '信访工作条例 art. 31' } }, { type: 'DeadlineMet' }]);
    });

    it('needs a reason', () => {
      given(registered).when({ ...notAccept, reason: '' } as PetitionCommand, ctx(headS, at('2025-09-24T10:00'))).thenThrows('REASON_REQUIRED');
    });

    it('not after acceptance', () => {
      given(accepted).when(notAccept, ctx(headS, at('2025-09-26T10:00'))).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('RouteOutPetition', () => {
    const routeOut: PetitionCommand = {
      type: 'RouteOutPetition',
      signedBy: 'head@street-a1',
      procedure: 'labour_arbitration',
      target: 'A区劳动人事争议仲裁委员会',
      reason: '属劳动争议，导入仲裁程序',
    };

    it('records the procedure and meets the acceptance deadline', () => {
      const w = given(registered).when(routeOut, ctx(officerS, at('2025-09-24T10:00')));
      w.thenMatch([
        { type: 'PetitionRoutedOut', data: { procedure: 'labour_arbitration', target: 'A区劳动人事争议仲裁委员会', onTime: true, legalBasis: '信访工作条例 art. 23' } },
        { type: 'DeadlineMet', data: { kind: 'acceptance' } },
      ]);
      expect(w.state().status).toBe('RoutedOut');
    });

    it('auditors never issue commands', () => {
      given(registered).when(routeOut, ctx(auditorC, at('2025-09-24T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('not after NotAccepted', () => {
      const na = [...registered, ...step(registered, { type: 'NotAcceptPetition', signedBy: 'h', reason: 'r' }, ctx(headS, at('2025-09-24T10:00')))];
      given(na).when(routeOut, ctx(officerS, at('2025-09-24T11:00'))).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('TransferPetition 转送', () => {
    it('moves the case down, restarts acceptance at the receiver and opens the 5-working-day objection window (due 10/9/2025)', () => {
      const w = given(cityRegistered).when({ type: 'TransferPetition', toOrgUnit: 'dist-a', reason: '属地管理' }, ctx(officerC, at('2025-09-25T11:00')));
      w.then([
        {
          type: 'PetitionTransferred',
          data: { fromOrgUnit: 'city', toOrgUnit: 'dist-a', reason: '属地管理', transferredAt: '2025-09-25T03:00:00.000Z', receivedDate: '2025-09-25' },
        },
        { type: 'DeadlineCancelled', data: { deadlineId: 'acceptance-1', kind: 'acceptance', reason: 'transferred' } },
        acceptanceOpened({
          deadlineId: 'acceptance-2',
          ownerOrgUnit: 'dist-a',
          startDate: '2025-09-25',
          dueDate: '2025-10-10',
          dueAt: '2025-10-10T16:00:00.000Z',
          // Owned by a district: the city is the only unit above, so the ladder ends at 催办.
          ladder: ladder(['approaching', '2025-09-29T16:00:00.000Z'], ['dueSoon', '2025-10-09T16:00:00.000Z'], ['missed', '2025-10-10T16:00:00.000Z', 1]),
        }),
        {
          type: 'DeadlineOpened',
          data: {
            deadlineId: 'transferObjection-1',
            kind: 'transferObjection',
            duty: rules.deadline('petition.transferObjection', 'national', '2025-09-25').duty,
            ownerOrgUnit: 'dist-a',
            startDate: '2025-09-25',
            days: 5,
            unit: 'working',
            dueDate: '2025-10-09',
            dueAt: '2025-10-09T16:00:00.000Z',
            onExpiry: 'lapse',
            legalBasis: '信访工作条例 art. 23',
            calendarVersion: 'cn:2025r1+2026r1',
            calendarCovered: true,
          },
        },
      ]);
      expect(w.state()).toMatchObject({ status: 'Registered', orgUnit: 'dist-a', registeredOrgUnit: 'city', transfer: { fromOrgUnit: 'city', toOrgUnit: 'dist-a' } });
    });

    it('a second transfer (further down) cancels the pending objection window too', () => {
      given(transferred)
        .when({ type: 'TransferPetition', toOrgUnit: 'street-a1', reason: '再转送' }, ctx(officerD, at('2025-09-26T10:00')))
        .thenMatch([
          { type: 'PetitionTransferred', data: { fromOrgUnit: 'dist-a', toOrgUnit: 'street-a1' } },
          { type: 'DeadlineCancelled', data: { deadlineId: 'acceptance-2' } },
          { type: 'DeadlineCancelled', data: { deadlineId: 'transferObjection-1' } },
          { type: 'DeadlineOpened', data: { deadlineId: 'acceptance-3', ownerOrgUnit: 'street-a1' } },
          { type: 'DeadlineOpened', data: { deadlineId: 'transferObjection-2', ownerOrgUnit: 'street-a1' } },
        ]);
    });

    it('across the tree: a city officer moves a case from district A to district B', () => {
      const atDistA = story([register({ orgUnit: 'dist-a' }), ctx(officerD, at('2025-09-23T10:00'))]);
      given(atDistA)
        .when({ type: 'TransferPetition', toOrgUnit: 'dist-b', reason: '管辖' }, ctx(officerC, at('2025-09-24T10:00')))
        .thenMatch([{ type: 'PetitionTransferred', data: { fromOrgUnit: 'dist-a', toOrgUnit: 'dist-b' } }, { type: 'DeadlineCancelled' }, { type: 'DeadlineOpened' }, { type: 'DeadlineOpened' }]);
    });

    it('refuses an unknown target', () => {
      given(cityRegistered).when({ type: 'TransferPetition', toOrgUnit: 'nowhere', reason: 'x' }, ctx(officerC, at('2025-09-25T11:00'))).thenThrows('UNKNOWN_ORG_UNIT');
    });

    it('refuses the unit the case already belongs to', () => {
      given(cityRegistered).when({ type: 'TransferPetition', toOrgUnit: 'city', reason: 'x' }, ctx(officerC, at('2025-09-25T11:00'))).thenThrows('TRANSFER_TO_SAME_UNIT');
    });

    it('refuses a target outside the actor subtree', () => {
      given(registered).when({ type: 'TransferPetition', toOrgUnit: 'dist-b', reason: 'x' }, ctx(officerD, at('2025-09-24T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    });

    it('refuses to "transfer" a case up to the actor own unit', () => {
      given(registered).when({ type: 'TransferPetition', toOrgUnit: 'dist-a', reason: 'x' }, ctx(officerD, at('2025-09-24T10:00'))).thenThrows('TRANSFER_TARGET_NOT_BELOW');
    });

    it('only before the acceptance decision', () => {
      given(accepted).when({ type: 'TransferPetition', toOrgUnit: 'street-a2', reason: 'x' }, ctx(officerD, at('2025-09-26T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('intake may not transfer', () => {
      given(cityRegistered).when({ type: 'TransferPetition', toOrgUnit: 'dist-a', reason: 'x' }, ctx(who('intake', 'city'), at('2025-09-25T11:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('accepting a transferred case meets the receiver acceptance and cancels the objection window', () => {
      const w = given(transferred).when({ type: 'AcceptPetition', signedBy: 'head@dist-a' }, ctx(officerD, at('2025-09-26T10:00')));
      w.then([
        { type: 'PetitionAccepted', data: { acceptedAt: '2025-09-26T02:00:00.000Z', signedBy: 'head@dist-a', legalBasis: '信访工作条例 art. 23', onTime: true } },
        { type: 'DeadlineMet', data: { deadlineId: 'acceptance-2', kind: 'acceptance', metAt: '2025-09-26T02:00:00.000Z', late: false } },
        { type: 'DeadlineCancelled', data: { deadlineId: 'transferObjection-1', kind: 'transferObjection', reason: 'acceptance decided' } },
        expect.objectContaining({ type: 'DeadlineOpened', data: expect.objectContaining({ deadlineId: 'handling-1', ownerOrgUnit: 'dist-a' }) }),
      ]);
    });
  });

  describe('ObjectToTransfer', () => {
    const object: PetitionCommand = { type: 'ObjectToTransfer', reasons: '不属于本级管辖' };

    it('the receiving head objects within 5 working days: the case returns to the sender with a new acceptance period', () => {
      const w = given(transferred).when(object, ctx(headD, at('2025-10-09T17:00')));
      w.then([
        { type: 'PetitionTransferObjected', data: { byOrgUnit: 'dist-a', returnedTo: 'city', reasons: '不属于本级管辖', objectedAt: '2025-10-09T09:00:00.000Z', legalBasis: '信访工作条例 art. 23' } },
        { type: 'DeadlineCancelled', data: { deadlineId: 'acceptance-2', kind: 'acceptance', reason: 'transfer objected' } },
        { type: 'DeadlineCancelled', data: { deadlineId: 'transferObjection-1', kind: 'transferObjection', reason: 'transfer objected' } },
        acceptanceOpened({
          deadlineId: 'acceptance-3',
          ownerOrgUnit: 'city',
          startDate: '2025-10-09',
          dueDate: '2025-10-24',
          dueAt: '2025-10-24T16:00:00.000Z',
          ladder: ladder(['approaching', '2025-10-21T16:00:00.000Z'], ['dueSoon', '2025-10-23T16:00:00.000Z'], ['missed', '2025-10-24T16:00:00.000Z', 1]),
        }),
      ]);
      expect(w.state()).toMatchObject({ status: 'Registered', orgUnit: 'city', transfer: { objected: true } });
    });

    it('not after the objection window (10/9/2025) has run out', () => {
      given(transferred).when(object, ctx(headD, at('2025-10-10T08:00'))).thenThrows('OBJECTION_WINDOW_CLOSED');
    });

    it('not after the window lapsed', () => {
      const lapsed = [...transferred, ...step(transferred, expire('transferObjection-1'), ctx(system, at('2025-10-10T00:00')))];
      given(lapsed).when(object, ctx(headD, at('2025-10-09T23:00'))).thenThrows('OBJECTION_WINDOW_CLOSED');
    });

    it('only the head of the receiving unit, not a head above it', () => {
      given(transferred).when(object, ctx(headC, at('2025-09-26T10:00'))).thenThrows('NOT_RECEIVING_UNIT', 'forbidden');
    });

    it('an officer may not object', () => {
      given(transferred).when(object, ctx(officerD, at('2025-09-26T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('a case that was not transferred cannot be objected to', () => {
      given(registered).when(object, ctx(headS, at('2025-09-24T10:00'))).thenThrows('NOT_TRANSFERRED');
    });

    it('once returned, the receiver can no longer reach the case', () => {
      const returned = [...transferred, ...step(transferred, object, ctx(headD, at('2025-09-26T10:00')))];
      given(returned).when(object, ctx(headD, at('2025-09-26T11:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      given(returned).when(object, ctx(headC, at('2025-09-26T11:00'))).thenThrows('NOT_TRANSFERRED');
    });

    it('not after the receiver accepted', () => {
      const acc = [...transferred, ...step(transferred, { type: 'AcceptPetition', signedBy: 'h' }, ctx(headD, at('2025-09-26T10:00')))];
      given(acc).when(object, ctx(headD, at('2025-09-26T11:00'))).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('AssignDown 交办', () => {
    const acceptedAtDistrict = story(
      [register({ orgUnit: 'dist-a' }), ctx(officerD, at('2025-09-23T10:00'))],
      [{ type: 'AcceptPetition', signedBy: 'head@dist-a' }, ctx(officerD, at('2025-09-24T10:00'))],
    );
    const assign: PetitionCommand = { type: 'AssignDown', toOrgUnit: 'street-a1', dueDate: '2025-10-20', instructions: '核实情况并报送办结报告' };
    const assignedDown = [...acceptedAtDistrict, ...step(acceptedAtDistrict, assign, ctx(officerD, at('2025-09-26T10:00')))];

    it('moves the case to the lower unit and opens a dated deadline owned by it', () => {
      const w = given(acceptedAtDistrict).when(assign, ctx(officerD, at('2025-09-26T10:00')));
      w.then([
        {
          type: 'PetitionAssignedDown',
          data: { fromOrgUnit: 'dist-a', toOrgUnit: 'street-a1', dueDate: '2025-10-20', instructions: '核实情况并报送办结报告', assignedAt: '2025-09-26T02:00:00.000Z' },
        },
        {
          type: 'DeadlineOpened',
          data: {
            deadlineId: 'assignedDown-1',
            kind: 'assignedDown',
            duty: '按交办要求办理并报送办结报告',
            ownerOrgUnit: 'street-a1',
            startDate: '2025-09-26',
            days: 24,
            unit: 'calendar',
            dueDate: '2025-10-20',
            dueAt: '2025-10-20T16:00:00.000Z',
            onExpiry: 'miss',
            legalBasis: '信访工作条例 (上级工会交办)',
            calendarVersion: 'cn:2025r1+2026r1',
            calendarCovered: true,
            ladder: ladder(
              ['approaching', '2025-10-15T16:00:00.000Z'],
              ['dueSoon', '2025-10-19T16:00:00.000Z'],
              ['missed', '2025-10-20T16:00:00.000Z', 1],
              ['escalated', '2025-10-27T16:00:00.000Z', 2],
            ),
          },
        },
      ]);
      expect(w.state()).toMatchObject({ orgUnit: 'street-a1', assignedDown: { fromOrgUnit: 'dist-a', toOrgUnit: 'street-a1', reportSubmitted: false } });
    });

    it('a supervisor may issue 交办, also in InHandling', () => {
      const h = [...acceptedAtDistrict, ...step(acceptedAtDistrict, { type: 'AssignHandler', officerId: 'o' }, ctx(officerD, at('2025-09-25T10:00')))];
      given(h).when(assign, ctx(supervisorD, at('2025-09-26T10:00'))).thenMatch([{ type: 'PetitionAssignedDown' }, { type: 'DeadlineOpened' }]);
    });

    it('a second 交办 replaces the pending one', () => {
      given(assignedDown)
        .when({ type: 'AssignDown', toOrgUnit: 'gr-a1', dueDate: '2025-10-15', instructions: '再交办' }, ctx(officerS, at('2025-09-29T10:00')))
        .thenMatch([
          { type: 'PetitionAssignedDown', data: { fromOrgUnit: 'street-a1', toOrgUnit: 'gr-a1' } },
          { type: 'DeadlineCancelled', data: { deadlineId: 'assignedDown-1', reason: 'assigned down again' } },
          { type: 'DeadlineOpened', data: { deadlineId: 'assignedDown-2', ownerOrgUnit: 'gr-a1' } },
        ]);
    });

    it('the due date must lie after today', () => {
      given(acceptedAtDistrict).when({ ...assign, dueDate: '2025-09-26' } as PetitionCommand, ctx(officerD, at('2025-09-26T10:00'))).thenThrows('DUE_DATE_NOT_IN_FUTURE');
    });

    it('the due date must be a date', () => {
      given(acceptedAtDistrict).when({ ...assign, dueDate: '2025-13-45' } as PetitionCommand, ctx(officerD, at('2025-09-26T10:00'))).thenThrows('INVALID_DUE_DATE');
    });

    it('not before acceptance', () => {
      const reg = story([register({ orgUnit: 'dist-a' }), ctx(officerD, at('2025-09-23T10:00'))]);
      given(reg).when(assign, ctx(officerD, at('2025-09-26T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('not to a unit outside the actor subtree, nor to the case own unit, nor to unknown units', () => {
      given(acceptedAtDistrict).when({ ...assign, toOrgUnit: 'dist-b' } as PetitionCommand, ctx(officerD, at('2025-09-26T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      given(acceptedAtDistrict).when({ ...assign, toOrgUnit: 'dist-a' } as PetitionCommand, ctx(officerC, at('2025-09-26T10:00'))).thenThrows('ASSIGN_TO_SAME_UNIT');
      given(acceptedAtDistrict).when({ ...assign, toOrgUnit: 'zzz' } as PetitionCommand, ctx(officerD, at('2025-09-26T10:00'))).thenThrows('UNKNOWN_ORG_UNIT');
    });

    it('intake and mediators may not', () => {
      given(acceptedAtDistrict).when(assign, ctx(who('intake', 'dist-a'), at('2025-09-26T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
      given(acceptedAtDistrict).when(assign, ctx(who('mediator', 'dist-a'), at('2025-09-26T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    describe('SubmitCompletionReport', () => {
      const report: PetitionCommand = { type: 'SubmitCompletionReport', report: '已协调企业支付欠薪' };

      it('the assigned unit reports: the 交办 deadline is met', () => {
        const w = given(assignedDown).when(report, ctx(officerS, at('2025-10-15T10:00')));
        w.then([
          { type: 'CompletionReportSubmitted', data: { report: '已协调企业支付欠薪', submittedAt: '2025-10-15T02:00:00.000Z', submittedBy: 'officer@street-a1' } },
          { type: 'DeadlineMet', data: { deadlineId: 'assignedDown-1', kind: 'assignedDown', metAt: '2025-10-15T02:00:00.000Z', late: false } },
        ]);
        expect(w.state().assignedDown?.reportSubmitted).toBe(true);
      });

      it('late after the due date', () => {
        given(assignedDown).when(report, ctx(headS, at('2025-10-21T10:00'))).thenMatch([{ type: 'CompletionReportSubmitted' }, { type: 'DeadlineMet', data: { late: true } }]);
      });

      it('only the assigned unit reports, not the assigning one', () => {
        given(assignedDown).when(report, ctx(officerD, at('2025-10-15T10:00'))).thenThrows('NOT_ASSIGNED_UNIT', 'forbidden');
      });

      it('nothing to report without a pending 交办', () => {
        given(acceptedAtDistrict).when(report, ctx(officerD, at('2025-10-15T10:00'))).thenThrows('NO_PENDING_ASSIGNMENT');
        const done = [...assignedDown, ...step(assignedDown, report, ctx(officerS, at('2025-10-15T10:00')))];
        given(done).when(report, ctx(officerS, at('2025-10-16T10:00'))).thenThrows('NO_PENDING_ASSIGNMENT');
      });

      it('intake may not report', () => {
        given(assignedDown).when(report, ctx(intakeS, at('2025-10-15T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
      });
    });
  });

  describe('AssignHandler', () => {
    it('Accepted → InHandling with the handler', () => {
      const w = given(accepted).when({ type: 'AssignHandler', officerId: 'officer-7' }, ctx(headS, at('2025-09-26T10:00')));
      w.then([{ type: 'HandlerAssigned', data: { officerId: 'officer-7', assignedBy: 'head@street-a1', assignedAt: '2025-09-26T02:00:00.000Z' } }]);
      expect(w.state()).toMatchObject({ status: 'InHandling', handler: 'officer-7' });
    });

    it('may reassign while in handling', () => {
      const w = given(inHandling).when({ type: 'AssignHandler', officerId: 'officer-8' }, ctx(officerS, at('2025-09-27T10:00')));
      expect(w.state()).toMatchObject({ status: 'InHandling', handler: 'officer-8' });
    });

    it('not before acceptance', () => {
      given(registered).when({ type: 'AssignHandler', officerId: 'o' }, ctx(headS, at('2025-09-24T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('needs an officer id', () => {
      given(accepted).when({ type: 'AssignHandler', officerId: '' }, ctx(headS, at('2025-09-26T10:00'))).thenThrows('HANDLER_REQUIRED');
    });

    it('intake may not assign', () => {
      given(accepted).when({ type: 'AssignHandler', officerId: 'o' }, ctx(intakeS, at('2025-09-26T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });
  });

  describe('RecordProgress', () => {
    const note: PetitionCommand = { type: 'RecordProgress', note: '约谈企业负责人', attachments: ['doc-1'] };

    it('logs a note; nothing else changes', () => {
      const w = given(inHandling).when(note, ctx(officerS, at('2025-10-01T10:00')));
      w.then([{ type: 'ProgressRecorded', data: { note: '约谈企业负责人', attachments: ['doc-1'], recordedBy: 'officer@street-a1', recordedAt: '2025-10-01T02:00:00.000Z' } }]);
      expect(w.state()).toEqual(given(inHandling).state);
    });

    it('the assigned handler may record whatever their role; other mediators may not', () => {
      const mediatorHandler = who('mediator', 'street-a1', 'med-1');
      const h = [...accepted, ...step(accepted, { type: 'AssignHandler', officerId: 'med-1' }, ctx(headS, at('2025-09-26T10:00')))];
      given(h).when(note, ctx(mediatorHandler, at('2025-10-01T10:00'))).thenMatch([{ type: 'ProgressRecorded', data: { recordedBy: 'med-1', attachments: ['doc-1'] } }]);
      given(h).when(note, ctx(who('mediator', 'street-a1', 'med-2'), at('2025-10-01T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('not after the answer', () => {
      given(answered).when(note, ctx(officerS, at('2025-10-21T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('needs a note', () => {
      given(inHandling).when({ type: 'RecordProgress', note: '  ' }, ctx(officerS, at('2025-10-01T10:00'))).thenThrows('NOTE_REQUIRED');
    });
  });

  describe('ExtendHandling', () => {
    const extend = (days: number): PetitionCommand => ({ type: 'ExtendHandling', reason: '情况复杂，需进一步调查', days });

    it('the head extends by up to 30 days: handling due 11/24 → 12/24/2025 (art. 34)', () => {
      const w = given(inHandling).when(extend(30), ctx(headS, at('2025-11-20T10:00')));
      w.then([
        {
          type: 'HandlingExtended',
          data: {
            reason: '情况复杂，需进一步调查',
            days: 30,
            newDueDate: '2025-12-24',
            approvedBy: 'head@street-a1',
            legalBasis: '信访工作条例 art. 34',
            extendedAt: '2025-11-20T02:00:00.000Z',
          },
        },
        {
          type: 'DeadlineMoved',
          data: {
            deadlineId: 'handling-1',
            kind: 'handling',
            dueDate: '2025-12-24',
            dueAt: '2025-12-24T16:00:00.000Z',
            reason: 'extension',
            calendarVersion: 'cn:2025r1+2026r1',
            // A move carries the new ladder.
            ladder: ladder(
              ['approaching', '2025-12-19T16:00:00.000Z'],
              ['dueSoon', '2025-12-23T16:00:00.000Z'],
              ['missed', '2025-12-24T16:00:00.000Z', 1],
              ['escalated', '2025-12-31T16:00:00.000Z', 2],
            ),
          },
        },
      ]);
      const s = w.state();
      expect(s).toMatchObject({ status: 'InHandling', extended: true });
      expect(s.deadlines['handling-1']).toMatchObject({ status: 'open', dueDate: '2025-12-24' });
    });

    it('a new due date on a rest day moves to the next working day', () => {
      // 11/24 + 6 = Sun 11/30 → Mon 12/1.
      given(inHandling).when(extend(6), ctx(headS, at('2025-11-20T10:00'))).thenMatch([{ type: 'HandlingExtended', data: { newDueDate: '2025-12-01' } }, { type: 'DeadlineMoved', data: { dueDate: '2025-12-01' } }]);
    });

    it('also straight after acceptance (Accepted)', () => {
      given(accepted).when(extend(10), ctx(headS, at('2025-10-20T10:00'))).thenMatch([{ type: 'HandlingExtended', data: { newDueDate: '2025-12-04' } }, { type: 'DeadlineMoved' }]);
    });

    it('only once', () => {
      const ext = [...inHandling, ...step(inHandling, extend(10), ctx(headS, at('2025-11-20T10:00')))];
      given(ext).when(extend(5), ctx(headS, at('2025-11-21T10:00'))).thenThrows('EXTENSION_ALREADY_GRANTED');
    });

    it('at most 30 days', () => {
      given(inHandling).when(extend(31), ctx(headS, at('2025-11-20T10:00'))).thenThrows('EXTENSION_TOO_LONG');
    });

    it.each([0, -3, 2.5])('refuses %p days', (days) => {
      given(inHandling).when(extend(days), ctx(headS, at('2025-11-20T10:00'))).thenThrows('INVALID_EXTENSION_DAYS');
    });

    it('not once the handling period has run out', () => {
      given(inHandling).when(extend(10), ctx(headS, at('2025-11-25T10:00'))).thenThrows('EXTENSION_AFTER_DUE');
    });

    it('head only', () => {
      given(inHandling).when(extend(10), ctx(officerS, at('2025-11-20T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
      given(inHandling).when(extend(10), ctx(supervisorD, at('2025-11-20T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('not after the answer', () => {
      given(answered).when(extend(10), ctx(headS, at('2025-10-21T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('an answer after the extension is on time against the new due date', () => {
      const h = [...drafted, ...step(drafted, extend(30), ctx(headS, at('2025-11-20T10:00')))];
      given(h)
        .when(approve, ctx(headS, at('2025-12-10T10:00')))
        .thenMatch([{ type: 'PetitionAnswered', data: { onTime: true } }, { type: 'DeadlineMet', data: { kind: 'handling', late: false } }, { type: 'DeadlineOpened' }]);
    });
  });

  describe('DraftAnswer and ApproveAnswer', () => {
    it('an officer drafts', () => {
      given(inHandling)
        .when(draft, ctx(officerS, at('2025-10-15T10:00')))
        .then([
          {
            type: 'AnswerDrafted',
            data: { outcome: 'support', facts: '经核实，欠薪属实', legalBasis: '劳动合同法 art. 30', draftedBy: 'officer@street-a1', draftedAt: '2025-10-15T02:00:00.000Z' },
          },
        ]);
    });

    it('a draft may carry a mediation agreement', () => {
      given(accepted)
        .when({ ...draft, mediationAgreement: 'agreement-1' } as PetitionCommand, ctx(officerS, at('2025-10-15T10:00')))
        .thenMatch([{ type: 'AnswerDrafted', data: { mediationAgreement: 'agreement-1' } }]);
    });

    it('not before acceptance', () => {
      given(registered).when(draft, ctx(officerS, at('2025-09-24T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('the head approves: Answered, handling met, 30-day review window opens', () => {
      const w = given(drafted).when(approve, ctx(headS, at('2025-10-20T10:00')));
      w.then([
        {
          type: 'PetitionAnswered',
          data: {
            outcome: 'support',
            facts: '经核实，欠薪属实',
            legalBasis: '劳动合同法 art. 30',
            draftedBy: 'officer@street-a1',
            approvedBy: 'head@street-a1',
            answeredAt: '2025-10-20T02:00:00.000Z',
            onTime: true,
          },
        },
        { type: 'DeadlineMet', data: { deadlineId: 'handling-1', kind: 'handling', metAt: '2025-10-20T02:00:00.000Z', late: false } },
        {
          type: 'DeadlineOpened',
          data: {
            deadlineId: 'reviewWindow-1',
            kind: 'reviewWindow',
            duty: rules.deadline('petition.reviewWindow', 'national', '2025-09-23').duty,
            ownerOrgUnit: 'street-a1',
            startDate: '2025-10-20',
            days: 30,
            unit: 'calendar',
            dueDate: '2025-11-19',
            dueAt: '2025-11-19T16:00:00.000Z',
            onExpiry: 'lapse',
            legalBasis: '信访工作条例 art. 35',
            calendarVersion: 'cn:2025r1+2026r1',
            calendarCovered: true,
          },
        },
      ]);
      expect(w.state()).toMatchObject({ status: 'Answered', answeredDate: '2025-10-20', answerOutcome: 'support' });
    });

    it('the latest draft is the one approved', () => {
      const redrafted = [...drafted, ...step(drafted, { ...draft, outcome: 'explain', facts: '修改后' } as PetitionCommand, ctx(officerS, at('2025-10-16T10:00')))];
      given(redrafted).when(approve, ctx(headS, at('2025-10-20T10:00'))).thenMatch([{ type: 'PetitionAnswered', data: { outcome: 'explain', facts: '修改后' } }, { type: 'DeadlineMet' }, { type: 'DeadlineOpened' }]);
    });

    it('late after the handling due date', () => {
      given(drafted).when(approve, ctx(headS, at('2025-11-25T10:00'))).thenMatch([{ type: 'PetitionAnswered', data: { onTime: false } }, { type: 'DeadlineMet', data: { late: true } }, { type: 'DeadlineOpened' }]);
    });

    it('needs a draft', () => {
      given(inHandling).when(approve, ctx(headS, at('2025-10-20T10:00'))).thenThrows('NO_DRAFT_ANSWER');
    });

    it('head only', () => {
      given(drafted).when(approve, ctx(officerS, at('2025-10-20T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('not twice', () => {
      given(answered).when(approve, ctx(headS, at('2025-10-21T10:00'))).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('RequestReview 复查', () => {
    it('within 30 days of the answer: the union one level up reviews within 30 days', () => {
      const w = given(answered).when(requestReview, ctx(officerS, at('2025-10-27T10:00')));
      w.thenMatch([
        { type: 'ReviewRequested', data: { reasons: '不服处理意见', requestedAt: '2025-10-27T02:00:00.000Z', reviewBody: 'dist-a' } },
        { type: 'DeadlineMet', data: { deadlineId: 'reviewWindow-1', late: false } },
        {
          type: 'DeadlineOpened',
          data: { deadlineId: 'reviewDecision-1', kind: 'reviewDecision', ownerOrgUnit: 'dist-a', startDate: '2025-10-27', dueDate: '2025-11-26', onExpiry: 'miss', legalBasis: '信访工作条例 art. 35' },
        },
      ]);
      expect(w.state()).toMatchObject({ status: 'ReviewRequested', review: { body: 'dist-a' } });
    });

    it('intake of the upper union may register the request', () => {
      given(answered).when(requestReview, ctx(who('intake', 'dist-a'), at('2025-10-27T10:00'))).thenMatch([{ type: 'ReviewRequested' }, { type: 'DeadlineMet' }, { type: 'DeadlineOpened' }]);
    });

    it('not after the window ran out (due 11/19/2025), even before the timer fired', () => {
      given(answered).when(requestReview, ctx(officerS, at('2025-11-20T09:00'))).thenThrows('REVIEW_WINDOW_CLOSED');
    });

    it('no higher body above the city federation', () => {
      const cityAnswered = story(
        [register({ orgUnit: 'city' }), ctx(officerC, at('2025-09-23T10:00'))],
        [accept, ctx(officerC, at('2025-09-24T10:00'))],
        [draft, ctx(officerC, at('2025-09-30T10:00'))],
        [approve, ctx(headC, at('2025-09-30T11:00'))],
      );
      given(cityAnswered).when(requestReview, ctx(officerC, at('2025-10-09T10:00'))).thenThrows('NO_HIGHER_BODY');
    });

    it('only after an answer', () => {
      given(inHandling).when(requestReview, ctx(officerS, at('2025-10-01T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it.each(['supervisor', 'mediator', 'auditor'] as const)('role %s may not', (role) => {
      given(answered).when(requestReview, ctx(who(role, 'street-a1'), at('2025-10-27T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });
  });

  describe('DecideReview', () => {
    it('the review body decides: Reviewed, decision met, 30-day recheck window opens', () => {
      const w = given(reviewRequested).when(decideReview, ctx(headD, at('2025-11-05T10:00')));
      w.thenMatch([
        { type: 'ReviewDecided', data: { outcome: 'upheld', facts: '复查属实', legalBasis: '信访工作条例 art. 35', decidedBy: 'head@dist-a', decidedAt: '2025-11-05T02:00:00.000Z', onTime: true } },
        { type: 'DeadlineMet', data: { deadlineId: 'reviewDecision-1', late: false } },
        { type: 'DeadlineOpened', data: { deadlineId: 'recheckWindow-1', kind: 'recheckWindow', ownerOrgUnit: 'dist-a', dueDate: '2025-12-05', onExpiry: 'lapse', legalBasis: '信访工作条例 art. 36' } },
      ]);
      expect(w.state()).toMatchObject({ status: 'Reviewed', review: { body: 'dist-a', outcome: 'upheld', decidedBy: 'head@dist-a' } });
    });

    it('a supervisor above the review body may decide; late after 30 days', () => {
      given(reviewRequested)
        .when(decideReview, ctx(supervisorC, at('2025-11-27T10:00')))
        .thenMatch([{ type: 'ReviewDecided', data: { onTime: false } }, { type: 'DeadlineMet', data: { late: true } }, { type: 'DeadlineOpened' }]);
    });

    it('the unit that answered may not review itself', () => {
      given(reviewRequested).when(decideReview, ctx(headS, at('2025-11-05T10:00'))).thenThrows('NOT_REVIEW_BODY', 'forbidden');
    });

    it('another district may not', () => {
      given(reviewRequested).when(decideReview, ctx(headB, at('2025-11-05T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    });

    it('intake may not', () => {
      given(reviewRequested).when(decideReview, ctx(who('intake', 'dist-a'), at('2025-11-05T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('only when a review was requested', () => {
      given(answered).when(decideReview, ctx(headD, at('2025-11-05T10:00'))).thenThrows('INVALID_TRANSITION');
    });
  });

  describe('RequestRecheck 复核 and DecideRecheck', () => {
    it('within 30 days of the review: the next level up (the city) rechecks', () => {
      given(reviewed)
        .when(requestRecheck, ctx(officerS, at('2025-11-10T10:00')))
        .thenMatch([
          { type: 'RecheckRequested', data: { reasons: '不服复查意见', recheckBody: 'city' } },
          { type: 'DeadlineMet', data: { deadlineId: 'recheckWindow-1', late: false } },
          { type: 'DeadlineOpened', data: { deadlineId: 'recheckDecision-1', kind: 'recheckDecision', ownerOrgUnit: 'city', dueDate: '2025-12-10', legalBasis: '信访工作条例 art. 36' } },
        ]);
    });

    it('not after the recheck window ran out (due 12/5/2025)', () => {
      given(reviewed).when(requestRecheck, ctx(officerS, at('2025-12-06T10:00'))).thenThrows('RECHECK_WINDOW_CLOSED');
    });

    it('not before a review', () => {
      given(reviewRequested).when(requestRecheck, ctx(officerS, at('2025-11-01T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('no higher body when the review was done by the city', () => {
      const districtCase = story(
        [register({ orgUnit: 'dist-a' }), ctx(officerD, at('2025-09-23T10:00'))],
        [accept, ctx(officerD, at('2025-09-24T10:00'))],
        [draft, ctx(officerD, at('2025-09-30T10:00'))],
        [approve, ctx(headD, at('2025-09-30T11:00'))],
        [requestReview, ctx(officerD, at('2025-10-09T10:00'))],
        [decideReview, ctx(headC, at('2025-10-20T10:00'))],
      );
      given(districtCase).when(requestRecheck, ctx(officerD, at('2025-10-21T10:00'))).thenThrows('NO_HIGHER_BODY');
    });

    it('the recheck body decides and the case closes in the same decision (rechecked)', () => {
      const w = given(recheckRequested).when(decideRecheck, ctx(headC, at('2025-11-20T10:00')));
      w.then([
        {
          type: 'RecheckDecided',
          data: { outcome: 'revised', facts: '复核', legalBasis: '信访工作条例 art. 36', decidedBy: 'head@city', decidedAt: '2025-11-20T02:00:00.000Z', onTime: true },
        },
        { type: 'DeadlineMet', data: { deadlineId: 'recheckDecision-1', kind: 'recheckDecision', metAt: '2025-11-20T02:00:00.000Z', late: false } },
        { type: 'PetitionClosed', data: { reason: 'rechecked', closedAt: '2025-11-20T02:00:00.000Z', closedBy: 'head@city' } },
      ]);
      expect(w.state()).toMatchObject({ status: 'Closed', closeReason: 'rechecked', recheck: { body: 'city', outcome: 'revised' } });
    });

    it('the review body may not recheck its own review', () => {
      given(recheckRequested).when(decideRecheck, ctx(headD, at('2025-11-20T10:00'))).thenThrows('NOT_RECHECK_BODY', 'forbidden');
    });

    it('after 复核 the case accepts no further review', () => {
      const closed = [...recheckRequested, ...step(recheckRequested, decideRecheck, ctx(headC, at('2025-11-20T10:00')))];
      const err = given(closed).when(requestReview, ctx(officerC, at('2025-11-21T10:00'))).thenThrows('INVALID_TRANSITION');
      expect(err.details).toMatchObject({ status: 'Closed' });
      given(closed).when(requestRecheck, ctx(officerC, at('2025-11-21T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('auditors may not decide', () => {
      given(recheckRequested).when(decideRecheck, ctx(auditorC, at('2025-11-20T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });
  });

  describe('ClosePetition', () => {
    it('the head closes an answered case as resolved: the review window is cancelled first', () => {
      const w = given(answered).when({ type: 'ClosePetition', reason: 'resolved', note: '信访人表示满意' }, ctx(headS, at('2025-10-22T10:00')));
      w.then([
        { type: 'DeadlineCancelled', data: { deadlineId: 'reviewWindow-1', kind: 'reviewWindow', reason: 'closed' } },
        { type: 'PetitionClosed', data: { reason: 'resolved', closedAt: '2025-10-22T02:00:00.000Z', closedBy: 'head@street-a1', note: '信访人表示满意' } },
      ]);
      expect(w.state()).toMatchObject({ status: 'Closed', closeReason: 'resolved' });
    });

    it('a reviewed case closes as resolved, cancelling the recheck window', () => {
      given(reviewed)
        .when({ type: 'ClosePetition', reason: 'resolved' }, ctx(headD, at('2025-11-06T10:00')))
        .thenMatch([{ type: 'DeadlineCancelled', data: { kind: 'recheckWindow' } }, { type: 'PetitionClosed', data: { reason: 'resolved' } }]);
    });

    it('the system closes a not-accepted case', () => {
      const na = [...registered, ...step(registered, { type: 'NotAcceptPetition', signedBy: 'h', reason: 'r' }, ctx(headS, at('2025-09-24T10:00')))];
      given(na)
        .when({ type: 'ClosePetition', reason: 'not_accepted' }, ctx(system, at('2025-09-24T11:00')))
        .then([{ type: 'PetitionClosed', data: { reason: 'not_accepted', closedAt: '2025-09-24T03:00:00.000Z', closedBy: 'system' } }]);
    });

    it('a routed-out case closes as routed_out, not as resolved', () => {
      const ro = [...registered, ...step(registered, { type: 'RouteOutPetition', signedBy: 'h', procedure: 'litigation', reason: 'r' }, ctx(headS, at('2025-09-24T10:00')))];
      given(ro).when({ type: 'ClosePetition', reason: 'routed_out' }, ctx(headS, at('2025-09-24T11:00'))).thenMatch([{ type: 'PetitionClosed', data: { reason: 'routed_out' } }]);
      given(ro).when({ type: 'ClosePetition', reason: 'resolved' }, ctx(headS, at('2025-09-24T11:00'))).thenThrows('CLOSE_REASON_NOT_ALLOWED');
    });

    it('a case still in handling is not resolved; it may be withdrawn, cancelling its deadlines', () => {
      given(inHandling).when({ type: 'ClosePetition', reason: 'resolved' }, ctx(headS, at('2025-10-01T10:00'))).thenThrows('CLOSE_REASON_NOT_ALLOWED');
      given(inHandling)
        .when({ type: 'ClosePetition', reason: 'withdrawn' }, ctx(headS, at('2025-10-01T10:00')))
        .thenMatch([{ type: 'DeadlineCancelled', data: { kind: 'handling', reason: 'closed' } }, { type: 'PetitionClosed', data: { reason: 'withdrawn' } }]);
    });

    it.each(['window_lapsed', 'rechecked', 'not_accepted'] as const)('cannot be closed by command as %s when Answered', (reason) => {
      given(answered).when({ type: 'ClosePetition', reason }, ctx(headS, at('2025-10-22T10:00'))).thenThrows('CLOSE_REASON_NOT_ALLOWED');
    });

    it('not twice', () => {
      const closed = [...answered, ...step(answered, { type: 'ClosePetition', reason: 'resolved' }, ctx(headS, at('2025-10-22T10:00')))];
      given(closed).when({ type: 'ClosePetition', reason: 'resolved' }, ctx(headS, at('2025-10-23T10:00'))).thenThrows('INVALID_TRANSITION');
    });

    it('officers and supervisors may not close', () => {
      given(answered).when({ type: 'ClosePetition', reason: 'resolved' }, ctx(officerS, at('2025-10-22T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
      given(answered).when({ type: 'ClosePetition', reason: 'resolved' }, ctx(supervisorD, at('2025-10-22T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('a head of another district may not', () => {
      given(answered).when({ type: 'ClosePetition', reason: 'resolved' }, ctx(headB, at('2025-10-22T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    });
  });

  describe('ExpireDeadline', () => {
    it('a missed acceptance escalates to the unit above the owner', () => {
      given(registered)
        .when(expire('acceptance-1'), ctx(system, at('2025-10-10T00:00')))
        .then([
          {
            type: 'DeadlineMissed',
            data: {
              deadlineId: 'acceptance-1',
              kind: 'acceptance',
              dueAt: '2025-10-09T16:00:00.000Z',
              missedAt: '2025-10-09T16:00:00.000Z',
              ownerOrgUnit: 'street-a1',
              escalateTo: 'dist-a',
              level: 1,
              next: { step: 'escalated', level: 2, at: '2025-10-15T16:00:00.000Z' },
            },
          },
        ]);
    });

    it('an early timer is refused so that it is retried', () => {
      given(registered).when(expire('acceptance-1'), ctx(system, at('2025-10-09T23:59'))).thenThrows('DEADLINE_NOT_DUE');
    });

    it('a timer for a duty already met decides nothing', () => {
      given(accepted).when(expire('acceptance-1'), ctx(system, at('2025-10-10T00:00'))).then([]);
    });

    it('an unknown deadline is not found', () => {
      given(registered).when(expire('handling-9'), ctx(system, at('2025-10-10T00:00'))).thenThrows('DEADLINE_NOT_FOUND', 'not_found');
    });

    it('system only', () => {
      given(registered).when(expire('acceptance-1'), ctx(headC, at('2025-10-10T00:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('the review window lapsing closes the case (window_lapsed)', () => {
      const w = given(answered).when(expire('reviewWindow-1'), ctx(system, at('2025-11-20T00:00')));
      w.then([
        { type: 'DeadlineLapsed', data: { deadlineId: 'reviewWindow-1', kind: 'reviewWindow', lapsedAt: '2025-11-19T16:00:00.000Z' } },
        { type: 'PetitionClosed', data: { reason: 'window_lapsed', closedAt: '2025-11-19T16:00:00.000Z', closedBy: 'system', legalBasis: '信访工作条例 art. 35' } },
      ]);
      expect(w.state()).toMatchObject({ status: 'Closed', closeReason: 'window_lapsed' });
    });

    it('the recheck window lapsing closes the case', () => {
      given(reviewed)
        .when(expire('recheckWindow-1'), ctx(system, at('2025-12-06T00:00')))
        .thenMatch([{ type: 'DeadlineLapsed', data: { kind: 'recheckWindow' } }, { type: 'PetitionClosed', data: { reason: 'window_lapsed', closedBy: 'system' } }]);
    });

    it('a lapsed objection window leaves the transferred case with the receiver', () => {
      const w = given(transferred).when(expire('transferObjection-1'), ctx(system, at('2025-10-10T00:00')));
      w.thenMatch([{ type: 'DeadlineLapsed', data: { kind: 'transferObjection' } }]);
      expect(w.state()).toMatchObject({ status: 'Registered', orgUnit: 'dist-a' });
    });

    it('a missed review decision escalates above the review body', () => {
      given(reviewRequested)
        .when(expire('reviewDecision-1'), ctx(system, at('2025-11-27T00:00')))
        .thenMatch([{ type: 'DeadlineMissed', data: { ownerOrgUnit: 'dist-a', escalateTo: 'city' } }]);
    });
  });

  describe('AcknowledgeEscalation', () => {
    const missed = [...registered, ...step(registered, expire('acceptance-1'), ctx(system, at('2025-10-10T00:00')))];
    const ack: PetitionCommand = { type: 'AcknowledgeEscalation', deadlineId: 'acceptance-1', level: 1, note: '已催办' };

    it('a supervisor above the owner acknowledges', () => {
      given(missed)
        .when(ack, ctx(supervisorD, at('2025-10-10T09:00')))
        .then([{ type: 'EscalationAcknowledged', data: { deadlineId: 'acceptance-1', level: 1, acknowledgedBy: 'supervisor@dist-a', note: '已催办', acknowledgedAt: '2025-10-10T01:00:00.000Z' } }]);
    });

    it('not the owning unit itself, and never an auditor', () => {
      given(missed).when(ack, ctx(headS, at('2025-10-10T09:00'))).thenThrows('OUTSIDE_ESCALATION_SCOPE', 'forbidden');
      given(missed).when(ack, ctx(auditorC, at('2025-10-10T09:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('no escalation to acknowledge before a miss', () => {
      given(registered).when(ack, ctx(supervisorD, at('2025-10-01T09:00'))).thenThrows('NO_ESCALATION_AT_LEVEL');
    });
  });

  describe('auditors', () => {
    it.each<PetitionCommand>([
      { type: 'NotifyReceipt', method: 'x' },
      accept,
      { type: 'AssignHandler', officerId: 'o' },
      { type: 'RecordProgress', note: 'n' },
      { type: 'ExtendHandling', reason: 'r', days: 5 },
      draft,
      approve,
      { type: 'ClosePetition', reason: 'withdrawn' },
      expire('handling-1'),
    ])('may never issue $type', (command) => {
      given(inHandling).when(command, ctx(auditorC, at('2025-10-01T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });
  });

  describe('replay', () => {
    it('folding the whole history gives the final state, deadlines included', () => {
      const closed = [...recheckRequested, ...step(recheckRequested, decideRecheck, ctx(headC, at('2025-11-20T10:00')))];
      const s = fold(petitionDecider, closed);
      expect(s).toMatchObject({
        status: 'Closed',
        petitionId: 'p-1',
        orgUnit: 'street-a1',
        jurisdiction: 'national',
        receivedDate: '2025-09-23',
        handler: 'officer@street-a1',
        answeredDate: '2025-10-20',
        review: { body: 'dist-a' },
        recheck: { body: 'city' },
        closeReason: 'rechecked',
      });
      const statuses = Object.fromEntries(Object.values(s.deadlines).map((d) => [d.deadlineId, d.status]));
      expect(statuses).toEqual({
        'acceptance-1': 'met',
        'handling-1': 'met',
        'reviewWindow-1': 'met',
        'reviewDecision-1': 'met',
        'recheckWindow-1': 'met',
        'recheckDecision-1': 'met',
      });
    });
  });
});

describe('RouteOutPetition to mediation (opens a linked mediation case)', () => {
  const worker = (n: number, migrant = true) => ({ workerId: `w${n}`, name: `工人${n}`, migrantWorker: migrant });
  const mediation = {
    employer: { name: '某建筑公司', creditCode: '91110000000000000X' },
    claims: [{ type: 'wages' as const, amountYuan: 48000 }],
    disputeDate: '2025-08-31',
    workers: [worker(1), worker(2)],
  };
  const toMediation = (over: Partial<Extract<PetitionCommand, { type: 'RouteOutPetition' }>> = {}): PetitionCommand => ({
    type: 'RouteOutPetition',
    signedBy: 'head@street-a1',
    procedure: 'mediation',
    target: 'A1街道劳动争议调解委员会',
    reason: '属劳动争议，导入调解程序',
    mediation,
    ...over,
  });

  it('records the application data on the event, as plain known fields only', () => {
    const extra = { ...mediation, workers: [{ ...worker(1), shoeSize: 42 }, worker(2)], employer: { name: '某建筑公司', boss: 'x' } } as never;
    const events = given(registered).when(toMediation({ mediation: extra }), ctx(officerS, at('2025-09-24T10:00'))).thenMatch([
      { type: 'PetitionRoutedOut', data: { procedure: 'mediation', onTime: true } },
      { type: 'DeadlineMet', data: { kind: 'acceptance' } },
    ]);
    expect((events[0].data as { mediation: unknown }).mediation).toEqual({
      employer: { name: '某建筑公司' },
      claims: [{ type: 'wages', amountYuan: 48000 }],
      disputeDate: '2025-08-31',
      workers: [worker(1), worker(2)],
    });
  });

  it('needs the application data for mediation, and refuses it for any other procedure', () => {
    given(registered).when(toMediation({ mediation: undefined }), ctx(officerS, at('2025-09-24T10:00'))).thenThrows('MEDIATION_DATA_REQUIRED');
    given(registered)
      .when(toMediation({ procedure: 'labour_arbitration' }), ctx(officerS, at('2025-09-24T10:00')))
      .thenThrows('MEDIATION_DATA_NOT_APPLICABLE');
  });

  it.each([
    ['no workers', { workers: [] }, 'WORKERS_REQUIRED'],
    ['no employer', { employer: { name: ' ' } }, 'EMPLOYER_REQUIRED'],
    ['no claims', { claims: [] }, 'CLAIMS_REQUIRED'],
    ['a dispute date in the future', { disputeDate: '2025-10-01' }, 'INVALID_DISPUTE_DATE'],
    ['a collective claim without representatives', { workers: Array.from({ length: 10 }, (_, i) => worker(i + 1)), commonClaim: true }, 'REPRESENTATIVES_REQUIRED'],
    ['a headcount below the workers named', { headcount: 1 }, 'INVALID_HEADCOUNT'],
  ])('refuses a route-out the mediation workflow would refuse: %s', (_label, over, code) => {
    given(registered).when(toMediation({ mediation: { ...mediation, ...over } as never }), ctx(officerS, at('2025-09-24T10:00'))).thenThrows(code);
  });

  it('a collective route-out with representatives is accepted; the usual rules of routing out still apply', () => {
    const workers = Array.from({ length: 12 }, (_, i) => worker(i + 1));
    given(registered)
      .when(toMediation({ mediation: { ...mediation, workers, commonClaim: true, representatives: ['w1', 'w2'] } }), ctx(headS, at('2025-09-24T10:00')))
      .thenMatch([{ type: 'PetitionRoutedOut', data: { mediation: { commonClaim: true, representatives: ['w1', 'w2'] } } }, { type: 'DeadlineMet' }]);
    given(registered).when(toMediation(), ctx(officerB, at('2025-09-24T10:00'))).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    given(registered).when(toMediation(), ctx(intakeS, at('2025-09-24T10:00'))).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
  });
});
