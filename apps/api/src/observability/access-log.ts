import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';

/** A correlation id is the caller's: logged only when it looks like an id (a JWT is far longer), else the request id. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface AccessLogLine {
  method: string;
  /** The route's pattern (`/petitions/:id/acceptance`), never the URL: no query string, no token, no personal value. */
  route: string;
  status: number;
  durationMs: number;
  userId?: string;
  correlationId: string;
}

/** What one access log line says about a finished request: the fields below and nothing else (no body, no header). */
export function accessLogLine(req: FastifyRequest, reply: FastifyReply): AccessLogLine {
  const header = req.headers['x-correlation-id'];
  const given = Array.isArray(header) ? header[0] : header;
  const actor = (req as FastifyRequest & { actor?: { id?: string } }).actor;
  return {
    method: req.method,
    route: req.routeOptions?.url ?? '(no route)',
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    ...(actor?.id ? { userId: actor.id } : {}),
    correlationId: given && SAFE_ID.test(given) ? given : String(req.id),
  };
}

/**
 * Access logs at `info` (issue 19): one line per answered request through the process's pino logger, after the
 * answer is sent. `onFinished` also gets each line (the HTTP metrics).
 */
export function installAccessLog(fastify: FastifyInstance, onFinished?: (line: AccessLogLine) => void): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    const line = accessLogLine(req, reply);
    PinoLogger.root?.info({ context: 'access', ...line }, 'request');
    onFinished?.(line);
    done();
  });
}
