import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Secrets handed out once and stored only as hashes: API tokens for editors and the guest tokens
 * that let a reader see and edit their own pending comment. Both are 256 random bits, so a plain
 * SHA-256 is enough (no password-style stretching is needed for high-entropy secrets).
 */
export function newSecret(prefix: 'pal' | 'guest'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, hash: string | null): boolean {
  if (!hash) return false;
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
