import type { Actor } from './actor';
import type { HolidayCalendar } from '../calendar/holiday-calendar';
import type { RuleBook } from '../rules/rule-book';
import type { OrgDirectory } from '../org/org-directory';

/** A domain event as the decider sees it: no ids, no metadata (the command side adds those). */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

/**
 * Everything a decision may depend on besides the command and the state, passed in as data:
 * who acts, what time it is (domain time, ISO instant), the holiday calendar, the rule tables
 * and the org tree. Deciders never read a clock or do I/O.
 */
export interface DecisionContext {
  actor: Actor;
  now: string;
  calendar: HolidayCalendar;
  /**
   * The calendar a recorded `calendarVersion` names (from the calendar stream), when the caller has the log's calendar
   * history; undefined if unknown. Lets a recomputation check what a deadline was counted with.
   */
  calendarAt?: (version: string) => HolidayCalendar | undefined;
  rules: RuleBook;
  org: OrgDirectory;
  /** Jurisdiction whose rule table applies to new cases (configuration). */
  jurisdiction: string;
}

export interface Decider<C, E extends DomainEvent, S> {
  /** Stream category, e.g. `petition` for streams `petition-<id>`. */
  readonly category: string;
  readonly initialState: S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, ctx: DecisionContext): E[];
}

export const fold = <E extends DomainEvent, S>(decider: Pick<Decider<unknown, E, S>, 'evolve' | 'initialState'>, events: readonly E[]): S =>
  events.reduce(decider.evolve, decider.initialState);
