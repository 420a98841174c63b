import { periodEnd, addWorkingDays, subtractWorkingDays } from './day-counting';
import { HolidayCalendar } from './holiday-calendar';
import { CN_2025, CN_2026, CN_HOLIDAYS, defaultCalendar } from './data';
import { addDays, endOfDay, isLocalDate, localDateOf, weekdayOf } from './local-date';
import { DomainError } from '../common/domain-error';
import { statutoryOffDays } from './statutory-holidays';
import { RuleBook } from '../rules/rule-book';
import { PETITION_RULES } from '../rules/petition.rules';
import { defaultRuleBook } from '../rules/rule-tables';

const cal = defaultCalendar();
const calendarDays = (days: number) => ({ days, unit: 'calendar' as const, shiftOffRestDay: true });
const workingDays = (days: number) => ({ days, unit: 'working' as const, shiftOffRestDay: true });

describe('holiday data', () => {
  it.each([CN_2025, CN_2026])('$year: make-up working days fall on weekends, days off inside the year, no overlap', (y) => {
    for (const d of y.workingWeekendDays) expect([0, 6]).toContain(weekdayOf(d.date));
    const off = new Set(y.offDays.map((d) => d.date));
    for (const d of [...y.offDays, ...y.workingWeekendDays]) expect(d.date.startsWith(`${y.year}-`)).toBe(true);
    for (const d of y.workingWeekendDays) expect(off.has(d.date)).toBe(false);
    expect(off.size).toBe(y.offDays.length);
    expect(y.source).toMatch(/^国务院办公厅关于\d{4}年部分节假日安排的通知 https:\/\/www\.gov\.cn\//);
    expect(y.revision).toBe(1);
  });

  it('has the published number of days', () => {
    expect([CN_2025.offDays.length, CN_2025.workingWeekendDays.length]).toEqual([28, 5]);
    expect([CN_2026.offDays.length, CN_2026.workingWeekendDays.length]).toEqual([33, 6]);
  });

  it('the default calendar covers 2025 and 2026 and says so in its version', () => {
    expect(CN_HOLIDAYS.map((y) => y.year)).toEqual([2025, 2026]);
    expect(cal.version).toBe('cn:2025r1+2026r1');
    expect(cal.covers('2025-06-30')).toBe(true);
    expect(cal.covers('2026-12-31')).toBe(true);
    expect(cal.covers('2024-12-31')).toBe(false);
    expect(cal.covers('2027-01-01')).toBe(false);
  });

  it('knows festivals, ordinary weekends and make-up working days', () => {
    expect(cal.isStatutoryHoliday('2025-10-08')).toBe(true);
    expect(cal.isWorkingDay('2025-10-08')).toBe(false);
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday, make-up
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // Saturday, make-up
    expect(cal.isWorkingDay('2025-09-27')).toBe(false); // ordinary Saturday
    expect(cal.isStatutoryHoliday('2025-09-27')).toBe(false);
    expect(cal.isWorkingDay('2025-09-29')).toBe(true); // ordinary Monday
    expect(cal.isWorkingDay('2026-01-04')).toBe(true); // Sunday, make-up after 元旦
    expect(cal.isWorkingDay('2026-02-17')).toBe(false); // 春节
  });

  it('years without data: the statutory holidays (全国年节及纪念日放假办法, 2024) and weekends, no make-up days', () => {
    expect(cal.isWorkingDay('2027-01-01')).toBe(false); // Friday, 元旦
    expect(cal.isWorkingDay('2027-01-02')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2027-01-04')).toBe(true);
    // 春节 2027: 除夕 2/5 to 初三 2/8; 清明 4/5; 劳动节 5/1–5/2; 端午 6/9; 中秋 9/15; 国庆 10/1–10/3.
    for (const d of ['2027-02-05', '2027-02-08', '2027-04-05', '2027-06-09', '2027-09-15', '2027-10-01', '2027-10-03']) expect([d, cal.isWorkingDay(d)]).toEqual([d, false]);
    expect(cal.isWorkingDay('2027-02-09')).toBe(true);
    expect(cal.isWorkingDay('2027-10-04')).toBe(true); // Monday after 国庆 (no State Council 调休 known yet)
  });
});

describe('§0 worked examples, 2025', () => {
  it('received 9/23 + 15 calendar days ends 10/8, a holiday, so it is due 10/9', () => {
    expect(addDays('2025-09-23', 15)).toBe('2025-10-08');
    expect(periodEnd('2025-09-23', calendarDays(15), cal)).toBe('2025-10-09');
  });

  it('transfer received 9/25 + 5 working days is due 10/9 (Sun 9/28 is a make-up working day)', () => {
    expect(periodEnd('2025-09-25', workingDays(5), cal)).toBe('2025-10-09');
    // 9/26 Fri, 9/28 Sun (make-up), 9/29, 9/30, then 10/1–10/8 off, 10/9.
    expect(addWorkingDays('2025-09-25', 2, cal)).toBe('2025-09-28');
    expect(addWorkingDays('2025-09-25', 4, cal)).toBe('2025-09-30');
  });

  it('the same periods without holiday data would end on different days', () => {
    const bare = new HolidayCalendar([]);
    expect(periodEnd('2025-09-23', calendarDays(15), bare)).toBe('2025-10-08');
    expect(periodEnd('2025-09-25', workingDays(5), bare)).toBe('2025-10-02');
  });
});

describe('periodEnd', () => {
  it('does not count the triggering day', () => {
    expect(periodEnd('2025-03-03', calendarDays(1), cal)).toBe('2025-03-04');
    expect(periodEnd('2025-03-03', workingDays(1), cal)).toBe('2025-03-04');
  });

  it('moves a calendar period ending on an ordinary weekend to Monday', () => {
    expect(addDays('2025-03-07', 15)).toBe('2025-03-22'); // Saturday
    expect(periodEnd('2025-03-07', calendarDays(15), cal)).toBe('2025-03-24');
  });

  it('keeps the end on a rest day when the rule says so', () => {
    expect(periodEnd('2025-09-23', { days: 15, unit: 'calendar', shiftOffRestDay: false }, cal)).toBe('2025-10-08');
  });

  it('can end on a make-up working Saturday', () => {
    expect(periodEnd('2025-10-01', calendarDays(10), cal)).toBe('2025-10-11');
  });

  it('crosses the year boundary using both years of data', () => {
    // 2025-12-17 + 15 = 2026-01-01 (元旦), 1/2 and 1/3 off, 1/4 a make-up Sunday.
    expect(periodEnd('2025-12-17', calendarDays(15), cal)).toBe('2026-01-04');
  });

  it('60-day handling period from an acceptance before Spring Festival 2025', () => {
    // 2024-12-01 + 60 = 2025-01-30, inside 春节 (1/28–2/4); 2/5 is the next working day.
    expect(periodEnd('2024-12-01', calendarDays(60), cal)).toBe('2025-02-05');
  });
});

describe('2026', () => {
  it('Spring Festival: a 15-day period ending on 2/16 moves to Tue 2/24', () => {
    expect(addDays('2026-02-01', 15)).toBe('2026-02-16');
    expect(periodEnd('2026-02-01', calendarDays(15), cal)).toBe('2026-02-24');
  });

  it('Spring Festival: working days count Sat 2/14 and skip 2/15–2/23', () => {
    expect(addWorkingDays('2026-02-13', 1, cal)).toBe('2026-02-14');
    expect(periodEnd('2026-02-12', workingDays(5), cal)).toBe('2026-02-26');
  });

  it('Mid-Autumn and National Day 2026 are two separate breaks', () => {
    expect(cal.isWorkingDay('2026-09-20')).toBe(true); // Sunday, make-up
    expect(cal.isWorkingDay('2026-09-28')).toBe(true); // Monday between the breaks
    expect(periodEnd('2026-09-10', calendarDays(15), cal)).toBe('2026-09-28');
    expect(periodEnd('2026-09-16', calendarDays(15), cal)).toBe('2026-10-08');
    expect(addWorkingDays('2026-09-30', 1, cal)).toBe('2026-10-08');
    expect(addWorkingDays('2026-10-09', 1, cal)).toBe('2026-10-10'); // Saturday, make-up
  });

  it('Labour Day 2026: 5/1–5/5 off, Sat 5/9 worked', () => {
    expect(periodEnd('2026-04-30', workingDays(1), cal)).toBe('2026-05-06');
    expect(periodEnd('2026-04-16', calendarDays(15), cal)).toBe('2026-05-06');
    expect(addWorkingDays('2026-05-08', 1, cal)).toBe('2026-05-09');
  });
});

describe('subtractWorkingDays (alert ladder)', () => {
  it('due 10/9/2025 − 3 working days skips the Golden Week and lands on the make-up Sunday', () => {
    expect(subtractWorkingDays('2025-10-09', 3, cal)).toBe('2025-09-28');
  });

  it('is the inverse of addWorkingDays on working days', () => {
    for (const start of ['2025-01-20', '2025-09-25', '2026-02-10', '2026-09-24']) {
      const end = addWorkingDays(start, 7, cal);
      expect(subtractWorkingDays(end, 7, cal)).toBe(start);
    }
  });
});

describe('local dates and instants (CST)', () => {
  it('the local date of an instant is the date in UTC+8', () => {
    expect(localDateOf('2025-09-22T16:30:00Z')).toBe('2025-09-23');
    expect(localDateOf('2025-09-23T15:59:59Z')).toBe('2025-09-23');
  });

  it('a period runs out at midnight CST at the end of its last day', () => {
    expect(endOfDay('2025-10-09')).toBe('2025-10-09T16:00:00.000Z');
  });
});

describe('petition rule tables', () => {
  const book = defaultRuleBook();

  it('national: 15 calendar days to decide on acceptance, shifted off rest days; 60 days to handle', () => {
    const acc = book.deadline('petition.acceptance', 'national', '2025-09-23');
    expect(acc).toMatchObject({ days: 15, unit: 'calendar', shiftOffRestDay: true, onExpiry: 'miss', legalBasis: '信访工作条例 art. 23' });
    expect(book.deadline('petition.handling', 'national', '2025-09-23')).toMatchObject({ days: 60, legalBasis: '信访工作条例 art. 34' });
    expect(book.deadline('petition.transferObjection', 'national', '2025-09-25')).toMatchObject({ days: 5, unit: 'working' });
    expect(book.limit('petition.extensionMaxDays', 'national', '2025-09-23')).toBe(30);
  });

  it('review and recheck windows lapse; the decisions are duties that can be missed', () => {
    expect(book.deadline('petition.reviewWindow', 'national', '2025-09-23').onExpiry).toBe('lapse');
    expect(book.deadline('petition.recheckWindow', 'national', '2025-09-23').onExpiry).toBe('lapse');
    expect(book.deadline('petition.reviewDecision', 'national', '2025-09-23')).toMatchObject({ onExpiry: 'miss', legalBasis: '信访工作条例 art. 35' });
    expect(book.deadline('petition.recheckDecision', 'national', '2025-09-23')).toMatchObject({ onExpiry: 'miss', legalBasis: '信访工作条例 art. 36' });
  });

  it('zhejiang: acceptance within 5 working days, handling within 30 days, the rest national', () => {
    const acc = book.deadline('petition.acceptance', 'zhejiang', '2025-09-23');
    expect(acc).toMatchObject({ days: 5, unit: 'working' });
    // 9/24, 9/25, 9/26, Sun 9/28 (make-up), 9/29.
    expect(periodEnd('2025-09-23', acc, cal)).toBe('2025-09-29');
    const handling = book.deadline('petition.handling', 'zhejiang', '2025-09-23');
    expect(handling.days).toBe(30);
    // 2025-09-10 + 30 = 10/10, after the break, a Friday.
    expect(periodEnd('2025-09-10', handling, cal)).toBe('2025-10-10');
    expect(book.deadline('petition.reviewWindow', 'zhejiang', '2025-09-23').days).toBe(30);
    expect(book.limit('petition.extensionMaxDays', 'zhejiang', '2025-09-23')).toBe(30);
    expect(book.limit('petition.maxVisitRepresentatives', 'zhejiang', '2025-09-23')).toBe(5);
  });

  it('no rule before the regulations came into force (2022-05-01)', () => {
    expect(() => book.deadline('petition.acceptance', 'national', '2022-04-30')).toThrow(/no deadline rule/);
    expect(book.deadline('petition.acceptance', 'national', '2022-05-01').days).toBe(15);
  });

  it('every petition table lists only petition keys and carries a Chinese duty text', () => {
    for (const t of PETITION_RULES) {
      for (const [key, rule] of Object.entries(t.deadlines)) {
        expect(key.startsWith('petition.')).toBe(true);
        expect(rule.duty).toMatch(/[\u4e00-\u9fff]/);
      }
      for (const key of Object.keys(t.limits)) expect(key.startsWith('petition.')).toBe(true);
    }
    expect(new RuleBook(PETITION_RULES).knows('zhejiang')).toBe(true);
  });
});

describe('statutory holidays for years without data', () => {
  it('lists the 13 days the 2024 amendment fixes, from the lunar calendar for the movable festivals', () => {
    expect(statutoryOffDays(2027)).toEqual([
      { date: '2027-01-01', name: '元旦' },
      { date: '2027-02-05', name: '春节' },
      { date: '2027-02-06', name: '春节' },
      { date: '2027-02-07', name: '春节' },
      { date: '2027-02-08', name: '春节' },
      { date: '2027-04-05', name: '清明节' },
      { date: '2027-05-01', name: '劳动节' },
      { date: '2027-05-02', name: '劳动节' },
      { date: '2027-06-09', name: '端午节' },
      { date: '2027-09-15', name: '中秋节' },
      { date: '2027-10-01', name: '国庆节' },
      { date: '2027-10-02', name: '国庆节' },
      { date: '2027-10-03', name: '国庆节' },
    ]);
  });

  it('agrees with the festivals of the published 2025 and 2026 arrangements', () => {
    for (const y of [CN_2025, CN_2026]) {
      const published = new Set(y.offDays.map((d) => d.date));
      for (const d of statutoryOffDays(y.year)) expect([d.date, published.has(d.date)]).toEqual([d.date, true]);
    }
  });
});

describe('bounded counting (issue 11, defect 3)', () => {
  const codeOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return e instanceof DomainError ? e.code : `not a DomainError: ${String(e)}`;
    }
    return undefined;
  };

  it('addDays never leaves the years 1–9999 (no +010000 dates) and refuses dates that do not exist', () => {
    expect(addDays('9999-12-30', 1)).toBe('9999-12-31');
    expect(codeOf(() => addDays('9999-12-31', 1))).toBe('PERIOD_NOT_COUNTABLE');
    expect(codeOf(() => addDays('2025-01-01', 1e9))).toBe('PERIOD_NOT_COUNTABLE');
    expect(codeOf(() => addDays('2025-02-30', 1))).toBe('PERIOD_NOT_COUNTABLE');
    expect(codeOf(() => addDays('2025-01-01', 1.5))).toBe('PERIOD_NOT_COUNTABLE');
    expect(isLocalDate('2025-02-30')).toBe(false);
    expect(isLocalDate('2024-02-29')).toBe(true);
  });

  it('a period that cannot be counted is a rule error, not a loop', () => {
    expect(codeOf(() => periodEnd('2025-01-01', workingDays(1e9), cal))).toBe('PERIOD_NOT_COUNTABLE');
    expect(codeOf(() => periodEnd('2025-01-01', calendarDays(-1), cal))).toBe('PERIOD_NOT_COUNTABLE');
    expect(codeOf(() => subtractWorkingDays('2025-01-01', Number.NaN, cal))).toBe('PERIOD_NOT_COUNTABLE');
    expect(codeOf(() => periodEnd('9999-12-20', calendarDays(15), cal))).toBe('PERIOD_NOT_COUNTABLE');
    // A calendar with no working day at all: every loop stops after a bounded number of days.
    const never = new (class extends HolidayCalendar {
      override isWorkingDay(): boolean {
        return false;
      }
    })([]);
    expect(codeOf(() => periodEnd('2025-01-01', calendarDays(15), never))).toBe('PERIOD_NOT_COUNTABLE');
    expect(codeOf(() => addWorkingDays('2025-01-01', 5, never))).toBe('PERIOD_NOT_COUNTABLE');
    expect(codeOf(() => subtractWorkingDays('2025-01-01', 3, never))).toBe('PERIOD_NOT_COUNTABLE');
  });
});
