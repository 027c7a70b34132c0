// Signed checkpoints (SPEC §4): the ledger's Ed25519 signature over
// `caravan-checkpoint:v1:<position>:<hashHex>`, so an export can be checked with the public key alone.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** A signed statement that the chain up to `position` ends in `hash`. */
export interface Checkpoint {
  readonly position: number;
  readonly hash: string;
  /** Base64 Ed25519 signature of checkpointMessage(position, hash). */
  readonly signature: string;
  readonly signedAt?: string;
}

/** The exact bytes that a checkpoint signature covers. */
export function checkpointMessage(position: number, hashHex: string): string {
  return `caravan-checkpoint:v1:${position}:${hashHex}`;
}

/** Signs a checkpoint with the ledger's private key (PKCS#8 PEM or KeyObject). */
export function signCheckpoint(privateKey: string | KeyObject, position: number, hashHex: string): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign(null, Buffer.from(checkpointMessage(position, hashHex), 'utf8'), key).toString('base64');
}

/** True when the signature is the ledger key's over this position and hash. */
export function verifyCheckpoint(publicKey: string | KeyObject, checkpoint: Checkpoint): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  try {
    return verify(
      null,
      Buffer.from(checkpointMessage(checkpoint.position, checkpoint.hash), 'utf8'),
      key,
      Buffer.from(checkpoint.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** The ledger public key as served by GET /v1/audit/keys: SPKI PEM and the raw 32-byte key in hex. */
export function ledgerPublicKey(privateOrPublicKey: string | KeyObject): { pem: string; rawHex: string } {
  const key =
    typeof privateOrPublicKey === 'string'
      ? createPublicKey(privateOrPublicKey)
      : privateOrPublicKey.type === 'private'
        ? createPublicKey(privateOrPublicKey)
        : privateOrPublicKey;
  const pem = key.export({ format: 'pem', type: 'spki' }).toString();
  const der = key.export({ format: 'der', type: 'spki' });
  // An Ed25519 SPKI is a fixed 12-byte header followed by the 32-byte key.
  return { pem, rawHex: der.subarray(der.length - 32).toString('hex') };
}
