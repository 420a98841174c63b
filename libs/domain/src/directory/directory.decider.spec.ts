import { Actor, SYSTEM_ACTOR } from '../common/actor';
import { DecisionContext, fold } from '../common/decider';
import { DomainError } from '../common/domain-error';
import { defaultCalendar } from '../calendar/data';
import { defaultRuleBook } from '../rules/rule-tables';
import { OrgDirectory } from '../org/org-directory';
import type { UnitCommand, UserCommand } from './directory.commands';
import type { DirectoryEvent, UnitEvent, UserEvent } from './directory.events';
import { applyDirectoryEvent } from './directory-projection';
import { unitDecider } from './unit.decider';
import { userDecider } from './user.decider';
import { passwordPolicyViolation } from './password-policy';
import { requireNamedUser } from './named-person';
import { ADDRESS_LOCK_FAILURES, lockedUntil, SignInEvent, signInDecider } from './sign-in.decider';

const cityAdmin: Actor = { id: 'admin.city', role: 'admin', orgUnit: 'city' };
const eastAdmin: Actor = { id: 'admin.east', role: 'admin', orgUnit: 'east' };
const officer: Actor = { id: 'officer.east', role: 'officer', orgUnit: 'east' };

/** The directory of the test: city > east > east-s1, city > west; admins at city and east. */
function directory(): OrgDirectory {
  const dir = new OrgDirectory([]);
  const seed: DirectoryEvent[] = [
    { type: 'UnitCreated', data: { unitId: 'city', name: '市总', level: 1 } },
    { type: 'UnitCreated', data: { unitId: 'east', name: '东城', level: 2, parentId: 'city' } },
    { type: 'UnitCreated', data: { unitId: 'west', name: '西城', level: 2, parentId: 'city' } },
    { type: 'UnitCreated', data: { unitId: 'east-s1', name: '东城一街', level: 3, parentId: 'east' } },
    { type: 'UserCreated', data: { userId: 'admin.city', username: 'admin.city', name: 'a', role: 'admin', orgUnit: 'city' } },
    { type: 'UserCreated', data: { userId: 'officer.east', username: 'officer.east', name: 'o', role: 'officer', orgUnit: 'east' } },
  ];
  for (const e of seed) applyDirectoryEvent(dir, e);
  return dir;
}
const ctx = (actor: Actor, org = directory()): DecisionContext => ({ actor, now: '2026-12-02T02:00:00.000Z', calendar: defaultCalendar(), rules: defaultRuleBook(), org, jurisdiction: 'national' });

/** given events of the stream, when a command, then events or a refusal code. */
function unitSpec(given: UnitEvent[], when: UnitCommand, actor: Actor, org?: OrgDirectory): UnitEvent[] | string {
  try {
    return unitDecider.decide(when, fold(unitDecider, given), ctx(actor, org));
  } catch (e) {
    return (e as DomainError).code;
  }
}
function userSpec(given: UserEvent[], when: UserCommand, actor: Actor, org?: OrgDirectory): UserEvent[] | string {
  try {
    return userDecider.decide(when, fold(userDecider, given), ctx(actor, org));
  } catch (e) {
    return (e as DomainError).code;
  }
}
const s1: UnitEvent = { type: 'UnitCreated', data: { unitId: 'east-s1', name: '东城一街', level: 3, parentId: 'east' } };
const east: UnitEvent = { type: 'UnitCreated', data: { unitId: 'east', name: '东城', level: 2, parentId: 'city' } };
const officerCreated: UserEvent = { type: 'UserCreated', data: { userId: 'officer.east', username: 'officer.east', name: 'o', role: 'officer', orgUnit: 'east' } };
const adminCreated: UserEvent = { type: 'UserCreated', data: { userId: 'admin.city', username: 'admin.city', name: 'a', role: 'admin', orgUnit: 'city' } };

describe('unit decider', () => {
  it('creates a unit one level below its parent, in the admin subtree only; the same create again decides nothing', () => {
    const create: UnitCommand = { type: 'CreateUnit', unitId: 'east-s2', name: '东城二街', level: 3, parentId: 'east' };
    expect(unitSpec([], create, cityAdmin)).toEqual([{ type: 'UnitCreated', data: { unitId: 'east-s2', name: '东城二街', level: 3, parentId: 'east' } }]);
    expect(unitSpec([], { ...create, parentId: 'nowhere' }, cityAdmin)).toBe('UNIT_NOT_FOUND');
    expect(unitSpec([], { ...create, level: 4 }, cityAdmin)).toBe('UNIT_LEVEL_MISMATCH');
    expect(unitSpec([], { ...create, parentId: 'west' }, eastAdmin)).toBe('OUT_OF_SUBTREE');
    expect(unitSpec([], create, officer)).toBe('ROLE_NOT_ALLOWED');
    const created = unitSpec([], create, cityAdmin) as UnitEvent[];
    expect(unitSpec(created, create, cityAdmin)).toEqual([]);
    expect(unitSpec(created, { ...create, name: '别的' }, cityAdmin)).toBe('UNIT_EXISTS');
  });

  it('renames and moves; refuses a move that makes a unit its own ancestor', () => {
    expect(unitSpec([s1], { type: 'RenameUnit', unitId: 'east-s1', name: '新名' }, cityAdmin)).toEqual([{ type: 'UnitRenamed', data: { unitId: 'east-s1', name: '新名', from: '东城一街' } }]);
    expect(unitSpec([], { type: 'RenameUnit', unitId: 'ghost', name: 'x' }, cityAdmin)).toBe('UNIT_NOT_FOUND');
    expect(unitSpec([s1], { type: 'MoveUnit', unitId: 'east-s1', parentId: 'west' }, cityAdmin)).toEqual([{ type: 'UnitMoved', data: { unitId: 'east-s1', parentId: 'west', from: 'east' } }]);
    expect(unitSpec([s1], { type: 'MoveUnit', unitId: 'east-s1', parentId: 'west' }, eastAdmin)).toBe('OUT_OF_SUBTREE');
    expect(unitSpec([east], { type: 'MoveUnit', unitId: 'east', parentId: 'east-s1' }, cityAdmin)).toBe('UNIT_CYCLE');
    expect(unitSpec([east], { type: 'MoveUnit', unitId: 'east', parentId: 'east' }, cityAdmin)).toBe('UNIT_CYCLE');
  });

  it('closes a unit: with open cases only with an open successor; never with open child units', () => {
    expect(unitSpec([s1], { type: 'CloseUnit', unitId: 'east-s1', openCases: 2 }, cityAdmin)).toBe('UNIT_HAS_OPEN_CASES');
    expect(unitSpec([s1], { type: 'CloseUnit', unitId: 'east-s1', openCases: 2, successorId: 'east-s1' }, cityAdmin)).toBe('UNIT_SUCCESSOR_INVALID');
    expect(unitSpec([s1], { type: 'CloseUnit', unitId: 'east-s1', openCases: 2, successorId: 'ghost' }, cityAdmin)).toBe('UNIT_NOT_FOUND');
    const closed = unitSpec([s1], { type: 'CloseUnit', unitId: 'east-s1', openCases: 2, successorId: 'east' }, cityAdmin) as UnitEvent[];
    expect(closed).toEqual([{ type: 'UnitClosed', data: { unitId: 'east-s1', openCases: 2, successorId: 'east' } }]);
    expect(unitSpec([s1], { type: 'CloseUnit', unitId: 'east-s1', openCases: 0 }, cityAdmin)).toHaveLength(1);
    expect(unitSpec([s1, ...closed], { type: 'RenameUnit', unitId: 'east-s1', name: 'x' }, cityAdmin)).toBe('UNIT_CLOSED');
    expect(unitSpec([east], { type: 'CloseUnit', unitId: 'east', openCases: 0 }, cityAdmin)).toBe('UNIT_HAS_CHILDREN');
  });
});

describe('user decider', () => {
  const create: UserCommand = { type: 'CreateUser', userId: 'u1', username: 'Zhang.San', name: '张三', role: 'officer', orgUnit: 'east-s1', passwordHash: '$argon2id$x' };

  it('creates a user in the admin subtree; usernames are unique regardless of case', () => {
    expect(userSpec([], create, eastAdmin)).toEqual([{ type: 'UserCreated', data: { userId: 'u1', username: 'Zhang.San', name: '张三', role: 'officer', orgUnit: 'east-s1', passwordHash: '$argon2id$x' } }]);
    expect(userSpec([], { ...create, username: 'OFFICER.EAST' }, cityAdmin)).toBe('USERNAME_TAKEN');
    expect(userSpec([], { ...create, orgUnit: 'ghost' }, cityAdmin)).toBe('UNIT_NOT_FOUND');
    expect(userSpec([], { ...create, orgUnit: 'west' }, eastAdmin)).toBe('OUT_OF_SUBTREE');
    expect(userSpec([], { ...create, role: 'system' }, cityAdmin)).toBe('ROLE_UNKNOWN');
    expect(userSpec([], create, officer)).toBe('ROLE_NOT_ALLOWED');
  });

  it('changes role, moves, disables and enables; unknown users are 404', () => {
    expect(userSpec([officerCreated], { type: 'ChangeUserRole', userId: 'officer.east', role: 'head' }, cityAdmin)).toEqual([{ type: 'UserRoleChanged', data: { userId: 'officer.east', role: 'head', from: 'officer' } }]);
    expect(userSpec([officerCreated], { type: 'MoveUser', userId: 'officer.east', orgUnit: 'west' }, cityAdmin)).toEqual([{ type: 'UserMoved', data: { userId: 'officer.east', orgUnit: 'west', from: 'east' } }]);
    expect(userSpec([officerCreated], { type: 'MoveUser', userId: 'officer.east', orgUnit: 'west' }, eastAdmin)).toBe('OUT_OF_SUBTREE');
    const disabled = userSpec([officerCreated], { type: 'DisableUser', userId: 'officer.east' }, eastAdmin) as UserEvent[];
    expect(disabled).toEqual([{ type: 'UserDisabled', data: { userId: 'officer.east' } }]);
    expect(userSpec([officerCreated, ...disabled], { type: 'DisableUser', userId: 'officer.east' }, eastAdmin)).toEqual([]);
    expect(userSpec([officerCreated, ...disabled], { type: 'EnableUser', userId: 'officer.east' }, eastAdmin)).toEqual([{ type: 'UserEnabled', data: { userId: 'officer.east' } }]);
    expect(userSpec([], { type: 'DisableUser', userId: 'ghost' }, cityAdmin)).toBe('USER_NOT_FOUND');
  });

  it('refuses to disable or demote the last active admin', () => {
    const other: Actor = { id: 'admin.other', role: 'admin', orgUnit: 'city' };
    expect(userSpec([adminCreated], { type: 'DisableUser', userId: 'admin.city' }, other)).toBe('LAST_ADMIN');
    expect(userSpec([adminCreated], { type: 'ChangeUserRole', userId: 'admin.city', role: 'auditor' }, other)).toBe('LAST_ADMIN');
    const org = directory();
    applyDirectoryEvent(org, { type: 'UserCreated', data: { userId: 'admin.other', username: 'admin.other', name: 'b', role: 'admin', orgUnit: 'city' } });
    expect(userSpec([adminCreated], { type: 'DisableUser', userId: 'admin.city' }, other, org)).toHaveLength(1);
    expect(userSpec([adminCreated], { type: 'DisableUser', userId: 'admin.city' }, cityAdmin, org)).toBe('CANNOT_DISABLE_SELF');
  });

  it('the import (Hearth itself) creates top-level units and users', () => {
    expect(unitSpec([], { type: 'CreateUnit', unitId: 'c2', name: 'x', level: 1 }, SYSTEM_ACTOR, new OrgDirectory([]))).toHaveLength(1);
    expect(unitSpec([], { type: 'CreateUnit', unitId: 'c2', name: 'x', level: 1 }, cityAdmin)).toBe('UNIT_PARENT_REQUIRED');
  });
});

describe('directory projection and password policy', () => {
  it('follows moves and disables; finds active people by role and subtree', () => {
    const org = directory();
    expect(org.activeUserIn('officer.east', ['officer'], 'city')?.id).toBe('officer.east');
    applyDirectoryEvent(org, { type: 'UserMoved', data: { userId: 'officer.east', orgUnit: 'west', from: 'east' } });
    expect(org.activeUserIn('officer.east', ['officer'], 'east')).toBeUndefined();
    applyDirectoryEvent(org, { type: 'UserDisabled', data: { userId: 'officer.east' } });
    expect(org.activeUserIn('officer.east', ['officer'], 'west')).toBeUndefined();
    applyDirectoryEvent(org, { type: 'UnitMoved', data: { unitId: 'east-s1', parentId: 'west', from: 'east' } });
    expect(org.isWithin('east-s1', 'west')).toBe(true);
  });

  it('asks for 10+ characters with letters and digits, not containing the username', () => {
    expect(passwordPolicyViolation('short1')).toBeDefined();
    expect(passwordPolicyViolation('onlyletterslong')).toBeDefined();
    expect(passwordPolicyViolation('zhangsan2026x', 'zhangsan')).toBeDefined();
    expect(passwordPolicyViolation('Hearth-demo-2026')).toBeUndefined();
  });
});

describe('sign-in stream', () => {
  const at = (min: number) => new Date(Date.parse('2026-12-02T02:00:00.000Z') + min * 60_000).toISOString();
  const failAt = (min: number): SignInEvent[] => [{ type: 'SignInFailed', data: { userId: 'officer.east', username: 'officer.east', address: '10.0.0.1', at: at(min) } }];
  const attempt = (given: SignInEvent[], min: number) =>
    signInDecider.decide({ type: 'RecordSignInFailure', account: 'officer.east', username: 'officer.east', address: '10.0.0.1' }, fold(signInDecider, given), { ...ctx(SYSTEM_ACTOR), now: at(min) });

  it('locks the account at the fifth failure within 15 minutes, for 15 minutes; older failures do not count', () => {
    const four = [0, 1, 2, 3].flatMap(failAt);
    expect(attempt(four, 4).map((e) => e.type)).toEqual(['SignInFailed', 'AccountLocked']);
    expect(attempt(four, 4)[1]).toMatchObject({ data: { until: at(19) } });
    expect(attempt(four, 16).map((e) => e.type)).toEqual(['SignInFailed']);
    const success: SignInEvent = { type: 'SignInSucceeded', data: { userId: 'officer.east', sessionId: 's', address: '10.0.0.1', at: at(3) } };
    expect(attempt([...four, success], 4).map((e) => e.type)).toEqual(['SignInFailed']);
  });

  it('counts an address with a higher threshold', () => {
    const times = Array.from({ length: 19 }, (_, i) => Date.parse(at(i * 0.1)));
    expect(lockedUntil(times, Date.parse(at(2)), ADDRESS_LOCK_FAILURES)).toBeUndefined();
    expect(lockedUntil([...times, Date.parse(at(2))], Date.parse(at(2)), ADDRESS_LOCK_FAILURES)).toBe(Date.parse(at(17)));
  });
});

describe('people named in commands', () => {
  const codeOf = (f: () => void) => {
    try {
      f();
      return undefined;
    } catch (e) {
      return (e as DomainError).code;
    }
  };
  it('must be active users of the directory with the role, in the case unit line', () => {
    const org = directory();
    const c = ctx(officer, org);
    expect(codeOf(() => requireNamedUser(c, 'officer.east', ['officer'], 'east-s1', 'HANDLER_INVALID', 'officerId'))).toBeUndefined();
    expect(codeOf(() => requireNamedUser(c, 'nobody', ['officer'], 'east-s1', 'HANDLER_INVALID', 'officerId'))).toBe('HANDLER_INVALID');
    expect(codeOf(() => requireNamedUser(c, 'officer.east', ['head'], 'east-s1', 'SIGNER_INVALID', 'signedBy'))).toBe('SIGNER_INVALID');
    expect(codeOf(() => requireNamedUser(c, 'officer.east', ['officer'], 'west', 'HANDLER_INVALID', 'officerId'))).toBe('HANDLER_INVALID');
    applyDirectoryEvent(org, { type: 'UserDisabled', data: { userId: 'officer.east' } });
    expect(codeOf(() => requireNamedUser(c, 'officer.east', ['officer'], 'east-s1', 'HANDLER_INVALID', 'officerId'))).toBe('HANDLER_INVALID');
  });
});
