import type { Actor, Role } from '../common/actor';
import { SYSTEM_ACTOR } from '../common/actor';
import { DecisionContext, fold } from '../common/decider';
import { DomainError } from '../common/domain-error';
import { CN_2025, CN_2026, CN_HOLIDAYS } from '../calendar/data';
import { CalendarHistory } from '../calendar/calendar-history';
import { calendarDecider } from '../calendar/calendar.decider';
import type { CalendarEvent } from '../calendar/calendar.events';
import type { HolidayYear } from '../calendar/holiday-calendar';
import { defaultRuleBook } from '../rules/rule-tables';
import { OrgDirectory } from '../org/org-directory';
import { petitionDecider } from '../petition/petition.decider';
import type { PetitionCommand } from '../petition/petition.commands';
import type { PetitionEvent } from '../petition/petition.events';
import type { DeadlineOpened, DeadlineRecomputed } from './deadline.events';

// A city → district → street tree; deadlines are owned by the street, escalations climb.
const org = new OrgDirectory([
  { id: 'city', name: '市总工会', level: 1 },
  { id: 'dist-a', name: 'A区总工会', level: 2, parentId: 'city' },
  { id: 'street-a1', name: 'A1街道工会', level: 3, parentId: 'dist-a' },
]);
const rules = defaultRuleBook();
const who = (role: Role, orgUnit: string): Actor => ({ id: `${role}@${orgUnit}`, role, orgUnit });
const at = (cst: string): string => new Date(`${cst}:00+08:00`).toISOString();

/** The calendar stream as the log would hold it: shipped years, then whatever a test loads. */
function calendarLog(...loads: HolidayYear[]): CalendarHistory {
  const history = new CalendarHistory();
  let state = calendarDecider.initialState;
  let revision = -1;
  const run = (command: Parameters<typeof calendarDecider.decide>[0], actor: Actor) => {
    const events = calendarDecider.decide(command, state, { actor, now: at('2025-11-01T09:00'), calendar: history.current(), rules, org, jurisdiction: 'national' });
    for (const e of events) {
      state = calendarDecider.evolve(state, e as CalendarEvent);
      history.apply(e as CalendarEvent, ++revision);
    }
  };
  run({ type: 'RecordShippedCalendar', years: CN_HOLIDAYS }, SYSTEM_ACTOR);
  for (const y of loads) run({ type: 'PublishCalendarYear', ...y, format: 'hearth' }, who('admin', 'city'));
  return history;
}

const ctxOn = (history: CalendarHistory) => (actor: Actor, now: string): DecisionContext => ({
  actor,
  now,
  calendar: history.current(),
  calendarAt: (v) => history.atVersion(v),
  rules,
  org,
  jurisdiction: 'national',
});

/** A petition's history: commands decided one after another, each on the calendar of its day. */
function story(steps: Array<[PetitionCommand, DecisionContext]>): PetitionEvent[] {
  const events: PetitionEvent[] = [];
  for (const [command, ctx] of steps) events.push(...petitionDecider.decide(command, fold(petitionDecider, events), ctx));
  return events;
}

const register = (orgUnit = 'street-a1'): PetitionCommand => ({
  type: 'RegisterPetition',
  petitionId: 'p-1',
  orgUnit,
  channel: 'letter',
  category: 'claim',
  subject: '拖欠工资',
  facts: '某公司拖欠三个月工资',
  request: '协调支付欠薪',
  petitioners: [{ name: '张三' }],
  headcount: 1,
  identityKnown: true,
});
const recompute = (version: string): PetitionCommand => ({ type: 'RecomputeDeadlines', calendarVersion: version });
const opened = (events: PetitionEvent[], kind: string) => events.find((e): e is DeadlineOpened => e.type === 'DeadlineOpened' && e.data.kind === kind)!;
const recomputed = (events: PetitionEvent[]) => events.filter((e): e is DeadlineRecomputed => e.type === 'DeadlineRecomputed');

// 2025 revised: Fri 11/28 made a day off (a test revision; no such notice exists).
const CN_2025_R2: HolidayYear = { ...CN_2025, source: '测试用修订（假想）', offDays: [...CN_2025.offDays, { date: '2025-11-28', name: '测试假日' }] };
// 2027 as a test operator might load it (hypothetical days, not the State Council's): 元旦 1/1, 春节 2/10–2/16, Sat 2/6 worked.
const CN_2027_TEST: HolidayYear = {
  year: 2027,
  revision: 1,
  source: '测试用2027年安排（假想）',
  offDays: [{ date: '2027-01-01', name: '元旦' }, ...['10', '11', '12', '13', '14', '15', '16'].map((d) => ({ date: `2027-02-${d}`, name: '春节' }))],
  workingWeekendDays: [{ date: '2027-02-06', name: '春节' }],
};

describe('DeadlineRecomputed: a calendar revision recounts open deadlines (民法典 art. 201, 203)', () => {
  const v1 = calendarLog();
  const v2 = calendarLog(CN_2025_R2);
  const v3 = calendarLog(CN_2025_R2, CN_2025);
  // Received Thu 11/13/2025: 15 days end Fri 11/28, a working day under revision 1.
  const history = story([[register(), ctxOn(v1)(who('intake', 'street-a1'), at('2025-11-13T10:00'))]]);
  const state = fold(petitionDecider, history);

  it('a revision that adds an off day on the due date moves the deadline to the next working day', () => {
    expect(opened(history, 'acceptance').data).toMatchObject({ dueDate: '2025-11-28', calendarVersion: 'cn:2025r1+2026r1', calendarCovered: true });
    const events = petitionDecider.decide(recompute(v2.current().version), state, ctxOn(v2)(SYSTEM_ACTOR, at('2025-11-14T09:00')));
    expect(events).toEqual([
      {
        type: 'DeadlineRecomputed',
        data: expect.objectContaining({
          deadlineId: 'acceptance-1',
          previousDueDate: '2025-11-28',
          dueDate: '2025-12-01',
          dueAt: '2025-12-01T16:00:00.000Z',
          calendarVersion: 'cn:2025r2+2026r1',
          provisional: false,
          reason: 'calendar',
          legalBasis: '信访工作条例 art. 23; 民法典 art. 201, 203',
        }),
      },
    ]);
    // The ladder is counted again too: the missed rung is the new due time.
    expect(recomputed(events)[0].data.ladder).toContainEqual({ step: 'missed', level: 1, at: '2025-12-01T16:00:00.000Z' });
  });

  it('a revision that removes the off day again moves it back', () => {
    const moved = [...history, ...petitionDecider.decide(recompute('cn:2025r2+2026r1'), state, ctxOn(v2)(SYSTEM_ACTOR, at('2025-11-14T09:00')))];
    const back = petitionDecider.decide(recompute(v3.current().version), fold(petitionDecider, moved), ctxOn(v3)(SYSTEM_ACTOR, at('2025-11-15T09:00')));
    expect(recomputed(back).map((e) => [e.data.previousDueDate, e.data.dueDate, e.data.calendarVersion])).toEqual([['2025-12-01', '2025-11-28', 'cn:2025r3+2026r1']]);
    expect(fold(petitionDecider, [...moved, ...back]).deadlines['acceptance-1']).toMatchObject({ dueDate: '2025-11-28', status: 'open' });
  });

  it('a second recomputation with the same calendar decides nothing', () => {
    const moved = [...history, ...petitionDecider.decide(recompute('v2'), state, ctxOn(v2)(SYSTEM_ACTOR, at('2025-11-14T09:00')))];
    expect(petitionDecider.decide(recompute('v2'), fold(petitionDecider, moved), ctxOn(v2)(SYSTEM_ACTOR, at('2025-11-14T10:00')))).toEqual([]);
  });

  it('working-day periods are counted again: the 5-working-day transfer objection', () => {
    // Received at the district, transferred down on Mon 11/24: 11/25, 26, 27, 28, 12/1 → due 12/1.
    const events = story([
      [register('dist-a'), ctxOn(v1)(who('intake', 'dist-a'), at('2025-11-21T10:00'))],
      [{ type: 'TransferPetition', toOrgUnit: 'street-a1', reason: '属地办理' }, ctxOn(v1)(who('officer', 'dist-a'), at('2025-11-24T10:00'))],
    ]);
    const objection = events.filter((e): e is DeadlineOpened => e.type === 'DeadlineOpened' && e.data.kind === 'transferObjection')[0];
    expect(objection.data.dueDate).toBe('2025-12-01');
    const out = petitionDecider.decide(recompute('v2'), fold(petitionDecider, events), ctxOn(v2)(SYSTEM_ACTOR, at('2025-11-25T09:00')));
    // With 11/28 off: 11/25, 26, 27, 12/1, 12/2.
    expect(recomputed(out).find((e) => e.data.kind === 'transferObjection')?.data).toMatchObject({ previousDueDate: '2025-12-01', dueDate: '2025-12-02' });
  });

  it('deadlines already met stay as they are', () => {
    const events = story([
      [register(), ctxOn(v1)(who('intake', 'street-a1'), at('2025-11-13T10:00'))],
      [{ type: 'AcceptPetition', signedBy: 'head@street-a1' }, ctxOn(v1)(who('officer', 'street-a1'), at('2025-11-20T10:00'))],
    ]);
    const s = fold(petitionDecider, events);
    expect(s.deadlines['acceptance-1'].status).toBe('met');
    // The handling period (11/20 + 60 = Mon 1/19/2026) ends after the changed day but not on it: nothing to recount.
    expect(petitionDecider.decide(recompute('v2'), s, ctxOn(v2)(SYSTEM_ACTOR, at('2025-11-21T09:00')))).toEqual([]);
  });

  it('only Hearth recomputes', () => {
    let caught: unknown;
    try {
      petitionDecider.decide(recompute('v2'), state, ctxOn(v2)(who('head', 'street-a1'), at('2025-11-14T09:00')));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe('ROLE_NOT_ALLOWED');
  });
});

describe('a year without data: the statutory holidays, provisional until the year is loaded', () => {
  const shipped = calendarLog();
  const loaded = calendarLog(CN_2027_TEST);

  it('a 15-day period ending on 2027-01-01 (元旦) ends on the next working day and is provisional', () => {
    // Thu 12/17/2026 + 15 = Fri 1/1/2027, 元旦 by statute; 1/2–1/3 weekend → Mon 1/4.
    const events = story([[register(), ctxOn(shipped)(who('intake', 'street-a1'), at('2026-12-17T10:00'))]]);
    expect(opened(events, 'acceptance').data).toMatchObject({ dueDate: '2027-01-04', provisional: true, calendarCovered: false, calendarVersion: 'cn:2025r1+2026r1' });
  });

  it('春节 2027 is respected: 60 days from Tue 12/8/2026 end Sat 2/6/2027, inside 除夕–初三 (2/5–2/8) → Tue 2/9', () => {
    const events = story([
      [register(), ctxOn(shipped)(who('intake', 'street-a1'), at('2026-12-01T10:00'))],
      [{ type: 'AcceptPetition', signedBy: 'head@street-a1' }, ctxOn(shipped)(who('officer', 'street-a1'), at('2026-12-08T10:00'))],
    ]);
    expect(opened(events, 'handling').data).toMatchObject({ dueDate: '2027-02-09', provisional: true });
  });

  it('loading 2027 recomputes the provisional deadlines and clears the flag', () => {
    const events = story([
      [register(), ctxOn(shipped)(who('intake', 'street-a1'), at('2026-12-17T10:00'))],
      [{ type: 'NotifyReceipt', method: '短信' }, ctxOn(shipped)(who('officer', 'street-a1'), at('2026-12-17T11:00'))],
    ]);
    const out = petitionDecider.decide(recompute(loaded.current().version), fold(petitionDecider, events), ctxOn(loaded)(SYSTEM_ACTOR, at('2026-12-18T09:00')));
    // The loaded 2027 data keeps 1/4 as the due date; the deadline is no longer provisional.
    expect(recomputed(out).map((e) => e.data)).toEqual([expect.objectContaining({ deadlineId: 'acceptance-1', previousDueDate: '2027-01-04', dueDate: '2027-01-04', provisional: false, calendarVersion: 'cn:2025r1+2026r1+2027r1' })]);
    const after = fold(petitionDecider, [...events, ...out]).deadlines['acceptance-1'];
    expect(after).toMatchObject({ provisional: false, calendarCovered: true, calendarVersion: 'cn:2025r1+2026r1+2027r1' });
  });

  it('a deadline moved before now escalates as any missed one', () => {
    const events = story([
      [register(), ctxOn(shipped)(who('intake', 'street-a1'), at('2026-12-01T10:00'))],
      [{ type: 'AcceptPetition', signedBy: 'head@street-a1' }, ctxOn(shipped)(who('officer', 'street-a1'), at('2026-12-08T10:00'))],
    ]);
    // Loaded on Sun 2/7/2027: Sat 2/6 is a make-up working day there, so the handling period ended yesterday.
    const now = at('2027-02-07T09:00');
    const out = petitionDecider.decide(recompute('x'), fold(petitionDecider, events), ctxOn(loaded)(SYSTEM_ACTOR, now));
    const handling = recomputed(out).find((e) => e.data.kind === 'handling')!;
    expect(handling.data).toMatchObject({ previousDueDate: '2027-02-09', dueDate: '2027-02-06', provisional: false });
    const s = fold(petitionDecider, [...events, ...out]);
    const timer = handling.data.ladder!.find((r) => r.step === 'missed')!;
    expect(timer.at < now).toBe(true);
    const fired = petitionDecider.decide({ type: 'ExpireDeadline', deadlineId: handling.data.deadlineId, step: 'missed', level: 1, at: timer.at }, s, ctxOn(loaded)(SYSTEM_ACTOR, now));
    expect(fired).toMatchObject([{ type: 'DeadlineMissed', data: { deadlineId: 'handling-1', escalateTo: 'dist-a', level: 1 } }]);
  });
});

describe('legal basis on the requests of review and recheck (信访工作条例 art. 35, 36)', () => {
  it('ReviewRequested and RecheckRequested name their articles', () => {
    const ctx = ctxOn(calendarLog());
    const events = story([
      [register(), ctx(who('intake', 'street-a1'), at('2025-09-01T10:00'))],
      [{ type: 'AcceptPetition', signedBy: 'head@street-a1' }, ctx(who('officer', 'street-a1'), at('2025-09-02T10:00'))],
      [{ type: 'DraftAnswer', outcome: 'support', facts: '属实', legalBasis: '劳动合同法 art. 30' }, ctx(who('officer', 'street-a1'), at('2025-09-03T10:00'))],
      [{ type: 'ApproveAnswer' }, ctx(who('head', 'street-a1'), at('2025-09-04T10:00'))],
      [{ type: 'RequestReview', reasons: '不服' }, ctx(who('officer', 'street-a1'), at('2025-09-05T10:00'))],
      [{ type: 'DecideReview', outcome: 'upheld', facts: '维持', legalBasis: '信访工作条例 art. 35' }, ctx(who('head', 'dist-a'), at('2025-09-06T10:00'))],
      [{ type: 'RequestRecheck', reasons: '仍不服' }, ctx(who('officer', 'street-a1'), at('2025-09-08T10:00'))],
    ]);
    expect(events.find((e) => e.type === 'ReviewRequested')?.data).toMatchObject({ legalBasis: '信访工作条例 art. 35' });
    expect(events.find((e) => e.type === 'RecheckRequested')?.data).toMatchObject({ legalBasis: '信访工作条例 art. 36' });
  });
});

describe('the calendar history resolves recorded versions', () => {
  it('names every revision; a version not in the log is unknown', () => {
    const h = calendarLog(CN_2025_R2);
    expect(h.list().map((r) => `${r.year}r${r.revision}:${r.format}`)).toEqual(['2025r1:shipped', '2025r2:hearth', '2026r1:shipped']);
    expect(h.atVersion('cn:2025r1+2026r1')?.isWorkingDay('2025-11-28')).toBe(true);
    expect(h.atVersion('cn:2025r2+2026r1')?.isWorkingDay('2025-11-28')).toBe(false);
    expect(h.atVersion('cn:2025r9+2026r1')).toBeUndefined();
    expect(h.current().version).toBe('cn:2025r2+2026r1');
    expect(CN_2026.year).toBe(2026);
  });
});
