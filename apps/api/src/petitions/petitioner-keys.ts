import { createHash } from 'node:crypto';
import { petitionerKey } from '@hearth/platform';
import { subjectKey } from '@hearth/read-models';

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

/**
 * The repeat key of a petitioner and a subject (repeat-key.decider.ts): a hash of the blind index and the normalised
 * subject, so the stream `repeatkey-<id>` names neither the person nor the subject.
 */
export function repeatKeyId(petitionerKeyValue: string, subject: string): string {
  return createHash('sha256').update(`hearth-repeat-key|${petitionerKeyValue}|${subjectKey(subject)}`).digest('hex').slice(0, 40);
}
