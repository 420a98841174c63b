import { createHmac } from 'node:crypto';

/**
 * Blind index of a petitioner (domain-spec §5): a keyed hash (HMAC-SHA256, key HEARTH_BLIND_INDEX_KEY) of the
 * resident ID number, base64url. It finds repeat petitions by the same person without storing or indexing the number;
 * without the key nobody can go from a number to a key. ID numbers compare without blanks and with an upper-case X.
 */
export function petitionerKey(idNumber: string, key: string): string {
  return createHmac('sha256', key).update(`petitioner|${idNumber.trim().toUpperCase()}`).digest('base64url');
}

/** Keys of the petitioners who gave an ID number (deduplicated, in order). */
export function petitionerKeysOf(petitioners: ReadonlyArray<{ idNumber?: string }>, key: string): string[] {
  return [...new Set(petitioners.filter((p) => p.idNumber?.trim()).map((p) => petitionerKey(p.idNumber!, key)))];
}
