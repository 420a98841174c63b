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

  private inForce(jurisdiction: string, on: LocalDate): RuleTable | undefined {
    return this.tables
      .filter((t) => t.jurisdiction === jurisdiction && t.effectiveFrom <= on)
      .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
  }

  knows(jurisdiction: string): boolean {
    return this.tables.some((t) => t.jurisdiction === jurisdiction);
  }

  deadline(key: string, jurisdiction: string, on: LocalDate): DeadlineRule {
    const local = jurisdiction === 'national' ? undefined : this.inForce(jurisdiction, on);
    const rule = local?.deadlines[key] ?? this.inForce('national', on)?.deadlines[key];
    if (!rule) throw new Error(`no deadline rule ${key} for ${jurisdiction} on ${on}`);
    return rule;
  }

  limit(key: string, jurisdiction: string, on: LocalDate): number {
    const local = jurisdiction === 'national' ? undefined : this.inForce(jurisdiction, on);
    const v = local?.limits[key] ?? this.inForce('national', on)?.limits[key];
    if (v === undefined) throw new Error(`no limit ${key} for ${jurisdiction} on ${on}`);
    return v;
  }
}
