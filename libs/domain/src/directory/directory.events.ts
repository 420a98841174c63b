import type { Role } from '../common/actor';
import type { DomainEvent } from '../common/decider';
import type { OrgLevel } from '../org/org-directory';

/** Streams `orgunit-<unitId>` and `user-<userId>`: the org directory as the log holds it (issue 14). */
export const UNIT_CATEGORY = 'orgunit';
export const USER_CATEGORY = 'user';

export type UnitCreated = DomainEvent<'UnitCreated', { unitId: string; name: string; level: OrgLevel; parentId?: string }>;
export type UnitRenamed = DomainEvent<'UnitRenamed', { unitId: string; name: string; from: string }>;
export type UnitMoved = DomainEvent<'UnitMoved', { unitId: string; parentId: string; from?: string }>;
export type UnitClosed = DomainEvent<'UnitClosed', { unitId: string; successorId?: string; openCases: number }>;
export type UnitEvent = UnitCreated | UnitRenamed | UnitMoved | UnitClosed;

export type UserCreated = DomainEvent<
  'UserCreated',
  { userId: string; username: string; name: string; role: Role; orgUnit: string; passwordHash?: string }
>;
export type UserRoleChanged = DomainEvent<'UserRoleChanged', { userId: string; role: Role; from: Role }>;
export type UserMoved = DomainEvent<'UserMoved', { userId: string; orgUnit: string; from: string }>;
export type UserDisabled = DomainEvent<'UserDisabled', { userId: string; reason?: string }>;
export type UserEnabled = DomainEvent<'UserEnabled', { userId: string }>;
export type UserPasswordReset = DomainEvent<'UserPasswordReset', { userId: string; passwordHash: string }>;
export type UserEvent = UserCreated | UserRoleChanged | UserMoved | UserDisabled | UserEnabled | UserPasswordReset;

export type DirectoryEvent = UnitEvent | UserEvent;

export const DIRECTORY_EVENT_TYPES: ReadonlySet<string> = new Set([
  'UnitCreated',
  'UnitRenamed',
  'UnitMoved',
  'UnitClosed',
  'UserCreated',
  'UserRoleChanged',
  'UserMoved',
  'UserDisabled',
  'UserEnabled',
  'UserPasswordReset',
]);
