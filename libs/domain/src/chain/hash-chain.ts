// SPEC §4: hash = SHA-256(prevHash || canonical), with prevHash as 32 raw bytes (zeros before
// position 1) and canonical the JCS serialisation of exactly these nine envelope fields and the payload.
import { createHash } from 'node:crypto';
import type { RecordedEvent } from '@caravan/contracts';
import { canonicalJson } from './canonical-json.js';

/** The previous hash of position 1: 32 zero bytes, as hex. */
export const GENESIS_HASH = '0'.repeat(64);

/** The object whose canonical form is hashed; `occurredAt` is not part of it (it lives in the payload). */
export function chainedFields(event: RecordedEvent) {
  return {
    position: event.position,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    originator: event.originator,
    recordedAt: event.recordedAt,
    payload: event.payload,
  };
}

/** The hash of `event` linked to the previous event's hash (both lower-case hex). */
export function hashEvent(prevHashHex: string, event: RecordedEvent): string {
  return createHash('sha256')
    .update(Buffer.from(prevHashHex, 'hex'))
    .update(canonicalJson(chainedFields(event)), 'utf8')
    .digest('hex');
}
