import type { EventType, SharedCopy } from '@caravan/contracts';
import {
  alertStates,
  applySharedCopy,
  contributions,
  initialRiskState,
  isAlertActive,
  projectRiskState,
  seizureContribution,
} from './projection.js';

let position = 0;
const copy = (
  type: EventType,
  originator: string,
  payload: Record<string, unknown>,
  envelope: Partial<SharedCopy> = {},
): SharedCopy => {
  position += 1;
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    streamId: `x-${position}`,
    streamVersion: 1,
    position,
    originator,
    recordedAt: '2021-02-01T00:00:00.000Z',
    recipient: 'CARICC',
    policyVersion: 1,
    payload,
    ...envelope,
  };
};

const s1Report = copy('seizure.reported', 'TJ-DCA', {
  seizureId: 's1',
  occurredAt: '2021-01-04T10:00:00Z',
  location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border' },
  items: [
    { category: 'narcotic', substance: 'heroin', quantity: 2500, unit: 'g' },
    { category: 'precursor', substance: 'acetic-anhydride', quantity: 750, unit: 'ml' },
  ],
  route: { origin: 'AF', transit: ['TJ'], destination: 'KG' },
});
const s1Amend = copy('seizure.amended', 'TJ-DCA', {
  seizureId: 's1',
  changes: { items: [{ category: 'narcotic', substance: 'heroin', quantity: 4000, unit: 'g' }] },
});
const s3Report = copy('seizure.reported', 'TJ-DCA', {
  seizureId: 's3',
  occurredAt: '2021-01-05T10:00:00Z',
  location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border' },
  items: [{ category: 'narcotic', substance: 'opium', quantity: 50, unit: 'kg' }],
});
const s3Retract = copy('seizure.retracted', 'TJ-DCA', { seizureId: 's3' });
const s3LateAmend = copy('seizure.amended', 'TJ-DCA', { seizureId: 's3', changes: { items: [] } });

describe('the risk projection', () => {
  it('normalises quantities on the way in: 2500 g heroin = 2.5 kg, 750 ml acetic anhydride = 0.75 l', () => {
    const state = projectRiskState([s1Report]);
    expect(seizureContribution(state, 's1')).toMatchObject({
      locationKey: 'TJ-NIZHNY-PANJ',
      locationLevel: 'crossing-point',
      week: '2021-W01',
      items: [
        { category: 'narcotic', substance: 'heroin', unit: 'kg', quantity: 2.5 },
        { category: 'precursor', substance: 'acetic-anhydride', unit: 'l', quantity: 0.75 },
      ],
      route: { origin: 'AF', transit: ['TJ'], destination: 'KG' },
    });
  });

  it('replaces a seizure’s contribution when it is amended: items become 4000 g = 4 kg heroin only', () => {
    const state = initialRiskState();
    applySharedCopy(state, s1Report);
    const change = applySharedCopy(state, s1Amend);
    expect(change).toMatchObject({ kind: 'seizure', seizureId: 's1' });
    expect(change?.kind === 'seizure' && change.before?.items.length).toBe(2);
    expect(change?.kind === 'seizure' && change.after?.items).toEqual([
      { category: 'narcotic', substance: 'heroin', unit: 'kg', quantity: 4 },
    ]);
    // Fields the amendment does not name are kept.
    expect(contributions(state)[0]).toMatchObject({ locationKey: 'TJ-NIZHNY-PANJ', week: '2021-W01' });
  });

  it('removes a retracted seizure and ignores amendments after it', () => {
    const state = initialRiskState();
    applySharedCopy(state, s1Report);
    applySharedCopy(state, s3Report);
    const retraction = applySharedCopy(state, s3Retract);
    expect(retraction).toMatchObject({ kind: 'seizure', seizureId: 's3', after: null });
    expect(retraction?.kind === 'seizure' && retraction.before?.items[0]?.quantity).toBe(50);
    expect(applySharedCopy(state, s3LateAmend)).toBeNull();
    expect(contributions(state).map((c) => c.seizureId)).toEqual(['s1']);
  });

  it('ignores a redelivered copy (position not above the last one)', () => {
    const state = projectRiskState([s1Report, s1Amend]);
    expect(applySharedCopy(state, s1Report)).toBeNull();
    expect(seizureContribution(state, 's1')?.items[0]?.quantity).toBe(4);
  });

  it('counts a seizure whose crossing point was withheld at region level, and one with only a country at country level', () => {
    const state = projectRiskState([
      copy('seizure.reported', 'UZ-SCC', {
        seizureId: 's2',
        occurredAt: '2020-12-31T22:00:00Z',
        location: { country: 'UZ', region: 'Surxondaryo', locationType: 'land-border' },
      }),
      // occurredAt withheld: the envelope's occurredAt places it in time.
      copy(
        'seizure.reported',
        'KZ-BS',
        { seizureId: 's4', location: { country: 'KZ' } },
        {
          occurredAt: '2021-01-11T08:00:00Z',
        },
      ),
    ]);
    expect(
      contributions(state).map((c) => [c.seizureId, c.locationKey, c.locationLevel, c.crossingPoint, c.week, c.items]),
    ).toEqual([
      ['s2', 'UZ/Surxondaryo', 'region', null, '2020-W53', []],
      ['s4', 'KZ', 'country', null, '2021-W02', []],
    ]);
  });

  it('takes an amendment that arrives without its report as all the centre knows', () => {
    const state = projectRiskState([
      copy('seizure.amended', 'TJ-DCA', {
        seizureId: 's9',
        changes: { occurredAt: '2021-01-04', location: { country: 'TJ', locationType: 'inland' } },
      }),
    ]);
    expect(seizureContribution(state, 's9')).toMatchObject({ locationKey: 'TJ', week: '2021-W01', route: null });
  });

  it('places a seizure with no location nowhere and one with an unreadable occurredAt at the envelope time', () => {
    const state = projectRiskState([
      copy(
        'seizure.reported',
        'AF-CNPA',
        {
          seizureId: 's10',
          occurredAt: 'sometime',
          items: [{ category: 'narcotic', substance: 'opium', quantity: 5, unit: 'kg' }],
        },
        { occurredAt: '2021-01-12T00:00:00Z' },
      ),
    ]);
    expect(seizureContribution(state, 's10')).toMatchObject({
      locationKey: null,
      locationLevel: null,
      occurredAt: '2021-01-12T00:00:00.000Z',
      week: '2021-W02',
    });
  });

  it('tracks alerts: updates merge, a withdrawal ends them, validUntil is exclusive', () => {
    const state = projectRiskState([
      copy('threat.alert.issued', 'KZ-BS', {
        alertId: 'a1',
        severity: 2,
        validFrom: '2021-01-01T00:00:00Z',
        validUntil: '2021-02-01T00:00:00Z',
        area: { countries: ['TJ'], crossingPoints: ['TJ-NIZHNY-PANJ'] },
      }),
      copy('threat.alert.updated', 'KZ-BS', { alertId: 'a1', changes: { severity: 4 } }),
      copy('threat.alert.issued', 'KZ-BS', {
        alertId: 'a2',
        severity: 5,
        validFrom: '2021-01-01T00:00:00Z',
        validUntil: '2021-02-01T00:00:00Z',
        area: { countries: ['UZ'] },
      }),
      copy('threat.alert.withdrawn', 'KZ-BS', { alertId: 'a2' }),
    ]);
    const [a1, a2] = alertStates(state);
    expect(a1).toMatchObject({ alertId: 'a1', severity: 4, crossingPoints: ['TJ-NIZHNY-PANJ'], withdrawn: false });
    expect(a2).toMatchObject({ alertId: 'a2', withdrawn: true });
    expect(isAlertActive(a1!, new Date('2021-01-15T00:00:00Z'))).toBe(true);
    expect(isAlertActive(a1!, new Date('2021-02-01T00:00:00Z'))).toBe(false);
    expect(isAlertActive(a1!, new Date('2020-12-31T23:59:59Z'))).toBe(false);
    expect(isAlertActive(a2!, new Date('2021-01-15T00:00:00Z'))).toBe(false);
  });
});
