import type { ArgumentsHost } from '@nestjs/common';
import { EventIdTakenError, fromPlainError, toPlainError } from '@hearth/event-store';
import { HearthErrorFilter } from '@hearth/platform';

/**
 * Issue 11.8, the paths that append without the command runner (a privacy reveal appends its event directly): an
 * Idempotency-Key used again for another subject makes the store refuse the event id, and that is answered
 * 422 IDEMPOTENCY_KEY_REUSED, never a 500, also when the error comes back from the SQLite writer thread.
 */
function answer(err: unknown): { status: number; body: Record<string, unknown> } {
  const sent: { status: number; body: Record<string, unknown> } = { status: 0, body: {} };
  const reply = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    send(body: Record<string, unknown>) {
      sent.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
  new HearthErrorFilter().catch(err, host);
  return sent;
}

describe('an event id already stored in another stream, at the HTTP edge', () => {
  it('is 422 IDEMPOTENCY_KEY_REUSED, from the connection and from the writer thread', () => {
    const err = new EventIdTakenError('5f0c…', 'subject-a', 'subject-b');
    for (const e of [err, fromPlainError(toPlainError(err))]) {
      const { status, body } = answer(e);
      expect(status).toBe(422);
      expect(body).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(JSON.stringify(body)).not.toContain('subject-a');
    }
  });
});
