import fc from 'fast-check';
import type { SharedCopy } from '@caravan/contracts';
import {
  applySharedCopy,
  initialRiskState,
  seizureContribution,
  seizureRecordOf,
  storedSeizure,
  type RiskState,
} from './projection.js';

// The views store a seizure as its contribution plus StoredSeizure and rebuild the payload when the
// aggregator loads it back. This checks the claim that makes that safe: whatever copies follow, the
// contributions are those of a fold that kept the payload in memory all along.

const ID = 'seizure-under-test';
const text = fc.constantFrom('TJ', 'KZ', 'Khatlon', 'TJ-NIZHNY-PANJ', 'heroin', '', 'x y');
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const time = fc.oneof(
  fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => new Date(ms).toISOString()),
  fc.constantFrom('2021-01-04', '2021-W01', '2021-03', '2021-01-04T10:00:00+05:00', 'sometime', ''),
);
const location = fc.oneof(
  fc.record(
    { country: text, region: text, crossingPoint: text, locationType: fc.constantFrom('land-border', 'rail') },
    { requiredKeys: [] },
  ),
  fc.constantFrom(null, 'nowhere', ['TJ']),
);
const item = fc.oneof(
  fc.record(
    {
      category: fc.constantFrom('narcotic', 'precursor', 'persons', 'nonsense'),
      substance: fc.oneof(text, fc.constant(7)),
      quantity: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.double({ min: 0, max: 100, noNaN: true })),
      unit: fc.constantFrom('g', 'kg', 'ml', 'l', 'tablets', 'units', 'persons', 'tons'),
      purityPercent: fc.integer({ min: 0, max: 100 }),
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom(null, 'item'),
);
const route = fc.oneof(
  fc.record(
    { origin: text, transit: fc.oneof(fc.array(fc.oneof(text, fc.constant(3))), fc.constant('TJ')), destination: text },
    { requiredKeys: [] },
  ),
  fc.constantFrom(null, 'north'),
);
const body = fc.record(
  {
    occurredAt: time,
    location,
    items: fc.oneof(fc.array(item, { maxLength: 4 }), fc.constant('many')),
    route,
    direction: fc.constantFrom('import', 'transit'),
  },
  { requiredKeys: [] },
);
const envelopeTime = maybe(time.filter((t) => t !== 'sometime' && t !== ''));
const step = fc.oneof(
  { weight: 1, arbitrary: fc.record({ type: fc.constant('seizure.reported' as const), body, envelopeTime }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('seizure.amended' as const), body, envelopeTime }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('seizure.retracted' as const), body, envelopeTime }) },
);

function copyOf(s: StepValue, position: number): SharedCopy {
  const payload =
    s.type === 'seizure.reported'
      ? { seizureId: ID, ...s.body }
      : s.type === 'seizure.amended'
        ? { seizureId: ID, changes: s.body, reason: 'r' }
        : { seizureId: ID, reason: 'r' };
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type: s.type,
    schemaVersion: 1,
    streamId: `seizure-${ID}`,
    streamVersion: position,
    position,
    originator: 'TJ-DCA',
    recordedAt: '2021-02-01T00:00:00.000Z',
    ...(s.envelopeTime !== undefined ? { occurredAt: s.envelopeTime } : {}),
    recipient: 'CARICC',
    policyVersion: 1,
    payload,
  };
}
type StepValue = { type: SharedCopy['type']; body: Record<string, unknown>; envelopeTime?: string | undefined };

/** What the aggregator holds after storing the row and loading it back, as JSON, in a fresh state. */
function reloaded(state: RiskState): RiskState {
  const again = initialRiskState();
  again.position = state.position;
  const record = state.seizures.get(ID);
  if (record) {
    const stored = JSON.parse(JSON.stringify(storedSeizure(record))) as ReturnType<typeof storedSeizure>;
    const contribution = JSON.parse(JSON.stringify(seizureContribution(state, ID))) as ReturnType<
      typeof seizureContribution
    >;
    again.seizures.set(ID, seizureRecordOf(ID, stored, contribution));
  }
  return again;
}

describe('a seizure stored as its contribution and loaded back', () => {
  it('folds every later copy into the same contributions as the payload it came from', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (steps) => {
        const kept = initialRiskState();
        let stored = initialRiskState();
        steps.forEach((s, i) => {
          const copy = copyOf(s, i + 1);
          const expected = applySharedCopy(kept, copy);
          const actual = applySharedCopy(stored, copy);
          // The change as the views see it: the contribution it replaces and the one it puts instead.
          expect(actual === null).toBe(expected === null);
          if (actual?.kind === 'seizure' && expected?.kind === 'seizure') {
            expect(actual.before).toEqual(expected.before);
            expect(actual.after).toEqual(expected.after);
          }
          expect(seizureContribution(stored, ID)).toEqual(seizureContribution(kept, ID));
          expect(stored.seizures.get(ID)?.retracted).toBe(kept.seizures.get(ID)?.retracted);
          stored = reloaded(stored);
        });
      }),
      { numRuns: 1_000 },
    );
  });
});
