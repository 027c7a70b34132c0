// A copy is serialised once, as its RFC 8785 (JCS) text: that text is the body published on
// caravan.share, the JSON handed to the deliveries table, and what the disclosure digest hashes (the
// digest is copyDigest's, computed without serialising the copy a second time). A recipient can
// therefore check the digest over the very bytes it received.
import { createHash } from 'node:crypto';
import type { SharedCopy } from '@caravan/contracts';
import { canonicalJson } from '@caravan/domain';

/** A copy's JCS text and the SHA-256 (lower-case hex) of it: the disclosure digest. */
export interface SerialisedCopy {
  readonly json: string;
  readonly digest: string;
}

/** Serialises a delivered copy once, for the bus, the record and the digest. */
export function serialiseCopy(copy: SharedCopy): SerialisedCopy {
  const json = canonicalJson(copy);
  return { json, digest: createHash('sha256').update(json, 'utf8').digest('hex') };
}
