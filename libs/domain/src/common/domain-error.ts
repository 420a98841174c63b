/**
 * A command the rules refuse. `kind` decides the HTTP status at the edge:
 * rule → 422, forbidden → 403, not_found → 404. `code` is machine-readable and stable.
 */
export type DomainErrorKind = 'rule' | 'forbidden' | 'not_found';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'rule',
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const ruleViolation = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, message, 'rule', details);
export const forbidden = (code: string, message: string) => new DomainError(code, message, 'forbidden');
export const notFound = (code: string, message: string) => new DomainError(code, message, 'not_found');
