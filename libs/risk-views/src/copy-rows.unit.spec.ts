import fc from 'fast-check';
import { ITEM_CATEGORIES, REGIONAL_CENTRE, UNITS, type SharedCopy } from '@caravan/contracts';
import { copyField, copyJsonField } from '@caravan/database';
import { projectRiskState, seizureContribution } from '@caravan/domain';
import { seizureCopyLine } from './copy-rows.js';
import { seizureRowOf } from './risk-view-store.js';

// The rebuild writes seizure rows with its own JSON writers; the live aggregator stores
// JSON.stringify's text. The two must agree to the byte, for whatever the projection can hold.

/** The line as JSON.stringify and the generic COPY escaping write it. */
function referenceLine(...args: Parameters<typeof seizureRowOf>): string {
  const row = seizureRowOf(...args);
  const json = (value: unknown) => copyJsonField(JSON.stringify(value));
  return [
    copyField(row.seizure_id),
    copyField(row.originator),
    json(row.record),
    row.contribution ? json(row.contribution) : '\\N',
    copyField(row.country),
    copyField(row.crossing_point),
    copyField(row.week),
    String(row.position),
  ].join('\t');
}

// Any UTF-16 code unit, lone surrogates included, beside ordinary and multi-byte text.
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom('Лебап', 'Almaty "Alatau" \\ district', 'tab\there', 'TJ'),
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const defined = (entries: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));

const payload = fc
  .record({
    seizureId: text,
    occurredAt: maybe(
      fc
        .date({ noInvalidDate: true, min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') })
        .map((d) => d.toISOString()),
    ),
    location: maybe(fc.record({ country: maybe(text), region: maybe(text), crossingPoint: maybe(text) })),
    items: fc.array(
      fc.record({
        category: fc.oneof(fc.constantFrom(...ITEM_CATEGORIES), text),
        substance: text,
        quantity: fc.oneof(fc.double(), fc.integer()),
        unit: fc.constantFrom(...UNITS),
      }),
      { maxLength: 4 },
    ),
    route: maybe(
      fc.oneof(
        fc.constant(null),
        fc.record({ origin: maybe(text), transit: fc.array(text, { maxLength: 3 }), destination: maybe(text) }),
      ),
    ),
  })
  .map((p) => defined({ ...p, location: p.location && defined(p.location), route: p.route && defined(p.route) }));

describe('seizure rows in COPY text', () => {
  it('are what JSON.stringify and the COPY escaping write, for any seizure the projection folds', () => {
    fc.assert(
      fc.property(payload, text, fc.boolean(), fc.nat(), (data, originator, retracted, position) => {
        const copy = {
          eventId: '00000000-0000-4000-8000-000000000001',
          type: 'seizure.reported',
          schemaVersion: 1,
          streamId: 'seizure-s',
          streamVersion: 1,
          position: 1,
          originator,
          recordedAt: '2025-03-10T08:00:00.123Z',
          ...(typeof data['occurredAt'] === 'string' ? { occurredAt: data['occurredAt'] } : {}),
          recipient: REGIONAL_CENTRE,
          policyVersion: 1,
          payload: data,
        } as unknown as SharedCopy;
        const state = projectRiskState([copy]);
        const [id, folded] = [...state.seizures][0]!;
        const record = { ...folded, retracted };
        const contribution = retracted ? null : seizureContribution(state, id);
        expect(seizureCopyLine(id, position, record, contribution)).toBe(
          referenceLine(id, position, record, contribution),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
