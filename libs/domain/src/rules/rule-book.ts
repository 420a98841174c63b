import type { DayUnit } from '../calendar/day-counting';
import { LocalDate } from '../calendar/local-date';

/** What happens when a deadline runs out: a duty is missed (escalates) or a window lapses (no one failed). */
export type ExpiryEffect = 'miss' | 'lapse';

export interface DeadlineRule {
  days: number;
  unit: DayUnit;
  shiftOffRestDay: boolean;
  legalBasis: string;
  onExpiry: ExpiryEffect;
  /** Human description of the duty, e.g. "decide whether to accept and notify the petitioner". */
  duty: string;
}

/**
 * One rule table: the periods (and other numeric limits) of one jurisdiction from one date on.
 * Keys are namespaced by workflow: `petition.acceptance`, `mediation.statutory`, …
 */
export interface RuleTable {
  jurisdiction: string;
  effectiveFrom: LocalDate;
  deadlines: Readonly<Record<string, DeadlineRule>>;
  limits: Readonly<Record<string, number>>;
}

/**
 * All rule tables Hearth knows. A case records the jurisdiction and date it was opened under, and every
 * later decision looks rules up by those, so a replay applies the rule in force when the case was opened.
 * A local table only lists what differs; the rest comes from the national table in force.
 */
export class RuleBook {
  constructor(private readonly tables: readonly RuleTable[]) {}

  /** Tables of a jurisdiction in force on a date, newest first. */
  private inForce(jurisdiction: string, on: LocalDate): RuleTable[] {
    return this.tables
      .filter((t) => t.jurisdiction === jurisdiction && t.effectiveFrom <= on)
      .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1));
  }

  /**
   * The newest table in force that defines `key`: the local jurisdiction's first, then national. Workflows
   * contribute tables with their own effective dates, so a newer table of one workflow never hides another's.
   */
  private lookup<T>(jurisdiction: string, on: LocalDate, pick: (t: RuleTable) => T | undefined): T | undefined {
    const chain = jurisdiction === 'national' ? this.inForce('national', on) : [...this.inForce(jurisdiction, on), ...this.inForce('national', on)];
    for (const t of chain) {
      const v = pick(t);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  knows(jurisdiction: string): boolean {
    return this.tables.some((t) => t.jurisdiction === jurisdiction);
  }

  deadline(key: string, jurisdiction: string, on: LocalDate): DeadlineRule {
    const rule = this.lookup(jurisdiction, on, (t) => t.deadlines[key]);
    if (!rule) throw new Error(`no deadline rule ${key} for ${jurisdiction} on ${on}`);
    return rule;
  }

  limit(key: string, jurisdiction: string, on: LocalDate): number {
    const v = this.lookup(jurisdiction, on, (t) => t.limits[key]);
    if (v === undefined) throw new Error(`no limit ${key} for ${jurisdiction} on ${on}`);
    return v;
  }

  /** A limit that may be left unconfigured (then `undefined`). */
  findLimit(key: string, jurisdiction: string, on: LocalDate): number | undefined {
    return this.lookup(jurisdiction, on, (t) => t.limits[key]);
  }
}
