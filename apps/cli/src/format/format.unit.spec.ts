import { renderProblem } from '../http/problem.js';
import { progressLine } from './progress.js';
import { renderCrossings, renderRoutes, renderTrends, routeText, rowsOf, totalsText } from './risk-views.js';
import { formatQuantity, renderTable } from './table.js';

describe('renderProblem', () => {
  it('renders status, title and detail in one line', () => {
    const line = renderProblem(412, { title: 'Precondition Failed', status: 412, detail: 'stale version 1 (now 2)' });
    expect(line).toBe('412 Precondition Failed: stale version 1 (now 2)');
  });

  it('lists field errors with their paths, at most five, and counts the rest', () => {
    const errors = Array.from({ length: 7 }, (_, i) => ({ path: `items[${i}].quantity`, message: 'must be > 0' }));
    const line = renderProblem(400, { title: 'Bad Request', detail: 'the body is invalid', errors });
    expect(line).toBe(
      '400 Bad Request: the body is invalid: items[0].quantity must be > 0; items[1].quantity must be > 0; ' +
        'items[2].quantity must be > 0; items[3].quantity must be > 0; items[4].quantity must be > 0; and 2 more',
    );
  });

  it('keeps to one line whatever the body holds, and falls back to the status text', () => {
    expect(renderProblem(502, 'upstream\nbroke', 'Bad Gateway')).toBe('502 Bad Gateway: upstream broke');
    expect(renderProblem(500, undefined)).toBe('500 HTTP error');
  });
});

describe('tables', () => {
  it('pads columns and right-aligns numbers', () => {
    const table = renderTable(
      [
        { name: 'TJ-NIZHNY-PANJ', n: 12 },
        { name: 'KZ-KORDAY', n: 7 },
      ],
      [
        { header: 'POINT', value: (r) => r.name },
        { header: 'N', value: (r) => String(r.n), align: 'right' },
      ],
    );
    expect(table).toBe('POINT            N\nTJ-NIZHNY-PANJ  12\nKZ-KORDAY        7\n');
  });

  it('formats quantities with grouping and at most three decimals', () => {
    expect(formatQuantity(120000)).toBe('120,000');
    expect(formatQuantity(1.23456)).toBe('1.235');
  });
});

describe('risk views', () => {
  const crossings = {
    items: [
      {
        locationKey: 'KZ-KORDAY',
        week: '2026-W46',
        seizures: 3,
        activeAlerts: 1,
        totals: [
          { category: 'narcotic', substance: 'heroin', unit: 'kg', quantity: 2 },
          { category: 'psychotropic', substance: 'methamphetamine', unit: 'kg', quantity: 40.5 },
        ],
      },
      { locationKey: 'TJ-NIZHNY-PANJ', week: '2026-W46', seizures: 9, activeAlerts: 0, totals: [] },
      { locationKey: 'KG-AK-JOL', week: '2026-W46', suppressed: true },
    ],
  };

  it('finds rows in a list or a page object', () => {
    expect(rowsOf(crossings)).toHaveLength(3);
    expect(rowsOf(crossings.items)).toHaveLength(3);
    expect(rowsOf({ pairs: [{ a: 1 }] }, 'pairs')).toHaveLength(1);
    expect(rowsOf('nope')).toEqual([]);
  });

  it('lists crossings largest first, hides suppressed cells, largest totals first', () => {
    const text = renderCrossings(crossings);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^LOCATION\s+WEEK\s+SEIZURES\s+ALERTS\s+TOTALS$/);
    expect(lines[1]).toMatch(/^TJ-NIZHNY-PANJ/);
    expect(lines[2]).toContain('methamphetamine 40.5 kg, heroin 2 kg');
    expect(lines[3]).toMatch(/^KG-AK-JOL\s+2026-W46\s+-\s+-\s+suppressed$/);
    expect(renderCrossings(crossings, 1).trimEnd().split('\n')).toHaveLength(2);
  });

  it('shows routes as arrows, pairs and transit paths', () => {
    expect(routeText({ origin: 'AF', transit: ['TJ', 'KG'], destination: 'KZ' })).toBe('AF → TJ → KG → KZ');
    expect(routeText({ origin: null, transit: [], destination: 'RU' })).toBe('? → RU');
    const text = renderRoutes({
      pairs: [
        {
          origin: 'AF',
          transit: [],
          destination: 'KZ',
          seizures: 4,
          totals: [],
          firstOccurredAt: '2026-07-01T00:00:00Z',
        },
      ],
      paths: [{ origin: 'AF', transit: ['TJ'], destination: 'KZ', seizures: 2, totals: [] }],
    });
    expect(text).toContain('AF → KZ');
    expect(text).toContain('2026-07-01');
    expect(text).toContain('transit paths\n');
    expect(text).toContain('AF → TJ → KZ');
  });

  it('puts anomalies first in the trends and can show only them', () => {
    const trends = [
      {
        country: 'TJ',
        substance: 'heroin',
        unit: 'kg',
        week: '2026-W47',
        total: 10,
        mean: 9,
        stdDev: 2,
        z: 0.5,
        anomaly: false,
      },
      {
        country: 'KZ',
        substance: 'methamphetamine',
        unit: 'kg',
        week: '2026-W47',
        total: 70,
        mean: 2,
        stdDev: 1,
        z: 68,
        anomaly: true,
      },
    ];
    const all = renderTrends(trends).split('\n');
    expect(all[1]).toMatch(/^KZ\s+methamphetamine \(kg\).*68\s+ANOMALY$/);
    const only = renderTrends(trends, { anomaliesOnly: true });
    expect(only).not.toContain('heroin');
    expect(renderTrends([trends[0]], { anomaliesOnly: true })).toBe('no anomalies\n');
  });

  it('summarises totals, truncated after three', () => {
    const totals = ['a', 'b', 'c', 'd'].map((s, i) => ({ substance: s, unit: 'kg', quantity: i + 1 }));
    expect(totalsText({ totals })).toBe('d 4 kg, c 3 kg, b 2 kg, +1 more');
    expect(totalsText({ visibility: 'suppressed' })).toBe('suppressed');
  });
});

describe('progressLine', () => {
  it('shows a bar, percentage and rate when the total is known', () => {
    expect(progressLine(250, 1000, 500, 10)).toBe('[###-------]  25.0%  250/1,000 events  500/s');
  });

  it('shows the count and rate when it is not', () => {
    expect(progressLine(1234, undefined, 1000)).toBe('1,234 events  1,234/s');
  });
});
