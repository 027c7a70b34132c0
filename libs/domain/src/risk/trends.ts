// SPEC §8 trends: this ISO week's total against the mean and standard deviation of the previous
// 8 weeks, a z score, and `anomaly` when z ≥ 3 with at least 3 weeks of history.
//
// Choices the SPEC leaves open, made here once:
// - A week without seizures counts as a total of 0: the centre's feed is complete for what it may
//   see, so a quiet week is a real observation, and skipping it would make one big week look normal.
// - "Weeks of history" are the previous weeks (at most 8) on or after the series' first week with a
//   seizure. Weeks before a country/substance ever appeared say nothing about its normal level, so
//   they are neither history nor zeros in the mean.
// - The standard deviation is the sample one (divide by n − 1): the weeks are a sample of the
//   route's behaviour, and with only 3–8 weeks the population formula understates the spread and
//   raises false anomalies. With fewer than 2 weeks there is no SD and no z.
// - SD = 0 (every history week equal): z is 0 when this week equals the mean, otherwise it is
//   undefined (null, not ±Infinity, to stay JSON-safe); a week above a perfectly flat history
//   (0, 0, 0 → 40 kg) is reported as an anomaly, a week below it is not.

/** How many previous weeks the trend compares against (SPEC §8). */
export const TREND_WINDOW_WEEKS = 8;
/** Weeks of history needed before anything is called an anomaly (SPEC §8). */
export const TREND_MIN_HISTORY_WEEKS = 3;
/** The z score at or above which a week is an anomaly (SPEC §8). */
export const TREND_ANOMALY_Z = 3;

/** The comparison of one week's total with its history. */
export interface TrendStatistics {
  readonly total: number;
  readonly historyWeeks: number;
  readonly mean: number | null;
  readonly sd: number | null;
  readonly z: number | null;
  readonly anomaly: boolean;
}

/**
 * Compares `total` with `history` (the weekly totals of the history weeks, oldest first, zeros
 * included; only the last 8 are used).
 */
export function trendStatistics(total: number, history: readonly number[]): TrendStatistics {
  const weeks = history.slice(-TREND_WINDOW_WEEKS);
  const n = weeks.length;
  if (n === 0) return { total, historyWeeks: 0, mean: null, sd: null, z: null, anomaly: false };
  const mean = weeks.reduce((sum, x) => sum + x, 0) / n;
  if (n < 2) return { total, historyWeeks: n, mean, sd: null, z: null, anomaly: false };
  // Equal weeks are tested directly: their float mean can differ from them by one ulp, which
  // would turn SD = 0 into a tiny SD and a huge z.
  const flat = weeks.every((x) => x === weeks[0]);
  const sd = flat ? 0 : Math.sqrt(weeks.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1));
  const enough = n >= TREND_MIN_HISTORY_WEEKS;
  if (sd === 0) {
    return {
      total,
      historyWeeks: n,
      mean,
      sd,
      z: total === weeks[0] ? 0 : null,
      anomaly: enough && total > (weeks[0] ?? 0),
    };
  }
  const z = (total - mean) / sd;
  return { total, historyWeeks: n, mean, sd, z, anomaly: enough && z >= TREND_ANOMALY_Z };
}
