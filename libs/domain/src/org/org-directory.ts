import type { Role } from '../common/actor';

/** Levels of domain-spec §0: L1 city federation … L4 grassroots union. */
export type OrgLevel = 1 | 2 | 3 | 4;

export interface OrgUnit {
  id: string;
  name: string;
  level: OrgLevel;
  parentId?: string;
  /** Closed units keep their history; their open cases went to `successorId` (issue 14). */
  closed?: boolean;
  successorId?: string;
}

/** A person of the directory. `active: false` = disabled: no sign-in, no token accepted, named in no command. */
export interface DirectoryUser {
  id: string;
  username: string;
  name: string;
  role: Role;
  orgUnit: string;
  active: boolean;
  /** argon2id hash (PHC string); never the password. Absent until one is set. */
  passwordHash?: string;
}

/**
 * The org tree and its people as data: ancestry and lookup questions, no I/O. Since issue 14 it is a projection of
 * the `orgunit-*` and `user-*` streams, updated in place by the process that follows the log (`put…`), so every
 * holder of a reference sees the current directory.
 */
export class OrgDirectory {
  private readonly units = new Map<string, OrgUnit>();
  private readonly people = new Map<string, DirectoryUser>();
  private readonly byUsername = new Map<string, string>();

  constructor(units: readonly OrgUnit[], users: readonly DirectoryUser[] = []) {
    for (const u of units) this.units.set(u.id, u);
    for (const u of units) {
      if (u.parentId && !this.units.has(u.parentId)) throw new Error(`org unit ${u.id}: unknown parent ${u.parentId}`);
    }
    for (const u of users) this.putUser(u);
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
    for (let cur: string | undefined = id; cur && this.units.has(cur) && !out.includes(cur); cur = this.units.get(cur)!.parentId) out.push(cur);
    return out;
  }

  /** True when `unit` is `ancestor` or lies below it. */
  isWithin(unit: string, ancestor: string): boolean {
    return this.lineage(unit).includes(ancestor);
  }

  childrenOf(id: string): OrgUnit[] {
    return [...this.units.values()].filter((u) => u.parentId === id);
  }

  /** Adds or replaces a unit (the directory projection). */
  putUnit(unit: OrgUnit): void {
    this.units.set(unit.id, unit);
  }

  user(id: string): DirectoryUser | undefined {
    return this.people.get(id);
  }

  userByUsername(username: string): DirectoryUser | undefined {
    const id = this.byUsername.get(username.toLowerCase());
    return id === undefined ? undefined : this.people.get(id);
  }

  users(): DirectoryUser[] {
    return [...this.people.values()];
  }

  /** Adds or replaces a user (the directory projection). Usernames are unique regardless of case. */
  putUser(user: DirectoryUser): void {
    const prev = this.people.get(user.id);
    if (prev) this.byUsername.delete(prev.username.toLowerCase());
    this.people.set(user.id, user);
    this.byUsername.set(user.username.toLowerCase(), user.id);
  }

  /** An active user with one of `roles` whose unit lies within `subtree` (people named in commands, issue 14). */
  activeUserIn(id: string, roles: readonly Role[], subtree: string): DirectoryUser | undefined {
    const u = this.people.get(id);
    return u && u.active && roles.includes(u.role) && this.isWithin(u.orgUnit, subtree) ? u : undefined;
  }
}
