import { readFileSync } from 'node:fs';
import { OrgDirectory, OrgUnit, Role, HUMAN_ROLES } from '@hearth/domain';

export interface UserRecord {
  id: string;
  name: string;
  role: Role;
  orgUnit: string;
}

export interface OrgData {
  units: OrgUnit[];
  users: UserRecord[];
}

/** The org tree and its users, loaded from a JSON file (HEARTH_ORG_FILE; the demo set by default). */
export class OrgRegistry {
  readonly directory: OrgDirectory;
  private readonly users = new Map<string, UserRecord>();

  constructor(data: OrgData) {
    this.directory = new OrgDirectory(data.units);
    for (const u of data.users) {
      if (!HUMAN_ROLES.includes(u.role)) throw new Error(`user ${u.id}: unknown role ${u.role}`);
      if (!this.directory.has(u.orgUnit)) throw new Error(`user ${u.id}: unknown org unit ${u.orgUnit}`);
      this.users.set(u.id, u);
    }
  }

  static fromFile(file: string): OrgRegistry {
    return new OrgRegistry(JSON.parse(readFileSync(file, 'utf8')) as OrgData);
  }

  user(id: string): UserRecord | undefined {
    return this.users.get(id);
  }

  allUsers(): UserRecord[] {
    return [...this.users.values()];
  }
}

export const ORG_REGISTRY = Symbol('ORG_REGISTRY');
