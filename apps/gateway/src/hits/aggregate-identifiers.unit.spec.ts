import type { RecordedEvent } from '@caravan/contracts';
import { currentIdentifiers, sliceByStream } from './aggregate-identifiers.js';
import { hitKey } from './identifiers.js';

let position = 0;
function recorded(streamId: string, streamVersion: number, type: string, payload: Record<string, unknown>) {
  position += 1;
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    streamId,
    streamVersion,
    position,
    originator: 'TJ-DCA',
    recordedAt: '2026-03-01T10:00:00.000Z',
    payload,
  } as unknown as RecordedEvent;
}

const seizureId = '11111111-1111-4111-8111-111111111111';
const reported = recorded(`seizure-${seizureId}`, 1, 'seizure.reported', {
  seizureId,
  occurredAt: '2026-03-01T06:30:00.000Z',
  location: { country: 'TJ', locationType: 'land-border' },
  direction: 'import',
  items: [{ category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg' }],
  transportMode: 'road',
  detectionMethod: 'x-ray',
  conveyance: { kind: 'truck', registration: '01 KG 123 ABC' },
  suspects: [{ fullName: 'Ivan Petrov', documentNumber: 'AC1234567' }],
  handling: { tlp: 'GREEN' },
});
const registration = hitKey('vehicle-registration', '01 KG 123 ABC');
const document = hitKey('document-number', 'AC1234567');
const name = hitKey('name', 'Ivan Petrov');

describe('currentIdentifiers', () => {
  it('indexes a reported seizure under its registration, documents and names', () => {
    expect(currentIdentifiers(reported.streamId, [reported])).toEqual({
      streamId: reported.streamId,
      originator: 'TJ-DCA',
      keys: [document, name, registration].sort(),
    });
  });

  it('follows amendments (in any order of arrival) and holds nothing once retracted', () => {
    const amended = recorded(reported.streamId, 2, 'seizure.amended', {
      seizureId,
      changes: { suspects: [] },
      reason: 'wrong person',
    });
    expect(currentIdentifiers(reported.streamId, [amended, reported]).keys).toEqual([registration]);
    const retracted = recorded(reported.streamId, 3, 'seizure.retracted', { seizureId, reason: 'duplicate' });
    expect(currentIdentifiers(reported.streamId, [reported, amended, retracted]).keys).toEqual([]);
  });
});

describe('sliceByStream', () => {
  it('splits a page by stream and says which slices start at the stream beginning', () => {
    const other = recorded('seizure-x', 4, 'seizure.amended', { seizureId: 'x', changes: {}, reason: 'r' });
    const slices = sliceByStream([reported, other]);
    expect(slices.map((s) => [s.streamId, s.events.length, s.whole])).toEqual([
      [reported.streamId, 1, true],
      ['seizure-x', 1, false],
    ]);
  });
});
