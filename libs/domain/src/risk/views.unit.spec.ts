import type { AlertState, SeizureContribution } from './projection.js';
import { activeAlertsView, crossingCells, crossingsView, riskView, routesView, trendsView } from './views.js';

const seizure = (
  seizureId: string,
  over: Partial<SeizureContribution> & { occurredAt: string; week: string },
): SeizureContribution => ({
  seizureId,
  originator: 'TJ-DCA',
  locationKey: 'TJ-NIZHNY-PANJ',
  locationLevel: 'crossing-point',
  country: 'TJ',
  region: null,
  crossingPoint: 'TJ-NIZHNY-PANJ',
  items: [],
  route: null,
  ...over,
});
const heroin = (kg: number) => [
  { category: 'narcotic' as const, substance: 'heroin', unit: 'kg' as const, quantity: kg },
];

const alert = (alertId: string, over: Partial<AlertState> = {}): AlertState => ({
  alertId,
  originator: 'KZ-BS',
  severity: 4,
  validFrom: '2021-01-01T00:00:00Z',
  validUntil: '2021-02-01T00:00:00Z',
  countries: ['TJ'],
  crossingPoints: ['TJ-NIZHNY-PANJ'],
  withdrawn: false,
  ...over,
});

const s1 = seizure('s1', {
  occurredAt: '2021-01-04T10:00:00.000Z',
  week: '2021-W01',
  items: heroin(4),
  route: { origin: 'AF', transit: ['TJ'], destination: 'KG' },
});
const s5 = seizure('s5', {
  originator: 'TJ-CUS',
  occurredAt: '2021-01-06T10:00:00.000Z',
  week: '2021-W01',
  items: [...heroin(1.5), { category: 'precursor', substance: 'acetic-anhydride', unit: 'l', quantity: 0.75 }],
  route: { origin: 'AF', destination: 'KG', transit: [] },
});
const s2 = seizure('s2', {
  originator: 'UZ-SCC',
  locationKey: 'UZ/Surxondaryo',
  locationLevel: 'region',
  country: 'UZ',
  region: 'Surxondaryo',
  crossingPoint: null,
  occurredAt: '2020-12-31T22:00:00.000Z',
  week: '2020-W53',
  items: heroin(3),
  route: { origin: 'AF', transit: ['TJ', 'UZ'], destination: null },
});

describe('crossingsView', () => {
  it('counts seizures and sums totals per location and week, with the alerts in force that week', () => {
    const rows = crossingsView([s5, s2, s1], [alert('a1'), alert('a2', { withdrawn: true })]);
    expect(rows).toEqual([
      {
        locationKey: 'TJ-NIZHNY-PANJ',
        locationLevel: 'crossing-point',
        country: 'TJ',
        week: '2021-W01',
        seizures: 2,
        originators: ['TJ-CUS', 'TJ-DCA'],
        totals: [
          { category: 'narcotic', substance: 'heroin', unit: 'kg', quantity: 5.5 }, // 4 + 1.5
          { category: 'precursor', substance: 'acetic-anhydride', unit: 'l', quantity: 0.75 },
        ],
        activeAlerts: 1, // a1 overlaps 4–10 Jan; a2 is withdrawn
      },
      {
        locationKey: 'UZ/Surxondaryo',
        locationLevel: 'region',
        country: 'UZ',
        week: '2020-W53',
        seizures: 1,
        originators: ['UZ-SCC'],
        totals: [{ category: 'narcotic', substance: 'heroin', unit: 'kg', quantity: 3 }],
        activeAlerts: 0,
      },
    ]);
  });

  it('leaves out seizures shared without a location', () => {
    const nowhere = seizure('s8', {
      locationKey: null,
      locationLevel: null,
      country: null,
      crossingPoint: null,
      occurredAt: '2021-01-04T00:00:00.000Z',
      week: '2021-W01',
      items: heroin(1),
    });
    expect(crossingsView([nowhere, s1], []).map((r) => [r.locationKey, r.seizures])).toEqual([['TJ-NIZHNY-PANJ', 1]]);
  });

  it('does not count an alert outside the week (a1 ends 1 Feb; week 2021-W05 starts 1 Feb)', () => {
    const late = seizure('s6', { occurredAt: '2021-02-02T00:00:00.000Z', week: '2021-W05' });
    expect(crossingsView([late], [alert('a1')])[0]!.activeAlerts).toBe(0);
  });

  it('gives the same rows whatever the input order (a rebuild equals the live view)', () => {
    expect(crossingsView([s1, s2, s5], [alert('a1')])).toEqual(crossingsView([s5, s1, s2], [alert('a1')]));
  });

  it('lays the view out as a location × week table for small-cell protection', () => {
    expect(crossingCells([s5, s2, s1]).map((c) => [c.row, c.column, c.seizures.map((s) => s.seizureId)])).toEqual([
      ['TJ-NIZHNY-PANJ', '2021-W01', ['s1', 's5']],
      ['UZ/Surxondaryo', '2020-W53', ['s2']],
    ]);
  });
});

describe('routesView', () => {
  it('sums per (origin, destination) and per ordered transit path, with first and last occurredAt', () => {
    const { pairs, paths } = routesView([s1, s2, s5]);
    // An unknown (null) end sorts before a known one.
    expect(pairs).toEqual([
      {
        origin: 'AF',
        transit: [],
        destination: null,
        seizures: 1,
        originators: ['UZ-SCC'],
        totals: [{ substance: 'heroin', unit: 'kg', quantity: 3 }],
        firstOccurredAt: '2020-12-31T22:00:00.000Z',
        lastOccurredAt: '2020-12-31T22:00:00.000Z',
      },
      {
        origin: 'AF',
        transit: [],
        destination: 'KG',
        seizures: 2,
        originators: ['TJ-CUS', 'TJ-DCA'],
        totals: [
          { substance: 'acetic-anhydride', unit: 'l', quantity: 0.75 },
          { substance: 'heroin', unit: 'kg', quantity: 5.5 },
        ],
        firstOccurredAt: '2021-01-04T10:00:00.000Z',
        lastOccurredAt: '2021-01-06T10:00:00.000Z',
      },
    ]);
    expect(paths.map((p) => [p.origin, p.transit, p.destination, p.seizures])).toEqual([
      ['AF', ['TJ'], 'KG', 1],
      ['AF', ['TJ', 'UZ'], null, 1],
    ]);
  });
});

describe('trendsView', () => {
  const weekly = (week: string, kg: number, id = week) =>
    seizure(id, { occurredAt: '2021-01-04T00:00:00.000Z', week, items: heroin(kg) });

  it('compares this week with the weeks since the series began: 10, 12, 8 then 20 gives z = 5', () => {
    const rows = trendsView(
      [weekly('2021-W01', 10), weekly('2021-W02', 12), weekly('2021-W03', 8), weekly('2021-W04', 20)],
      '2021-W04',
    );
    expect(rows).toEqual([
      {
        country: 'TJ',
        substance: 'heroin',
        unit: 'kg',
        week: '2021-W04',
        total: 20,
        historyWeeks: 3,
        mean: 10,
        sd: 2,
        z: 5,
        anomaly: true,
      },
    ]);
  });

  it('counts a quiet week as 0: 10, 0, 8 then 20: mean 6, SD √28 = 5.2915, z = 14 / 5.2915 = 2.646', () => {
    const [row] = trendsView([weekly('2021-W01', 10), weekly('2021-W03', 8), weekly('2021-W04', 20)], '2021-W04');
    expect(row!.mean).toBe(6);
    expect(row!.sd).toBeCloseTo(Math.sqrt(28), 12);
    expect(row!.z).toBeCloseTo(2.646, 3);
    expect(row!.anomaly).toBe(false);
  });

  it('sums seizures of the same week and looks back over new year, 8 weeks at most', () => {
    // History 2020-W46 … 2020-W53 (8 weeks); 2020-W45 is outside the window.
    const data = [
      weekly('2020-W45', 1000),
      ...['2020-W46', '2020-W47', '2020-W48', '2020-W49', '2020-W50', '2020-W51', '2020-W52', '2020-W53'].map((w, i) =>
        weekly(w, i % 2 === 0 ? 2 : 4),
      ),
      weekly('2021-W01', 1, 'x'),
      weekly('2021-W01', 5, 'y'),
    ];
    const [row] = trendsView(data, '2021-W01');
    expect(row).toMatchObject({ total: 6, historyWeeks: 8, mean: 3 });
    expect(row!.sd).toBeCloseTo(Math.sqrt(8 / 7), 12);
  });

  it('leaves out seizures after the week asked for, and series with nothing in the window', () => {
    const rows = trendsView([weekly('2020-W40', 9), weekly('2021-W05', 9)], '2021-W01');
    expect(rows).toEqual([]);
  });
});

describe('riskView', () => {
  it('scores a crossing point from its seizures and active alerts at the query time', () => {
    // At 2021-01-04T10:00Z: s1 is 4 kg heroin at age 0 → log10(5) = 0.69897; a1 → 2 · 4 = 8.
    // raw = 8.69897; score = round(869.897 / 18.69897, 1) = round(46.521, 1) = 46.5.
    // s2 is at region level and scores nowhere.
    const [row, ...rest] = riskView([s1, s2], [alert('a1')], new Date('2021-01-04T10:00:00Z'));
    expect(rest).toEqual([]);
    expect(row!.crossingPoint).toBe('TJ-NIZHNY-PANJ');
    expect(row!.raw).toBeCloseTo(8.69897, 5);
    expect(row!.score).toBe(46.5);
    expect(row!.top.map((c) => c.id)).toEqual(['a1', 's1']);
  });

  it('decays the seizure and drops the expired alert 30 days later: raw 0.69897 · 0.5 = 0.349485, score 3.4', () => {
    const [row] = riskView([s1], [alert('a1')], new Date('2021-02-03T10:00:00Z'));
    expect(row!.raw).toBeCloseTo(0.349485, 6);
    expect(row!.score).toBe(3.4); // 34.9485 / 10.349485 = 3.3768
  });

  it('leaves out seizures that had not happened at the query time', () => {
    // At 2021-01-05T10:00Z only s1 (1 day old) counts: log10(5) · 0.5^(1/30) = 0.69897 · 0.97716 = 0.68301,
    // score = round(68.301 / 10.68301, 1) = round(6.393, 1) = 6.4. The 99 kg of 10 January are not there yet.
    const later = seizure('s7', { occurredAt: '2021-01-10T10:00:00.000Z', week: '2021-W01', items: heroin(99) });
    const [row] = riskView([later, s1], [], new Date('2021-01-05T10:00:00Z'));
    expect(row!.raw).toBeCloseTo(0.68301, 5);
    expect(row!.score).toBe(6.4);
    expect(row!.top.map((c) => c.id)).toEqual(['s1']);
    expect(riskView([later, s1], [], new Date('2021-01-03T00:00:00Z'))).toEqual([]);
  });
});

describe('activeAlertsView', () => {
  it('lists alerts in force, most severe first, without withdrawn or expired ones', () => {
    const alerts = [
      alert('a1', { severity: 2 }),
      alert('a2', { severity: 5 }),
      alert('a3', { withdrawn: true }),
      alert('a4', { validUntil: '2021-01-10T00:00:00Z' }),
    ];
    expect(activeAlertsView(alerts, new Date('2021-01-15T00:00:00Z')).map((a) => a.alertId)).toEqual(['a2', 'a1']);
    expect(activeAlertsView(alerts, new Date('2021-01-05T00:00:00Z')).map((a) => a.alertId)).toEqual([
      'a2',
      'a4',
      'a1',
    ]);
  });
});
