import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { personRolesFor, Workflow, WorkflowCommand } from '@hearth/domain';
import { Roles } from '@hearth/platform';

/** Metadata naming the command a route issues: `{ workflow, command }` (read by the role-table test). */
export const ROUTE_COMMAND = 'hearth:command';

/** OpenAPI extension listing the roles a route admits (the same list the guard checks). */
export const ROLES_EXTENSION = 'x-hearth-roles';

/**
 * The route issues `command` of `workflow`: the guard admits, and the OpenAPI page lists, exactly the roles the
 * decider's table admits (libs/domain/src/common/command-roles.ts).
 */
export function CommandRoles<W extends Workflow>(workflow: W, command: WorkflowCommand<W>): MethodDecorator {
  const roles = personRolesFor(workflow, command);
  return applyDecorators(SetMetadata(ROUTE_COMMAND, { workflow, command }), Roles(...roles), ApiExtension(ROLES_EXTENSION, roles));
}
