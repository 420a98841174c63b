import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace for Hearth's derived ids (a random UUID chosen once; never change it). */
export const HEARTH_NAMESPACE = '5b0d6c1e-6f1c-4c0e-9a53-2f2a4d7e8b11';

/** The i-th event of a command gets the same id every time the command is retried. */
export const eventIdFor = (commandId: string, index: number): string => uuidv5(`${commandId}/${index}`, HEARTH_NAMESPACE);

/** A stable id derived from any string (idempotency keys, case ids from keys). */
export const derivedId = (name: string): string => uuidv5(name, HEARTH_NAMESPACE);
