import fc from 'fast-check';
import type { RecordedEvent } from '@caravan/contracts';
import { GENESIS_HASH, canonicalJson, hashEvent } from '@caravan/domain';
import { chainHash, fastCanonicalJson } from './chain-hash.js';

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

describe('fast chain hash', () => {
  it('serialises exactly as the domain canonicalJson over arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(fastCanonicalJson(value)).toBe(canonicalJson(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('stays exact when objects share key sequences, first keys, or differ only in insertion order', () => {
    const keys = ['b', 'a', 'aa', '10', '9', 'é', '\u{1F600}', '\uFF61', ''];
    const objects = fc.array(
      fc.subarray(keys).chain((picked) => fc.shuffledSubarray(picked, { minLength: picked.length })),
      {
        maxLength: 40,
      },
    );
    fc.assert(
      fc.property(objects, fc.jsonValue(), (keyLists, leaf) => {
        for (const list of keyLists) {
          const value = Object.fromEntries(list.map((key, i) => [key, i % 2 ? leaf : [i, { [key]: list }]]));
          expect(fastCanonicalJson(value)).toBe(canonicalJson(value));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stays exact past the bound on remembered key sequences', () => {
    for (let i = 0; i < 5000; i++) {
      const value = { [`k${i}`]: i, shared: [i], [`z${i % 7}`]: { a: 1, [`${i}`]: 2 } };
      expect(fastCanonicalJson(value)).toBe(canonicalJson(value));
    }
  });

  it('hashes exactly as the domain hashEvent, for arbitrary payloads and envelopes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.string(),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (payload, originator, position) => {
          const e = event(payload, { originator, position });
          expect(chainHash(GENESIS_HASH, e)).toBe(hashEvent(GENESIS_HASH, e));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('matches the domain vector with numbers, escapes and non-ASCII', () => {
    const e = event({ reason: 'Dublicate — Душанбе "q"\n', z: 1.5e-7, a: 100, n: [1e21, -0, null, true] });
    expect(chainHash('ab'.repeat(32), e)).toBe(hashEvent('ab'.repeat(32), e));
    expect(() => fastCanonicalJson({ x: Number.NaN })).toThrow(TypeError);
    // A previous hash that is not 64 hex digits is hashed as hashEvent hashes it, so it cannot match.
    expect(chainHash('abc', e)).toBe(hashEvent('abc', e));
    expect(chainHash('zz'.repeat(32), e)).toBe(hashEvent('zz'.repeat(32), e));
  });
});
