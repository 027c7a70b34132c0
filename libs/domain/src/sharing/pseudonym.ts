import { createHmac } from 'node:crypto';

// SPEC §5 pseudonymisation. Equal identifiers give equal tokens across agencies and events, so analysts
// can link cases without seeing the identifier; the keyed HMAC keeps tokens from being reversed by
// hashing guessed identifiers without the hub secret.

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** SPEC §5: Unicode NFKC, lower case, inner whitespace collapsed to one space, trimmed. */
export function normalizeIdentifier(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** SPEC §5: `psn_` + the first 26 base32 characters of HMAC-SHA-256(secret, normalised value). */
export function pseudonymize(value: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(normalizeIdentifier(value), 'utf8').digest();
  return `psn_${base32(mac).slice(0, 26)}`;
}
