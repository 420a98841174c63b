import { createHmac } from 'node:crypto';
import { derivedId } from '@hearth/event-store';

/**
 * Keyed hashes (HMAC-SHA256, key HEARTH_BLIND_INDEX_KEY) over resident ID numbers: the blind indexes of domain-spec §5.
 * Without the key nobody can go from an ID number to an index value; the numbers themselves are only ever stored
 * encrypted. Each use has its own label, so values of one index say nothing about another.
 */

/** Resident ID numbers compare case-insensitively on the check character and without surrounding blanks. */
export const normaliseIdNumber = (idNumber: string): string => idNumber.trim().toUpperCase();

const hmac = (key: string, label: string, idNumber: string, suffix = ''): Buffer =>
  createHmac('sha256', key).update(`${label}|${normaliseIdNumber(idNumber)}${suffix}`).digest();

/** Repeat-petition index: the same person petitioning again (base64url). */
export function petitionerKey(idNumber: string, key: string): string {
  return hmac(key, 'petitioner', idNumber).toString('base64url');
}

/**
 * The hardship file id of a household (一户一档), shaped as a UUID (version 8, RFC 9562 "custom"). Generation 0 is the
 * household's first file; after that file's personal data was erased, a new application goes to generation 1, and so
 * on (see `resolveHardshipFile`), so an erased file is never found again by the ID number.
 */
export function hardshipFileIdFor(idNumber: string, key: string, generation = 0): string {
  const h = hmac(key, 'hardship-file', idNumber, generation === 0 ? '' : `|${generation}`);
  const b = Buffer.from(h.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x80; // version 8
  b[8] = (b[8] & 0x3f) | 0x80; // RFC variant
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The subject (crypto-shredding unit) of a person known by ID number: one subject per person across every case. */
export function personSubjectId(idNumber: string, key: string): string {
  return derivedId(`hearth-subject|person|${hmac(key, 'subject', idNumber).toString('base64url')}`);
}
