// A copy is serialised once, as its RFC 8785 (JCS) text: that text is the body published on
// caravan.share, the JSON handed to the deliveries table, and what the disclosure digest hashes (the
// digest is copyDigest's, computed without serialising the copy a second time). A recipient can
// therefore check the digest over the very bytes it received.
//
// Recipients under one rule share one redacted payload (evaluateSharing), so its JCS text is
// written once per event and rule, and each copy adds only its envelope, whose keys are written in
// JCS order already.
import * as nodeCrypto from 'node:crypto';
import type { SharedCopy } from '@caravan/contracts';
import { canonicalJson } from '@caravan/domain';

/** A copy's JCS text and the SHA-256 (lower-case hex) of it: the disclosure digest. */
export interface SerialisedCopy {
  readonly json: string;
  readonly digest: string;
}

// crypto.hash (one call, no Hash object) arrived in Node 20.12; the engines field allows 20.11.
const oneShot = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : undefined;

function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : nodeCrypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The JCS text of a copy, given its payload's JCS text. */
export function canonicalCopy(copy: SharedCopy, payloadJcs: string): string {
  const occurredAt = copy.occurredAt === undefined ? '' : `"occurredAt":${canonicalJson(copy.occurredAt)},`;
  return (
    `{"eventId":${canonicalJson(copy.eventId)},${occurredAt}"originator":${canonicalJson(copy.originator)},` +
    `"payload":${payloadJcs},"policyVersion":${canonicalJson(copy.policyVersion)},` +
    `"position":${canonicalJson(copy.position)},"recipient":${canonicalJson(copy.recipient)},` +
    `"recordedAt":${canonicalJson(copy.recordedAt)},"schemaVersion":${canonicalJson(copy.schemaVersion)},` +
    `"streamId":${canonicalJson(copy.streamId)},"streamVersion":${canonicalJson(copy.streamVersion)},` +
    `"type":${canonicalJson(copy.type)}}`
  );
}

/** Serialises a delivered copy once, for the bus, the record and the digest. */
export function serialiseCopy(copy: SharedCopy, payloadJcs = canonicalJson(copy.payload)): SerialisedCopy {
  const json = canonicalCopy(copy, payloadJcs);
  return { json, digest: sha256Hex(json) };
}
