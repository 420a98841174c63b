import type { Decider, DecisionContext } from '../common/decider';
import { notFound, ruleViolation } from '../common/domain-error';
import type { OrgLevel } from '../org/org-directory';
import type { UnitCommand } from './directory.commands';
import { UNIT_CATEGORY, UnitEvent } from './directory.events';
import { requireAdminOf } from './directory-authority';

export interface UnitState {
  exists: boolean;
  name: string;
  level?: OrgLevel;
  parentId?: string;
  closed: boolean;
}

export const initialUnitState: UnitState = { exists: false, name: '', closed: false };

export function evolveUnit(state: UnitState, event: UnitEvent): UnitState {
  switch (event.type) {
    case 'UnitCreated':
      return { exists: true, name: event.data.name, level: event.data.level, parentId: event.data.parentId, closed: false };
    case 'UnitRenamed':
      return { ...state, name: event.data.name };
    case 'UnitMoved':
      return { ...state, parentId: event.data.parentId };
    case 'UnitClosed':
      return { ...state, closed: true };
  }
}

const unitNotFound = (id: string) => notFound('UNIT_NOT_FOUND', `单位 ${id} 不存在`);

/** An open unit of the directory, else 404. */
function openUnit(ctx: DecisionContext, id: string) {
  const u = ctx.org.get(id);
  if (!u) throw unitNotFound(id);
  if (u.closed) throw ruleViolation('UNIT_CLOSED', `单位 ${id} 已撤销`);
  return u;
}

function decide(command: UnitCommand, state: UnitState, ctx: DecisionContext): UnitEvent[] {
  const id = command.unitId;
  if (command.type === 'CreateUnit') {
    if (state.exists) {
      // The same unit again (a repeated import) decides nothing; anything else is a clash of ids.
      if (state.name === command.name && state.level === command.level && state.parentId === command.parentId) return [];
      throw ruleViolation('UNIT_EXISTS', `单位编号 ${id} 已被使用`);
    }
    if (command.parentId === undefined) {
      if (ctx.actor.role !== 'system') throw ruleViolation('UNIT_PARENT_REQUIRED', '新单位须有上级单位');
      if (command.level !== 1) throw ruleViolation('UNIT_LEVEL_MISMATCH', '顶级单位须为市总工会（第1级）');
    } else {
      const parent = openUnit(ctx, command.parentId);
      requireAdminOf(ctx, parent.id);
      if (command.level !== parent.level + 1) throw ruleViolation('UNIT_LEVEL_MISMATCH', `上级为第${parent.level}级，新单位须为第${parent.level + 1}级`);
    }
    return [{ type: 'UnitCreated', data: { unitId: id, name: command.name, level: command.level, ...(command.parentId ? { parentId: command.parentId } : {}) } }];
  }
  if (!state.exists) throw unitNotFound(id);
  if (state.closed) throw ruleViolation('UNIT_CLOSED', `单位 ${id} 已撤销`);
  switch (command.type) {
    case 'RenameUnit':
      requireAdminOf(ctx, id);
      if (command.name === state.name) return [];
      return [{ type: 'UnitRenamed', data: { unitId: id, name: command.name, from: state.name } }];
    case 'MoveUnit': {
      const parent = openUnit(ctx, command.parentId);
      // Both ends within the admin's subtree; the admin's own unit cannot be moved by itself.
      requireAdminOf(ctx, state.parentId, parent.id);
      if (command.parentId === state.parentId) return [];
      if (ctx.org.isWithin(parent.id, id)) throw ruleViolation('UNIT_CYCLE', '不能把单位移到它自己或它的下级单位之下');
      if (parent.level + 1 !== state.level) throw ruleViolation('UNIT_LEVEL_MISMATCH', `第${state.level}级单位只能隶属第${(state.level ?? 1) - 1}级单位`);
      return [{ type: 'UnitMoved', data: { unitId: id, parentId: parent.id, ...(state.parentId ? { from: state.parentId } : {}) } }];
    }
    case 'CloseUnit': {
      requireAdminOf(ctx, state.parentId ?? id);
      if (ctx.org.childrenOf(id).some((c) => !c.closed)) throw ruleViolation('UNIT_HAS_CHILDREN', '请先撤销或移走下级单位');
      if (ctx.org.users().some((u) => u.active && u.orgUnit === id)) throw ruleViolation('UNIT_HAS_USERS', '请先调出或停用本单位的用户');
      if (command.successorId !== undefined) {
        if (command.successorId === id) throw ruleViolation('UNIT_SUCCESSOR_INVALID', '承接单位不能是被撤销的单位本身');
        openUnit(ctx, command.successorId);
        requireAdminOf(ctx, command.successorId);
      } else if (command.openCases > 0) {
        throw ruleViolation('UNIT_HAS_OPEN_CASES', `本单位尚有 ${command.openCases} 件未结案件，须指定承接单位`);
      }
      return [{ type: 'UnitClosed', data: { unitId: id, openCases: command.openCases, ...(command.successorId ? { successorId: command.successorId } : {}) } }];
    }
  }
}

export const unitDecider: Decider<UnitCommand, UnitEvent, UnitState> = {
  category: UNIT_CATEGORY,
  initialState: initialUnitState,
  evolve: evolveUnit,
  decide,
};
