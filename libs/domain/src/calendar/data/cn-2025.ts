import type { HolidayYear } from '../holiday-calendar';

/**
 * 2025 public holidays and make-up working days (调休), as arranged by the State Council:
 * 国务院办公厅关于2025年部分节假日安排的通知.
 * Revision 1: the arrangement as first published; bump `revision` if it is ever amended.
 */
export const CN_2025: HolidayYear = {
  year: 2025,
  source: '国务院办公厅关于2025年部分节假日安排的通知 https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm',
  revision: 1,
  offDays: [
    { date: '2025-01-01', name: '元旦' },
    // 春节: 1/28 (除夕) – 2/4
    { date: '2025-01-28', name: '春节' },
    { date: '2025-01-29', name: '春节' },
    { date: '2025-01-30', name: '春节' },
    { date: '2025-01-31', name: '春节' },
    { date: '2025-02-01', name: '春节' },
    { date: '2025-02-02', name: '春节' },
    { date: '2025-02-03', name: '春节' },
    { date: '2025-02-04', name: '春节' },
    // 清明节: 4/4 – 4/6
    { date: '2025-04-04', name: '清明节' },
    { date: '2025-04-05', name: '清明节' },
    { date: '2025-04-06', name: '清明节' },
    // 劳动节: 5/1 – 5/5
    { date: '2025-05-01', name: '劳动节' },
    { date: '2025-05-02', name: '劳动节' },
    { date: '2025-05-03', name: '劳动节' },
    { date: '2025-05-04', name: '劳动节' },
    { date: '2025-05-05', name: '劳动节' },
    // 端午节: 5/31 – 6/2
    { date: '2025-05-31', name: '端午节' },
    { date: '2025-06-01', name: '端午节' },
    { date: '2025-06-02', name: '端午节' },
    // 国庆节、中秋节: 10/1 – 10/8
    { date: '2025-10-01', name: '国庆节、中秋节' },
    { date: '2025-10-02', name: '国庆节、中秋节' },
    { date: '2025-10-03', name: '国庆节、中秋节' },
    { date: '2025-10-04', name: '国庆节、中秋节' },
    { date: '2025-10-05', name: '国庆节、中秋节' },
    { date: '2025-10-06', name: '国庆节、中秋节' },
    { date: '2025-10-07', name: '国庆节、中秋节' },
    { date: '2025-10-08', name: '国庆节、中秋节' },
  ],
  workingWeekendDays: [
    { date: '2025-01-26', name: '春节' }, // Sunday
    { date: '2025-02-08', name: '春节' }, // Saturday
    { date: '2025-04-27', name: '劳动节' }, // Sunday
    { date: '2025-09-28', name: '国庆节、中秋节' }, // Sunday
    { date: '2025-10-11', name: '国庆节、中秋节' }, // Saturday
  ],
};
