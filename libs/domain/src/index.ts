// Public surface of the domain library: pure TypeScript, no Nest, no I/O.
export * from './common/actor';
export * from './common/decider';
export * from './common/domain-error';
export * from './common/command-roles';

export * from './calendar/local-date';
export * from './calendar/holiday-calendar';
export * from './calendar/day-counting';
export * from './calendar/data';
export * from './calendar/statutory-holidays';
export * from './calendar/calendar.events';
export * from './calendar/calendar.commands';
export * from './calendar/calendar.decider';
export * from './calendar/calendar-history';
export * from './calendar/calendar-file';

export * from './rules/rule-book';
export * from './rules/rule-tables';
export * from './rules/petition.rules';
export * from './rules/mediation.rules';
export * from './rules/hardship.rules';
export * from './rules/ladder.rules';

export * from './org/org-directory';
export * from './directory';

export * from './deadlines/deadline.events';
export * from './deadlines/deadline.state';
export * from './deadlines/deadline.decisions';
export * from './deadlines/deadline.recompute';

export * from './petition';
export * from './mediation';
export * from './hardship';
export * from './privacy';
