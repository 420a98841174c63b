import { ArgumentMetadata, BadRequestException, HttpException, Logger, ValidationError, ValidationPipe } from '@nestjs/common';
import { bodyBoundViolation } from './body-bounds';

const flatten = (errors: ValidationError[], parent = ''): { field: string; messages: string[] }[] =>
  errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });

const PLAIN_TYPES: readonly unknown[] = [Object, Array, String, Number, Boolean];
const isDtoClass = (metatype: unknown): boolean => typeof metatype === 'function' && !PLAIN_TYPES.includes(metatype);

const invalid = (errors: { field: string; messages: string[] }[]) =>
  new BadRequestException({ code: 'VALIDATION_FAILED', message: 'the request has invalid fields', errors });

/**
 * 400 with one entry per bad field; unknown fields are refused too, so a typo never passes silently. Bodies are
 * bounded in depth, size and number range first (see body-bounds), and a validator that still throws on a hostile
 * value answers 400, never 500 (issue 11, defect 7).
 */
class HearthValidationPipe extends ValidationPipe {
  private readonly log = new Logger('validation');

  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: (errors) => invalid(flatten(errors)) });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const violation = bodyBoundViolation(value);
      if (violation) throw invalid([{ field: violation.field, messages: [violation.message] }]);
    }
    // A DTO body is a JSON object: `null`, an array or a bare value would reach the handler as a non-object. A missing
    // body (undefined) stays allowed where every field is optional.
    if (metadata.type === 'body' && isDtoClass(metadata.metatype) && value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value)))
      throw invalid([{ field: '(body)', messages: ['请求体必须是 JSON 对象'] }]);
    try {
      return await super.transform(value, metadata);
    } catch (err) {
      if (err instanceof HttpException) throw err;
      // The input made class-transformer or a validator throw: the input is malformed, not the server.
      this.log.warn(`validator threw on a ${metadata.type} (${err instanceof Error ? err.name : typeof err})`);
      throw invalid([{ field: metadata.data ?? `(${metadata.type})`, messages: ['请求内容无法校验'] }]);
    }
  }
}

export const hearthValidationPipe = (): ValidationPipe => new HearthValidationPipe();
