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
  });
});
