// The chain hash of SPEC §4 on the verification hot path. Same rules and same output as
// `hashEvent` of @caravan/domain (a property test holds them equal over arbitrary JSON), but the
// RFC 8785 serialisation is written for speed: one pass building a string, no intermediate arrays
// or reduce closures, keys sorted in place. Over a million events the serialiser is most of the cost.
import { createHash } from 'node:crypto';
import type { RecordedEvent } from '@caravan/contracts';

/** RFC 8785 (JCS) of a JSON value; the same text as canonicalJson of @caravan/domain. */
export function fastCanonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('JCS has no form for a non-finite number');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out +=
            item === undefined || typeof item === 'function' || typeof item === 'symbol'
              ? 'null'
              : fastCanonicalJson(item);
        }
        return `${out}]`;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return fastCanonicalJson((value as { toJSON: () => unknown }).toJSON());
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(key)}:${fastCanonicalJson(item)}`;
      }
      return `${out}}`;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(`JCS has no form for a ${typeof value}`);
  }
}

/** SHA-256(prevHash as 32 raw bytes || UTF-8 of the JCS of the nine chained fields), lower-case hex. */
export function chainHash(prevHashHex: string, event: RecordedEvent): string {
  // Keys written in JCS order already, so only the payload needs sorting.
  const canonical =
    `{"eventId":${JSON.stringify(event.eventId)},"originator":${JSON.stringify(event.originator)},` +
    `"payload":${fastCanonicalJson(event.payload)},"position":${fastCanonicalJson(event.position)},` +
    `"recordedAt":${JSON.stringify(event.recordedAt)},"schemaVersion":${fastCanonicalJson(event.schemaVersion)},` +
    `"streamId":${JSON.stringify(event.streamId)},"streamVersion":${fastCanonicalJson(event.streamVersion)},` +
    `"type":${JSON.stringify(event.type)}}`;
  return createHash('sha256').update(Buffer.from(prevHashHex, 'hex')).update(canonical, 'utf8').digest('hex');
}
