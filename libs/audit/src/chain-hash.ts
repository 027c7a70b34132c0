// The chain hash of SPEC §4 on the verification hot path. Same rules and same output as
// `hashEvent` of @caravan/domain (a property test holds them equal over arbitrary JSON), but written
// for speed, since over a million events the serialiser is most of the cost:
// - Payloads have few shapes (one per event type and version), so the JCS order of an object's
//   keys, with each key already quoted, is worked out once per key sequence and reused.
// - A string with nothing to escape is quoted by hand: JSON.stringify per value costs more than
//   the scan that proves it unnecessary.
// - The hash is one call over one reused buffer (prevHash bytes, then the canonical text).
import * as nodeCrypto from 'node:crypto';
import type { RecordedEvent } from '@caravan/contracts';

// The JCS order of one key sequence, as Object.keys returns it, with each key written as `"key":`.
interface Shape {
  readonly keys: readonly string[];
  readonly order: readonly number[];
  readonly quoted: readonly string[];
}

// Bounded, so that a ledger whose payloads all differ in shape cannot grow it without limit: once
// full it starts afresh (the shapes in use come back at once).
const MAX_SHAPES = 4096;
const shapes = new Map<string, Shape[]>();
let shapeCount = 0;

function shapeOf(keys: readonly string[]): Shape {
  const first = keys[0]!;
  const candidates = shapes.get(first);
  if (candidates) {
    for (const shape of candidates) {
      if (sameKeys(shape.keys, keys)) return shape;
    }
  }
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const shape: Shape = { keys: [...keys], order, quoted: order.map((i) => `${JSON.stringify(keys[i])}:`) };
  if (shapeCount >= MAX_SHAPES) {
    shapes.clear();
    shapeCount = 0;
  }
  const list = shapes.get(first);
  if (list) list.push(shape);
  else shapes.set(first, [shape]);
  shapeCount += 1;
  return shape;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 1; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// JSON.stringify escapes `"`, `\`, controls below U+0020 and lone surrogates; anything else it
// writes as is, so a string free of those needs only its quotes.
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}

function isSkipped(item: unknown): boolean {
  return item === undefined || typeof item === 'function' || typeof item === 'symbol';
}

/** RFC 8785 (JCS) of a JSON value; the same text as canonicalJson of @caravan/domain. */
export function fastCanonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
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
          out += isSkipped(item) ? 'null' : fastCanonicalJson(item);
        }
        return `${out}]`;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return fastCanonicalJson((value as { toJSON: () => unknown }).toJSON());
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 0) return '{}';
      const { order, quoted } = shapeOf(keys);
      let out = '{';
      let first = true;
      for (let n = 0; n < order.length; n++) {
        const item = record[keys[order[n]!]!];
        if (isSkipped(item)) continue;
        if (!first) out += ',';
        first = false;
        out += quoted[n]! + fastCanonicalJson(item);
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
  // Keys written in JCS order already, so only the payload needs sorting.
  return (
    `{"eventId":${fastCanonicalJson(event.eventId)},"originator":${fastCanonicalJson(event.originator)},` +
    `"payload":${payloadJcs},"position":${fastCanonicalJson(event.position)},` +
    `"recordedAt":${fastCanonicalJson(event.recordedAt)},"schemaVersion":${fastCanonicalJson(event.schemaVersion)},` +
    `"streamId":${fastCanonicalJson(event.streamId)},"streamVersion":${fastCanonicalJson(event.streamVersion)},` +
    `"type":${fastCanonicalJson(event.type)}}`
  );
}

// crypto.hash (one call, no Hash object) arrived in Node 20.12; the engines field allows 20.11.
const oneShot = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : undefined;

/** Hashes chain links over one reused buffer; one per thread of verification (not reentrant). */
export class ChainHasher {
  private buffer = Buffer.allocUnsafe(64 * 1024);

  /** SHA-256(prevHash as 32 raw bytes || UTF-8 of `canonical`), lower-case hex. */
  link(prevHashHex: string, canonical: string): string {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const needed = 32 + canonical.length * 3;
    if (needed > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    const buffer = this.buffer;
    if (prevHashHex.length !== 64 || buffer.write(prevHashHex, 0, 32, 'hex') !== 32) {
      // Not 64 hex digits: hashed exactly as hashEvent would hash it, and so cannot match.
      return nodeCrypto.createHash('sha256').update(Buffer.from(prevHashHex, 'hex')).update(canonical).digest('hex');
    }
    const length = 32 + buffer.write(canonical, 32, 'utf8');
    const message = buffer.subarray(0, length);
    return oneShot ? oneShot('sha256', message, 'hex') : nodeCrypto.createHash('sha256').update(message).digest('hex');
  }

  /** The chain hash of `event` linked to `prevHashHex`. */
  event(prevHashHex: string, event: RecordedEvent): string {
    return this.link(prevHashHex, canonicalEnvelope(event, fastCanonicalJson(event.payload)));
  }
}

const sharedHasher = new ChainHasher();

/** SHA-256(prevHash as 32 raw bytes || UTF-8 of the JCS of the nine chained fields), lower-case hex. */
export function chainHash(prevHashHex: string, event: RecordedEvent): string {
  return sharedHasher.event(prevHashHex, event);
}
