import type { SharedCopy } from '@caravan/contracts';
import { copyDigest } from '@caravan/domain';
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
    expect(json.indexOf('"eventId"')).toBeLessThan(json.indexOf('"originator"'));
    expect(digest).toBe(copyDigest(copy));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });
});
