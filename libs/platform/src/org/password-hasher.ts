import argon2 from 'argon2';

/**
 * argon2id (RFC 9106) with the library's defaults (m=64 MiB, t=3, p=4): the hash is a PHC string holding its own
 * salt and parameters, so a later change of parameters still verifies old hashes.
 */
export const hashPassword = (password: string): Promise<string> => argon2.hash(password, { type: argon2.argon2id });

export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password, verified against when the username is unknown so both answers take the same work. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(`decoy-${Math.random()}-${Date.now()}`));
