import type { HolidayYear } from '../holiday-calendar';

/**
 * 2026 public holidays and make-up working days (调休), as arranged by the State Council:
 * 国务院办公厅关于2026年部分节假日安排的通知.
 * Revision 1: the arrangement as first published; bump `revision` if it is ever amended.
 */
export const CN_2026: HolidayYear = {
  year: 2026,
  source: '国务院办公厅关于2026年部分节假日安排的通知 https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm',
  revision: 1,
  offDays: [
    // 元旦: 1/1 – 1/3
    { date: '2026-01-01', name: '元旦' },
    { date: '2026-01-02', name: '元旦' },
    { date: '2026-01-03', name: '元旦' },
    // 春节: 2/15 – 2/23
    { date: '2026-02-15', name: '春节' },
    { date: '2026-02-16', name: '春节' },
    { date: '2026-02-17', name: '春节' },
    { date: '2026-02-18', name: '春节' },
    { date: '2026-02-19', name: '春节' },
    { date: '2026-02-20', name: '春节' },
    { date: '2026-02-21', name: '春节' },
    { date: '2026-02-22', name: '春节' },
    { date: '2026-02-23', name: '春节' },
    // 清明节: 4/4 – 4/6
    { date: '2026-04-04', name: '清明节' },
    { date: '2026-04-05', name: '清明节' },
    { date: '2026-04-06', name: '清明节' },
    // 劳动节: 5/1 – 5/5
    { date: '2026-05-01', name: '劳动节' },
    { date: '2026-05-02', name: '劳动节' },
    { date: '2026-05-03', name: '劳动节' },
    { date: '2026-05-04', name: '劳动节' },
    { date: '2026-05-05', name: '劳动节' },
    // 端午节: 6/19 – 6/21
    { date: '2026-06-19', name: '端午节' },
    { date: '2026-06-20', name: '端午节' },
    { date: '2026-06-21', name: '端午节' },
    // 中秋节: 9/25 – 9/27
    { date: '2026-09-25', name: '中秋节' },
    { date: '2026-09-26', name: '中秋节' },
    { date: '2026-09-27', name: '中秋节' },
    // 国庆节: 10/1 – 10/7
    { date: '2026-10-01', name: '国庆节' },
    { date: '2026-10-02', name: '国庆节' },
    { date: '2026-10-03', name: '国庆节' },
    { date: '2026-10-04', name: '国庆节' },
    { date: '2026-10-05', name: '国庆节' },
    { date: '2026-10-06', name: '国庆节' },
    { date: '2026-10-07', name: '国庆节' },
  ],
  workingWeekendDays: [
    { date: '2026-01-04', name: '元旦' }, // Sunday
    { date: '2026-02-14', name: '春节' }, // Saturday
    { date: '2026-02-28', name: '春节' }, // Saturday
    { date: '2026-05-09', name: '劳动节' }, // Saturday
    { date: '2026-09-20', name: '国庆节' }, // Sunday
    { date: '2026-10-10', name: '国庆节' }, // Saturday
  ],
};
