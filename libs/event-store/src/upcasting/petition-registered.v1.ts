import type { Upcaster } from './upcaster';

/** Separators people put between a phone number and an e-mail address in one free-text contact field. */
const SEPARATORS = /[\s,;/|，；、]+/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Splits a v1 free-text `contact` ("13800000000", "a@b.cn", "13800000000 / a@b.cn") into the v2 fields: the first
 * e-mail address goes to `email`, everything else (phone numbers, extensions) stays together in `phone`.
 * Also used at the HTTP edge for clients that still send `contact`.
 */
export function splitContact(contact: string): { phone?: string; email?: string } {
  const parts = contact.trim().split(SEPARATORS).filter(Boolean);
  const email = parts.find((p) => EMAIL.test(p));
  const phone = parts.filter((p) => p !== email).join(' ');
  return { ...(phone ? { phone } : {}), ...(email ? { email } : {}) };
}

/**
 * PetitionRegistered v1 → v2: `petitioners[].contact` (one string) became `phone` and `email`.
 * A contact that is not a string is left as it is: it can only be an encrypted value or an erasure marker, which
 * cannot be split without the plaintext (encryption shipped with v2, so stored v1 events hold plaintext).
 */
export const petitionRegisteredV1: Upcaster = {
  type: 'PetitionRegistered',
  fromVersion: 1,
  upcast(data: unknown): unknown {
    const d = data as { petitioners?: unknown };
    if (!d || typeof d !== 'object' || !Array.isArray(d.petitioners)) return data;
    return {
      ...d,
      petitioners: d.petitioners.map((p: unknown) => {
        if (!p || typeof p !== 'object' || !('contact' in p)) return p;
        const { contact, ...rest } = p as { contact?: unknown } & Record<string, unknown>;
        if (typeof contact !== 'string') return contact === undefined ? rest : p;
        return { ...rest, ...splitContact(contact) };
      }),
    };
  },
};
