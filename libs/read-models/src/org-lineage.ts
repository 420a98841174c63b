import type { OrgDirectory } from '@hearth/domain/org/org-directory';

/**
 * A unit's lineage (itself, then its ancestors), memoised: projections index every case under each unit
 * above it, once per event, so the tree walk is on the rebuild's hot path.
 */
export class LineageCache {
  private readonly cache = new Map<string, string[]>();

  constructor(private readonly org: OrgDirectory) {}

  of(unit: string): string[] {
    let l = this.cache.get(unit);
    if (!l) {
      l = this.org.lineage(unit);
      if (!l.length) l = [unit];
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(unit, l);
    }
    return l;
  }
}
