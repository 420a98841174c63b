import type { OrgDirectory } from '../org/org-directory';
import type { DirectoryEvent } from './directory.events';

/** Folds one directory event into the in-memory directory (the projection every process keeps). */
export function applyDirectoryEvent(dir: OrgDirectory, event: DirectoryEvent): void {
  switch (event.type) {
    case 'UnitCreated': {
      const { unitId, name, level, parentId } = event.data;
      dir.putUnit({ id: unitId, name, level, ...(parentId ? { parentId } : {}) });
      return;
    }
    case 'UnitRenamed':
    case 'UnitMoved':
    case 'UnitClosed': {
      const u = dir.get(event.data.unitId);
      if (!u) return;
      if (event.type === 'UnitRenamed') dir.putUnit({ ...u, name: event.data.name });
      else if (event.type === 'UnitMoved') dir.putUnit({ ...u, parentId: event.data.parentId });
      else dir.putUnit({ ...u, closed: true, ...(event.data.successorId ? { successorId: event.data.successorId } : {}) });
      return;
    }
    case 'UserCreated': {
      const { userId, username, name, role, orgUnit, passwordHash } = event.data;
      dir.putUser({ id: userId, username, name, role, orgUnit, active: true, ...(passwordHash ? { passwordHash } : {}) });
      return;
    }
    default: {
      const u = dir.user(event.data.userId);
      if (!u) return;
      if (event.type === 'UserRoleChanged') dir.putUser({ ...u, role: event.data.role });
      else if (event.type === 'UserMoved') dir.putUser({ ...u, orgUnit: event.data.orgUnit });
      else if (event.type === 'UserDisabled') dir.putUser({ ...u, active: false });
      else if (event.type === 'UserEnabled') dir.putUser({ ...u, active: true });
      else dir.putUser({ ...u, passwordHash: event.data.passwordHash });
    }
  }
}
