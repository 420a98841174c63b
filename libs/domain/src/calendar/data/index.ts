import { HolidayCalendar, HolidayYear } from '../holiday-calendar';
import { CN_2025 } from './cn-2025';
import { CN_2026 } from './cn-2026';

export { CN_2025, CN_2026 };

/** Every year of official holiday data Hearth ships (versioned data, one file per year). */
export const CN_HOLIDAYS: readonly HolidayYear[] = [CN_2025, CN_2026];

/** The calendar built from all shipped years (other years: the statutory holidays, provisional). */
export const defaultCalendar = (): HolidayCalendar => new HolidayCalendar(CN_HOLIDAYS, { fallback: 'statutory' });
