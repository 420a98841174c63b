import type { CalendarDay, CalendarFormat } from './calendar.events';
import { isLocalDate, weekdayOf } from './local-date';

/** A year's arrangement as read from a file, before it is recorded. */
export interface CalendarYearInput {
  year: number;
  source: string;
  offDays: CalendarDay[];
  workingWeekendDays: CalendarDay[];
  format: CalendarFormat;
}

export interface CalendarFileError {
  /** Where in the file, e.g. `days[3].date`. */
  field: string;
  messages: string[];
}

export type CalendarFileResult = { ok: true; value: CalendarYearInput } | { ok: false; errors: CalendarFileError[] };

/** Years a file may describe (the lunar tables behind the fallback cover 1901–2099; union case work lies in 2000–2100). */
export const CALENDAR_FIRST_YEAR = 2000;
export const CALENDAR_LAST_YEAR = 2099;
const MAX_DAYS = 400;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads either Hearth's own format `{ year, source, offDays: [{ date, name }], workingWeekendDays: [{ date, name }] }`
 * or the community format `{ year, papers: [url…], days: [{ name, date, isOffDay }] }` (an `isOffDay: false` day is a
 * make-up working day), and checks it: every date real and in that year, no date twice, make-up days on a Saturday
 * or Sunday, every day named. All offending entries are listed.
 */
export function parseCalendarFile(input: unknown): CalendarFileResult {
  const errors: CalendarFileError[] = [];
  const fail = (field: string, message: string) => {
    const e = errors.find((x) => x.field === field);
    if (e) e.messages.push(message);
    else errors.push({ field, messages: [message] });
  };
  if (!isObject(input)) return { ok: false, errors: [{ field: '', messages: ['日历文件必须是一个 JSON 对象'] }] };
  const year = input.year;
  const yearOk = typeof year === 'number' && Number.isInteger(year) && year >= CALENDAR_FIRST_YEAR && year <= CALENDAR_LAST_YEAR;
  if (!yearOk) fail('year', `年份必须是 ${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR} 之间的整数`);

  const community = Array.isArray(input.days);
  const format: CalendarFormat = community ? 'holiday-cn' : 'hearth';
  let source = '';
  const entries: { field: string; raw: unknown; off: boolean }[] = [];
  if (community) {
    const papers = Array.isArray(input.papers) ? input.papers.filter((p): p is string => typeof p === 'string' && p.trim() !== '') : [];
    if (input.papers !== undefined && !Array.isArray(input.papers)) fail('papers', 'papers 必须是通知地址的数组');
    source = papers.join(' ');
    (input.days as unknown[]).forEach((d, i) => {
      const off = isObject(d) ? d.isOffDay : undefined;
      if (typeof off !== 'boolean') fail(`days[${i}].isOffDay`, 'isOffDay 必须是 true（放假）或 false（调休上班）');
      entries.push({ field: `days[${i}]`, raw: d, off: off !== false });
    });
  } else {
    if (typeof input.source !== 'string' || !input.source.trim()) fail('source', '必须写明来源（国务院办公厅通知的标题或地址）');
    else source = input.source.trim();
    for (const key of ['offDays', 'workingWeekendDays'] as const) {
      const list = input[key];
      if (!Array.isArray(list)) {
        fail(key, `${key} 必须是数组`);
        continue;
      }
      list.forEach((d, i) => entries.push({ field: `${key}[${i}]`, raw: d, off: key === 'offDays' }));
    }
  }
  if (entries.length > MAX_DAYS) fail(community ? 'days' : 'offDays', `一年最多 ${MAX_DAYS} 条`);

  const offDays: CalendarDay[] = [];
  const workingWeekendDays: CalendarDay[] = [];
  const seen = new Map<string, string>();
  for (const { field, raw, off } of entries.slice(0, MAX_DAYS)) {
    if (!isObject(raw)) {
      fail(field, '每一天必须是 { date, name } 对象');
      continue;
    }
    const date = raw.date;
    const name = typeof raw.name === 'string' ? raw.name.trim() : '';
    if (!name) fail(`${field}.name`, '必须写明节日名称');
    if (typeof date !== 'string' || !isLocalDate(date)) {
      fail(`${field}.date`, '日期必须是真实存在的 YYYY-MM-DD');
      continue;
    }
    if (yearOk && !date.startsWith(`${year}-`)) fail(`${field}.date`, `日期 ${date} 不在 ${year} 年内`);
    const first = seen.get(date);
    if (first) fail(`${field}.date`, `日期 ${date} 重复（已见于 ${first}）`);
    else seen.set(date, field);
    const wd = weekdayOf(date);
    if (!off && wd !== 0 && wd !== 6) fail(`${field}.date`, `调休上班日 ${date} 必须是星期六或星期日`);
    (off ? offDays : workingWeekendDays).push({ date, name });
  }
  if (errors.length) return { ok: false, errors };
  const byDate = (a: CalendarDay, b: CalendarDay) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);
  return {
    ok: true,
    value: {
      year: year as number,
      source: source || `holiday-cn ${year as number}`,
      offDays: offDays.sort(byDate),
      workingWeekendDays: workingWeekendDays.sort(byDate),
      format,
    },
  };
}
