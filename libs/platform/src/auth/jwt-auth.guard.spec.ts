import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { OrgRegistry } from '../org/org-data';
import { IS_PUBLIC, QUERY_TOKEN, ROLES } from './auth.decorators';
import { JwtAuthGuard } from './jwt-auth.guard';

const org = new OrgRegistry({
  units: [
    { id: 'city', name: 'c', level: 1 },
    { id: 'east', name: 'e', level: 2, parentId: 'city' },
  ],
  users: [
    { id: 'auditor.city', name: 'a', role: 'auditor', orgUnit: 'city' },
    { id: 'officer.east', name: 'o', role: 'officer', orgUnit: 'east' },
  ],
});
const jwt = new JwtService({ secret: 'unit-test-secret-0123456789' });

/** A route handler with the given metadata (functions as Nest's handler/class targets). */
function route(meta: { public?: boolean; roles?: string[]; queryToken?: boolean } = {}) {
  const handler = () => undefined;
  if (meta.public) Reflect.defineMetadata(IS_PUBLIC, true, handler);
  if (meta.queryToken) Reflect.defineMetadata(QUERY_TOKEN, true, handler);
  if (meta.roles) Reflect.defineMetadata(ROLES, meta.roles, handler);
  return handler;
}

function context(handler: () => void, method: string, token?: string, query?: Record<string, string>): { ctx: ExecutionContext; req: Record<string, unknown> } {
  const req: Record<string, unknown> = { method, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(query ? { query } : {}) };
  const ctx = {
    getHandler: () => handler,
    getClass: () => class Controller {},
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

const guard = new JwtAuthGuard(jwt, new Reflector(), org);
const token = (sub: string, role: string, unit: string) => jwt.sign({ sub, role, org: unit });
const run = (handler: () => void, method: string, t?: string, query?: Record<string, string>) => {
  const { ctx, req } = context(handler, method, t, query);
  try {
    guard.canActivate(ctx);
    return { ok: true as const, actor: req.actor };
  } catch (e) {
    const res = (e as UnauthorizedException | ForbiddenException).getResponse() as { code: string };
    return { ok: false as const, status: (e as UnauthorizedException).getStatus(), code: res.code };
  }
};

describe('JwtAuthGuard: deny by default', () => {
  it('opens only @Public routes without a token', () => {
    expect(run(route({ public: true }), 'GET')).toMatchObject({ ok: true });
    expect(run(route(), 'GET')).toEqual({ ok: false, status: 401, code: 'TOKEN_MISSING' });
    expect(run(route(), 'GET', 'garbage')).toEqual({ ok: false, status: 401, code: 'TOKEN_INVALID' });
  });

  it('admits only users of the org data with their own role and unit', () => {
    expect(run(route(), 'GET', token('officer.east', 'officer', 'east'))).toEqual({ ok: true, actor: { id: 'officer.east', role: 'officer', orgUnit: 'east' } });
    expect(run(route(), 'GET', token('officer.west', 'officer', 'east'))).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
    expect(run(route(), 'GET', token('officer.east', 'head', 'east'))).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
    expect(run(route(), 'GET', token('officer.east', 'officer', 'city'))).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
  });

  it('applies @Roles; auditors never change state unless a route names them (a query sent as POST)', () => {
    const auditor = token('auditor.city', 'auditor', 'city');
    expect(run(route({ roles: ['officer'] }), 'GET', auditor)).toMatchObject({ status: 403, code: 'ROLE_NOT_ALLOWED' });
    expect(run(route(), 'GET', auditor)).toMatchObject({ ok: true });
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(run(route(), m, auditor)).toMatchObject({ status: 403, code: 'AUDITOR_READ_ONLY' });
    expect(run(route({ roles: ['officer', 'auditor'] }), 'POST', auditor)).toMatchObject({ ok: true });
    expect(run(route(), 'POST', token('officer.east', 'officer', 'east'))).toMatchObject({ ok: true });
  });

  it('takes ?access_token= only on a GET route marked @QueryTokenAllowed (the SSE stream), refuses it everywhere else', () => {
    const officer = token('officer.east', 'officer', 'east');
    const q = { access_token: officer };
    expect(run(route({ queryToken: true }), 'GET', undefined, q)).toMatchObject({ ok: true, actor: { id: 'officer.east' } });
    // A command, or a plain query route, with the token in the URL: refused, even with a valid header beside it.
    expect(run(route(), 'POST', undefined, q)).toEqual({ ok: false, status: 401, code: 'TOKEN_IN_URL' });
    expect(run(route(), 'POST', officer, q)).toEqual({ ok: false, status: 401, code: 'TOKEN_IN_URL' });
    expect(run(route(), 'GET', undefined, q)).toEqual({ ok: false, status: 401, code: 'TOKEN_IN_URL' });
    expect(run(route({ queryToken: true }), 'POST', undefined, q)).toEqual({ ok: false, status: 401, code: 'TOKEN_IN_URL' });
    expect(run(route({ queryToken: true }), 'GET', undefined, { access_token: 'garbage' })).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
  });
});
