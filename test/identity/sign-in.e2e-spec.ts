import { HearthUnderTest } from '@hearth/testing/hearth-process';

const PASSWORD = 'Demo-pass-2026';

/**
 * Issue 14, sign-in over HTTP against the built api and worker, demo users with HEARTH_DEMO_PASSWORD: sign in, use the
 * token, refresh with the cookie, sign out (the session's tokens stop working); the same 401 for an unknown user and a
 * wrong password; the fifth failure locks the account (429 + Retry-After); a disabled user loses the token, the
 * session and the sign-in on the next request; many failures from one address lock the address.
 */
describe('sign-in, sessions and lockout (e2e)', () => {
  let h: HearthUnderTest;
  const post = async (path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${h.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const signIn = (username: string, password = PASSWORD) => post('/auth/sign-in', { username, password });
  const cookieOf = (r: { headers: Headers }) => (r.headers.get('set-cookie') ?? '').split(';')[0];
  const withToken = (token: string, path: string) => fetch(`${h.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    h = await HearthUnderTest.start({ env: { HEARTH_DEMO_PASSWORD: PASSWORD } });
  });
  afterAll(async () => h?.stop());

  it('signs in, refreshes with the cookie and signs out', async () => {
    const r = await signIn('officer.east');
    expect(r.status).toBe(200);
    expect(r.body.user).toEqual({ id: 'officer.east', name: expect.any(String), role: 'officer', orgUnit: 'east' });
    expect(Date.parse(r.body.expiresAt)).toBeGreaterThan(Date.now());
    const setCookie = r.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^hearth_session=[^;]+; Path=\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    expect((await withToken(r.body.accessToken, '/petitions')).status).toBe(200);

    const cookie = cookieOf(r);
    const refreshed = await post('/auth/refresh', undefined, { cookie });
    expect(refreshed.status).toBe(200);
    expect((await withToken(refreshed.body.accessToken, '/petitions')).status).toBe(200);
    expect((await post('/auth/refresh')).body.code).toBe('SESSION_INVALID');

    expect((await post('/auth/sign-out', undefined, { cookie })).status).toBe(204);
    expect((await post('/auth/refresh', undefined, { cookie })).status).toBe(401);
    expect((await withToken(refreshed.body.accessToken, '/petitions')).status).toBe(401);
  });

  it('answers an unknown user and a wrong password the same; refuses a malformed body with 400', async () => {
    const unknown = await signIn('nobody.here', 'Whatever-2026');
    const wrong = await signIn('officer.west', 'Wrong-pass-2026');
    expect(unknown).toMatchObject({ status: 401, body: { code: 'SIGN_IN_FAILED' } });
    expect(wrong.body).toEqual(unknown.body);
    expect((await post('/auth/sign-in', { username: 'officer.west' })).status).toBe(400);
  });

  it('locks an account at the fifth failure in 15 minutes: 429 with Retry-After, even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await signIn('head.east', 'Wrong-pass-2026')).status).toBe(401);
    const locked = await signIn('head.east');
    expect(locked).toMatchObject({ status: 429, body: { code: 'SIGN_IN_LOCKED' } });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    // Another account from the same address still signs in.
    expect((await signIn('head.west')).status).toBe(200);
  });

  it('a disabled user loses the token, the session and the sign-in on the next request', async () => {
    const r = await signIn('intake.east');
    expect(r.status).toBe(200);
    expect((await h.request('admin.city', 'POST', '/directory/users/intake.east/disable', {})).status).toBe(200);
    expect((await withToken(r.body.accessToken, '/petitions')).status).toBe(401);
    expect((await post('/auth/refresh', undefined, { cookie: cookieOf(r) })).status).toBe(401);
    expect((await signIn('intake.east')).status).toBe(401);
  });

  it("disabling a user closes their open alert stream", async () => {
    const r = await signIn('officer.west-s1');
    const res = await fetch(`${h.baseUrl}/alerts/stream`, { headers: { authorization: `Bearer ${r.body.accessToken}`, accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const ended = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();
    expect((await h.request('admin.city', 'POST', '/directory/users/officer.west-s1/disable', {})).status).toBe(200);
    expect(await ended).toBe(true);
  });

  it('locks a client address after many failures across accounts', async () => {
    for (let i = 0; i < 20; i++) {
      const s = (await signIn(`ghost${i}`, 'Wrong-pass-2026')).status;
      if (s === 429) break;
      expect(s).toBe(401);
    }
    expect((await signIn('officer.west')).status).toBe(429);
  }, 120_000);
});
