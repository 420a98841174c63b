import { readFileSync } from 'node:fs';
import { DirectoryUser, HUMAN_ROLES, OrgDirectory, OrgUnit, Role } from '@hearth/domain';

/** A user as the org file lists one (the import's input). */
export interface UserRecord {
  id: string;
  name: string;
  role: Role;
  orgUnit: string;
  /** Defaults to the id. */
  username?: string;
}

export interface OrgData {
  units: OrgUnit[];
  users: UserRecord[];
}

export const ORG_REGISTRY = Symbol('ORG_REGISTRY');

/**
 * The org tree and its users. In a process this is the in-memory projection of the directory streams, kept current by
 * the DirectoryFollower (issue 14); `fromFile` reads an org file as data (the import, the CLI's demo tokens).
 */
export class OrgRegistry {
  readonly directory: OrgDirectory;

  constructor(data: OrgData = { units: [], users: [] }) {
    this.directory = new OrgDirectory(data.units);
    for (const u of data.users) {
      if (!HUMAN_ROLES.includes(u.role)) throw new Error(`user ${u.id}: unknown role ${u.role}`);
      if (!this.directory.has(u.orgUnit)) throw new Error(`user ${u.id}: unknown org unit ${u.orgUnit}`);
      this.directory.putUser({ id: u.id, username: u.username ?? u.id, name: u.name, role: u.role, orgUnit: u.orgUnit, active: true });
    }
  }

  static fromFile(file: string): OrgRegistry {
    return new OrgRegistry(readOrgFile(file));
  }

  user(id: string): DirectoryUser | undefined {
    return this.directory.user(id);
  }

  allUsers(): DirectoryUser[] {
    return this.directory.users();
  }
}

export function readOrgFile(file: string): OrgData {
  return JSON.parse(readFileSync(file, 'utf8')) as OrgData;
}
