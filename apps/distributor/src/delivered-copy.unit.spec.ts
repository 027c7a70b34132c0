import fc from 'fast-check';
import type { SharedCopy } from '@caravan/contracts';
import { canonicalJson, copyDigest } from '@caravan/domain';
import { serialiseCopy } from './delivered-copy.js';

const copy: SharedCopy = {
  eventId: '4f1c1c52-3d57-4c39-9b47-2b1b8d0f6a10',
  type: 'seizure.reported',
  schemaVersion: 1,
  streamId: 'seizure-7d0c3f3e-7b8f-4a53-a2de-3f5d9f1e2c11',
  streamVersion: 1,
  position: 42,
  originator: 'TJ-DCA',
  recordedAt: '2026-03-14T06:31:00.123Z',
  occurredAt: '2026-03',
  recipient: 'KZ-BS',
  policyVersion: 3,
  payload: {
    seizureId: '7d0c3f3e-7b8f-4a53-a2de-3f5d9f1e2c11',
    items: [{ substance: 'героин', quantity: 12.5, unit: 'kg' }],
    location: { country: 'TJ' },
    handling: { tlp: 'GREEN' },
  },
};

describe('serialiseCopy', () => {
  it('gives the JCS text of the copy and the disclosure digest of copyDigest', () => {
    const { json, digest } = serialiseCopy(copy);
    expect(JSON.parse(json)).toEqual(copy);
    expect(json).toBe(canonicalJson(copy));
    expect(digest).toBe(copyDigest(copy));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes exactly canonicalJson of the copy for any envelope values, with or without occurredAt', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            eventId: fc.string(),
            type: fc.string(),
            schemaVersion: fc.integer(),
            streamId: fc.string({ unit: 'binary' }),
            streamVersion: fc.integer(),
            position: fc.integer({ min: 1 }),
            originator: fc.string(),
            recordedAt: fc.string(),
            occurredAt: fc.string({ unit: 'grapheme' }),
            recipient: fc.string(),
            policyVersion: fc.integer(),
            payload: fc.dictionary(fc.string(), fc.jsonValue()),
          },
          { requiredKeys: ['eventId', 'type', 'schemaVersion', 'streamId', 'streamVersion', 'position'] },
        ),
        (partial) => {
          const value = { ...copy, occurredAt: undefined, ...partial } as unknown as SharedCopy;
          const { json, digest } = serialiseCopy(value, canonicalJson(value.payload));
          expect(json).toBe(canonicalJson(value));
          expect(digest).toBe(copyDigest(value));
        },
      ),
      { numRuns: 500 },
    );
  });
});
