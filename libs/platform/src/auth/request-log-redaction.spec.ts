import { Writable } from 'node:stream';
import pino from 'pino';
import { pathOnly, redactedRequest, requestLogOptions } from './request-log-redaction';

describe('request log redaction', () => {
  it('keeps the path of a URL and drops its query string', () => {
    expect(pathOnly('/alerts/stream?access_token=abc.def.ghi')).toBe('/alerts/stream');
    expect(pathOnly('/petitions')).toBe('/petitions');
    expect(pathOnly(undefined)).toBeUndefined();
  });

  it('logs neither the query, the body nor credential headers of a request, at debug level', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const options = requestLogOptions('debug');
    expect(options.autoLogging).toBe(true);
    const logger = pino({ level: 'debug', serializers: { req: redactedRequest }, redact: options.redact }, sink);
    logger.debug(
      {
        req: {
          id: 1,
          method: 'POST',
          url: '/petitions/p1/progress?access_token=SECRET-TOKEN',
          query: { access_token: 'SECRET-TOKEN' },
          body: { name: '张三' },
          headers: { authorization: 'Bearer SECRET-TOKEN', cookie: 'sid=SECRET-TOKEN', 'user-agent': 'curl', referer: 'http://127.0.0.1:3000/console?access_token=SECRET-TOKEN' },
        },
      },
      'request completed',
    );
    const out = lines.join('');
    expect(out).toContain('/petitions/p1/progress');
    expect(out).toContain('curl');
    expect(out).toContain('http://127.0.0.1:3000/console');
    expect(out).not.toContain('SECRET-TOKEN');
    expect(out).not.toContain('张三');
  });
});
