import { petitionerKey } from '@hearth/platform';

/**
 * Blind index of a petitioner (domain-spec §5): a keyed hash (HMAC-SHA256, key HEARTH_BLIND_INDEX_KEY) of the
 * resident ID number, base64url (libs/platform/src/pii/blind-index.ts). It finds repeat petitions by the same person
 * without storing or indexing the number; erasing the person's subject removes their values from the repeat index.
 */
export { petitionerKey };

/** Keys of the petitioners who gave an ID number (deduplicated, in order). */
export function petitionerKeysOf(petitioners: ReadonlyArray<{ idNumber?: string }>, key: string): string[] {
  return [...new Set(petitioners.filter((p) => p.idNumber?.trim()).map((p) => petitionerKey(p.idNumber!, key)))];
}
