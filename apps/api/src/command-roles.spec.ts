import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import {
  Actor,
  DecisionContext,
  defaultCalendar,
  defaultRuleBook,
  DomainError,
  fold,
  fundDecider,
  hardshipFileDecider,
  HUMAN_ROLES,
  mediationDecider,
  personRolesFor,
  petitionDecider,
  Role,
  Workflow,
  WorkflowCommand,
} from '@hearth/domain';
import { ROLES } from '@hearth/platform';
import { ctx as hardshipCtx, intakeG, org, PERSONAL, DEEP, at } from '@hearth/domain/hardship/test/hardship.fixtures';
import { ROLES_EXTENSION, ROUTE_COMMAND } from './command-roles.decorator';
import { FundsController } from './hardship/funds.controller';
import { HardshipFilesController } from './hardship/hardship-files.controller';
import { MediationsController } from './mediation/mediations.controller';
import { PetitionsController } from './petitions/petitions.controller';

/**
 * One role table (issue 11): `POST /petitions` advertised `head` while the decider refused heads. Every command route
 * of these controllers names its command; the guard's roles and the OpenAPI `x-hearth-roles` are the table's, and
 * the decider, asked by each human role, admits exactly those roles.
 */

interface Route {
  name: string;
  path: string;
  command?: { workflow: Workflow; command: string };
  guard?: Role[];
  openApi?: Role[];
}

function postRoutes(controller: { prototype: object }): Route[] {
  const proto = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .filter((name) => name !== 'constructor' && typeof proto[name] === 'function')
    .map((name) => ({ name, fn: proto[name] as object }))
    .filter(({ fn }) => Reflect.getMetadata(METHOD_METADATA, fn) === RequestMethod.POST)
    .map(({ name, fn }) => ({
      name,
      path: String(Reflect.getMetadata(PATH_METADATA, fn)),
      command: Reflect.getMetadata(ROUTE_COMMAND, fn),
      guard: Reflect.getMetadata(ROLES, fn),
      openApi: (Reflect.getMetadata(API_EXTENSION, fn) as Record<string, Role[]> | undefined)?.[ROLES_EXTENSION],
    }));
}

/** Where @nestjs/swagger keeps ApiExtension data (DECORATORS.API_EXTENSION; the package exports no constants). */
const API_EXTENSION = 'swagger/apiExtension';

/** POST routes that are queries, not commands. */
const QUERIES = new Set(['lookup']);

const petitionOrgCtx = (actor: Actor): DecisionContext => ({
  actor,
  now: at('2025-09-23T10:00'),
  calendar: defaultCalendar(),
  rules: defaultRuleBook(),
  org,
  jurisdiction: 'national',
});

/** A registered petition at street-a1 whose handler is `handler` (the assigned handler may record progress). */
function petitionState(handler: string) {
  const register = {
    type: 'RegisterPetition' as const,
    petitionId: 'p-1',
    orgUnit: 'street-a1',
    channel: 'letter' as const,
    category: 'claim' as const,
    subject: '拖欠工资',
    facts: '三个月',
    request: '补发',
    petitioners: [{ name: '张三' }],
    headcount: 1,
    identityKnown: true,
  };
  const events = petitionDecider.decide(register, petitionDecider.initialState, petitionOrgCtx({ id: 'intake@street-a1', role: 'intake', orgUnit: 'street-a1' }));
  return { ...fold(petitionDecider, events), handler };
}

const hardshipApply = { type: 'ApplyForHardshipFile' as const, fileId: 'f1', orgUnit: 'gr-a1', stats: DEEP, personal: PERSONAL };
const hardshipState = () => fold(hardshipFileDecider, hardshipFileDecider.decide(hardshipApply, hardshipFileDecider.initialState, hardshipCtx(intakeG, at('2025-09-01T10:00'))));

/** Whether the decider lets `role` past its role check (any other refusal, or a missing payload field, is past it). */
function deciderAdmits(workflow: Workflow, command: string, role: Role): boolean {
  const run = (): unknown => {
    if (workflow === 'petition') {
      const actor: Actor = { id: `${role}@street-a1`, role, orgUnit: 'street-a1' };
      const state = command === 'RegisterPetition' ? petitionDecider.initialState : petitionState(actor.id);
      const payload = command === 'RegisterPetition' ? { ...petitionState('x'), type: command } : { type: command };
      return petitionDecider.decide(payload as never, state, petitionOrgCtx(actor));
    }
    // Mediation and fund deciders check the role before anything else: an empty stream is enough.
    if (workflow === 'mediation' || workflow === 'fund') {
      const decider = workflow === 'mediation' ? mediationDecider : fundDecider;
      return decider.decide({ type: command } as never, decider.initialState as never, petitionOrgCtx({ id: `${role}@street-a1`, role, orgUnit: 'street-a1' }));
    }
    const actor: Actor = { id: `${role}@gr-a1`, role, orgUnit: 'gr-a1' };
    const state = command === 'ApplyForHardshipFile' ? hardshipFileDecider.initialState : hardshipState();
    const payload = command === 'ApplyForHardshipFile' ? hardshipApply : { type: command };
    return hardshipFileDecider.decide(payload as never, state, hardshipCtx(actor, at('2025-09-02T10:00')));
  };
  try {
    run();
    return true;
  } catch (e) {
    return !(e instanceof DomainError && e.code === 'ROLE_NOT_ALLOWED');
  }
}

describe.each([
  ['petitions', PetitionsController],
  ['hardship-files', HardshipFilesController],
  ['mediations', MediationsController],
  ['funds', FundsController],
])('the one role table: %s routes', (_name, controller) => {
  const routes = postRoutes(controller);

  it('every command route names its command', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((r) => !QUERIES.has(r.name) && !r.command).map((r) => r.path)).toEqual([]);
  });

  it.each(routes.filter((r) => r.command).map((r) => [r.path, r] as const))('POST %s: guard and OpenAPI admit the table’s roles, and so does the decider', (_p, r) => {
    const { workflow, command } = r.command!;
    const table = personRolesFor(workflow, command as WorkflowCommand<typeof workflow>);
    expect(r.guard).toEqual(table);
    expect(r.openApi).toEqual(table);
    const admitted = HUMAN_ROLES.filter((role) => deciderAdmits(workflow, command, role));
    expect(admitted).toEqual(table);
  });
});

describe('the one role table: money moves with the aid', () => {
  it('who may disburse may draw from the fund; who may revoke may return to it', () => {
    const disburse = personRolesFor('hardship', 'RecordDisbursement');
    expect(personRolesFor('fund', 'DrawFromFund')).toEqual(expect.arrayContaining(disburse));
    expect(personRolesFor('fund', 'ReturnToFund')).toEqual(expect.arrayContaining(personRolesFor('hardship', 'RevokeAid')));
  });

  it('POST /petitions admits no head: the petition decider registers from intake and officers only', () => {
    expect(personRolesFor('petition', 'RegisterPetition')).toEqual(['intake', 'officer']);
  });
});
