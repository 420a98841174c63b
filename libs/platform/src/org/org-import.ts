import { OrgDirectory, OrgUnit, SYSTEM_ACTOR, unitDecider, userDecider, DomainError } from '@hearth/domain';
import { derivedId } from '@hearth/event-store';
import type { CommandRunner } from '../commands/command-runner';
import type { OrgData } from './org-data';
import { hashPassword } from './password-hasher';

export interface OrgImportResult {
  unitsCreated: number;
  usersCreated: number;
  passwordsSet: number;
  /** Global position of the last event the import appended (-1: nothing). */
  position: number;
}

/** Parents before children, so every CreateUnit finds its parent. */
function parentFirst(units: readonly OrgUnit[]): OrgUnit[] {
  const out: OrgUnit[] = [];
  const placed = new Set<string>();
  let rest = [...units];
  while (rest.length) {
    const ready = rest.filter((u) => !u.parentId || placed.has(u.parentId));
    if (!ready.length) throw new Error(`org file: units ${rest.map((u) => u.id).join(', ')} have unknown parents or a cycle`);
    for (const u of ready) {
      out.push(u);
      placed.add(u.id);
    }
    rest = rest.filter((u) => !placed.has(u.id));
  }
  return out;
}

/**
 * Imports an org file as directory commands by Hearth itself (idempotent: command ids are derived from the unit and
 * user ids, so a second import, or two processes importing at once, append nothing twice). `local` is the directory
 * the import's decisions see: it is updated here as each command succeeds, without waiting for the log's followers.
 * A `password` is set (argon2id) only for imported users who have none yet.
 */
export async function importOrg(runner: CommandRunner, local: OrgDirectory, data: OrgData, password?: string): Promise<OrgImportResult> {
  const result: OrgImportResult = { unitsCreated: 0, usersCreated: 0, passwordsSet: 0, position: -1 };
  const meta = (what: string) => ({ commandId: derivedId(`org-import|${what}`), cause: 'org-import' });
  for (const u of parentFirst(data.units)) {
    const out = await runner.execute(unitDecider, u.id, { type: 'CreateUnit', unitId: u.id, name: u.name, level: u.level, ...(u.parentId ? { parentId: u.parentId } : {}) }, SYSTEM_ACTOR, meta(`unit|${u.id}`));
    if (!local.has(u.id)) local.putUnit({ id: u.id, name: u.name, level: u.level, ...(u.parentId ? { parentId: u.parentId } : {}) });
    if (out.events.length && !out.replayed) {
      result.unitsCreated++;
      result.position = Math.max(result.position, out.position);
    }
  }
  // One hash for the one shared demo password: argon2id costs ~0.1 s a hash on purpose, too slow to repeat per user.
  let shared: Promise<string> | undefined;
  for (const u of data.users) {
    const username = u.username ?? u.id;
    const out = await runner.execute(userDecider, u.id, { type: 'CreateUser', userId: u.id, username, name: u.name, role: u.role, orgUnit: u.orgUnit }, SYSTEM_ACTOR, meta(`user|${u.id}`));
    if (!local.user(u.id)) local.putUser({ id: u.id, username, name: u.name, role: u.role, orgUnit: u.orgUnit, active: true });
    if (out.events.length && !out.replayed) {
      result.usersCreated++;
      result.position = Math.max(result.position, out.position);
    }
    if (password === undefined || local.user(u.id)?.passwordHash) continue;
    try {
      const hash = await (shared ??= hashPassword(password));
      const set = await runner.execute(userDecider, u.id, { type: 'ResetPassword', userId: u.id, passwordHash: hash }, SYSTEM_ACTOR, meta(`password|${u.id}`));
      local.putUser({ ...local.user(u.id)!, passwordHash: hash });
      if (!set.replayed) {
        result.passwordsSet++;
        result.position = Math.max(result.position, set.position);
      }
    } catch (e) {
      // Another process set this demo password first (same command id, another salt): theirs stands.
      if (!(e instanceof DomainError && e.code === 'IDEMPOTENCY_KEY_REUSED')) throw e;
    }
  }
  return result;
}
