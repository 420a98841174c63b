/** Roles of domain-spec §0. `system` is Hearth itself (timers, automatic closure). */
export type Role = 'intake' | 'officer' | 'mediator' | 'head' | 'supervisor' | 'auditor' | 'system';

export const HUMAN_ROLES: readonly Role[] = ['intake', 'officer', 'mediator', 'head', 'supervisor', 'auditor'];

export interface Actor {
  id: string;
  role: Role;
  orgUnit: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system', orgUnit: 'system' };
