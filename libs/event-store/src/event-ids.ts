import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace for Hearth's derived ids (a random UUID chosen once; never change it). */
export const HEARTH_NAMESPACE = '5b0d6c1e-6f1c-4c0e-9a53-2f2a4d7e8b11';

/** The i-th event of a command gets the same id every time the command is retried. */
export const eventIdFor = (commandId: string, index: number): string => uuidv5(`${commandId}/${index}`, HEARTH_NAMESPACE);

/** A stable id derived from any string (idempotency keys, case ids from keys). */
export const derivedId = (name: string): string => uuidv5(name, HEARTH_NAMESPACE);

export const EVENT_ID_TAKEN = 'EVENT_ID_TAKEN';

/**
 * An append whose event id is already stored in another stream. Event ids derive from the command id, and an
 * Idempotency-Key's command id from the caller and the key alone, so this is the key reused for another request
 * (another case): the runner answers IDEMPOTENCY_KEY_REUSED. `code` survives the writer thread (toPlainError).
 */
export class EventIdTakenError extends Error {
  readonly code = EVENT_ID_TAKEN;
  constructor(readonly eventId: string, readonly storedIn: string, readonly appendTo: string) {
    super(`event id ${eventId} is already stored in stream ${storedIn}; cannot append it to ${appendTo}`);
    this.name = 'EventIdTakenError';
  }
}

/** Also true for the error rebuilt from a writer thread's reply (same name and code, not the same class). */
export const isEventIdTaken = (err: unknown): boolean => err instanceof Error && (err as { code?: unknown }).code === EVENT_ID_TAKEN;
