import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor, Role } from '@hearth/domain';

export const IS_PUBLIC = 'hearth:public';
export const ROLES = 'hearth:roles';
export const QUERY_TOKEN = 'hearth:query-token';

/** No token needed (health, API docs). Everything else is denied by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * The one kind of route that may take its bearer token as `?access_token=`: a GET that a browser opens without being
 * able to set a header (EventSource, for the alert stream). Everywhere else a token in the URL is refused, since URLs
 * end up in proxy logs, browser history and Referer headers. To go once sign-in cookies replace it.
 */
export const QueryTokenAllowed = () => SetMetadata(QUERY_TOKEN, true);

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
