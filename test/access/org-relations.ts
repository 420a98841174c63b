import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Relation } from './authorization-table';

interface OrgUnit {
  id: string;
  parentId?: string;
}

const org = JSON.parse(readFileSync(join(__dirname, '../../config/demo-org.json'), 'utf8')) as { units: OrgUnit[] };
const parentOf = new Map(org.units.map((u) => [u.id, u.parentId]));

const ancestors = (unit: string): string[] => {
  const out: string[] = [];
  for (let p = parentOf.get(unit); p; p = parentOf.get(p)) out.push(p);
  return out;
};

/** Where the caller's unit stands relative to the resource's unit in the demo org tree (config/demo-org.json). */
export function relationOf(caller: string, resource: string): Relation {
  if (caller === resource) return 'same';
  const up = ancestors(resource);
  if (up[0] === caller) return 'parent';
  if (up.includes(caller)) return 'above';
  if (ancestors(caller).includes(resource)) return 'below';
  return 'outside';
}
