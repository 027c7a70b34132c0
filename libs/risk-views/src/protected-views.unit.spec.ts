import type { AlertState, ContributionItem, SeizureContribution } from '@caravan/domain';
import {
  activeAlertsAnswer,
  crossingsAnswer,
  filterContributions,
  routesAnswer,
  trendsAnswer,
  type CrossingItem,
  type MarginItem,
} from './protected-views.js';
import type { ViewQuery } from './view-query.js';

const PAGE: ViewQuery = { limit: 100, offset: 0 };
// Monday of ISO week 2025-W10 is 3 March 2025.
const WEEK_START = { '2025-W10': '2025-03-04', '2025-W11': '2025-03-11', '2025-W12': '2025-03-18' } as const;
type Week = keyof typeof WEEK_START;

let n = 0;
function seizure(
  originator: string,
  where: { crossingPoint?: string; country: string; region?: string },
  week: Week,
  items: readonly ContributionItem[],
  route: SeizureContribution['route'] = null,
): SeizureContribution {
  n += 1;
  const crossingPoint = where.crossingPoint ?? null;
  const region = where.region ?? null;
  return {
    seizureId: `s-${String(n).padStart(3, '0')}`,
    originator,
    locationKey: crossingPoint ?? (region !== null ? `${where.country}/${region}` : where.country),
    locationLevel: crossingPoint !== null ? 'crossing-point' : region !== null ? 'region' : 'country',
    country: where.country,
    region,
    crossingPoint,
    occurredAt: `${WEEK_START[week]}T10:00:00.000Z`,
    week,
    items,
    route,
  };
}
const heroin = (kg: number): ContributionItem => ({
  category: 'narcotic',
  substance: 'heroin',
  unit: 'kg',
  quantity: kg,
});
const opium = (kg: number): ContributionItem => ({
  category: 'narcotic',
  substance: 'opium',
  unit: 'kg',
  quantity: kg,
});
const PANJ = { crossingPoint: 'TJ-NIZHNY-PANJ', country: 'TJ' };
const TERMEZ = { crossingPoint: 'UZ-TERMEZ', country: 'UZ' };

/** Every line of the table (a row or a column with its total) hides zero or at least two members. */
function expectNoLoneHiddenMember(
  items: readonly CrossingItem[],
  locations: readonly MarginItem[],
  weeks: readonly MarginItem[],
  all: MarginItem,
) {
  for (const location of locations) {
    const line = [...items.filter((i) => i.locationKey === location.key), location];
    expect(line.filter((m) => m.suppressed).length).not.toBe(1);
  }
  for (const week of weeks) {
    const line = [...items.filter((i) => i.week === week.key), week];
    expect(line.filter((m) => m.suppressed).length).not.toBe(1);
  }
  expect([...locations, all].filter((m) => m.suppressed).length).not.toBe(1);
  expect([...weeks, all].filter((m) => m.suppressed).length).not.toBe(1);
}

describe('crossingsAnswer (small-cell protection when a view is read)', () => {
  const contributions = [
    seizure('TJ-DCA', PANJ, '2025-W10', [heroin(10)]),
    seizure('TJ-BS', PANJ, '2025-W10', [heroin(10)]),
    seizure('TJ-DCA', PANJ, '2025-W10', [heroin(10)]),
    // One seizure in a week at one crossing point: it points straight at one operation.
    seizure('TJ-BS', PANJ, '2025-W11', [heroin(5)]),
    seizure('UZ-SCC', TERMEZ, '2025-W10', [heroin(10)]),
    seizure('UZ-BS', TERMEZ, '2025-W10', [heroin(10)]),
    seizure('UZ-SCC', TERMEZ, '2025-W10', [heroin(10)]),
  ];
  const at = new Date('2025-03-20T00:00:00Z');

  it('hides a one-seizure cell from the centre without counts or totals, and the cells that would give it away', () => {
    const answer = crossingsAnswer(contributions, [], PAGE, 'CARICC', at);
    const lone = answer.items.find((i) => i.locationKey === 'TJ-NIZHNY-PANJ' && i.week === '2025-W11')!;
    expect(lone).toEqual({
      locationKey: 'TJ-NIZHNY-PANJ',
      locationLevel: 'crossing-point',
      country: 'TJ',
      week: '2025-W11',
      suppressed: true,
      visibility: 'primary',
    });
    // 3 seizures from 2 agencies, 10+10 of 30 kg = 67% < 85%: fine alone, but Panj's row total
    // (4 seizures, 35 kg) minus this cell would give the hidden 5 kg, so it is hidden as well.
    const sibling = answer.items.find((i) => i.locationKey === 'TJ-NIZHNY-PANJ' && i.week === '2025-W10')!;
    expect(sibling.suppressed).toBe(true);
    expect(sibling.visibility).toBe('secondary');
    expectNoLoneHiddenMember(answer.items, answer.locations, answer.weeks, answer.all);
  });

  it('shows the originator its own cell, counts and totals included', () => {
    const answer = crossingsAnswer(contributions, [], PAGE, 'TJ-BS', at);
    const own = answer.items.find((i) => i.locationKey === 'TJ-NIZHNY-PANJ' && i.week === '2025-W11')!;
    expect(own).toMatchObject({ suppressed: false, visibility: 'own', seizures: 1 });
    expect(own.suppressed === false && own.totals).toEqual([
      { category: 'narcotic', substance: 'heroin', unit: 'kg', quantity: 5 },
    ]);
  });

  it('shows a cell of 3 seizures from 2 agencies where nothing needs protecting', () => {
    const answer = crossingsAnswer(
      contributions.filter((c) => c.crossingPoint === 'UZ-TERMEZ'),
      [],
      PAGE,
      'CARICC',
      at,
    );
    expect(answer.items).toHaveLength(1);
    expect(answer.items[0]).toMatchObject({ suppressed: false, visibility: 'visible', seizures: 3 });
    expect(answer.all).toMatchObject({ suppressed: false, seizures: 3 });
  });

  it('hides a crossing point risk score together with its row total', () => {
    const answer = crossingsAnswer(contributions, [], PAGE, 'CARICC', at);
    const panj = answer.riskScores.find((r) => r.crossingPoint === 'TJ-NIZHNY-PANJ')!;
    const panjTotal = answer.locations.find((l) => l.key === 'TJ-NIZHNY-PANJ')!;
    expect(panj.suppressed).toBe(panjTotal.suppressed);
    if (panj.suppressed) expect(panj).not.toHaveProperty('score');
  });

  it('pages the rows with a next offset', () => {
    const first = crossingsAnswer(contributions, [], { limit: 2, offset: 0 }, 'CARICC', at);
    expect(first).toMatchObject({ total: 3, offset: 0, limit: 2, next: 2 });
    expect(first.items).toHaveLength(2);
    const last = crossingsAnswer(contributions, [], { limit: 2, offset: 2 }, 'CARICC', at);
    expect(last).toMatchObject({ total: 3, next: null });
    expect(last.items).toHaveLength(1);
  });
});

describe('filterContributions', () => {
  it('keeps only the asked substance in totals and drops seizures without it', () => {
    const mixed = seizure('TJ-DCA', PANJ, '2025-W10', [heroin(2), opium(7)]);
    const other = seizure('TJ-DCA', PANJ, '2025-W10', [opium(1)]);
    const kept = filterContributions([mixed, other], { substance: 'heroin' });
    expect(kept.map((c) => c.seizureId)).toEqual([mixed.seizureId]);
    expect(kept[0]!.items).toEqual([heroin(2)]);
  });

  it('bounds weeks inclusively and filters by country and crossing point', () => {
    const a = seizure('TJ-DCA', PANJ, '2025-W10', [heroin(1)]);
    const b = seizure('UZ-SCC', TERMEZ, '2025-W11', [heroin(1)]);
    const c = seizure('TJ-DCA', PANJ, '2025-W12', [heroin(1)]);
    expect(filterContributions([a, b, c], { from: '2025-W11', to: '2025-W12' })).toEqual([b, c]);
    expect(filterContributions([a, b, c], { country: 'TJ' })).toEqual([a, c]);
    expect(filterContributions([a, b, c], { crossingPoint: 'UZ-TERMEZ' })).toEqual([b]);
  });
});

describe('routesAnswer', () => {
  const route = (origin: string, transit: string[], destination: string) => ({ origin, transit, destination });
  const contributions = [
    seizure('TJ-DCA', PANJ, '2025-W10', [heroin(3)], route('AF', ['TJ'], 'KZ')),
    seizure('KG-BS', { country: 'KG', crossingPoint: 'KG-AK-JOL' }, '2025-W10', [heroin(4)], route('AF', ['TJ'], 'KZ')),
    seizure('KZ-BS', { country: 'KZ', crossingPoint: 'KZ-KORDAY' }, '2025-W11', [heroin(5)], route('AF', ['TJ'], 'KZ')),
    seizure('UZ-SCC', TERMEZ, '2025-W10', [heroin(9)], route('AF', [], 'RU')),
    seizure('UZ-SCC', TERMEZ, '2025-W10', [heroin(1)], route('AF', [], 'UZ')),
    seizure('UZ-BS', TERMEZ, '2025-W10', [heroin(1)], route('AF', [], 'UZ')),
    seizure('UZ-SCC', TERMEZ, '2025-W10', [heroin(1)], route('AF', [], 'UZ')),
  ];

  it('shows a pair of 3 seizures from 3 agencies, hides a lone one and the smallest pair that would reveal it', () => {
    const answer = routesAnswer(contributions, PAGE, 'CARICC');
    const kz = answer.pairs.items.find((p) => p.destination === 'KZ')!;
    expect(kz).toMatchObject({ suppressed: false, seizures: 3, origin: 'AF' });
    expect(kz.suppressed === false && kz.totals).toEqual([{ substance: 'heroin', unit: 'kg', quantity: 12 }]);
    const ru = answer.pairs.items.find((p) => p.destination === 'RU')!;
    expect(ru).toEqual({ origin: 'AF', transit: [], destination: 'RU', suppressed: true, visibility: 'primary' });
    // Without it, AF's row total minus the visible pairs would give the lone seizure away.
    expect(answer.pairs.items.find((p) => p.destination === 'UZ')).toMatchObject({
      suppressed: true,
      visibility: 'secondary',
    });
    expect(answer.paths.items).toEqual([expect.objectContaining({ transit: ['TJ'], suppressed: false, seizures: 3 })]);
  });

  it('shows the lone route to the agency that reported it, and filters by a country anywhere on the route', () => {
    const own = routesAnswer(contributions, PAGE, 'UZ-SCC');
    expect(own.pairs.items.find((p) => p.destination === 'RU')).toMatchObject({ visibility: 'own', seizures: 1 });
    const viaTj = routesAnswer(contributions, { ...PAGE, country: 'TJ' }, 'CARICC');
    expect(viaTj.pairs.items.map((p) => p.destination)).toEqual(['KZ']);
    expect(viaTj.pairs.items[0]).toMatchObject({ suppressed: false, seizures: 3 });
  });
});

describe('trendsAnswer', () => {
  it('gives a week against its history, and hides a series whose week rests on one seizure', () => {
    const contributions = [
      seizure('TJ-DCA', PANJ, '2025-W10', [heroin(10)]),
      seizure('TJ-BS', PANJ, '2025-W10', [heroin(10)]),
      seizure('TJ-DCA', PANJ, '2025-W10', [heroin(10)]),
      seizure('TJ-DCA', PANJ, '2025-W11', [heroin(12)]),
      seizure('TJ-BS', PANJ, '2025-W11', [heroin(9)]),
      seizure('TJ-DCA', PANJ, '2025-W11', [heroin(9)]),
      seizure('UZ-SCC', TERMEZ, '2025-W11', [opium(40)]),
    ];
    const answer = trendsAnswer(contributions, { ...PAGE, from: '2025-W11', to: '2025-W11' }, 'CARICC', new Date());
    expect(answer.weeks).toEqual(['2025-W11']);
    // TJ heroin: 30 kg this week, one week of history (30 kg): mean 30, no SD yet.
    expect(answer.items.find((r) => r.country === 'TJ')).toMatchObject({
      substance: 'heroin',
      week: '2025-W11',
      suppressed: false,
      total: 30,
      historyWeeks: 1,
      mean: 30,
      sd: null,
      anomaly: false,
    });
    expect(answer.items.find((r) => r.country === 'UZ')).toEqual({
      country: 'UZ',
      substance: 'opium',
      unit: 'kg',
      week: '2025-W11',
      suppressed: true,
      visibility: 'primary',
    });
    const own = trendsAnswer(contributions, { ...PAGE, from: '2025-W11' }, 'UZ-SCC', new Date());
    expect(own.items.find((r) => r.country === 'UZ')).toMatchObject({ suppressed: false, total: 40 });
  });
});

describe('activeAlertsAnswer', () => {
  const alert = (alertId: string, over: Partial<AlertState>): AlertState => ({
    alertId,
    originator: 'TJ-DCA',
    severity: 3,
    validFrom: '2025-03-01T00:00:00Z',
    validUntil: '2025-04-01T00:00:00Z',
    countries: ['TJ'],
    crossingPoints: ['TJ-NIZHNY-PANJ'],
    withdrawn: false,
    ...over,
  });

  it('lists alerts in force, most severe first, filtered by country or crossing point', () => {
    const alerts = [
      alert('a1', {}),
      alert('a2', { severity: 5, countries: ['UZ'], crossingPoints: [] }),
      alert('a3', { withdrawn: true }),
      alert('a4', { validUntil: '2025-03-10T00:00:00Z' }),
    ];
    const at = new Date('2025-03-15T00:00:00Z');
    expect(activeAlertsAnswer(alerts, PAGE, at).items.map((a) => a.alertId)).toEqual(['a2', 'a1']);
    expect(activeAlertsAnswer(alerts, { ...PAGE, country: 'TJ' }, at).items.map((a) => a.alertId)).toEqual(['a1']);
    expect(activeAlertsAnswer(alerts, { ...PAGE, crossingPoint: 'TJ-NIZHNY-PANJ' }, at).items[0]).not.toHaveProperty(
      'withdrawn',
    );
  });
});
