/** The browser session (issue 14): an httpOnly, SameSite=Strict cookie, Secure when the request came over TLS. */
export const SESSION_COOKIE = 'hearth_session';
export const SESSION_TTL_SECONDS = 8 * 3600;
/** Access tokens from sign-in and refresh are short-lived; the session cookie renews them. */
export const ACCESS_TTL_SECONDS = 15 * 60;

export function sessionCookie(value: string, secure: boolean, maxAge = SESSION_TTL_SECONDS): string {
  return `${SESSION_COOKIE}=${value}; Path=/auth; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export const clearedSessionCookie = (secure: boolean): string => sessionCookie('', secure, 0);

/** The session cookie's value from a Cookie header, if present. */
export function sessionFrom(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const part of text.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE && rest.length) return rest.join('=') || undefined;
  }
  return undefined;
}
