/** Roles of domain-spec §0. `system` is Hearth itself (timers, automatic closure). */
export type Role = 'intake' | 'officer' | 'mediator' | 'head' | 'supervisor' | 'auditor' | 'admin' | 'system';

/** `admin` (系统管理员): loads calendars (and, later, manages units and users); reads no case content, runs no case command. */
export const HUMAN_ROLES: readonly Role[] = ['intake', 'officer', 'mediator', 'head', 'supervisor', 'auditor', 'admin'];

export interface Actor {
  id: string;
  role: Role;
  orgUnit: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system', orgUnit: 'system' };
