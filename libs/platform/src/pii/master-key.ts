import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** The master key (HEARTH_MASTER_KEY): 32 bytes, base64 or base64url. It only wraps data keys; it never touches data. */
export function parseMasterKey(value: string | undefined): Buffer {
  if (!value) throw new Error('HEARTH_MASTER_KEY must be set: 32 random bytes, base64 (scripts/start.sh generates one into the data folder)');
  // Node's base64 decoder accepts the URL-safe alphabet too.
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== 32) throw new Error(`HEARTH_MASTER_KEY must decode to 32 bytes (base64), not ${key.length}`);
  return key;
}

/** A check value stored with the keys, so a process started with another master key fails at once instead of reading garbage. */
export const masterKeyCheck = (master: Buffer): string => createHmac('sha256', master).update('hearth-master-key-check-v1').digest('base64url');

const IV = 12;
const TAG = 16;

/** AES-256-GCM under `key`, bound to `aad`: iv ‖ tag ‖ ciphertext. */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]);
}

/** Inverse of `seal`; throws when the key, the aad or the bytes are not the ones sealed. */
export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV + TAG) throw new Error('sealed value too short');
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(sealed.subarray(IV, IV + TAG));
  return Buffer.concat([d.update(sealed.subarray(IV + TAG)), d.final()]);
}

export const wrapAad = (subjectId: string, keyId: string): string => `hearth-data-key|${subjectId}|${keyId}`;
