import type { Role } from '../common/actor';
import type { OrgLevel } from '../org/org-directory';

export interface CreateUnit {
  type: 'CreateUnit';
  unitId: string;
  name: string;
  level: OrgLevel;
  parentId?: string;
}
export interface RenameUnit {
  type: 'RenameUnit';
  unitId: string;
  name: string;
}
export interface MoveUnit {
  type: 'MoveUnit';
  unitId: string;
  parentId: string;
}
/** `openCases` is a fact the edge reads from the read models before it sends the command (time-as-data style). */
export interface CloseUnit {
  type: 'CloseUnit';
  unitId: string;
  successorId?: string;
  openCases: number;
}
export type UnitCommand = CreateUnit | RenameUnit | MoveUnit | CloseUnit;

/** Passwords reach the deciders only as argon2id hashes, checked against the policy at the edge. */
export interface CreateUser {
  type: 'CreateUser';
  userId: string;
  username: string;
  name: string;
  role: Role;
  orgUnit: string;
  passwordHash?: string;
}
export interface ChangeUserRole {
  type: 'ChangeUserRole';
  userId: string;
  role: Role;
}
export interface MoveUser {
  type: 'MoveUser';
  userId: string;
  orgUnit: string;
}
export interface DisableUser {
  type: 'DisableUser';
  userId: string;
  reason?: string;
}
export interface EnableUser {
  type: 'EnableUser';
  userId: string;
}
export interface ResetPassword {
  type: 'ResetPassword';
  userId: string;
  passwordHash: string;
}
export type UserCommand = CreateUser | ChangeUserRole | MoveUser | DisableUser | EnableUser | ResetPassword;
