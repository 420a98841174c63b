import { createHmac } from 'node:crypto';

/** Resident ID numbers compare case-insensitively on the check character and without surrounding blanks. */
export const normaliseIdNumber = (idNumber: string): string => idNumber.trim().toUpperCase();

/**
 * The hardship file id of a household (一户一档): a keyed hash (HMAC-SHA256, key HEARTH_BLIND_INDEX_KEY) of the
 * head of household's ID number, shaped as a UUID (version 8, RFC 9562 "custom"). The same household always
 * gets the same file id, so a second application lands on the existing stream and is refused there; without
 * the key nobody can go from an ID number to a file id (the ID number itself never leaves the event's
 * personal part, and the id is all that appears in URLs, Redis and logs).
 */
export function hardshipFileIdFor(idNumber: string, key: string): string {
  const h = createHmac('sha256', key).update(`hardship-file|${normaliseIdNumber(idNumber)}`).digest();
  const b = Buffer.from(h.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x80; // version 8
  b[8] = (b[8] & 0x3f) | 0x80; // RFC variant
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
