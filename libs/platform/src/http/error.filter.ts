import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorCodes, type FastifyReply } from 'fastify';
import { DomainError } from '@hearth/domain';
import { isEventIdTaken, WrongExpectedRevisionError } from '@hearth/event-store';
import { ConcurrencyConflict, keyReused } from '../commands/command-runner';

const STATUS_OF_KIND = { rule: HttpStatus.UNPROCESSABLE_ENTITY, forbidden: HttpStatus.FORBIDDEN, not_found: HttpStatus.NOT_FOUND } as const;

const CODE_OF_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
};

/** Fastify's client errors, as Hearth codes with a message for the user (the FST_ code is Fastify's, not ours). */
export const FASTIFY_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', message: '请求体不是合法的 JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', message: '声明为 JSON 的请求体为空' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'MALFORMED_REQUEST', message: '请求体长度与 Content-Length 不符' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: '请求体过大' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: '不支持的 Content-Type，请使用 application/json' },
  FST_ERR_BAD_URL: { code: 'MALFORMED_URL', message: '请求地址编码无效' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URL_PARAMETER_TOO_LONG', message: '请求地址中的参数过长' },
};

const FASTIFY_BY_MESSAGE = new Map(
  Object.entries(FASTIFY_ERRORS).flatMap(([code, ours]) => {
    const FastifyError = (errorCodes as Record<string, (new () => Error) | undefined>)[code];
    return FastifyError ? [[new FastifyError().message, ours] as const] : [];
  }),
);

/** Every error leaves as `{ statusCode, code, message, ... }` with a machine-readable code. */
@Catch()
export class HearthErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const [status, body] = this.describe(err);
    if (status >= 500) this.log.error(err instanceof Error ? err.stack : String(err));
    void reply.status(status).send({ statusCode: status, ...body });
  }

  private describe(err: unknown): [number, Record<string, unknown>] {
    if (err instanceof DomainError)
      return [STATUS_OF_KIND[err.kind], { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) }];
    if (err instanceof ConcurrencyConflict)
      return [HttpStatus.CONFLICT, { code: 'CONCURRENCY_CONFLICT', message: err.message, currentRevision: err.currentRevision }];
    if (err instanceof WrongExpectedRevisionError)
      return [HttpStatus.CONFLICT, { code: 'CONCURRENCY_CONFLICT', message: err.message, currentRevision: err.actual }];
    // An append outside the runner (a privacy reveal, …) whose command id, from an Idempotency-Key, names another stream's events.
    if (isEventIdTaken(err)) return this.describe(keyReused());
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const res = err.getResponse();
      const obj = typeof res === 'string' ? { message: res } : (res as Record<string, unknown>);
      const { statusCode: _s, error: _e, ...rest } = obj;
      // Nest turns Fastify's client errors into a bare HttpException with Fastify's message and no code.
      const fastify = rest.code === undefined && typeof rest.message === 'string' ? FASTIFY_BY_MESSAGE.get(rest.message) : undefined;
      if (fastify) return [status, fastify];
      return [status, { code: (rest.code as string | undefined) ?? CODE_OF_STATUS[status] ?? `HTTP_${status}`, ...rest }];
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    // Fastify's own errors (malformed JSON, body too large, bad URL) carry a 4xx statusCode and an FST_ code.
    if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      const known = e.code ? FASTIFY_ERRORS[e.code] : undefined;
      if (known) return [e.statusCode, known];
      if (err instanceof SyntaxError) return [e.statusCode, FASTIFY_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY];
      return [e.statusCode, { code: e.statusCode === 400 ? 'MALFORMED_REQUEST' : (CODE_OF_STATUS[e.statusCode] ?? 'BAD_REQUEST'), message: e.message }];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { code: 'INTERNAL', message: 'internal error' }];
  }
}

/**
 * Fastify answers a bad URL (invalid percent-encoding, a too-long parameter) before any route or Nest filter runs;
 * passed as its `frameworkErrors` option, this gives those answers the same shape and codes.
 */
export function hearthFrameworkErrors(err: { statusCode?: number; code?: string }, _req: unknown, reply: FastifyReply): void {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const known = (err.code && FASTIFY_ERRORS[err.code]) || { code: 'MALFORMED_REQUEST', message: '请求无效' };
  void reply.status(status).send({ statusCode: status, ...known });
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', '请求超时'],
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', '请求头或请求地址过长'],
};

/**
 * Node's HTTP parser refuses a request before Fastify sees it (headers or URL over 16 KB, a garbled request line);
 * passed as Fastify's `clientErrorHandler`, this answers those in the documented shape too.
 */
export function hearthClientErrors(err: { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = (err.code && CLIENT_ERRORS[err.code]) || [400, 'MALFORMED_REQUEST', '请求无效'];
  const body = JSON.stringify({ statusCode: status, code, message });
  if (socket.writable)
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy();
}
