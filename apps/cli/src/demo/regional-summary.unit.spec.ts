import { regionalSummary } from './run-demo.js';

// The shapes the gateway serves (SPEC §8 views, paged, with small-cell protection applied).
const views = {
  crossings: {
    items: [],
    locations: [
      { key: 'AF/Kunduz', suppressed: true, visibility: 'primary' },
      {
        key: 'UZ-TERMEZ',
        seizures: 63,
        totals: [{ substance: 'hashish', unit: 'kg', quantity: 5100.8 }],
        suppressed: false,
      },
      {
        key: 'KZ-KORDAY',
        seizures: 64,
        totals: [{ substance: 'heroin', unit: 'kg', quantity: 576.91 }],
        suppressed: false,
      },
    ],
    riskScores: [{ crossingPoint: 'UZ-TERMEZ', score: 85.8 }, { crossingPoint: 'KZ-KORDAY' }],
  },
  routes: {
    pairs: {
      items: [
        {
          origin: 'AF',
          transit: [],
          destination: 'KZ',
          seizures: 120,
          totals: [],
          firstOccurredAt: '2026-07-13T00:00:00Z',
        },
        { origin: 'AF', transit: [], destination: 'RU', suppressed: true },
      ],
    },
    paths: { items: [{ origin: 'AF', transit: ['TJ', 'KG'], destination: 'KZ', seizures: 80, totals: [] }] },
  },
  trends: {
    items: [
      {
        country: 'TJ',
        substance: 'heroin',
        unit: 'kg',
        week: '2026-W48',
        total: 50,
        mean: 45,
        stdDev: 5,
        z: 1,
        anomaly: false,
      },
      {
        country: 'KZ',
        substance: 'methamphetamine',
        unit: 'kg',
        week: '2026-W48',
        total: 63.73,
        mean: 0.874,
        stdDev: 0.726,
        z: 86.6,
        anomaly: true,
      },
    ],
  },
};

describe('regionalSummary', () => {
  const text = regionalSummary(views);

  it('lists visible crossing points by seizures with their risk score, never a suppressed one', () => {
    const crossings = text.slice(0, text.indexOf('Top routes')).split('\n');
    expect(crossings[2]).toMatch(/^KZ-KORDAY\s+64\s+-\s+heroin 576\.91 kg$/);
    expect(crossings[3]).toMatch(/^UZ-TERMEZ\s+63\s+85\.8\s+hashish 5,100\.8 kg$/);
    expect(text).not.toContain('AF/Kunduz');
  });

  it('shows routes from the paged pairs and paths, suppressed ones marked', () => {
    const routes = text.slice(text.indexOf('Top routes'), text.indexOf('Anomalies'));
    expect(routes).toMatch(/AF → KZ\s+120\s+2026-07-13/);
    expect(routes).toMatch(/AF → RU\s+-.*suppressed/);
    expect(routes).toContain('AF → TJ → KG → KZ');
  });

  it('shows only the anomalies', () => {
    const anomalies = text.slice(text.indexOf('Anomalies'));
    expect(anomalies).toMatch(/^KZ\s+methamphetamine \(kg\)\s+2026-W48\s+63\.73.*ANOMALY$/m);
    expect(anomalies).not.toContain('heroin');
  });
});
