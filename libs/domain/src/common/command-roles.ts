import { HUMAN_ROLES, Role } from './actor';
import { FUND_COMMAND_ROLES } from '../hardship/fund.decider';
import { HARDSHIP_COMMAND_ROLES } from '../hardship/hardship.decider';
import { MEDIATION_COMMAND_ROLES } from '../mediation/mediation.decider';
import { PETITION_COMMAND_ROLES } from '../petition/petition.decider';

/**
 * The one role table: who may issue each command of each workflow (domain-spec §0). The deciders refuse by it, and
 * the HTTP side (route guard and OpenAPI, apps/api/src/command-roles.decorator.ts) admits by it, so a route never
 * advertises a role its decider refuses, nor refuses one the decider admits.
 */
export const COMMAND_ROLES = {
  petition: PETITION_COMMAND_ROLES,
  mediation: MEDIATION_COMMAND_ROLES,
  hardship: HARDSHIP_COMMAND_ROLES,
  fund: FUND_COMMAND_ROLES,
} as const;

export type Workflow = keyof typeof COMMAND_ROLES;
export type WorkflowCommand<W extends Workflow> = keyof (typeof COMMAND_ROLES)[W] & string;

/**
 * Commands the decider also admits from the case's assigned handler whatever their role (RecordProgress: the
 * petition decider's `isHandler`), so a person of any role but auditor may reach them.
 */
const ALSO_THE_HANDLER: { readonly [W in Workflow]?: readonly WorkflowCommand<W>[] } = { petition: ['RecordProgress'] };

/** Roles of the table for a command (Hearth itself included). */
export function commandRoles<W extends Workflow>(workflow: W, command: WorkflowCommand<W>): readonly Role[] {
  return (COMMAND_ROLES[workflow] as Readonly<Record<string, readonly Role[]>>)[command] ?? [];
}

/** The roles a person may hold to issue the command: the table's, without `system`, plus any assigned handler's. */
export function personRolesFor<W extends Workflow>(workflow: W, command: WorkflowCommand<W>): Role[] {
  const handler = (ALSO_THE_HANDLER[workflow] as readonly string[] | undefined)?.includes(command) ? HUMAN_ROLES.filter((r) => r !== 'auditor' && r !== 'admin') : [];
  const roles = new Set<Role>([...commandRoles(workflow, command), ...handler]);
  return HUMAN_ROLES.filter((r) => roles.has(r));
}
