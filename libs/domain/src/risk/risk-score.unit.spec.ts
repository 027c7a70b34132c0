import { DEFAULT_RISK_CONFIG, decayFactor, riskScore, scoreFromRaw, seizureRiskTerm } from './risk-score.js';

const at = new Date('2026-03-31T00:00:00Z');
const daysBefore = (days: number) => new Date(at.getTime() - days * 86_400_000).toISOString();

describe('decayFactor', () => {
  it('halves every 30 days: 0.5^(0/30) = 1, 0.5^(30/30) = 0.5, 0.5^(60/30) = 0.25', () => {
    expect(decayFactor(0)).toBe(1);
    expect(decayFactor(30)).toBe(0.5);
    expect(decayFactor(60)).toBe(0.25);
  });

  it('treats a negative age (clock skew) as 0', () => {
    expect(decayFactor(-0.002)).toBe(1);
  });

  it('takes the half-life from configuration: 0.5^(30/60) = 0.70711', () => {
    expect(decayFactor(30, 60)).toBeCloseTo(0.70711, 5);
  });
});

describe('seizureRiskTerm', () => {
  // 9 kg heroin: w = 1.0, log10(1 + 9) = 1.
  const heroin9kg = (days: number) => ({
    seizureId: 's',
    occurredAt: daysBefore(days),
    items: [{ category: 'narcotic' as const, quantity: 9 }],
  });

  it('is 1.0 · log10(10) · decay: 1 at 0 days, 0.5 at 30 days, 0.25 at 60 days', () => {
    expect(seizureRiskTerm(heroin9kg(0), at)).toBeCloseTo(1, 12);
    expect(seizureRiskTerm(heroin9kg(30), at)).toBeCloseTo(0.5, 12);
    expect(seizureRiskTerm(heroin9kg(60), at)).toBeCloseTo(0.25, 12);
  });

  it('weighs categories: psychotropic 0.8, precursor 0.6, weapon 1.0, persons 1.5, currency (other) 0.3', () => {
    const term = (category: 'psychotropic' | 'precursor' | 'weapon' | 'persons' | 'currency') =>
      seizureRiskTerm({ seizureId: 's', occurredAt: daysBefore(0), items: [{ category, quantity: 9 }] }, at);
    expect(term('psychotropic')).toBeCloseTo(0.8, 12);
    expect(term('precursor')).toBeCloseTo(0.6, 12);
    expect(term('weapon')).toBeCloseTo(1.0, 12);
    expect(term('persons')).toBeCloseTo(1.5, 12);
    expect(term('currency')).toBeCloseTo(0.3, 12);
  });

  it('adds one term per item: 99 kg narcotic + 9 l precursor = 1.0·2 + 0.6·1 = 2.6', () => {
    const seizure = {
      seizureId: 's',
      occurredAt: daysBefore(0),
      items: [
        { category: 'narcotic' as const, quantity: 99 },
        { category: 'precursor' as const, quantity: 9 },
      ],
    };
    expect(seizureRiskTerm(seizure, at)).toBeCloseTo(2.6, 12);
  });

  it('uses configured weights', () => {
    const config = { ...DEFAULT_RISK_CONFIG, weights: { ...DEFAULT_RISK_CONFIG.weights, narcotic: 2 } };
    expect(seizureRiskTerm(heroin9kg(0), at, config)).toBeCloseTo(2, 12);
  });
});

describe('scoreFromRaw', () => {
  it('is round(100 · raw / (raw + 10), 1)', () => {
    expect(scoreFromRaw(0)).toBe(0);
    expect(scoreFromRaw(10)).toBe(50); // 1000 / 20
    expect(scoreFromRaw(1)).toBe(9.1); // 100 / 11 = 9.0909…
    expect(scoreFromRaw(90)).toBe(90); // 9000 / 100
  });
});

describe('riskScore', () => {
  it('sums seizures and active alerts and names the top contributors', () => {
    // A: 99 kg narcotic today        → 1.0 · log10(100) · 1    = 2
    // B: 9 persons 30 days ago       → 1.5 · log10(10)  · 0.5  = 0.75
    // C: 999 l precursor 60 days ago → 0.6 · log10(1000) · 0.25 = 0.45
    // alert of severity 3            → 2 · 3                     = 6
    // raw = 9.2; score = round(920 / 19.2, 1) = round(47.9166…, 1) = 47.9
    const result = riskScore(
      [
        { seizureId: 'b', occurredAt: daysBefore(30), items: [{ category: 'persons', quantity: 9 }] },
        { seizureId: 'a', occurredAt: daysBefore(0), items: [{ category: 'narcotic', quantity: 99 }] },
        { seizureId: 'c', occurredAt: daysBefore(60), items: [{ category: 'precursor', quantity: 999 }] },
      ],
      [{ alertId: 'x', severity: 3 }],
      at,
    );
    expect(result.raw).toBeCloseTo(9.2, 12);
    expect(result.score).toBe(47.9);
    expect(result.top.map((c) => [c.kind, c.id])).toEqual([
      ['alert', 'x'],
      ['seizure', 'a'],
      ['seizure', 'b'],
      ['seizure', 'c'],
    ]);
    expect(result.top[2]!.contribution).toBeCloseTo(0.75, 12);
  });

  it('keeps only the configured number of top contributors', () => {
    const seizures = ['a', 'b', 'c'].map((id, i) => ({
      seizureId: id,
      occurredAt: daysBefore(0),
      items: [{ category: 'narcotic' as const, quantity: 10 ** (i + 1) - 1 }],
    }));
    const result = riskScore(seizures, [], at, { ...DEFAULT_RISK_CONFIG, topContributors: 2 });
    // terms 1, 2, 3 → raw 6, score round(600 / 16, 1) = 37.5
    expect(result.score).toBe(37.5);
    expect(result.top.map((c) => c.id)).toEqual(['c', 'b']);
  });
});
