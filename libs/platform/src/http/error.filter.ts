import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '@hearth/domain';
import { WrongExpectedRevisionError } from '@hearth/event-store';
import { ConcurrencyConflict } from '../commands/command-runner';

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
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const res = err.getResponse();
      const obj = typeof res === 'string' ? { message: res } : (res as Record<string, unknown>);
      const { statusCode: _s, error: _e, ...rest } = obj;
      return [status, { code: (rest.code as string | undefined) ?? CODE_OF_STATUS[status] ?? `HTTP_${status}`, ...rest }];
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    // Fastify's own errors (malformed JSON, body too large) carry a 4xx statusCode.
    if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
      return [e.statusCode, { code: e.statusCode === 400 ? 'MALFORMED_REQUEST' : (CODE_OF_STATUS[e.statusCode] ?? e.code ?? 'BAD_REQUEST'), message: e.message }];
    return [HttpStatus.INTERNAL_SERVER_ERROR, { code: 'INTERNAL', message: 'internal error' }];
  }
}
