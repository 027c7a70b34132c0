// SPEC §4: hash = SHA-256(prevHash || canonical), with prevHash as 32 raw bytes (zeros before
// position 1) and canonical the JCS serialisation of exactly these nine envelope fields and the
// payload. One implementation for the writer that chains and every verifier that checks, written
// for their hot paths: the envelope's keys are written in JCS order already, and the message is
// hashed in one call over one reused buffer.
import * as nodeCrypto from 'node:crypto';
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

/** The eight envelope fields the chain hashes beside the payload (SPEC §4). */
export interface ChainedEnvelope {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly originator: string;
  readonly recordedAt: string;
}

/** The JCS text of the nine chained fields, given the payload's JCS text. */
export function canonicalEnvelope(event: ChainedEnvelope, payloadJcs: string): string {
  // Keys written in JCS order already, so only the payload needed sorting.
  return (
    `{"eventId":${canonicalJson(event.eventId)},"originator":${canonicalJson(event.originator)},` +
    `"payload":${payloadJcs},"position":${canonicalJson(event.position)},` +
    `"recordedAt":${canonicalJson(event.recordedAt)},"schemaVersion":${canonicalJson(event.schemaVersion)},` +
    `"streamId":${canonicalJson(event.streamId)},"streamVersion":${canonicalJson(event.streamVersion)},` +
    `"type":${canonicalJson(event.type)}}`
  );
}

// crypto.hash (one call, no Hash object) arrived in Node 20.12; the engines field allows 20.11.
const oneShot = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : undefined;

// One buffer for every link: JavaScript runs one link at a time, and a link never yields.
let buffer = Buffer.allocUnsafe(64 * 1024);

/** SHA-256(prevHash as 32 raw bytes || UTF-8 of `canonical`), lower-case hex: one link of the chain. */
export function chainLink(prevHashHex: string, canonical: string): string {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  const needed = 32 + canonical.length * 3;
  if (needed > buffer.length) buffer = Buffer.allocUnsafe(Math.max(needed, buffer.length * 2));
  if (prevHashHex.length !== 64 || buffer.write(prevHashHex, 0, 32, 'hex') !== 32) {
    // Not 64 hex digits: hashed as Buffer.from(hex) reads it (up to the first non-hex pair), so a
    // malformed previous hash gives a link that cannot match a well-formed chain's.
    return nodeCrypto.createHash('sha256').update(Buffer.from(prevHashHex, 'hex')).update(canonical).digest('hex');
  }
  const length = 32 + buffer.write(canonical, 32, 'utf8');
  const message = buffer.subarray(0, length);
  return oneShot ? oneShot('sha256', message, 'hex') : nodeCrypto.createHash('sha256').update(message).digest('hex');
}

/** The hash of `event` linked to the previous event's hash (both lower-case hex). */
export function hashEvent(prevHashHex: string, event: RecordedEvent): string {
  // A missing field would be left out of the object the SPEC hashes; only the general form says how.
  const canonical =
    event.payload === undefined || envelopeIncomplete(event)
      ? canonicalJson(chainedFields(event))
      : canonicalEnvelope(event, canonicalJson(event.payload));
  return chainLink(prevHashHex, canonical);
}

function envelopeIncomplete(event: RecordedEvent): boolean {
  return (
    event.position === undefined ||
    event.eventId === undefined ||
    event.type === undefined ||
    event.schemaVersion === undefined ||
    event.streamId === undefined ||
    event.streamVersion === undefined ||
    event.originator === undefined ||
    event.recordedAt === undefined
  );
}
