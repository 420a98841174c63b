import { BadRequestException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Actor } from '@hearth/domain';
import { derivedId } from '@hearth/event-store';
import type { CommandMeta } from '../commands/command-runner';

type Headers = Record<string, string | string[] | undefined>;

const one = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Idempotency-Key → a command id stable across retries, derived from the caller and the key alone (two users' keys
 * never collide). Not from the route or the ids in the body (issue 11.8): the same key sent again for another case,
 * or with another client-chosen `petitionId`, lands on the same command id and is refused (IDEMPOTENCY_KEY_REUSED)
 * instead of doing a second thing. The log itself remembers the key, durably: the command's events carry ids derived
 * from that command id (unique in the log) and the hash of the command. `_route` no longer enters the id.
 * If-Match → the stream revision the client expects; X-Correlation-Id is carried through.
 */
export function commandMetaFrom(headers: Headers, actor: Actor, _route?: string): CommandMeta {
  const key = one(headers, 'idempotency-key');
  if (key !== undefined && (key.length < 1 || key.length > 200))
    throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'Idempotency-Key must be 1–200 characters', errors: [{ field: 'Idempotency-Key', messages: ['must be 1–200 characters'] }] });
  const ifMatch = one(headers, 'if-match');
  let expectedRevision: number | undefined;
  if (ifMatch !== undefined) {
    const n = Number(ifMatch.replace(/^W\//, '').replace(/"/g, ''));
    if (!Number.isInteger(n) || n < -1)
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'If-Match must be a stream revision', errors: [{ field: 'If-Match', messages: ['must be an integer revision'] }] });
    expectedRevision = n;
  }
  const commandId = key ? idempotentCommandId(actor, key) : randomUUID();
  return { commandId, correlationId: one(headers, 'x-correlation-id') ?? commandId, expectedRevision };
}

/** The command id of an Idempotency-Key: one per caller and key, whatever the request. */
export const idempotentCommandId = (actor: Actor, key: string): string => derivedId(`idempotency-key|${actor.id}|${key}`);
