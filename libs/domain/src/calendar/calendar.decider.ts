import type { Decider, DecisionContext } from '../common/decider';
import { forbidden, ruleViolation } from '../common/domain-error';
import type { CalendarCommand, PublishCalendarYear } from './calendar.commands';
import { CALENDAR_CATEGORY, CalendarDay, CalendarEvent, CalendarYearPublished } from './calendar.events';
import { parseCalendarFile } from './calendar-file';

/** The arrangements are made under this act; the deadlines they move are counted under 民法典 art. 201–203. */
const BASIS = '全国年节及纪念日放假办法; 民法典 art. 203';

export interface CalendarState {
  /** The latest revision of each year. */
  years: Readonly<Record<number, { revision: number; fingerprint: string }>>;
  /** Years flagged as missing and not loaded since. */
  missing: readonly number[];
}

export const initialCalendarState: CalendarState = { years: {}, missing: [] };

/** The days of a revision, independent of order and of the source text: equal fingerprints decide nothing. */
export const calendarFingerprint = (offDays: readonly CalendarDay[], workingWeekendDays: readonly CalendarDay[]): string => {
  const key = (list: readonly CalendarDay[]) => [...list].map((d) => `${d.date}=${d.name}`).sort().join(',');
  return `off:${key(offDays)};work:${key(workingWeekendDays)}`;
};

export function evolveCalendar(state: CalendarState, event: CalendarEvent): CalendarState {
  switch (event.type) {
    case 'CalendarYearPublished': {
      const d = event.data;
      return {
        years: { ...state.years, [d.year]: { revision: d.revision, fingerprint: calendarFingerprint(d.offDays, d.workingWeekendDays) } },
        missing: state.missing.filter((y) => y !== d.year),
      };
    }
    case 'CalendarYearMissing':
      return state.missing.includes(event.data.year) ? state : { ...state, missing: [...state.missing, event.data.year] };
  }
}

/** Only administrators of the city federation (the top of the tree) load calendars; Hearth itself records the shipped years. */
function requireCityAdmin(ctx: DecisionContext): void {
  if (ctx.actor.role === 'system') return;
  if (ctx.actor.role !== 'admin') throw forbidden('ROLE_NOT_ALLOWED', `role ${ctx.actor.role} may not load calendars`);
  if (ctx.org.get(ctx.actor.orgUnit)?.level !== 1) throw forbidden('ROLE_NOT_ALLOWED', 'only the city federation loads calendars');
}

function publish(
  state: CalendarState,
  y: Omit<PublishCalendarYear, 'type'>,
  ctx: DecisionContext,
): CalendarYearPublished[] {
  const prev = state.years[y.year];
  if (prev && prev.fingerprint === calendarFingerprint(y.offDays, y.workingWeekendDays)) return [];
  return [
    {
      type: 'CalendarYearPublished',
      data: {
        year: y.year,
        revision: (prev?.revision ?? 0) + 1,
        source: y.source,
        offDays: y.offDays.map((d) => ({ date: d.date, name: d.name })),
        workingWeekendDays: y.workingWeekendDays.map((d) => ({ date: d.date, name: d.name })),
        format: y.format,
        loadedAt: new Date(ctx.now).toISOString(),
        loadedBy: ctx.actor.id,
        legalBasis: BASIS,
      },
    },
  ];
}

function decide(command: CalendarCommand, state: CalendarState, ctx: DecisionContext): CalendarEvent[] {
  switch (command.type) {
    case 'RecordShippedCalendar': {
      if (ctx.actor.role !== 'system') throw forbidden('ROLE_NOT_ALLOWED', 'only Hearth records the shipped calendar');
      // Only on a fresh calendar stream: once any year is in the log, the log is the calendar.
      if (Object.keys(state.years).length) return [];
      let s = state;
      const out: CalendarEvent[] = [];
      for (const y of command.years) {
        const events = publish(s, { ...y, format: 'shipped' }, ctx);
        for (const e of events) s = evolveCalendar(s, e);
        out.push(...events);
      }
      return out;
    }
    case 'PublishCalendarYear': {
      requireCityAdmin(ctx);
      // The edge answers 400 with the entries; a command that reaches the decider unchecked is refused the same way.
      const parsed = parseCalendarFile({ year: command.year, source: command.source, offDays: command.offDays, workingWeekendDays: command.workingWeekendDays });
      if (!parsed.ok) throw ruleViolation('INVALID_CALENDAR', '日历数据有误', { errors: parsed.errors });
      return publish(state, { ...parsed.value, format: command.format }, ctx);
    }
    case 'FlagMissingCalendarYear':
      if (ctx.actor.role !== 'system') throw forbidden('ROLE_NOT_ALLOWED', 'only Hearth flags a missing calendar year');
      if (state.years[command.year] || state.missing.includes(command.year)) return [];
      return [
        {
          type: 'CalendarYearMissing',
          data: { year: command.year, noticedAt: new Date(ctx.now).toISOString(), legalBasis: '全国年节及纪念日放假办法 (2024年修订) 第二条' },
        },
      ];
  }
}

export const calendarDecider: Decider<CalendarCommand, CalendarEvent, CalendarState> = {
  category: CALENDAR_CATEGORY,
  initialState: initialCalendarState,
  evolve: evolveCalendar,
  decide,
};
