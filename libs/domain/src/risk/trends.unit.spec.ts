import { trendStatistics } from './trends.js';

describe('trendStatistics', () => {
  it('history 10, 12, 8 and 20 this week: mean 10, sample SD √((0+4+4)/2) = 2, z = 10/2 = 5, anomaly', () => {
    expect(trendStatistics(20, [10, 12, 8])).toEqual({
      total: 20,
      historyWeeks: 3,
      mean: 10,
      sd: 2,
      z: 5,
      anomaly: true,
    });
  });

  it('z = 3 exactly is an anomaly (16 against mean 10, SD 2); 15 (z = 2.5) is not', () => {
    expect(trendStatistics(16, [10, 12, 8])).toMatchObject({ z: 3, anomaly: true });
    expect(trendStatistics(15, [10, 12, 8])).toMatchObject({ z: 2.5, anomaly: false });
  });

  it('needs 3 weeks of history: 100 against 10, 12 (mean 11, SD √2, z ≈ 62.9) is no anomaly', () => {
    const result = trendStatistics(100, [10, 12]);
    expect(result.mean).toBe(11);
    expect(result.sd).toBeCloseTo(Math.SQRT2, 12);
    expect(result.z).toBeCloseTo(89 / Math.SQRT2, 9);
    expect(result.anomaly).toBe(false);
  });

  it('uses the sample SD over the last 8 weeks only', () => {
    // The 1000 is nine weeks back and drops out. Last 8: 2,4,2,4,2,4,2,4: mean 3, Σ(x−3)² = 8,
    // sample SD √(8/7) = 1.0690, z = (6 − 3) / 1.0690 = 2.806: no anomaly. (The population SD, 1,
    // would give z = 3 and an anomaly.)
    const result = trendStatistics(6, [1000, 2, 4, 2, 4, 2, 4, 2, 4]);
    expect(result.historyWeeks).toBe(8);
    expect(result.mean).toBe(3);
    expect(result.sd).toBeCloseTo(Math.sqrt(8 / 7), 12);
    expect(result.z).toBeCloseTo(2.806, 3);
    expect(result.anomaly).toBe(false);
  });

  it('counts quiet weeks as 0: 0, 0, 9 and 30 this week: mean 3, SD √((9+9+36)/2) = √27, z = 27/√27 = 5.196', () => {
    const result = trendStatistics(30, [0, 0, 9]);
    expect(result.mean).toBe(3);
    expect(result.sd).toBeCloseTo(Math.sqrt(27), 12);
    expect(result.z).toBeCloseTo(5.196, 3);
    expect(result.anomaly).toBe(true);
  });

  it('with SD = 0: z 0 at the mean, no z and an anomaly above it, no z and no anomaly below it', () => {
    expect(trendStatistics(5, [5, 5, 5])).toMatchObject({ sd: 0, z: 0, anomaly: false });
    expect(trendStatistics(9, [5, 5, 5])).toMatchObject({ sd: 0, z: null, anomaly: true });
    expect(trendStatistics(1, [5, 5, 5])).toMatchObject({ sd: 0, z: null, anomaly: false });
    expect(trendStatistics(9, [5, 5])).toMatchObject({ sd: 0, z: null, anomaly: false });
  });

  it('has no mean without history and no SD with one week', () => {
    expect(trendStatistics(4, [])).toEqual({
      total: 4,
      historyWeeks: 0,
      mean: null,
      sd: null,
      z: null,
      anomaly: false,
    });
    expect(trendStatistics(4, [2])).toEqual({ total: 4, historyWeeks: 1, mean: 2, sd: null, z: null, anomaly: false });
  });
});
