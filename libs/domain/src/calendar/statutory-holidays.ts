import { Lunar } from 'lunar-javascript';
import type { LocalDate } from './local-date';

/** Where the fallback days come from (recorded with every provisional deadline's reasoning). */
export const STATUTORY_HOLIDAYS_BASIS = '全国年节及纪念日放假办法 (2024年修订) 第二条';

/** Years the lunar tables are trusted for: the calendar library is exact well beyond this range. */
const FIRST = 1901;
const LAST = 2099;

const cache = new Map<number, ReadonlyArray<{ date: LocalDate; name: string }>>();

/**
 * The days off the law fixes itself for every citizen, for a year whose State Council arrangement is not loaded
 * (全国年节及纪念日放假办法 as amended in 2024, art. 2): 元旦 1 day (Jan 1); 春节 4 days (除夕 to 初三);
 * 清明节 1 day (the day of the solar term 清明); 劳动节 2 days (May 1–2); 端午节 1 day (5th of the 5th lunar
 * month); 中秋节 1 day (15th of the 8th lunar month); 国庆节 3 days (Oct 1–3). No make-up working days: where
 * those fall is for the State Council's notice to say. A day named by two festivals keeps the first name.
 * Outside 1901–2099 there are no lunar tables: only the fixed-date festivals are listed.
 */
export function statutoryOffDays(year: number): ReadonlyArray<{ date: LocalDate; name: string }> {
  const hit = cache.get(year);
  if (hit) return hit;
  const pad = (n: number) => String(n).padStart(2, '0');
  const fixed = (m: number, d: number) => `${String(year).padStart(4, '0')}-${pad(m)}-${pad(d)}`;
  const days: { date: LocalDate; name: string }[] = [{ date: fixed(1, 1), name: '元旦' }];
  if (year >= FIRST && year <= LAST) {
    // 除夕 is the day before the lunar new year (the 29th or 30th of the 12th month of the previous lunar year).
    const newYear = Lunar.fromYmd(year, 1, 1);
    for (let i = -1; i <= 2; i++) days.push({ date: newYear.next(i).getSolar().toYmd(), name: '春节' });
    const qingming = newYear.getJieQiTable()['清明'];
    if (qingming) days.push({ date: qingming.toYmd(), name: '清明节' });
    days.push({ date: Lunar.fromYmd(year, 5, 5).getSolar().toYmd(), name: '端午节' });
    days.push({ date: Lunar.fromYmd(year, 8, 15).getSolar().toYmd(), name: '中秋节' });
  }
  days.push({ date: fixed(5, 1), name: '劳动节' }, { date: fixed(5, 2), name: '劳动节' });
  days.push({ date: fixed(10, 1), name: '国庆节' }, { date: fixed(10, 2), name: '国庆节' }, { date: fixed(10, 3), name: '国庆节' });
  // 除夕 of an early lunar new year can fall in the previous solar year: only this year's days belong here.
  const seen = new Set<LocalDate>();
  const out = days.filter((d) => d.date.startsWith(`${fixed(1, 1).slice(0, 4)}-`) && !seen.has(d.date) && seen.add(d.date));
  out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  cache.set(year, out);
  return out;
}
