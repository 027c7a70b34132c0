import type { RecordedEvent } from '@caravan/contracts';
import { demoDirectory } from '@caravan/directory';
import { contributions } from '@caravan/domain';
import { LedgerFold, StreamCrossingError, type FinishedRow } from './rebuild-views.js';

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
    position,
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    streamId,
    streamVersion,
    originator,
    recordedAt: '2025-03-10T08:00:00.000Z',
    ...(typeof payload['occurredAt'] === 'string' ? { occurredAt: payload['occurredAt'] } : {}),
    payload,
  } as unknown as RecordedEvent;
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

  it('finishes each row once, when its stream’s last event is folded, with the contribution it ends with', () => {
    const rows = [
      row('policy.set', 'policy-TJ-DCA', 1, 'TJ-DCA', toCentre()),
      row('seizure.reported', 'seizure-s1', 1, 'TJ-DCA', report('s1')),
      row('seizure.reported', 'seizure-s2', 1, 'TJ-DCA', report('s2')),
      row('seizure.amended', 'seizure-s1', 2, 'TJ-DCA', {
        seizureId: 's1',
        changes: { items: [{ category: 'narcotic', substance: 'opium', quantity: 7, unit: 'kg' }] },
        reason: 'weighed again',
      }),
      row('seizure.reported', 'seizure-s3', 1, 'TJ-DCA', report('s3')),
      row('seizure.retracted', 'seizure-s3', 2, 'TJ-DCA', { seizureId: 's3', reason: 'duplicate' }),
    ];
    const at = (i: number) => Number(rows[i]!.position);
    // As the ledger answers: only streams with follow-ups are listed.
    const ends = new Map([
      ['seizure-s1', at(3)],
      ['seizure-s3', at(5)],
    ]);
    const fold = new LedgerFold('CARICC', demoDirectory, SECRET, { ends, evict: true });
    const finished: Array<{ after: number; row: FinishedRow }> = [];
    fold.onFinished = (r) => finished.push({ after: fold.events, row: r });
    for (const r of rows) fold.add(r);
    fold.finishAll();
    expect(
      finished.map(({ after, row: r }) => [
        after,
        r.id,
        r.position,
        r.kind === 'seizure' ? r.contribution?.items.map((i) => i.substance) : undefined,
      ]),
    ).toEqual([
      [3, 's2', at(2), ['heroin']],
      [4, 's1', at(3), ['opium']],
      [6, 's3', at(5), undefined],
    ]);
    expect(finished.map(({ row: r }) => r.kind === 'seizure' && r.record.retracted)).toEqual([false, false, true]);
    // Each finished row was forgotten at once.
    expect(fold.state.seizures.size).toBe(0);
  });

  it('refuses, while evicting, an event that changes the aggregate of another stream, and folds it without eviction', () => {
    const rows = [
      row('policy.set', 'policy-TJ-DCA', 1, 'TJ-DCA', toCentre()),
      row('seizure.reported', 'seizure-s1', 1, 'TJ-DCA', report('s1')),
      row('seizure.reported', 'seizure-s2', 1, 'TJ-DCA', report('s2')),
      // Recorded on s2's stream, but about s1, whose row was already written and forgotten.
      row('seizure.amended', 'seizure-s2', 2, 'TJ-DCA', {
        seizureId: 's1',
        changes: { items: [{ category: 'narcotic', substance: 'opium', quantity: 7, unit: 'kg' }] },
        reason: 'weighed again',
      }),
    ];
    const ends = new Map([['seizure-s2', Number(rows[3]!.position)]]);
    const evicting = new LedgerFold('CARICC', demoDirectory, SECRET, { ends, evict: true });
    for (const r of rows.slice(0, 3)) evicting.add(r);
    expect(() => evicting.add(rows[3]!)).toThrow(StreamCrossingError);

    const keeping = new LedgerFold('CARICC', demoDirectory, SECRET, { ends, evict: false });
    const finished: string[] = [];
    keeping.onFinished = (r) => finished.push(`${r.id}@${r.position}`);
    for (const r of rows) keeping.add(r);
    // s1 is finished again, with the state the crossing event left, for the rebuild to rewrite it.
    const [, s1, s2, crossing] = rows.map((r) => r.position);
    expect(finished).toEqual([`s1@${s1}`, `s2@${s2}`, `s1@${crossing}`]);
    expect(contributions(keeping.state).map((c) => [c.seizureId, c.items.map((i) => i.substance)])).toEqual([
      ['s1', ['opium']],
      ['s2', ['heroin']],
    ]);
  });

  it('refuses an event past the end it was told a stream has, rather than fold it into nothing', () => {
    const fold = new LedgerFold('CARICC', demoDirectory, SECRET, { ends: new Map(), evict: true });
    fold.add(row('policy.set', 'policy-TJ-DCA', 1, 'TJ-DCA', toCentre()));
    fold.add(row('seizure.reported', 'seizure-s1', 1, 'TJ-DCA', report('s1')));
    expect(() =>
      fold.add(row('seizure.retracted', 'seizure-s1', 2, 'TJ-DCA', { seizureId: 's1', reason: 'duplicate' })),
    ).toThrow('past the end');
  });

  it('without stream ends, finishes every row only at the end', () => {
    const fold = new LedgerFold('CARICC', demoDirectory, SECRET);
    const finished: string[] = [];
    fold.onFinished = (r) => finished.push(r.id);
    fold.add(row('policy.set', 'policy-TJ-DCA', 1, 'TJ-DCA', toCentre()));
    fold.add(row('seizure.reported', 'seizure-s1', 1, 'TJ-DCA', report('s1')));
    expect(finished).toEqual([]);
    fold.finishAll();
    expect(finished).toEqual(['s1']);
  });
});
