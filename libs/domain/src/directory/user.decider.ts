import { HUMAN_ROLES, Role } from '../common/actor';
import type { Decider, DecisionContext } from '../common/decider';
import { notFound, ruleViolation } from '../common/domain-error';
import type { UserCommand } from './directory.commands';
import { USER_CATEGORY, UserEvent } from './directory.events';
import { requireAdminOf } from './directory-authority';

export interface UserState {
  exists: boolean;
  username: string;
  name: string;
  role?: Role;
  orgUnit: string;
  active: boolean;
}

export const initialUserState: UserState = { exists: false, username: '', name: '', orgUnit: '', active: false };

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserCreated':
      return { exists: true, username: event.data.username, name: event.data.name, role: event.data.role, orgUnit: event.data.orgUnit, active: true };
    case 'UserRoleChanged':
      return { ...state, role: event.data.role };
    case 'UserMoved':
      return { ...state, orgUnit: event.data.orgUnit };
    case 'UserDisabled':
      return { ...state, active: false };
    case 'UserEnabled':
      return { ...state, active: true };
    case 'UserPasswordReset':
      return state;
  }
}

/** An open unit of the directory, else 404 / 422. */
function openUnit(ctx: DecisionContext, id: string): void {
  const u = ctx.org.get(id);
  if (!u) throw notFound('UNIT_NOT_FOUND', `单位 ${id} 不存在`);
  if (u.closed) throw ruleViolation('UNIT_CLOSED', `单位 ${id} 已撤销`);
}

function humanRole(role: Role): void {
  if (!HUMAN_ROLES.includes(role)) throw ruleViolation('ROLE_UNKNOWN', `没有角色 ${role}`);
}

/** At least one active administrator must remain, or nobody could manage the directory again. */
function keepAnAdmin(ctx: DecisionContext, userId: string, state: UserState): void {
  if (state.role !== 'admin' || !state.active) return;
  const others = ctx.org.users().filter((u) => u.id !== userId && u.active && u.role === 'admin');
  if (others.length === 0) throw ruleViolation('LAST_ADMIN', '不能停用或调整最后一名系统管理员');
}

function decide(command: UserCommand, state: UserState, ctx: DecisionContext): UserEvent[] {
  const id = command.userId;
  if (command.type === 'CreateUser') {
    humanRole(command.role);
    openUnit(ctx, command.orgUnit);
    requireAdminOf(ctx, command.orgUnit);
    if (state.exists) {
      if (state.username === command.username && state.role === command.role && state.orgUnit === command.orgUnit && state.name === command.name) return [];
      throw ruleViolation('USER_EXISTS', `用户编号 ${id} 已被使用`);
    }
    const holder = ctx.org.userByUsername(command.username);
    if (holder && holder.id !== id) throw ruleViolation('USERNAME_TAKEN', `用户名 ${command.username} 已被使用`);
    const { username, name, role, orgUnit, passwordHash } = command;
    return [{ type: 'UserCreated', data: { userId: id, username, name, role, orgUnit, ...(passwordHash ? { passwordHash } : {}) } }];
  }
  if (!state.exists) throw notFound('USER_NOT_FOUND', `用户 ${id} 不存在`);
  requireAdminOf(ctx, state.orgUnit);
  switch (command.type) {
    case 'ChangeUserRole':
      humanRole(command.role);
      if (command.role === state.role) return [];
      keepAnAdmin(ctx, id, state);
      return [{ type: 'UserRoleChanged', data: { userId: id, role: command.role, from: state.role! } }];
    case 'MoveUser':
      openUnit(ctx, command.orgUnit);
      requireAdminOf(ctx, command.orgUnit);
      if (command.orgUnit === state.orgUnit) return [];
      return [{ type: 'UserMoved', data: { userId: id, orgUnit: command.orgUnit, from: state.orgUnit } }];
    case 'DisableUser':
      if (!state.active) return [];
      if (ctx.actor.id === id) throw ruleViolation('CANNOT_DISABLE_SELF', '不能停用自己的账号');
      keepAnAdmin(ctx, id, state);
      return [{ type: 'UserDisabled', data: { userId: id, ...(command.reason ? { reason: command.reason } : {}) } }];
    case 'EnableUser':
      return state.active ? [] : [{ type: 'UserEnabled', data: { userId: id } }];
    case 'ResetPassword':
      return [{ type: 'UserPasswordReset', data: { userId: id, passwordHash: command.passwordHash } }];
  }
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  category: USER_CATEGORY,
  initialState: initialUserState,
  evolve: evolveUser,
  decide,
};
