import { createHash } from 'node:crypto';
import { type RecordedEvent, type SharedCopy } from '@caravan/contracts';
import { canonicalJson } from '../chain/index.js';
import { isObject } from './field-paths.js';
import { type Delivery } from './evaluate-sharing.js';

/**
 * The recipient's copy: the envelope of the event and the delivered payload. The envelope's
 * `occurredAt` is a copy of the payload's, so it follows the payload's redaction: it shows the
 * generalised value where the rule generalises, and is absent where `occurredAt` was not released.
 * Delivering the recorded one would hand every recipient the exact time the policy withheld.
 */
export function toSharedCopy(event: RecordedEvent, delivery: Delivery): SharedCopy {
  const payload = delivery.payload;
  const changes = payload.changes;
  const delivered = payload.occurredAt ?? (isObject(changes) ? changes.occurredAt : undefined);
  return {
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    position: event.position,
    originator: event.originator,
    recordedAt: event.recordedAt,
    ...(event.occurredAt !== undefined && typeof delivered === 'string' ? { occurredAt: delivered } : {}),
    recipient: delivery.recipient,
    policyVersion: delivery.policyVersion,
    payload,
  };
}

/** SHA-256 (lower-case hex) of the RFC 8785 canonical JSON of a delivered copy: the disclosure digest. */
export function copyDigest(copy: SharedCopy): string {
  return createHash('sha256').update(canonicalJson(copy), 'utf8').digest('hex');
}
