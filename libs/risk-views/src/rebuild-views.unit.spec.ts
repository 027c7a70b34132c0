import { demoDirectory } from '@caravan/directory';
import { contributions } from '@caravan/domain';
import { LedgerFold } from './rebuild-views.js';

const SECRET = 'rebuild-unit-test-pseudonym-secret-0123456789';
let position = 0;
function row(
  type: string,
  streamId: string,
  streamVersion: number,
  originator: string,
  payload: Record<string, unknown>,
) {
  position += 1;
  return {
    position: String(position),
    event_id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    schema_version: 1,
    stream_id: streamId,
    stream_version: streamVersion,
    originator,
    recorded_at: '2025-03-10T08:00:00.000Z',
    payload,
  };
}
const report = (seizureId: string, tlp = 'GREEN') => ({
  seizureId,
  occurredAt: '2025-03-04T10:00:00Z',
  location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', region: 'Khatlon', locationType: 'land-border' },
  direction: 'import',
  items: [{ category: 'narcotic', substance: 'heroin', quantity: 2500, unit: 'g' }],
  transportMode: 'road',
  detectionMethod: 'x-ray',
  handling: { tlp },
});
const toCentre = (generalize?: 'region') => ({
  agency: 'TJ-DCA',
  rules: [
    {
      to: ['CARICC'],
      types: ['seizure.*'],
      fields: ['occurredAt', 'location', 'items'],
      ...(generalize ? { generalize: { location: generalize } } : {}),
    },
  ],
});

describe('LedgerFold (the rebuild’s per-event decision for the centre)', () => {
  it('redacts as the originator’s policy in force says: a generalised location counts at region level', () => {
    const fold = new LedgerFold('CARICC', demoDirectory, SECRET);
    fold.add(row('policy.set', 'policy-TJ-DCA', 1, 'TJ-DCA', toCentre('region')));
    fold.add(row('seizure.reported', 'seizure-s1', 1, 'TJ-DCA', report('s1')));
    const [c] = contributions(fold.state);
    expect(c).toMatchObject({
      crossingPoint: null,
      locationKey: 'TJ/Khatlon',
      locationLevel: 'region',
      week: '2025-W10',
    });
    expect(c!.items).toEqual([{ category: 'narcotic', substance: 'heroin', unit: 'kg', quantity: 2.5 }]);
    expect(fold.copies).toBe(1);
  });

  it('keeps sending follow-ups under the version that governed the original, and nothing new after the centre is dropped', () => {
    const fold = new LedgerFold('CARICC', demoDirectory, SECRET);
    fold.add(row('policy.set', 'policy-TJ-DCA', 1, 'TJ-DCA', toCentre()));
    fold.add(row('seizure.reported', 'seizure-s1', 1, 'TJ-DCA', report('s1')));
    fold.add(row('policy.set', 'policy-TJ-DCA', 2, 'TJ-DCA', { agency: 'TJ-DCA', rules: [] }));
    fold.add(row('seizure.reported', 'seizure-s2', 1, 'TJ-DCA', report('s2')));
    fold.add(
      row('seizure.amended', 'seizure-s1', 2, 'TJ-DCA', {
        seizureId: 's1',
        changes: { items: [{ category: 'narcotic', substance: 'opium', quantity: 7, unit: 'kg' }] },
        reason: 'weighed again',
      }),
    );
    expect(contributions(fold.state).map((c) => [c.seizureId, c.items.map((i) => i.substance)])).toEqual([
      ['s1', ['opium']],
    ]);
    fold.add(row('seizure.retracted', 'seizure-s1', 3, 'TJ-DCA', { seizureId: 's1', reason: 'duplicate' }));
    expect(contributions(fold.state)).toEqual([]);
    expect(fold.copies).toBe(3);
  });

  it('gives the centre nothing of a RED seizure it is not released to, nor of an agency without a policy', () => {
    const fold = new LedgerFold('CARICC', demoDirectory, SECRET);
    fold.add(row('seizure.reported', 'seizure-s0', 1, 'UZ-BS', report('s0')));
    fold.add(row('policy.set', 'policy-TJ-DCA', 1, 'TJ-DCA', toCentre()));
    fold.add(row('seizure.reported', 'seizure-s1', 1, 'TJ-DCA', report('s1', 'RED')));
    expect(fold.copies).toBe(0);
    expect(fold.events).toBe(3);
  });
});
