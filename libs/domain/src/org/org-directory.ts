/** Levels of domain-spec §0: L1 city federation … L4 grassroots union. */
export type OrgLevel = 1 | 2 | 3 | 4;

export interface OrgUnit {
  id: string;
  name: string;
  level: OrgLevel;
  parentId?: string;
}

/** The org tree as data: ancestry questions only, no I/O. */
export class OrgDirectory {
  private readonly units = new Map<string, OrgUnit>();

  constructor(units: readonly OrgUnit[]) {
    for (const u of units) this.units.set(u.id, u);
    for (const u of units) {
      if (u.parentId && !this.units.has(u.parentId)) throw new Error(`org unit ${u.id}: unknown parent ${u.parentId}`);
    }
  }

  has(id: string): boolean {
    return this.units.has(id);
  }

  get(id: string): OrgUnit | undefined {
    return this.units.get(id);
  }

  all(): OrgUnit[] {
    return [...this.units.values()];
  }

  parentOf(id: string): string | undefined {
    return this.units.get(id)?.parentId;
  }

  /** The unit itself first, then its parent, up to the root. */
  lineage(id: string): string[] {
    const out: string[] = [];
    for (let cur: string | undefined = id; cur && this.units.has(cur); cur = this.units.get(cur)!.parentId) out.push(cur);
    return out;
  }

  /** True when `unit` is `ancestor` or lies below it. */
  isWithin(unit: string, ancestor: string): boolean {
    return this.lineage(unit).includes(ancestor);
  }

  childrenOf(id: string): OrgUnit[] {
    return [...this.units.values()].filter((u) => u.parentId === id);
  }
}
