// The hub's one JCS serialiser and chain hash against an independent RFC 8785 implementation (the
// `canonicalize` package, which the hub used before and still pins for this test) and node's own
// SHA-256 over its output: every hash the ledger ever wrote must come out byte for byte the same.
import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import type { RecordedEvent } from '@caravan/contracts';
import { GENESIS_HASH, canonicalJson, chainedFields, hashEvent } from './index.js';

// CommonJS `module.exports = serialize` behind typings that declare an ES default export.
const reference = ((canonicalizeModule as unknown as { default?: unknown }).default ??
  canonicalizeModule) as unknown as (input: unknown) => string | undefined;

/** SPEC §4 spelled out with the reference serialiser. */
function referenceHash(prevHashHex: string, event: RecordedEvent): string {
  return createHash('sha256')
    .update(Buffer.from(prevHashHex, 'hex'))
    .update(reference(chainedFields(event))!, 'utf8')
    .digest('hex');
}

const event = (payload: unknown, overrides: Record<string, unknown> = {}) =>
  ({
    position: 7,
    eventId: '6f1c2a3b-1d2e-4f5a-8b9c-0d1e2f3a4b5c',
    type: 'seizure.reported',
    schemaVersion: 1,
    streamId: 'seizure-x',
    streamVersion: 2,
    originator: 'TJ-DCA',
    recordedAt: '2026-03-01T10:00:00.000Z',
    payload,
    ...overrides,
  }) as unknown as RecordedEvent;

describe('canonicalJson (RFC 8785)', () => {
  it('serialises exactly as an independent implementation over arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('stays exact when objects share key sequences, first keys, or differ only in insertion order', () => {
    const keys = ['b', 'a', 'aa', '10', '9', 'é', '\u{1F600}', '\uFF61', ''];
    const objects = fc.array(
      fc.subarray(keys).chain((picked) => fc.shuffledSubarray(picked, { minLength: picked.length })),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(objects, fc.jsonValue(), (keyLists, leaf) => {
        for (const list of keyLists) {
          const value = Object.fromEntries(list.map((key, i) => [key, i % 2 ? leaf : [i, { [key]: list }]]));
          expect(canonicalJson(value)).toBe(reference(value));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stays exact past the bound on remembered key sequences', () => {
    for (let i = 0; i < 5000; i++) {
      const value = { [`k${i}`]: i, shared: [i], [`z${i % 7}`]: { a: 1, [`${i}`]: 2 } };
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });

  it('leaves out undefined members, writes them as null in arrays, and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ b: undefined, a: [undefined, 1], c: { toJSON: () => 'x' } })).toBe('{"a":[null,1],"c":"x"}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ x: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson({ x: 1n })).toThrow(TypeError);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
});

describe('hashEvent', () => {
  it('hashes as SPEC §4 spelled out with the independent serialiser, for arbitrary payloads and envelopes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.string(),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (payload, originator, position) => {
          const e = event(payload, { originator, position });
          expect(hashEvent(GENESIS_HASH, e)).toBe(referenceHash(GENESIS_HASH, e));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('matches with numbers, escapes, non-ASCII, a payload past the buffer and malformed previous hashes', () => {
    const e = event({ reason: 'Dublicate — Душанбе "q"\n', z: 1.5e-7, a: 100, n: [1e21, -0, null, true] });
    expect(hashEvent('ab'.repeat(32), e)).toBe(referenceHash('ab'.repeat(32), e));
    const large = event({ narrative: 'Ж'.repeat(40_000) });
    expect(hashEvent(GENESIS_HASH, large)).toBe(referenceHash(GENESIS_HASH, large));
    // A previous hash that is not 64 hex digits is read as Buffer.from(hex) reads it, so it cannot match.
    expect(hashEvent('abc', e)).toBe(referenceHash('abc', e));
    expect(hashEvent('zz'.repeat(32), e)).toBe(referenceHash('zz'.repeat(32), e));
    // A field missing from the envelope is left out of the hashed object, as the SPEC's form says.
    const partial = event({ a: 1 }, { streamVersion: undefined });
    expect(hashEvent(GENESIS_HASH, partial)).toBe(referenceHash(GENESIS_HASH, partial));
  });
});
