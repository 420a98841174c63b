import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor, Role } from '@hearth/domain';

export const IS_PUBLIC = 'hearth:public';
export const ROLES = 'hearth:roles';

/** No token needed (health, API docs). Everything else is denied by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Roles allowed to call the route at all; the deciders then check the details (org subtree, state). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export interface AuthenticatedRequest {
  actor?: Actor;
  headers: Record<string, string | string[] | undefined>;
}

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.actor) throw new Error('CurrentActor used on a public route');
  return req.actor;
});
