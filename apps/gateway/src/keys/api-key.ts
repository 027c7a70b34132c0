// API key format (SPEC §7): `cvn_` and 32 random bytes in base64url; only its SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';

const KEY_FORMAT = /^cvn_[A-Za-z0-9_-]{16,128}$/;

/** A fresh API key, shown once. */
export function generateApiKey(): string {
  return `cvn_${randomBytes(32).toString('base64url')}`;
}

/** Whether a presented token has the shape of a Caravan key (cheap refusal before any lookup). */
export function looksLikeApiKey(token: string): boolean {
  return KEY_FORMAT.test(token);
}

/** The stored form of a key. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
