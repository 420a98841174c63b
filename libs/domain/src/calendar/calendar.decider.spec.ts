import type { Actor } from '../common/actor';
import { SYSTEM_ACTOR } from '../common/actor';
import { DecisionContext, fold } from '../common/decider';
import { DomainError } from '../common/domain-error';
import { OrgDirectory } from '../org/org-directory';
import { defaultRuleBook } from '../rules/rule-tables';
import { CN_HOLIDAYS } from './data';
import { calendarDecider } from './calendar.decider';
import type { CalendarCommand } from './calendar.commands';
import type { CalendarEvent } from './calendar.events';
import { parseCalendarFile } from './calendar-file';
import { defaultCalendar } from './data';

const org = new OrgDirectory([
  { id: 'city', name: '市总工会', level: 1 },
  { id: 'dist-a', name: 'A区总工会', level: 2, parentId: 'city' },
]);
const ctx = (actor: Actor): DecisionContext => ({ actor, now: '2026-12-02T02:00:00.000Z', calendar: defaultCalendar(), rules: defaultRuleBook(), org, jurisdiction: 'national' });
const admin: Actor = { id: 'admin.city', role: 'admin', orgUnit: 'city' };

// Community-format test data (hypothetical 2027 days, written for this test).
const community2027 = {
  year: 2027,
  papers: ['https://example.invalid/notice-2027'],
  days: [
    { name: '元旦', date: '2027-01-01', isOffDay: true },
    { name: '春节', date: '2027-02-05', isOffDay: true },
    { name: '春节', date: '2027-02-06', isOffDay: true },
    { name: '春节', date: '2027-02-20', isOffDay: false },
  ],
};

const decide = (events: CalendarEvent[], command: CalendarCommand, actor: Actor) => calendarDecider.decide(command, fold(calendarDecider, events), ctx(actor));
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as DomainError).code;
  }
  return undefined;
};

describe('calendar stream', () => {
  const shipped = decide([], { type: 'RecordShippedCalendar', years: CN_HOLIDAYS }, SYSTEM_ACTOR);

  it('records the shipped years as revision 1 once, on a fresh stream', () => {
    expect(shipped.map((e) => e.type === 'CalendarYearPublished' && [e.data.year, e.data.revision, e.data.format])).toEqual([
      [2025, 1, 'shipped'],
      [2026, 1, 'shipped'],
    ]);
    expect(decide(shipped, { type: 'RecordShippedCalendar', years: CN_HOLIDAYS }, SYSTEM_ACTOR)).toEqual([]);
  });

  it('a city admin loads a year; the same days again decide nothing; other days make the next revision', () => {
    const parsed = parseCalendarFile(community2027);
    if (!parsed.ok) throw new Error('fixture invalid');
    const load = { type: 'PublishCalendarYear' as const, ...parsed.value };
    const first = decide(shipped, load, admin);
    expect(first).toMatchObject([{ type: 'CalendarYearPublished', data: { year: 2027, revision: 1, format: 'holiday-cn', loadedBy: 'admin.city', source: 'https://example.invalid/notice-2027' } }]);
    expect(decide([...shipped, ...first], load, admin)).toEqual([]);
    const revised = decide([...shipped, ...first], { ...load, offDays: [...load.offDays, { date: '2027-02-08', name: '春节' }] }, admin);
    expect(revised).toMatchObject([{ data: { year: 2027, revision: 2 } }]);
  });

  it('only administrators of the city federation load calendars', () => {
    const load: CalendarCommand = { type: 'PublishCalendarYear', year: 2027, source: 's', offDays: [{ date: '2027-01-01', name: '元旦' }], workingWeekendDays: [], format: 'hearth' };
    expect(codeOf(() => decide(shipped, load, { id: 'head.city', role: 'head', orgUnit: 'city' }))).toBe('ROLE_NOT_ALLOWED');
    expect(codeOf(() => decide(shipped, load, { id: 'admin.dist-a', role: 'admin', orgUnit: 'dist-a' }))).toBe('ROLE_NOT_ALLOWED');
    expect(codeOf(() => decide(shipped, { ...load, offDays: [{ date: '2027-02-30', name: 'x' }] }, admin))).toBe('INVALID_CALENDAR');
  });

  it('a missing year is flagged once, until it is loaded', () => {
    const flagged = decide(shipped, { type: 'FlagMissingCalendarYear', year: 2027 }, SYSTEM_ACTOR);
    expect(flagged).toMatchObject([{ type: 'CalendarYearMissing', data: { year: 2027 } }]);
    expect(decide([...shipped, ...flagged], { type: 'FlagMissingCalendarYear', year: 2027 }, SYSTEM_ACTOR)).toEqual([]);
    expect(decide(shipped, { type: 'FlagMissingCalendarYear', year: 2026 }, SYSTEM_ACTOR)).toEqual([]);
  });
});

describe('calendar files', () => {
  it("reads Hearth's own format", () => {
    const r = parseCalendarFile({ year: 2027, source: '国务院办公厅通知', offDays: [{ date: '2027-01-01', name: '元旦' }], workingWeekendDays: [{ date: '2027-02-20', name: '春节' }] });
    expect(r).toEqual({
      ok: true,
      value: { year: 2027, source: '国务院办公厅通知', offDays: [{ date: '2027-01-01', name: '元旦' }], workingWeekendDays: [{ date: '2027-02-20', name: '春节' }], format: 'hearth' },
    });
  });

  it('lists every offending entry: unreal or foreign dates, duplicates, make-up days on weekdays, unnamed days', () => {
    const r = parseCalendarFile({
      year: 2027,
      papers: [],
      days: [
        { name: '元旦', date: '2027-02-30', isOffDay: true },
        { name: '元旦', date: '2026-12-31', isOffDay: true },
        { name: '春节', date: '2027-02-05', isOffDay: true },
        { name: '春节', date: '2027-02-05', isOffDay: true },
        { name: '春节', date: '2027-02-22', isOffDay: false },
        { name: '', date: '2027-02-06', isOffDay: true },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field)).toEqual(['days[0].date', 'days[1].date', 'days[3].date', 'days[4].date', 'days[5].name']);
    expect(r.errors.every((e) => e.messages.every((m) => /[\u4e00-\u9fff]/.test(m)))).toBe(true);
    expect(parseCalendarFile({ year: 1999, days: [] })).toMatchObject({ ok: false, errors: [{ field: 'year' }] });
    expect(parseCalendarFile('x')).toMatchObject({ ok: false });
  });
});
