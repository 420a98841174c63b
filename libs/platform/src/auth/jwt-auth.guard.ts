import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { Role } from '@hearth/domain';
import { AuthenticatedRequest, IS_PUBLIC, QUERY_TOKEN, ROLES } from './auth.decorators';
import { ORG_REGISTRY, OrgRegistry } from '../org/org-data';
import { DIRECTORY_FOLLOWER, DirectoryFollower } from '../org/directory-follower';

export interface HearthTokenClaims {
  sub: string;
  role: Role;
  org: string;
  name?: string;
  /** The sign-in session the token was issued for (issue 14): revoked by sign-out. CLI tokens have none. */
  sid?: string;
}

/**
 * Bearer JWT (HS256, secret from HEARTH_JWT_SECRET) carrying user id, role and org unit. Deny by default:
 * - a route is open only when marked @Public();
 * - the token must name an active user of the directory (the in-memory projection of the log, issue 14) with exactly
 *   that role and org unit: a user disabled, moved or given another role loses access on the next request, and no
 *   token can claim a role its user does not have;
 * - `@Roles(...)` limits a route to roles; auditors (read everything in their subtree, run no command) are refused
 *   every route that changes state (any method but GET/HEAD) unless the route lists `auditor` itself, i.e. a query
 *   sent as POST to keep an ID number out of the URL;
 * - the token comes in the Authorization header; in the URL (`?access_token=`) only where @QueryTokenAllowed() says so;
 * - the org-subtree scope of queries and commands is checked by the controllers and the deciders.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
    @Inject(ORG_REGISTRY) private readonly org: OrgRegistry,
    @Optional() @Inject(DIRECTORY_FOLLOWER) private readonly follower?: DirectoryFollower,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest & { query?: Record<string, unknown>; method?: string }>();
    const method = req.method?.toUpperCase() ?? 'GET';
    const token = this.tokenOf(req, method, this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN, targets) === true);
    let claims: HearthTokenClaims;
    try {
      claims = this.jwt.verify<HearthTokenClaims>(token);
    } catch {
      throw new UnauthorizedException({ code: 'TOKEN_INVALID', message: 'the token is invalid or expired' });
    }
    const user = claims.sub ? this.org.user(claims.sub) : undefined;
    if (!user || !user.active || user.role !== claims.role || user.orgUnit !== claims.org || !this.org.directory.has(claims.org))
      throw new UnauthorizedException({ code: 'TOKEN_INVALID', message: 'the token does not name a known user, role and org unit' });
    if (claims.sid && this.follower?.signIns.isRevoked(claims.sid))
      throw new UnauthorizedException({ code: 'TOKEN_INVALID', message: '会话已退出，请重新登录' });
    req.actor = { id: claims.sub, role: claims.role, orgUnit: claims.org };
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(claims.role))
      throw new ForbiddenException({ code: 'ROLE_NOT_ALLOWED', message: `role ${claims.role} may not do this` });
    if (claims.role === 'auditor' && method !== 'GET' && method !== 'HEAD' && !roles?.includes('auditor'))
      throw new ForbiddenException({ code: 'AUDITOR_READ_ONLY', message: 'auditors read; they run no command' });
    // Admins (系统管理员) read no case content and run no case command: only routes that name them (issue 13).
    if (claims.role === 'admin' && !roles?.includes('admin'))
      throw new ForbiddenException({ code: 'ROLE_NOT_ALLOWED', message: 'administrators may use only the administration routes' });
    return true;
  }

  /**
   * The bearer token of the Authorization header; `?access_token=` only on a GET route marked @QueryTokenAllowed()
   * (issue 11.5: a token in the URL of a command appended an event). A URL token anywhere else is refused outright,
   * even next to a valid header, so that clients stop putting tokens into URLs.
   */
  private tokenOf(req: AuthenticatedRequest & { query?: Record<string, unknown> }, method: string, queryAllowed: boolean): string {
    const inQuery = req.query?.access_token;
    const header = req.headers.authorization;
    if (inQuery !== undefined && !(queryAllowed && method === 'GET'))
      throw new UnauthorizedException({ code: 'TOKEN_IN_URL', message: '令牌不得放在网址中，请使用 Authorization 请求头' });
    if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7);
    if (typeof inQuery === 'string' && inQuery) return inQuery;
    throw new UnauthorizedException({ code: 'TOKEN_MISSING', message: 'a Bearer token is required' });
  }
}
