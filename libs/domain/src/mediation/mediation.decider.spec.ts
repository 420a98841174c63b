import type { Actor } from '../common/actor';
import { SYSTEM_ACTOR } from '../common/actor';
import { DecisionContext, fold } from '../common/decider';
import { DomainError } from '../common/domain-error';
import { HolidayCalendar, HolidayYear } from '../calendar/holiday-calendar';
import { OrgDirectory } from '../org/org-directory';
import { RuleBook } from '../rules/rule-book';
import { MEDIATION_RULES } from '../rules/mediation.rules';
import type { MediationCommand } from './mediation.commands';
import type { MediationEvent, MediationWorker, Obligation } from './mediation.events';
import { addYearsLocal, mediationDecider, MEDIATION_COMMAND_ROLES } from './mediation.decider';
import { applicationFromPetition } from './from-petition';
import type { MediationState } from './mediation.state';

// ---------------------------------------------------------------- fixtures

/** 2025 arrangement (国办发明电〔2024〕12号), enough of it for these tests. */
const CN_2025: HolidayYear = {
  year: 2025,
  source: 'test fixture (State Council notice for 2025)',
  revision: 1,
  offDays: [
    { date: '2025-01-01', name: '元旦' },
    ...['01-28', '01-29', '01-30', '01-31', '02-01', '02-02', '02-03', '02-04'].map((d) => ({ date: `2025-${d}`, name: '春节' })),
    ...['04-04', '04-05', '04-06'].map((d) => ({ date: `2025-${d}`, name: '清明节' })),
    ...['05-01', '05-02', '05-03', '05-04', '05-05'].map((d) => ({ date: `2025-${d}`, name: '劳动节' })),
    ...['05-31', '06-01', '06-02'].map((d) => ({ date: `2025-${d}`, name: '端午节' })),
    ...['10-01', '10-02', '10-03', '10-04', '10-05', '10-06', '10-07', '10-08'].map((d) => ({ date: `2025-${d}`, name: '国庆节、中秋节' })),
  ],
  workingWeekendDays: [
    { date: '2025-01-26', name: '春节' },
    { date: '2025-02-08', name: '春节' },
    { date: '2025-04-27', name: '劳动节' },
    { date: '2025-09-28', name: '国庆节、中秋节' },
    { date: '2025-10-11', name: '国庆节、中秋节' },
  ],
};

const calendar = new HolidayCalendar([CN_2025]);
const rules = new RuleBook(MEDIATION_RULES);
const org = new OrgDirectory([
  { id: 'city', name: '市总工会', level: 1 },
  { id: 'district', name: '区总工会', level: 2, parentId: 'city' },
  { id: 'district2', name: '另一区总工会', level: 2, parentId: 'city' },
  { id: 'street', name: '街道工会', level: 3, parentId: 'district' },
  { id: 'grassroots', name: '某公司工会', level: 4, parentId: 'street' },
]);

const actor = (id: string, role: Actor['role'], orgUnit = 'street'): Actor => ({ id, role, orgUnit });
const intake = actor('in-1', 'intake');
const officer = actor('off-1', 'officer');
const head = actor('head-1', 'head');
const med = actor('med-1', 'mediator');
const med2 = actor('med-2', 'mediator');
const districtHead = actor('head-d', 'head', 'district');
const supervisor = actor('sup-1', 'supervisor', 'district');
const auditor = actor('aud-1', 'auditor', 'city');
const grassrootsOfficer = actor('off-g', 'officer', 'grassroots');
const outsider = (role: Actor['role']): Actor => actor(`out-${role}`, role, 'district2');
const system = SYSTEM_ACTOR;

/** An instant given as China Standard Time wall-clock time: cst('2025-09-23 10:00'). */
const cst = (local: string): string => new Date(`${local.replace(' ', 'T')}:00+08:00`).toISOString();

const ctx = (who: Actor, when: string, jurisdiction = 'national'): DecisionContext => ({
  actor: who,
  now: cst(when),
  calendar,
  rules,
  org,
  jurisdiction,
});

// ---------------------------------------------------------------- given / when / then

function given(...histories: MediationEvent[][]) {
  const history = histories.flat();
  const state: MediationState = fold(mediationDecider, history);
  return {
    state,
    when(command: MediationCommand, c: DecisionContext) {
      const run = () => mediationDecider.decide(command, state, c);
      return {
        /** Same number of events, in order, each matching the given (partial) event. */
        then(expected: Array<{ type?: string; data?: unknown }>): MediationEvent[] {
          const got = run();
          expect(got).toMatchObject(expected);
          return got;
        },
        thenThrows(code: string, kind?: DomainError['kind'], details?: Record<string, unknown>): DomainError {
          let err: unknown;
          try {
            run();
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(DomainError);
          const de = err as DomainError;
          expect(de.code).toBe(code);
          if (kind) expect(de.kind).toBe(kind);
          if (details) expect(de.details).toMatchObject(details);
          return de;
        },
        /** The state after the decided events. */
        thenState(): MediationState {
          return fold(mediationDecider, [...history, ...run()]);
        },
      };
    },
  };
}

/** Build a history by running commands through the decider (so histories are real). */
class Story {
  readonly events: MediationEvent[] = [];
  do(command: MediationCommand, c: DecisionContext): this {
    const state = fold(mediationDecider, this.events);
    this.events.push(...mediationDecider.decide(command, state, c));
    return this;
  }
  get state(): MediationState {
    return fold(mediationDecider, this.events);
  }
}

// ---------------------------------------------------------------- commands

const worker = (n: number, migrantWorker = true): MediationWorker => ({
  workerId: `w${n}`,
  name: `工人${n}`,
  idNumber: `1101011990010100${String(n).padStart(2, '0')}`,
  phone: `1380000${String(n).padStart(4, '0')}`,
  migrantWorker,
});

const apply = (over: Partial<Extract<MediationCommand, { type: 'ApplyForMediation' }>> = {}): MediationCommand => ({
  type: 'ApplyForMediation',
  mediationId: 'm-1',
  orgUnit: 'street',
  form: 'written',
  workers: [worker(1)],
  employer: { name: '某建筑公司', creditCode: '91110000MA01234567' },
  facts: '拖欠2025年6—8月工资',
  claims: [
    { type: 'wages', amountYuan: 30000 },
    { type: 'social_insurance', amountYuan: 5000 },
  ],
  headcount: 1,
  commonClaim: false,
  disputeDate: '2025-09-01',
  ...over,
});

const collectiveApply = () =>
  apply({
    workers: Array.from({ length: 12 }, (_, i) => worker(i + 1)),
    headcount: 12,
    commonClaim: true,
    representatives: ['w1', 'w2', 'w3'],
    claims: [
      { type: 'wages', amountYuan: 240000 },
      { type: 'wages', amountYuan: 120000.5 },
      { type: 'severance', amountYuan: 60000 },
    ],
  });

const OBLIGATIONS: Obligation[] = [
  { obligationId: 'o1', payer: 'employer', payee: 'worker', description: '支付拖欠工资', amountYuan: 30000, dueDate: '2025-10-20', claimType: 'wages' },
  { obligationId: 'o2', payer: 'employer', payee: 'worker', description: '补缴社会保险', amountYuan: 5000, dueDate: '2025-10-31', claimType: 'social_insurance' },
];

const consent = { workerConsentRecordedAt: cst('2025-10-05 09:00'), employerConsentRecordedAt: cst('2025-10-05 10:00') };

// Standard case history, received Tue 2025-09-23 10:00 CST.
const applied = () => new Story().do(apply(), ctx(intake, '2025-09-23 10:00'));
const accepted = () => applied().do({ type: 'AcceptApplication' }, ctx(officer, '2025-09-24 10:00'));
const assigned = () => accepted().do({ type: 'AssignMediator', mediatorId: 'med-1' }, ctx(officer, '2025-09-24 11:00'));
const scheduled = () => assigned().do({ type: 'ScheduleSession', at: cst('2025-09-26 10:00'), place: '街道调解室' }, ctx(med, '2025-09-24 12:00'));
const mediating = () => scheduled().do({ type: 'RecordSessionHeld', sessionId: 'session-1', notes: '双方陈述' }, ctx(med, '2025-09-26 11:00'));
const drafted = (obligations = OBLIGATIONS) => mediating().do({ type: 'RecordAgreement', obligations }, ctx(med, '2025-09-29 10:00'));
const signedByAll = (s: Story) =>
  s
    .do({ type: 'SignAgreement', party: 'worker' }, ctx(med, '2025-09-29 11:00'))
    .do({ type: 'SignAgreement', party: 'employer' }, ctx(med, '2025-09-29 11:05'))
    .do({ type: 'SignAgreement', party: 'mediator' }, ctx(med, '2025-09-29 11:10'));
const effective = (obligations = OBLIGATIONS) => signedByAll(drafted(obligations)).do({ type: 'SealAgreement' }, ctx(head, '2025-09-29 15:00'));
const breachedO1 = (obligations = OBLIGATIONS) =>
  effective(obligations).do({ type: 'RecordBreach', obligationId: 'o1', note: '到期未付' }, ctx(officer, '2025-10-21 10:00'));
const failed = () => mediating().do({ type: 'RecordMediationFailed', reason: 'no_agreement' }, ctx(med, '2025-09-30 10:00'));

// ---------------------------------------------------------------- tests

describe('mediation decider (劳动争议调解, LDMAL)', () => {
  it('is the mediation stream category', () => {
    expect(mediationDecider.category).toBe('mediation');
    expect(mediationDecider.initialState.status).toBe('None');
  });

  describe('rule tables', () => {
    it('resolves the LDMAL periods from 2008 and the legal-aid periods from 2022', () => {
      expect(rules.deadline('mediation.acceptance', 'national', '2010-01-04')).toMatchObject({ days: 3, unit: 'working', onExpiry: 'miss' });
      expect(rules.deadline('mediation.acceptance', 'national', '2010-01-04').legalBasis).toMatch(/local practice/);
      expect(rules.deadline('mediation.statutory', 'national', '2025-09-23')).toMatchObject({ days: 15, legalBasis: 'LDMAL art. 14', onExpiry: 'lapse' });
      expect(rules.deadline('mediation.period', 'national', '2025-09-23')).toMatchObject({ days: 15, onExpiry: 'lapse' });
      expect(rules.deadline('mediation.legalAidDecision', 'national', '2025-09-23')).toMatchObject({ days: 7, legalBasis: '法律援助法 art. 43', onExpiry: 'miss' });
      expect(rules.deadline('mediation.legalAidAssignment', 'national', '2025-09-23')).toMatchObject({ days: 3, onExpiry: 'miss' });
      expect(() => rules.deadline('mediation.legalAidDecision', 'national', '2021-06-01')).toThrow();
      expect(rules.limit('mediation.collectiveHeadcount', 'national', '2025-09-23')).toBe(10);
      expect(rules.limit('mediation.maxRepresentatives', 'national', '2025-09-23')).toBe(5);
      expect(rules.limit('mediation.arbitrationAwardDays', 'national', '2025-09-23')).toBe(45);
      expect(rules.limit('mediation.arbitrationAwardExtensionDays', 'national', '2025-09-23')).toBe(15);
    });

    it('counts years as the civil code does (29 Feb → 28 Feb)', () => {
      expect(addYearsLocal('2024-02-29', 1)).toBe('2025-02-28');
      expect(addYearsLocal('2025-09-23', 1)).toBe('2026-09-23');
    });
  });

  describe('ApplyForMediation', () => {
    it('opens the case with the acceptance (3 working days) and statutory (15 days) clocks', () => {
      given()
        .when(apply(), ctx(intake, '2025-09-23 10:00'))
        .then([
          {
            type: 'MediationApplied',
            data: {
              mediationId: 'm-1',
              orgUnit: 'street',
              form: 'written',
              headcount: 1,
              collective: false,
              claimTotalYuan: 35000,
              claimTotalsByType: { wages: 30000, social_insurance: 5000 },
              migrantWorkerCount: 1,
              involvesMigrantWorkers: true,
              receivedDate: '2025-09-23',
              jurisdiction: 'national',
              appliedBy: 'in-1',
            },
          },
          { type: 'DeadlineOpened', data: { deadlineId: 'acceptance-1', kind: 'acceptance', unit: 'working', dueDate: '2025-09-26', onExpiry: 'miss' } },
          // 9/23 + 15 = 10/8, a holiday: the period ends on the next working day.
          { type: 'DeadlineOpened', data: { deadlineId: 'statutory-1', kind: 'statutory', dueDate: '2025-10-09', onExpiry: 'lapse', legalBasis: 'LDMAL art. 14' } },
        ]);
    });

    it('keeps who recorded an oral application on the spot (art. 12)', () => {
      const [e] = given().when(apply({ form: 'oral' }), ctx(officer, '2025-09-23 10:00')).then([{ type: 'MediationApplied', data: { form: 'oral', recordedBy: 'off-1' } }, {}, {}]);
      expect(e.type).toBe('MediationApplied');
      const [w] = given().when(apply(), ctx(officer, '2025-09-23 10:00')).then([{}, {}, {}]);
      expect((w.data as { recordedBy?: string }).recordedBy).toBeUndefined();
    });

    it('marks a collective case: 12 migrant workers with a common claim and representatives (art. 7)', () => {
      given()
        .when(collectiveApply(), ctx(intake, '2025-09-23 10:00'))
        .then([
          {
            type: 'MediationApplied',
            data: {
              headcount: 12,
              collective: true,
              commonClaim: true,
              representatives: ['w1', 'w2', 'w3'],
              migrantWorkerCount: 12,
              involvesMigrantWorkers: true,
              claimTotalsByType: { wages: 360000.5, severance: 60000 },
              claimTotalYuan: 420000.5,
            },
          },
          { type: 'DeadlineOpened' },
          { type: 'DeadlineOpened' },
        ]);
    });

    it('requires representatives for a collective case', () => {
      given()
        .when({ ...collectiveApply(), representatives: [] } as MediationCommand, ctx(intake, '2025-09-23 10:00'))
        .thenThrows('REPRESENTATIVES_REQUIRED', 'rule');
    });

    it('limits the number of representatives (configurable, 5)', () => {
      given()
        .when({ ...collectiveApply(), representatives: ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'] } as MediationCommand, ctx(intake, '2025-09-23 10:00'))
        .thenThrows('TOO_MANY_REPRESENTATIVES', 'rule', { max: 5, given: 6 });
    });

    it('is not collective without a common claim, nor below 10 workers', () => {
      given()
        .when({ ...collectiveApply(), commonClaim: false, representatives: [] } as MediationCommand, ctx(intake, '2025-09-23 10:00'))
        .then([{ type: 'MediationApplied', data: { collective: false, headcount: 12 } }, {}, {}]);
      given()
        .when(apply({ workers: [worker(1), worker(2)], headcount: 9, commonClaim: true }), ctx(intake, '2025-09-23 10:00'))
        .then([{ type: 'MediationApplied', data: { collective: false, headcount: 9, migrantWorkerCount: 2 } }, {}, {}]);
    });

    it('accepts a collective headcount above the workers named (representatives only)', () => {
      given()
        .when(apply({ workers: [worker(1), worker(2, false)], headcount: 30, commonClaim: true, representatives: ['w1', 'w2'] }), ctx(intake, '2025-09-23 10:00'))
        .then([{ type: 'MediationApplied', data: { collective: true, headcount: 30, migrantWorkerCount: 1 } }, {}, {}]);
    });

    it('refuses representatives who are not among the workers', () => {
      given()
        .when({ ...collectiveApply(), representatives: ['w1', 'w99'] } as MediationCommand, ctx(intake, '2025-09-23 10:00'))
        .thenThrows('UNKNOWN_WORKER', 'rule', { workerIds: ['w99'] });
    });

    it('links a petition routed out to mediation', () => {
      given()
        .when(apply({ fromPetition: { petitionId: 'p-42' } }), ctx(intake, '2025-09-23 10:00'))
        .then([{ type: 'MediationApplied', data: { fromPetition: { petitionId: 'p-42' } } }, {}, {}]);
    });

    it('records the arbitration limitation as a dated fact, interrupted by the application (art. 27)', () => {
      const [e] = given().when(apply({ disputeDate: '2025-03-01' }), ctx(intake, '2025-09-23 10:00')).then([
        {
          type: 'MediationApplied',
          data: {
            disputeDate: '2025-03-01',
            arbitrationLimitationDate: '2026-03-01',
            limitationInterruptedOn: '2025-09-23',
            limitationRecountedDate: '2026-09-23',
            limitationLegalBasis: 'LDMAL art. 27',
          },
        },
        { type: 'DeadlineOpened', data: { kind: 'acceptance' } },
        { type: 'DeadlineOpened', data: { kind: 'statutory' } },
      ]);
      expect(e.type).toBe('MediationApplied');
    });

    it('does not interrupt a limitation that had already run out', () => {
      given()
        .when(apply({ disputeDate: '2024-06-01' }), ctx(intake, '2025-09-23 10:00'))
        .then([{ type: 'MediationApplied', data: { arbitrationLimitationDate: '2025-06-01', limitationInterruptedOn: null, limitationRecountedDate: null } }, {}, {}]);
    });

    it('keeps statistics free of personal data so they survive erasure', () => {
      const [e] = given().when(collectiveApply(), ctx(intake, '2025-09-23 10:00')).then([{ type: 'MediationApplied' }, {}, {}]);
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { workers, employer, facts, ...rest } = (e as Extract<MediationEvent, { type: 'MediationApplied' }>).data;
      const text = JSON.stringify(rest);
      expect(text).not.toMatch(/工人|1101011990|1380000|某建筑公司/);
      expect(rest).toMatchObject({ headcount: 12, migrantWorkerCount: 12, orgUnit: 'street', receivedDate: '2025-09-23' });
    });

    it('refuses a second application for the same case', () => {
      given(applied().events).when(apply(), ctx(intake, '2025-09-23 11:00')).thenThrows('MEDIATION_ALREADY_EXISTS', 'rule');
    });

    it.each([
      ['no claims', apply({ claims: [] }), 'CLAIMS_REQUIRED'],
      ['no workers', apply({ workers: [] }), 'WORKERS_REQUIRED'],
      ['negative amount', apply({ claims: [{ type: 'wages', amountYuan: -1 }] }), 'INVALID_AMOUNT'],
      ['fractions of a fen', apply({ claims: [{ type: 'wages', amountYuan: 1.001 }] }), 'INVALID_AMOUNT'],
      ['headcount below workers named', apply({ workers: [worker(1), worker(2)], headcount: 1 }), 'INVALID_HEADCOUNT'],
      ['dispute date in the future', apply({ disputeDate: '2025-12-01' }), 'INVALID_DISPUTE_DATE'],
      ['unknown org unit', apply({ orgUnit: 'nowhere' }), 'UNKNOWN_ORG_UNIT'],
      ['no employer', apply({ employer: { name: ' ' } }), 'EMPLOYER_REQUIRED'],
    ])('refuses an application with %s', (_label, command, code) => {
      given().when(command, ctx(intake, '2025-09-23 10:00')).thenThrows(code, 'rule');
    });

    it.each([head, supervisor, auditor, system])('refuses role $role', (who) => {
      given().when(apply(), ctx(who, '2025-09-23 10:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('refuses a case outside the actor’s subtree, allows one below it', () => {
      given().when(apply(), ctx(outsider('intake'), '2025-09-23 10:00')).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      // Scope before existence (issue 11): the same 403 whether or not the case exists.
      given(applied().events).when(apply(), ctx(outsider('intake'), '2025-09-23 11:00')).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      given().when(apply({ orgUnit: 'street' }), ctx(grassrootsOfficer, '2025-09-23 10:00')).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      given().when(apply({ orgUnit: 'grassroots' }), ctx(officer, '2025-09-23 10:00')).then([{ type: 'MediationApplied', data: { orgUnit: 'grassroots' } }, {}, {}]);
    });
  });

  describe('a missing case', () => {
    it.each<[MediationCommand, Actor]>([
      [{ type: 'AcceptApplication' }, officer],
      [{ type: 'RecordAgreement', obligations: OBLIGATIONS }, med],
      [{ type: 'CloseMediation', reason: 'x' }, head],
      [{ type: 'ExpireDeadline', deadlineId: 'statutory-1' }, system],
    ])('answers %o with MEDIATION_NOT_FOUND', (command, who) => {
      given().when(command, ctx(who, '2025-09-24 10:00')).thenThrows('MEDIATION_NOT_FOUND', 'not_found');
    });
  });

  describe('AcceptApplication / RejectApplication', () => {
    it('accepts on time, meets the acceptance clock and opens the body’s own 15-day period', () => {
      given(applied().events)
        .when({ type: 'AcceptApplication' }, ctx(officer, '2025-09-24 10:00'))
        .then([
          { type: 'MediationAccepted', data: { orgUnit: 'street', acceptedDate: '2025-09-24', acceptedBy: 'off-1', onTime: true } },
          { type: 'DeadlineMet', data: { deadlineId: 'acceptance-1', late: false } },
          { type: 'DeadlineOpened', data: { deadlineId: 'period-1', kind: 'period', startDate: '2025-09-24', dueDate: '2025-10-09', onExpiry: 'lapse' } },
        ]);
    });

    it('accepts late after the acceptance clock was missed', () => {
      const s = applied().do({ type: 'ExpireDeadline', deadlineId: 'acceptance-1' }, ctx(system, '2025-09-27 00:00'));
      given(s.events)
        .when({ type: 'AcceptApplication' }, ctx(districtHead, '2025-09-29 09:00'))
        .then([{ type: 'MediationAccepted', data: { onTime: false, acceptedBy: 'head-d' } }, { type: 'DeadlineMet', data: { late: true } }, { type: 'DeadlineOpened' }]);
    });

    it('rejects with a written reason; the worker may go to arbitration (art. 5)', () => {
      const s = given(applied().events).when({ type: 'RejectApplication', reason: '不属于劳动争议' }, ctx(head, '2025-09-24 10:00'));
      s.then([
        { type: 'MediationRejected', data: { reason: '不属于劳动争议', rejectedBy: 'head-1', onTime: true } },
        { type: 'DeadlineMet', data: { deadlineId: 'acceptance-1' } },
        { type: 'DeadlineCancelled', data: { deadlineId: 'statutory-1', reason: 'application_rejected' } },
        { type: 'ArbitrationEligible', data: { reason: 'application_rejected', legalBasis: 'LDMAL art. 5', workerToBeInformed: true } },
      ]);
      expect(s.thenState().status).toBe('Rejected');
    });

    it('requires a reason to reject', () => {
      given(applied().events).when({ type: 'RejectApplication', reason: '' }, ctx(head, '2025-09-24 10:00')).thenThrows('REASON_REQUIRED', 'rule');
    });

    it('refuses to accept twice, naming the current status', () => {
      given(accepted().events)
        .when({ type: 'AcceptApplication' }, ctx(officer, '2025-09-24 12:00'))
        .thenThrows('INVALID_TRANSITION', 'rule', { status: 'Accepted', command: 'AcceptApplication' });
    });

    it.each([med, intake, supervisor, auditor])('refuses role $role', (who) => {
      given(applied().events).when({ type: 'AcceptApplication' }, ctx(who, '2025-09-24 10:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('refuses an officer outside the case’s subtree', () => {
      given(applied().events).when({ type: 'AcceptApplication' }, ctx(outsider('officer'), '2025-09-24 10:00')).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
      given(applied().events).when({ type: 'AcceptApplication' }, ctx(grassrootsOfficer, '2025-09-24 10:00')).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    });
  });

  describe('AssignMediator / ScheduleSession / RecordSessionHeld', () => {
    it('assigns and reassigns a mediator', () => {
      given(accepted().events)
        .when({ type: 'AssignMediator', mediatorId: 'med-1' }, ctx(officer, '2025-09-24 11:00'))
        .then([{ type: 'MediatorAssigned', data: { mediatorId: 'med-1', assignedBy: 'off-1' } }]);
      given(assigned().events)
        .when({ type: 'AssignMediator', mediatorId: 'med-2' }, ctx(head, '2025-09-25 11:00'))
        .then([{ type: 'MediatorAssigned', data: { mediatorId: 'med-2', previousMediatorId: 'med-1' } }]);
    });

    it('refuses to assign before acceptance or to assign the same mediator again', () => {
      given(applied().events).when({ type: 'AssignMediator', mediatorId: 'med-1' }, ctx(officer, '2025-09-24 11:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'Applied' });
      given(assigned().events).when({ type: 'AssignMediator', mediatorId: 'med-1' }, ctx(officer, '2025-09-24 12:00')).thenThrows('MEDIATOR_ALREADY_ASSIGNED', 'rule');
    });

    it('schedules a session', () => {
      given(assigned().events)
        .when({ type: 'ScheduleSession', at: cst('2025-09-26 10:00'), place: '街道调解室' }, ctx(med, '2025-09-24 12:00'))
        .then([{ type: 'SessionScheduled', data: { sessionId: 'session-1', at: cst('2025-09-26 10:00'), place: '街道调解室', scheduledBy: 'med-1' } }]);
    });

    it('refuses to schedule without a mediator or in the past', () => {
      given(accepted().events)
        .when({ type: 'ScheduleSession', at: cst('2025-09-26 10:00'), place: 'x' }, ctx(officer, '2025-09-24 12:00'))
        .thenThrows('MEDIATOR_NOT_ASSIGNED', 'rule');
      given(assigned().events)
        .when({ type: 'ScheduleSession', at: cst('2025-09-20 10:00'), place: 'x' }, ctx(med, '2025-09-24 12:00'))
        .thenThrows('SESSION_IN_PAST', 'rule');
    });

    it('moves Accepted → Mediating with the first held session only', () => {
      const w = given(scheduled().events).when({ type: 'RecordSessionHeld', sessionId: 'session-1', notes: '双方陈述' }, ctx(med, '2025-09-26 11:00'));
      w.then([{ type: 'SessionHeld', data: { sessionId: 'session-1', startedMediation: true, recordedBy: 'med-1' } }]);
      expect(w.thenState().status).toBe('Mediating');
      const s2 = mediating().do({ type: 'ScheduleSession', at: cst('2025-09-28 10:00'), place: 'x' }, ctx(officer, '2025-09-26 12:00'));
      given(s2.events)
        .when({ type: 'RecordSessionHeld', sessionId: 'session-2', notes: '' }, ctx(med, '2025-09-28 11:00'))
        .then([{ type: 'SessionHeld', data: { sessionId: 'session-2', startedMediation: false } }]);
    });

    it('lets only the assigned mediator record a session', () => {
      given(scheduled().events).when({ type: 'RecordSessionHeld', sessionId: 'session-1', notes: '' }, ctx(med2, '2025-09-26 11:00')).thenThrows('NOT_ASSIGNED_MEDIATOR', 'forbidden');
      given(scheduled().events).when({ type: 'RecordSessionHeld', sessionId: 'session-1', notes: '' }, ctx(officer, '2025-09-26 11:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('refuses an unknown session or one already held', () => {
      given(scheduled().events).when({ type: 'RecordSessionHeld', sessionId: 'session-9', notes: '' }, ctx(med, '2025-09-26 11:00')).thenThrows('SESSION_NOT_FOUND', 'not_found');
      given(mediating().events).when({ type: 'RecordSessionHeld', sessionId: 'session-1', notes: '' }, ctx(med, '2025-09-26 12:00')).thenThrows('SESSION_ALREADY_HELD', 'rule');
    });
  });

  describe('ExtendMediationPeriod', () => {
    it('moves the period with both parties’ recorded consent', () => {
      given(mediating().events)
        .when({ type: 'ExtendMediationPeriod', days: 15, consent }, ctx(head, '2025-10-06 10:00'))
        .then([
          { type: 'MediationPeriodExtended', data: { days: 15, previousDueDate: '2025-10-09', newDueDate: '2025-10-24', totalExtensionDays: 15, consent, approvedBy: 'head-1' } },
          { type: 'DeadlineMoved', data: { deadlineId: 'period-1', kind: 'period', dueDate: '2025-10-24', reason: 'extended_with_consent' } },
        ]);
    });

    it.each([
      ['no consent at all', undefined, ['workerConsentRecordedAt', 'employerConsentRecordedAt']],
      ['the worker only', { workerConsentRecordedAt: consent.workerConsentRecordedAt }, ['employerConsentRecordedAt']],
      ['the employer only', { employerConsentRecordedAt: consent.employerConsentRecordedAt }, ['workerConsentRecordedAt']],
      ['a consent recorded in the future', { ...consent, employerConsentRecordedAt: cst('2025-10-07 10:00') }, ['employerConsentRecordedAt']],
    ])('is refused with %s', (_l, c, missing) => {
      given(mediating().events)
        .when({ type: 'ExtendMediationPeriod', days: 10, consent: c }, ctx(head, '2025-10-06 10:00'))
        .thenThrows('CONSENT_REQUIRED', 'rule', { missing });
    });

    it('caps the total extension (configurable, 15 days)', () => {
      const s = mediating().do({ type: 'ExtendMediationPeriod', days: 10, consent }, ctx(head, '2025-10-06 10:00'));
      given(s.events).when({ type: 'ExtendMediationPeriod', days: 6, consent }, ctx(head, '2025-10-07 10:00')).thenThrows('EXTENSION_LIMIT_EXCEEDED', 'rule', { max: 15 });
    });

    it('is for the head only, and only while mediation runs', () => {
      given(mediating().events).when({ type: 'ExtendMediationPeriod', days: 5, consent }, ctx(med, '2025-10-06 10:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
      given(applied().events).when({ type: 'ExtendMediationPeriod', days: 5, consent }, ctx(head, '2025-10-06 10:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'Applied' });
    });
  });

  describe('agreement: RecordAgreement / SignAgreement / SealAgreement', () => {
    it('drafts the agreement (Mediating → Agreed)', () => {
      const w = given(mediating().events).when({ type: 'RecordAgreement', obligations: OBLIGATIONS }, ctx(med, '2025-09-29 10:00'));
      w.then([{ type: 'AgreementDrafted', data: { version: 1, agreedTotalYuan: 35000, agreedTotalsByType: { wages: 30000, social_insurance: 5000 }, draftedBy: 'med-1' } }]);
      expect(w.thenState().status).toBe('Agreed');
    });

    it('needs a held session first', () => {
      given(assigned().events).when({ type: 'RecordAgreement', obligations: OBLIGATIONS }, ctx(med, '2025-09-29 10:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'Accepted' });
    });

    it.each([
      ['no obligations', [], 'OBLIGATIONS_REQUIRED'],
      ['duplicate ids', [OBLIGATIONS[0], { ...OBLIGATIONS[1], obligationId: 'o1' }], 'DUPLICATE_OBLIGATION'],
      ['payer = payee', [{ ...OBLIGATIONS[0], payee: 'employer' }], 'INVALID_OBLIGATION'],
      ['a due date in the past', [{ ...OBLIGATIONS[0], dueDate: '2025-09-01' }], 'INVALID_DUE_DATE'],
      ['a negative amount', [{ ...OBLIGATIONS[0], amountYuan: -5 }], 'INVALID_AMOUNT'],
    ])('refuses an agreement with %s', (_l, obligations, code) => {
      given(mediating().events).when({ type: 'RecordAgreement', obligations: obligations as Obligation[] }, ctx(med, '2025-09-29 10:00')).thenThrows(code, 'rule');
    });

    it('takes effect only after the worker, employer and mediator signatures and the seal (art. 14)', () => {
      const s = drafted()
        .do({ type: 'SignAgreement', party: 'worker', signatoryId: 'w1' }, ctx(med, '2025-09-29 11:00'))
        .do({ type: 'SignAgreement', party: 'employer' }, ctx(officer, '2025-09-29 11:05'));
      expect(s.events.filter((e) => e.type === 'AgreementEffective')).toHaveLength(0);
      given(s.events).when({ type: 'SealAgreement' }, ctx(head, '2025-09-29 11:30')).thenThrows('AGREEMENT_NOT_COMPLETE', 'rule', { missing: ['mediator'] });

      const signedMediator = given(s.events).when({ type: 'SignAgreement', party: 'mediator' }, ctx(med, '2025-09-29 11:10'));
      signedMediator.then([{ type: 'AgreementSigned', data: { party: 'mediator', recordedBy: 'med-1' } }]);
      s.do({ type: 'SignAgreement', party: 'mediator' }, ctx(med, '2025-09-29 11:10'));
      expect(s.state.status).toBe('Agreed');

      const sealed = given(s.events).when({ type: 'SealAgreement' }, ctx(head, '2025-09-29 15:00'));
      sealed.then([
        { type: 'AgreementSealed', data: { version: 1, sealedBy: 'head-1' } },
        {
          type: 'AgreementEffective',
          data: { orgUnit: 'street', effectiveDate: '2025-09-29', daysToAgreement: 6, obligationCount: 2, agreedTotalYuan: 35000, legalBasis: 'LDMAL art. 14' },
        },
        { type: 'DeadlineMet', data: { deadlineId: 'period-1' } },
        { type: 'DeadlineMet', data: { deadlineId: 'statutory-1' } },
        { type: 'DeadlineOpened', data: { deadlineId: 'obligation-1', kind: 'obligation', dueDate: '2025-10-20', onExpiry: 'miss', legalBasis: 'LDMAL art. 15' } },
        { type: 'DeadlineOpened', data: { deadlineId: 'obligation-2', kind: 'obligation', dueDate: '2025-10-31', onExpiry: 'miss' } },
      ]);
      const st = sealed.thenState();
      expect(st.status).toBe('Performing');
      expect(st.agreement!.obligations.o1.deadlineId).toBe('obligation-1');
      expect(st.agreement!.obligations.o2.deadlineId).toBe('obligation-2');
    });

    it('refuses a second signature of the same party', () => {
      const s = drafted().do({ type: 'SignAgreement', party: 'worker' }, ctx(med, '2025-09-29 11:00'));
      given(s.events).when({ type: 'SignAgreement', party: 'worker' }, ctx(med, '2025-09-29 11:01')).thenThrows('ALREADY_SIGNED', 'rule');
    });

    it('lets only the assigned mediator sign for the mediator', () => {
      given(drafted().events).when({ type: 'SignAgreement', party: 'mediator' }, ctx(med2, '2025-09-29 11:00')).thenThrows('NOT_ASSIGNED_MEDIATOR', 'forbidden');
      given(drafted().events).when({ type: 'SignAgreement', party: 'mediator' }, ctx(officer, '2025-09-29 11:00')).thenThrows('NOT_ASSIGNED_MEDIATOR', 'forbidden');
    });

    it('seals by the head only', () => {
      given(signedByAll(drafted()).events).when({ type: 'SealAgreement' }, ctx(med, '2025-09-29 15:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('a redraft clears the signatures collected so far', () => {
      const s = drafted()
        .do({ type: 'SignAgreement', party: 'worker' }, ctx(med, '2025-09-29 11:00'))
        .do({ type: 'RecordAgreement', obligations: [OBLIGATIONS[0]] }, ctx(med, '2025-09-29 12:00'));
      expect(s.state.agreement).toMatchObject({ version: 2, signatures: {} });
      given(s.events).when({ type: 'SignAgreement', party: 'worker' }, ctx(med, '2025-09-29 12:10')).then([{ type: 'AgreementSigned', data: { version: 2, party: 'worker' } }]);
    });

    it('no ArbitrationEligible once the agreement is effective: the statutory clock is met', () => {
      given(effective().events).when({ type: 'ExpireDeadline', deadlineId: 'statutory-1' }, ctx(system, '2025-10-10 00:00')).then([]);
    });
  });

  describe('clocks: ExpireDeadline / AcknowledgeEscalation', () => {
    it('statutory 15 days lapse with no agreement → ArbitrationEligible, worker to be informed (art. 14)', () => {
      const w = given(mediating().events).when({ type: 'ExpireDeadline', deadlineId: 'statutory-1' }, ctx(system, '2025-10-10 00:00'));
      w.then([
        { type: 'DeadlineLapsed', data: { deadlineId: 'statutory-1', kind: 'statutory' } },
        {
          type: 'ArbitrationEligible',
          data: { reason: 'statutory_period_lapsed', legalBasis: 'LDMAL art. 14', workerToBeInformed: true, eligibleDate: '2025-10-10', arbitrationLimitationDate: '2026-09-23' },
        },
      ]);
      // Mediation may continue: the status does not change.
      expect(w.thenState()).toMatchObject({ status: 'Mediating', arbitration: { eligible: true, workerInformPending: true } });
    });

    it('statutory lapse before acceptance also makes the worker eligible', () => {
      given(applied().events)
        .when({ type: 'ExpireDeadline', deadlineId: 'statutory-1' }, ctx(system, '2025-10-10 00:00'))
        .then([{ type: 'DeadlineLapsed' }, { type: 'ArbitrationEligible', data: { reason: 'statutory_period_lapsed' } }]);
    });

    it('refuses a timer that fires early', () => {
      given(mediating().events).when({ type: 'ExpireDeadline', deadlineId: 'statutory-1' }, ctx(system, '2025-10-09 23:59')).thenThrows('DEADLINE_NOT_DUE', 'rule');
    });

    it('the body’s period lapsing means mediation failed', () => {
      const w = given(mediating().events).when({ type: 'ExpireDeadline', deadlineId: 'period-1' }, ctx(system, '2025-10-10 00:00'));
      w.then([
        { type: 'DeadlineLapsed', data: { deadlineId: 'period-1' } },
        { type: 'MediationFailed', data: { reason: 'period_lapsed', orgUnit: 'street' } },
        { type: 'DeadlineCancelled', data: { deadlineId: 'statutory-1', reason: 'mediation_failed' } },
        { type: 'ArbitrationEligible', data: { reason: 'period_lapsed' } },
      ]);
      expect(w.thenState().status).toBe('Failed');
    });

    it('a period lapse after the statutory lapse does not repeat ArbitrationEligible', () => {
      const s = mediating().do({ type: 'ExpireDeadline', deadlineId: 'statutory-1' }, ctx(system, '2025-10-10 00:00'));
      given(s.events)
        .when({ type: 'ExpireDeadline', deadlineId: 'period-1' }, ctx(system, '2025-10-10 00:01'))
        .then([{ type: 'DeadlineLapsed' }, { type: 'MediationFailed', data: { reason: 'period_lapsed' } }]);
    });

    it('an extended period does not lapse at its old date', () => {
      const s = mediating().do({ type: 'ExtendMediationPeriod', days: 5, consent }, ctx(head, '2025-10-06 10:00'));
      given(s.events).when({ type: 'ExpireDeadline', deadlineId: 'period-1' }, ctx(system, '2025-10-10 00:00')).thenThrows('DEADLINE_NOT_DUE', 'rule');
    });

    it('a missed acceptance escalates to the union above; a supervisor there acknowledges', () => {
      const w = given(applied().events).when({ type: 'ExpireDeadline', deadlineId: 'acceptance-1' }, ctx(system, '2025-09-27 00:00'));
      w.then([{ type: 'DeadlineMissed', data: { deadlineId: 'acceptance-1', ownerOrgUnit: 'street', escalateTo: 'district', level: 1 } }]);
      const s = applied().do({ type: 'ExpireDeadline', deadlineId: 'acceptance-1' }, ctx(system, '2025-09-27 00:00'));
      given(s.events)
        .when({ type: 'AcknowledgeEscalation', deadlineId: 'acceptance-1', level: 1, note: '已催办' }, ctx(supervisor, '2025-09-28 09:00'))
        .then([{ type: 'EscalationAcknowledged', data: { deadlineId: 'acceptance-1', level: 1, acknowledgedBy: 'sup-1' } }]);
      given(s.events)
        .when({ type: 'AcknowledgeEscalation', deadlineId: 'acceptance-1', level: 1, note: '' }, ctx(auditor, '2025-09-28 09:00'))
        .thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
      given(s.events)
        .when({ type: 'AcknowledgeEscalation', deadlineId: 'acceptance-1', level: 1, note: '' }, ctx(actor('sup-x', 'supervisor', 'district2'), '2025-09-28 09:00'))
        .thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    });

    it('a missed obligation escalates; the case keeps performing', () => {
      const w = given(effective().events).when({ type: 'ExpireDeadline', deadlineId: 'obligation-1' }, ctx(system, '2025-10-21 00:00'));
      w.then([{ type: 'DeadlineMissed', data: { deadlineId: 'obligation-1', kind: 'obligation', escalateTo: 'district' } }]);
      expect(w.thenState().status).toBe('Performing');
    });

    it('a timer on a cancelled clock decides nothing; only the system fires timers', () => {
      given(failed().events).when({ type: 'ExpireDeadline', deadlineId: 'statutory-1' }, ctx(system, '2025-10-10 00:00')).then([]);
      given(mediating().events).when({ type: 'ExpireDeadline', deadlineId: 'statutory-1' }, ctx(officer, '2025-10-10 00:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
      given(mediating().events).when({ type: 'ExpireDeadline', deadlineId: 'nope-1' }, ctx(system, '2025-10-10 00:00')).thenThrows('DEADLINE_NOT_FOUND', 'not_found');
    });
  });

  describe('RecordMediationFailed / RecordWorkerInformed', () => {
    it('records failure, stops the clocks and makes the worker eligible for arbitration', () => {
      const w = given(mediating().events).when({ type: 'RecordMediationFailed', reason: 'party_refused', note: '用人单位拒绝' }, ctx(med, '2025-09-30 10:00'));
      w.then([
        { type: 'MediationFailed', data: { reason: 'party_refused', note: '用人单位拒绝', recordedBy: 'med-1', legalBasis: 'LDMAL art. 14' } },
        { type: 'DeadlineCancelled', data: { deadlineId: 'statutory-1' } },
        { type: 'DeadlineCancelled', data: { deadlineId: 'period-1' } },
        { type: 'ArbitrationEligible', data: { reason: 'mediation_failed', workerToBeInformed: true } },
      ]);
      expect(w.thenState().status).toBe('Failed');
    });

    it('does not repeat ArbitrationEligible after a statutory lapse', () => {
      const s = mediating().do({ type: 'ExpireDeadline', deadlineId: 'statutory-1' }, ctx(system, '2025-10-10 00:00'));
      given(s.events)
        .when({ type: 'RecordMediationFailed', reason: 'no_agreement' }, ctx(head, '2025-10-10 10:00'))
        .then([{ type: 'MediationFailed' }, { type: 'DeadlineCancelled', data: { deadlineId: 'period-1' } }]);
    });

    it('is refused after the agreement took effect, with an unknown reason, or for an officer', () => {
      given(effective().events).when({ type: 'RecordMediationFailed', reason: 'no_agreement' }, ctx(med, '2025-10-01 10:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'Performing' });
      given(mediating().events)
        .when({ type: 'RecordMediationFailed', reason: 'bored' as never }, ctx(med, '2025-10-01 10:00'))
        .thenThrows('INVALID_REASON', 'rule');
      given(mediating().events).when({ type: 'RecordMediationFailed', reason: 'no_agreement' }, ctx(officer, '2025-10-01 10:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('records that the worker was told of the right to arbitration, once', () => {
      const s = failed();
      given(s.events)
        .when({ type: 'RecordWorkerInformed', method: '书面告知' }, ctx(officer, '2025-09-30 11:00'))
        .then([{ type: 'WorkerInformedOfArbitration', data: { method: '书面告知', informedBy: 'off-1', grounds: ['mediation_failed'] } }]);
      s.do({ type: 'RecordWorkerInformed', method: '书面告知' }, ctx(officer, '2025-09-30 11:00'));
      given(s.events).when({ type: 'RecordWorkerInformed', method: '电话' }, ctx(officer, '2025-09-30 12:00')).thenThrows('NOTHING_TO_INFORM', 'rule');
      given(mediating().events).when({ type: 'RecordWorkerInformed', method: '电话' }, ctx(officer, '2025-09-30 12:00')).thenThrows('NOTHING_TO_INFORM', 'rule');
    });
  });

  describe('performance: RecordPerformance / RecordBreach', () => {
    it('adds up partial payments; the full amount meets that obligation’s deadline', () => {
      const s = effective().do({ type: 'RecordPerformance', obligationId: 'o1', amountYuan: 10000, at: cst('2025-10-10 09:00') }, ctx(officer, '2025-10-10 10:00'));
      expect(s.events.at(-1)).toMatchObject({ type: 'PerformanceRecorded', data: { amountYuan: 10000, paidTotalYuan: 10000, outstandingYuan: 20000, obligationPerformed: false } });
      given(s.events)
        .when({ type: 'RecordPerformance', obligationId: 'o1', amountYuan: 20000, at: cst('2025-10-15 09:00') }, ctx(med, '2025-10-15 10:00'))
        .then([
          {
            type: 'PerformanceRecorded',
            data: { orgUnit: 'street', obligationId: 'o1', claimType: 'wages', payer: 'employer', amountYuan: 20000, paidTotalYuan: 30000, outstandingYuan: 0, obligationPerformed: true, onTime: true },
          },
          { type: 'DeadlineMet', data: { deadlineId: 'obligation-1', late: false } },
        ]);
    });

    it('all obligations performed → AgreementPerformed with the amounts recovered', () => {
      const s = effective().do({ type: 'RecordPerformance', obligationId: 'o2', amountYuan: 5000, at: cst('2025-10-10 09:00') }, ctx(officer, '2025-10-10 10:00'));
      const w = given(s.events).when({ type: 'RecordPerformance', obligationId: 'o1', amountYuan: 30000, at: cst('2025-10-12 09:00') }, ctx(officer, '2025-10-12 10:00'));
      w.then([
        { type: 'PerformanceRecorded', data: { obligationPerformed: true } },
        { type: 'DeadlineMet', data: { deadlineId: 'obligation-1' } },
        { type: 'AgreementPerformed', data: { recoveredTotalYuan: 35000, recoveredByType: { wages: 30000, social_insurance: 5000 }, headcount: 1, involvesMigrantWorkers: true } },
      ]);
      expect(w.thenState().status).toBe('Performed');
    });

    it('a late payment is recorded as late', () => {
      given(effective().events)
        .when({ type: 'RecordPerformance', obligationId: 'o1', amountYuan: 30000, at: cst('2025-10-22 09:00') }, ctx(officer, '2025-10-22 10:00'))
        .then([{ type: 'PerformanceRecorded', data: { onTime: false } }, { type: 'DeadlineMet', data: { late: true } }]);
    });

    it.each([
      ['more than owed', { obligationId: 'o1', amountYuan: 30000.01, at: cst('2025-10-10 09:00') }, 'OVERPAYMENT', 'rule'],
      ['an unknown obligation', { obligationId: 'o9', amountYuan: 1, at: cst('2025-10-10 09:00') }, 'OBLIGATION_NOT_FOUND', 'not_found'],
      ['a payment in the future', { obligationId: 'o1', amountYuan: 1, at: cst('2025-10-11 09:00') }, 'INVALID_DATE', 'rule'],
      ['a zero payment', { obligationId: 'o1', amountYuan: 0, at: cst('2025-10-10 09:00') }, 'INVALID_AMOUNT', 'rule'],
    ] as const)('refuses %s', (_l, p, code, kind) => {
      given(effective().events).when({ type: 'RecordPerformance', ...p }, ctx(officer, '2025-10-10 10:00')).thenThrows(code, kind);
    });

    it('refuses performance before the agreement is effective, and by a head', () => {
      given(signedByAll(drafted()).events)
        .when({ type: 'RecordPerformance', obligationId: 'o1', amountYuan: 1, at: cst('2025-09-29 12:00') }, ctx(officer, '2025-09-29 12:00'))
        .thenThrows('INVALID_TRANSITION', 'rule', { status: 'Agreed' });
      given(effective().events)
        .when({ type: 'RecordPerformance', obligationId: 'o1', amountYuan: 1, at: cst('2025-10-10 09:00') }, ctx(head, '2025-10-10 10:00'))
        .thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it('refuses a breach before the agreed date has passed', () => {
      given(effective().events).when({ type: 'RecordBreach', obligationId: 'o1', note: '' }, ctx(officer, '2025-10-20 23:00')).thenThrows('OBLIGATION_NOT_DUE', 'rule', { dueDate: '2025-10-20' });
    });

    it('one obligation breached → Breached, the remaining obligation clocks stop, arbitration open (art. 15)', () => {
      const w = given(effective().events).when({ type: 'RecordBreach', obligationId: 'o1', note: '到期未付' }, ctx(officer, '2025-10-21 10:00'));
      w.then([
        { type: 'ObligationBreached', data: { obligationId: 'o1', claimType: 'wages', outstandingYuan: 30000, legalBasis: 'LDMAL art. 15' } },
        { type: 'DeadlineCancelled', data: { deadlineId: 'obligation-1', reason: 'agreement_breached' } },
        { type: 'DeadlineCancelled', data: { deadlineId: 'obligation-2', reason: 'agreement_breached' } },
        { type: 'ArbitrationEligible', data: { reason: 'agreement_breached', legalBasis: 'LDMAL art. 15' } },
      ]);
      expect(w.thenState().status).toBe('Breached');
    });

    it('refuses a breach of a performed obligation, or a second breach of the same one', () => {
      const s = effective().do({ type: 'RecordPerformance', obligationId: 'o1', amountYuan: 30000, at: cst('2025-10-10 09:00') }, ctx(officer, '2025-10-10 10:00'));
      given(s.events).when({ type: 'RecordBreach', obligationId: 'o1', note: '' }, ctx(officer, '2025-10-21 10:00')).thenThrows('OBLIGATION_ALREADY_PERFORMED', 'rule');
      given(breachedO1().events).when({ type: 'RecordBreach', obligationId: 'o1', note: '' }, ctx(officer, '2025-10-22 10:00')).thenThrows('OBLIGATION_ALREADY_BREACHED', 'rule');
    });

    it('a person records a breach: intake may not', () => {
      given(effective().events).when({ type: 'RecordBreach', obligationId: 'o1', note: '' }, ctx(intake, '2025-10-21 10:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });
  });

  describe('after breach: ReferToArbitration / AdvisePaymentOrder / RecordArbitrationFiled', () => {
    it('refers to arbitration (art. 15)', () => {
      const w = given(breachedO1().events).when({ type: 'ReferToArbitration', commission: '区劳动人事争议仲裁委员会' }, ctx(officer, '2025-10-22 10:00'));
      w.then([{ type: 'ReferredToArbitration', data: { commission: '区劳动人事争议仲裁委员会', referredBy: 'off-1', legalBasis: 'LDMAL art. 15' } }]);
      expect(w.thenState().status).toBe('ReferredToArbitration');
    });

    it('refers only after a breach', () => {
      given(effective().events).when({ type: 'ReferToArbitration' }, ctx(officer, '2025-10-22 10:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'Performing' });
    });

    it('advises a payment order for unpaid wages (art. 16)', () => {
      const w = given(breachedO1().events).when({ type: 'AdvisePaymentOrder', obligationId: 'o1', court: '区人民法院' }, ctx(head, '2025-10-22 10:00'));
      w.then([{ type: 'PaymentOrderAdvised', data: { obligationId: 'o1', claimType: 'wages', outstandingYuan: 30000, court: '区人民法院', legalBasis: 'LDMAL art. 16' } }]);
      expect(w.thenState().status).toBe('PaymentOrderAdvised');
    });

    it('refuses a payment order for a non-qualifying claim (social insurance)', () => {
      const obligations: Obligation[] = [{ ...OBLIGATIONS[1], obligationId: 'o1', dueDate: '2025-10-20' }];
      given(breachedO1(obligations).events)
        .when({ type: 'AdvisePaymentOrder', obligationId: 'o1' }, ctx(head, '2025-10-22 10:00'))
        .thenThrows('PAYMENT_ORDER_NOT_APPLICABLE', 'rule', { claimType: 'social_insurance' });
    });

    it('covers injury medical costs and severance, not other injury items or a worker’s obligation', () => {
      const injury = (medical: boolean): Obligation[] => [{ ...OBLIGATIONS[0], claimType: 'injury', ...(medical ? { injuryMedicalCosts: true } : {}) }];
      given(breachedO1(injury(true)).events).when({ type: 'AdvisePaymentOrder', obligationId: 'o1' }, ctx(head, '2025-10-22 10:00')).then([{ type: 'PaymentOrderAdvised', data: { claimType: 'injury' } }]);
      given(breachedO1(injury(false)).events).when({ type: 'AdvisePaymentOrder', obligationId: 'o1' }, ctx(head, '2025-10-22 10:00')).thenThrows('PAYMENT_ORDER_NOT_APPLICABLE', 'rule');
      const severance: Obligation[] = [{ ...OBLIGATIONS[0], claimType: 'severance' }];
      given(breachedO1(severance).events).when({ type: 'AdvisePaymentOrder', obligationId: 'o1' }, ctx(head, '2025-10-22 10:00')).then([{ type: 'PaymentOrderAdvised' }]);
      const byWorker: Obligation[] = [{ ...OBLIGATIONS[0], payer: 'worker', payee: 'employer' }];
      given(breachedO1(byWorker).events).when({ type: 'AdvisePaymentOrder', obligationId: 'o1' }, ctx(head, '2025-10-22 10:00')).thenThrows('PAYMENT_ORDER_NOT_APPLICABLE', 'rule', { payer: 'worker' });
    });

    it('advises only on a breached obligation, and not after a referral', () => {
      given(breachedO1().events).when({ type: 'AdvisePaymentOrder', obligationId: 'o2' }, ctx(head, '2025-10-22 10:00')).thenThrows('OBLIGATION_NOT_BREACHED', 'rule');
      const s = breachedO1().do({ type: 'ReferToArbitration' }, ctx(officer, '2025-10-22 10:00'));
      given(s.events).when({ type: 'AdvisePaymentOrder', obligationId: 'o1' }, ctx(head, '2025-10-22 11:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'ReferredToArbitration' });
    });

    it('tracks the arbitration filing and the award due dates as facts (art. 43)', () => {
      const s = breachedO1().do({ type: 'ReferToArbitration' }, ctx(officer, '2025-10-22 10:00'));
      given(s.events)
        .when({ type: 'RecordArbitrationFiled', filedAt: '2025-10-23', acceptedByCommissionOn: '2025-10-27' }, ctx(officer, '2025-10-28 10:00'))
        .then([{ type: 'ArbitrationFiled', data: { filedOn: '2025-10-23', awardDueDate: '2025-12-11', awardLatestDueDate: '2025-12-26', legalBasis: 'LDMAL art. 43' } }]);
      const before = s.events.length;
      const filed = s.do({ type: 'RecordArbitrationFiled', filedAt: '2025-10-23' }, ctx(officer, '2025-10-28 10:00'));
      // A dated fact, not a deadline: one event, no DeadlineOpened.
      expect(filed.events.slice(before)).toMatchObject([{ type: 'ArbitrationFiled', data: { awardDueDate: '2025-12-08' } }]);
      given(filed.events).when({ type: 'RecordArbitrationFiled', filedAt: '2025-10-23' }, ctx(officer, '2025-10-29 10:00')).thenThrows('ARBITRATION_ALREADY_FILED', 'rule');
    });

    it('records a filing only where arbitration is open to the worker', () => {
      given(mediating().events).when({ type: 'RecordArbitrationFiled', filedAt: '2025-09-28' }, ctx(officer, '2025-09-29 10:00')).thenThrows('NOT_ARBITRATION_ELIGIBLE', 'rule');
      given(failed().events).when({ type: 'RecordArbitrationFiled', filedAt: '2025-10-02' }, ctx(officer, '2025-10-01 10:00')).thenThrows('INVALID_DATE', 'rule');
    });
  });

  describe('legal aid (法律援助法)', () => {
    const requested = (migrantWageClaim = true, s = applied()) =>
      s.do({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim }, ctx(officer, '2025-09-23 11:00'));

    it('a request opens the 7-day decision clock (art. 43)', () => {
      given(applied().events)
        .when({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: true }, ctx(officer, '2025-09-23 11:00'))
        .then([
          { type: 'LegalAidRequested', data: { requestNo: 1, workerIds: ['w1'], workerCount: 1, migrantWageClaim: true } },
          // 9/23 + 7 = 9/30, a working day.
          { type: 'DeadlineOpened', data: { deadlineId: 'legalAidDecision-1', kind: 'legalAidDecision', dueDate: '2025-09-30', legalBasis: '法律援助法 art. 43', onExpiry: 'miss' } },
        ]);
    });

    it('grants a migrant worker’s wage claim without a means test (art. 42) and opens the 3-day assignment clock', () => {
      given(requested().events)
        .when({ type: 'DecideLegalAid', granted: true, reason: '农民工讨薪' }, ctx(head, '2025-09-25 10:00'))
        .then([
          { type: 'LegalAidDecided', data: { granted: true, meansTestWaived: true, legalBasis: '法律援助法 art. 42, 43', onTime: true, decidedBy: 'head-1' } },
          { type: 'DeadlineMet', data: { deadlineId: 'legalAidDecision-1' } },
          // 9/25 + 3 = 9/28, a make-up working Sunday.
          { type: 'DeadlineOpened', data: { deadlineId: 'legalAidAssignment-1', kind: 'legalAidAssignment', dueDate: '2025-09-28' } },
        ]);
    });

    it('needs a means test for anyone else', () => {
      const local = () => new Story().do(apply({ workers: [worker(1, false)] }), ctx(intake, '2025-09-23 10:00'));
      const r = requested(false, local());
      given(r.events).when({ type: 'DecideLegalAid', granted: true, reason: 'x' }, ctx(head, '2025-09-25 10:00')).thenThrows('MEANS_TEST_REQUIRED', 'rule');
      given(r.events).when({ type: 'DecideLegalAid', granted: true, reason: 'x', meansTest: { eligible: false } }, ctx(head, '2025-09-25 10:00')).thenThrows('MEANS_TEST_NOT_PASSED', 'rule');
      given(r.events)
        .when({ type: 'DecideLegalAid', granted: true, reason: '经济困难', meansTest: { eligible: true } }, ctx(head, '2025-09-25 10:00'))
        .then([{ type: 'LegalAidDecided', data: { meansTestWaived: false, meansTest: { eligible: true }, legalBasis: '法律援助法 art. 43' } }, { type: 'DeadlineMet' }, { type: 'DeadlineOpened' }]);
      const withTest = local().do({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: false, meansTested: { eligible: true } }, ctx(officer, '2025-09-23 11:00'));
      given(withTest.events).when({ type: 'DecideLegalAid', granted: true, reason: 'x' }, ctx(head, '2025-09-25 10:00')).then([{ type: 'LegalAidDecided', data: { meansTest: { eligible: true } } }, {}, {}]);
    });

    it('refuses a migrant-wage claim for a worker who is not a migrant worker, or without a wage claim', () => {
      const s = new Story().do(apply({ workers: [worker(1, false)] }), ctx(intake, '2025-09-23 10:00'));
      given(s.events).when({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: true }, ctx(officer, '2025-09-23 11:00')).thenThrows('NOT_MIGRANT_WAGE_CLAIM', 'rule');
      const noWages = new Story().do(apply({ claims: [{ type: 'injury', amountYuan: 8000 }] }), ctx(intake, '2025-09-23 10:00'));
      given(noWages.events).when({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: true }, ctx(officer, '2025-09-23 11:00')).thenThrows('NOT_MIGRANT_WAGE_CLAIM', 'rule');
      given(applied().events).when({ type: 'RequestLegalAid', workerIds: ['w7'], migrantWageClaim: true }, ctx(officer, '2025-09-23 11:00')).thenThrows('UNKNOWN_WORKER', 'rule');
    });

    it('a denial opens no assignment clock; a new request may follow', () => {
      const w = given(requested().events).when({ type: 'DecideLegalAid', granted: false, reason: '不符合条件' }, ctx(head, '2025-09-25 10:00'));
      w.then([{ type: 'LegalAidDecided', data: { granted: false, meansTestWaived: false } }, { type: 'DeadlineMet' }]);
      const s = requested().do({ type: 'DecideLegalAid', granted: false, reason: 'x' }, ctx(head, '2025-09-25 10:00'));
      given(s.events)
        .when({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: true }, ctx(officer, '2025-09-26 10:00'))
        .then([{ type: 'LegalAidRequested', data: { requestNo: 2 } }, { type: 'DeadlineOpened', data: { deadlineId: 'legalAidDecision-2' } }]);
    });

    it('refuses a second request while one is pending', () => {
      given(requested().events).when({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: true }, ctx(officer, '2025-09-24 10:00')).thenThrows('LEGAL_AID_ALREADY_REQUESTED', 'rule');
    });

    it('assigning the lawyer meets the assignment clock', () => {
      const s = requested().do({ type: 'DecideLegalAid', granted: true, reason: 'x' }, ctx(head, '2025-09-25 10:00'));
      given(s.events)
        .when({ type: 'AssignLegalAidLawyer', lawyer: { name: '李律师', firm: '某律师事务所' } }, ctx(officer, '2025-09-26 10:00'))
        .then([{ type: 'LegalAidLawyerAssigned', data: { requestNo: 1, lawyer: { name: '李律师' }, onTime: true, legalBasis: '法律援助法 art. 43' } }, { type: 'DeadlineMet', data: { deadlineId: 'legalAidAssignment-1' } }]);
    });

    it('assigns a lawyer only after a grant; decides as head only', () => {
      given(requested().events).when({ type: 'AssignLegalAidLawyer', lawyer: { name: '李律师' } }, ctx(officer, '2025-09-26 10:00')).thenThrows('LEGAL_AID_NOT_GRANTED', 'rule');
      given(requested().events).when({ type: 'DecideLegalAid', granted: true, reason: 'x' }, ctx(officer, '2025-09-25 10:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
      given(applied().events).when({ type: 'DecideLegalAid', granted: true, reason: 'x' }, ctx(head, '2025-09-25 10:00')).thenThrows('NO_PENDING_LEGAL_AID_REQUEST', 'rule');
    });

    it('a missed decision escalates', () => {
      given(requested().events)
        .when({ type: 'ExpireDeadline', deadlineId: 'legalAidDecision-1' }, ctx(system, '2025-10-01 00:00'))
        .then([{ type: 'DeadlineMissed', data: { kind: 'legalAidDecision', escalateTo: 'district' } }]);
    });

    it('is not available before the 法律援助法 came into force', () => {
      const cal = new HolidayCalendar([]);
      const old = (who: Actor, when: string): DecisionContext => ({ ...ctx(who, when), calendar: cal });
      const s = new Story().do(apply({ disputeDate: '2021-05-01' }), old(intake, '2021-06-01 10:00'));
      given(s.events).when({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: true }, old(officer, '2021-06-01 11:00')).thenThrows('RULE_NOT_IN_FORCE', 'rule');
    });
  });

  describe('CloseMediation', () => {
    it('closes a performed case', () => {
      const s = effective()
        .do({ type: 'RecordPerformance', obligationId: 'o1', amountYuan: 30000, at: cst('2025-10-10 09:00') }, ctx(officer, '2025-10-10 10:00'))
        .do({ type: 'RecordPerformance', obligationId: 'o2', amountYuan: 5000, at: cst('2025-10-10 09:00') }, ctx(officer, '2025-10-10 10:00'));
      expect(s.state.status).toBe('Performed');
      given(s.events)
        .when({ type: 'CloseMediation', reason: '协议履行完毕' }, ctx(head, '2025-10-11 10:00'))
        .then([{ type: 'MediationClosed', data: { outcome: 'performed', reason: '协议履行完毕', closedBy: 'head-1', closedDate: '2025-10-11' } }]);
    });

    it('closing a rejected case cancels whatever clocks still run (legal aid)', () => {
      const s = applied()
        .do({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: true }, ctx(officer, '2025-09-23 11:00'))
        .do({ type: 'RejectApplication', reason: '已进入仲裁' }, ctx(head, '2025-09-24 10:00'));
      given(s.events)
        .when({ type: 'CloseMediation', reason: '不予受理' }, ctx(head, '2025-09-24 11:00'))
        .then([{ type: 'MediationClosed', data: { outcome: 'rejected' } }, { type: 'DeadlineCancelled', data: { deadlineId: 'legalAidDecision-1', reason: 'case_closed' } }]);
    });

    it.each<[string, () => Story, string]>([
      ['failed', failed, 'failed'],
      ['referred', () => breachedO1().do({ type: 'ReferToArbitration' }, ctx(officer, '2025-10-22 10:00')), 'referred_to_arbitration'],
      ['payment order', () => breachedO1().do({ type: 'AdvisePaymentOrder', obligationId: 'o1' }, ctx(officer, '2025-10-22 10:00')), 'payment_order_advised'],
    ])('closes a %s case', (_l, story, outcome) => {
      given(story().events).when({ type: 'CloseMediation', reason: 'x' }, ctx(head, '2025-10-23 10:00')).then([{ type: 'MediationClosed', data: { outcome } }]);
    });

    it('refuses to close a case still in mediation or performance, and refuses non-heads', () => {
      given(mediating().events).when({ type: 'CloseMediation', reason: 'x' }, ctx(head, '2025-10-01 10:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'Mediating' });
      given(effective().events).when({ type: 'CloseMediation', reason: 'x' }, ctx(head, '2025-10-01 10:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'Performing' });
      given(failed().events).when({ type: 'CloseMediation', reason: 'x' }, ctx(officer, '2025-10-01 10:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
      given(failed().events).when({ type: 'CloseMediation', reason: ' ' }, ctx(head, '2025-10-01 10:00')).thenThrows('REASON_REQUIRED', 'rule');
    });

    it('a closed case takes no further commands', () => {
      const s = failed().do({ type: 'CloseMediation', reason: 'x' }, ctx(head, '2025-10-01 10:00'));
      given(s.events).when({ type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: true }, ctx(officer, '2025-10-02 10:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'Closed' });
      given(s.events).when({ type: 'CloseMediation', reason: 'x' }, ctx(head, '2025-10-02 10:00')).thenThrows('INVALID_TRANSITION', 'rule', { status: 'Closed' });
    });
  });

  describe('roles and scope for every command', () => {
    const every: MediationCommand[] = [
      { type: 'AcceptApplication' },
      { type: 'RejectApplication', reason: 'x' },
      { type: 'AssignMediator', mediatorId: 'med-1' },
      { type: 'ScheduleSession', at: cst('2025-10-01 10:00'), place: 'x' },
      { type: 'RecordSessionHeld', sessionId: 'session-1', notes: '' },
      { type: 'ExtendMediationPeriod', days: 5, consent },
      { type: 'RecordAgreement', obligations: OBLIGATIONS },
      { type: 'SignAgreement', party: 'worker' },
      { type: 'SealAgreement' },
      { type: 'RecordMediationFailed', reason: 'no_agreement' },
      { type: 'RecordWorkerInformed', method: 'x' },
      { type: 'RecordPerformance', obligationId: 'o1', amountYuan: 1, at: cst('2025-09-23 10:00') },
      { type: 'RecordBreach', obligationId: 'o1', note: '' },
      { type: 'ReferToArbitration' },
      { type: 'AdvisePaymentOrder', obligationId: 'o1' },
      { type: 'RecordArbitrationFiled', filedAt: '2025-09-23' },
      { type: 'RequestLegalAid', workerIds: ['w1'], migrantWageClaim: true },
      { type: 'DecideLegalAid', granted: true, reason: 'x' },
      { type: 'AssignLegalAidLawyer', lawyer: { name: 'x' } },
      { type: 'CloseMediation', reason: 'x' },
      { type: 'ExpireDeadline', deadlineId: 'statutory-1' },
      { type: 'AcknowledgeEscalation', deadlineId: 'acceptance-1', level: 1, note: '' },
      { type: 'RecomputeDeadlines', calendarVersion: 'cn:2025r2' },
    ];

    it('every command type is covered here', () => {
      expect(new Set(every.map((c) => c.type))).toEqual(new Set(Object.keys(MEDIATION_COMMAND_ROLES).filter((t) => t !== 'ApplyForMediation')));
    });

    it.each(every.map((c) => [c.type, c] as const))('an auditor may never %s', (_t, command) => {
      given(applied().events).when(command, ctx(auditor, '2025-09-24 10:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    });

    it.each(every.filter((c) => c.type !== 'ExpireDeadline' && c.type !== 'RecomputeDeadlines').map((c) => [c.type, c] as const))('%s is refused outside the case’s subtree', (_t, command) => {
      const role = MEDIATION_COMMAND_ROLES[command.type][0];
      given(applied().events).when(command, ctx(outsider(role), '2025-09-24 10:00')).thenThrows('OUTSIDE_ORG_SUBTREE', 'forbidden');
    });
  });

  describe('end to end: collective wage arrears of 12 migrant workers', () => {
    it('runs from application to a payment order and closure', () => {
      const s = new Story()
        .do(collectiveApply(), ctx(intake, '2025-09-23 10:00'))
        .do({ type: 'RequestLegalAid', workerIds: ['w1', 'w2', 'w3'], migrantWageClaim: true }, ctx(officer, '2025-09-23 11:00'))
        .do({ type: 'AcceptApplication' }, ctx(officer, '2025-09-24 10:00'))
        .do({ type: 'DecideLegalAid', granted: true, reason: '农民工讨薪免予经济困难审查' }, ctx(head, '2025-09-24 11:00'))
        .do({ type: 'AssignLegalAidLawyer', lawyer: { name: '王律师' } }, ctx(officer, '2025-09-25 10:00'))
        .do({ type: 'AssignMediator', mediatorId: 'med-1' }, ctx(officer, '2025-09-24 12:00'))
        .do({ type: 'ScheduleSession', at: cst('2025-09-26 09:00'), place: '工地' }, ctx(med, '2025-09-24 13:00'))
        .do({ type: 'RecordSessionHeld', sessionId: 'session-1', notes: '' }, ctx(med, '2025-09-26 12:00'))
        .do(
          {
            type: 'RecordAgreement',
            obligations: [
              { obligationId: 'wages', payer: 'employer', payee: 'worker', description: '分两期支付工资', amountYuan: 360000.5, dueDate: '2025-10-15', claimType: 'wages' },
              { obligationId: 'sev', payer: 'employer', payee: 'worker', description: '经济补偿', amountYuan: 60000, dueDate: '2025-10-31', claimType: 'severance' },
            ],
          },
          ctx(med, '2025-09-29 10:00'),
        )
        .do({ type: 'SignAgreement', party: 'worker', signatoryId: 'w1' }, ctx(med, '2025-09-29 10:30'))
        .do({ type: 'SignAgreement', party: 'employer' }, ctx(med, '2025-09-29 10:35'))
        .do({ type: 'SignAgreement', party: 'mediator' }, ctx(med, '2025-09-29 10:40'))
        .do({ type: 'SealAgreement' }, ctx(head, '2025-09-29 11:00'))
        .do({ type: 'RecordPerformance', obligationId: 'wages', amountYuan: 200000, at: cst('2025-10-14 09:00') }, ctx(officer, '2025-10-14 10:00'))
        .do({ type: 'ExpireDeadline', deadlineId: 'obligation-1' }, ctx(system, '2025-10-16 00:00'))
        .do({ type: 'RecordBreach', obligationId: 'wages', note: '第二期未付' }, ctx(officer, '2025-10-16 10:00'))
        .do({ type: 'AdvisePaymentOrder', obligationId: 'wages', court: '区人民法院' }, ctx(head, '2025-10-16 11:00'))
        .do({ type: 'RecordWorkerInformed', method: '书面告知代表' }, ctx(officer, '2025-10-16 12:00'))
        .do({ type: 'CloseMediation', reason: '已引导申请支付令' }, ctx(head, '2025-10-17 10:00'));

      const types = s.events.map((e) => e.type).filter((t) => !t.startsWith('Deadline'));
      expect(types).toEqual([
        'MediationApplied',
        'LegalAidRequested',
        'MediationAccepted',
        'LegalAidDecided',
        'LegalAidLawyerAssigned',
        'MediatorAssigned',
        'SessionScheduled',
        'SessionHeld',
        'AgreementDrafted',
        'AgreementSigned',
        'AgreementSigned',
        'AgreementSigned',
        'AgreementSealed',
        'AgreementEffective',
        'PerformanceRecorded',
        'ObligationBreached',
        'ArbitrationEligible',
        'PaymentOrderAdvised',
        'WorkerInformedOfArbitration',
        'MediationClosed',
      ]);
      expect(s.events.find((e) => e.type === 'ObligationBreached')).toMatchObject({ data: { outstandingYuan: 160000.5 } });
      expect(s.events.find((e) => e.type === 'PerformanceRecorded')).toMatchObject({ data: { amountYuan: 200000, claimType: 'wages', orgUnit: 'street' } });
      const st = s.state;
      expect(st.status).toBe('Closed');
      expect(Object.values(st.deadlines).filter((d) => d.status === 'open' || d.status === 'missed')).toHaveLength(0);
      expect(st.facts).toMatchObject({ collective: true, headcount: 12, involvesMigrantWorkers: true });
    });
  });
});

describe('a mediation case opened from a petition routed out to mediation', () => {
  const petition = { petitionId: 'p-9', orgUnit: 'grassroots', headcount: 3, facts: '信访材料：拖欠工资' };
  const routing = {
    employer: { name: '某建筑公司' },
    claims: [{ type: 'wages' as const, amountYuan: 36000 }],
    disputeDate: '2025-09-01',
    workers: [worker(1), worker(2)],
  };

  it('builds the application from the petition: its unit, facts and headcount, written form, the link', () => {
    expect(applicationFromPetition('m-9', petition, routing)).toEqual({
      type: 'ApplyForMediation',
      mediationId: 'm-9',
      orgUnit: 'grassroots',
      form: 'written',
      workers: routing.workers,
      employer: { name: '某建筑公司' },
      facts: '信访材料：拖欠工资',
      claims: [{ type: 'wages', amountYuan: 36000 }],
      headcount: 3,
      commonClaim: false,
      disputeDate: '2025-09-01',
      fromPetition: { petitionId: 'p-9' },
    });
    // At least the workers named; an explicit headcount wins.
    expect(applicationFromPetition('m-9', { ...petition, headcount: 1 }, routing).headcount).toBe(2);
    expect(applicationFromPetition('m-9', petition, { ...routing, headcount: 40 }).headcount).toBe(40);
  });

  it('Hearth itself (system) opens it, whatever unit the case is in, and records the link', () => {
    given()
      .when(applicationFromPetition('m-9', petition, routing), ctx(system, '2025-09-23 10:00'))
      .then([
        { type: 'MediationApplied', data: { mediationId: 'm-9', orgUnit: 'grassroots', appliedBy: 'system', fromPetition: { petitionId: 'p-9' }, headcount: 3 } },
        { type: 'DeadlineOpened', data: { kind: 'acceptance', ownerOrgUnit: 'grassroots' } },
        { type: 'DeadlineOpened', data: { kind: 'statutory' } },
      ]);
  });

  it('the system may open only a case linked to a petition, and only once', () => {
    given().when(apply(), ctx(system, '2025-09-23 10:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    const opened = new Story().do(applicationFromPetition('m-9', petition, routing), ctx(system, '2025-09-23 10:00'));
    given(opened.events).when(applicationFromPetition('m-9', petition, routing), ctx(system, '2025-09-23 10:01')).thenThrows('MEDIATION_ALREADY_EXISTS', 'rule');
    // The system's pass covers the application only: the case then runs under the usual roles and subtree rules.
    given(opened.events).when({ type: 'AcceptApplication' }, ctx(system, '2025-09-23 11:00')).thenThrows('ROLE_NOT_ALLOWED', 'forbidden');
    given(opened.events).when({ type: 'AcceptApplication' }, ctx(officer, '2025-09-23 11:00')).then([{ type: 'MediationAccepted' }, {}, {}]);
  });
});
