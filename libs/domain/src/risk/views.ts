// The SPEC §8 views as pure functions of the projection's contributions and alerts. Every output is
// sorted and every sum is taken in seizure-id order, so a view computed from a rebuilt projection
// is equal, float for float, to the one computed live.
import type { ItemCategory } from '@caravan/contracts';
import { isoWeekOf, isoWeekStart, parseInstant, shiftIsoWeek } from './iso-week.js';
import { type AlertState, type LocationLevel, type SeizureContribution, isAlertActive } from './projection.js';
import { DEFAULT_RISK_CONFIG, type RiskConfig, type RiskScore, riskScore } from './risk-score.js';
import { type CellSeizure, type TableCell } from './small-cell.js';
import { TREND_WINDOW_WEEKS, type TrendStatistics, trendStatistics } from './trends.js';
import type { NormalisedUnit } from './units.js';

const WEEK_MS = 7 * 86_400_000;
// SPEC §3.1 lets occurredAt run 5 minutes ahead of the hub's clock.
const CLOCK_SKEW_MS = 5 * 60_000;

/** A quantity total of one (category, substance, unit). */
export interface CategoryTotal {
  readonly category: ItemCategory;
  readonly substance: string;
  readonly unit: NormalisedUnit;
  readonly quantity: number;
}

/** A quantity total of one (substance, unit). */
export interface SubstanceTotal {
  readonly substance: string;
  readonly unit: NormalisedUnit;
  readonly quantity: number;
}

/** One row of the crossings view: a location (crossing point, region or country) in one ISO week. */
export interface CrossingRow {
  readonly locationKey: string;
  readonly locationLevel: LocationLevel;
  readonly country: string | null;
  readonly week: string;
  readonly seizures: number;
  readonly originators: readonly string[];
  readonly totals: readonly CategoryTotal[];
  readonly activeAlerts: number;
}

/** One row of the routes view: an (origin, destination) pair, or an ordered path through transit countries. */
export interface RouteRow {
  readonly origin: string | null;
  readonly transit: readonly string[];
  readonly destination: string | null;
  readonly seizures: number;
  readonly originators: readonly string[];
  readonly totals: readonly SubstanceTotal[];
  readonly firstOccurredAt: string;
  readonly lastOccurredAt: string;
}

/** The routes view: totals per (origin, destination) and per ordered transit path. */
export interface RoutesView {
  readonly pairs: readonly RouteRow[];
  readonly paths: readonly RouteRow[];
}

/** One row of the trends view: a (country, substance, unit) series in one ISO week. */
export interface TrendRow extends TrendStatistics {
  readonly country: string;
  readonly substance: string;
  readonly unit: NormalisedUnit;
  readonly week: string;
}

/** One row of the risk view. */
export interface RiskRow extends RiskScore {
  readonly crossingPoint: string;
}

/**
 * Crossings (SPEC §8): per location key and ISO week, the number of seizures, totals per
 * (category, substance, unit), and the alerts in force at any time during that week that name the
 * location. Alerts name countries and crossing points only, so a region-level row counts none.
 * Seizures shared without any location are left out.
 */
export function crossingsView(
  contributions: readonly SeizureContribution[],
  alerts: readonly AlertState[],
): CrossingRow[] {
  const groups = groupBy(
    contributions.filter((c) => c.locationKey !== null),
    (c) => `${c.locationKey}\u0000${c.week}`,
  );
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const start = isoWeekStart(first.week).getTime();
    const activeAlerts = alerts.filter(
      (a) => namesLocation(a, first) && activeDuring(a, start, start + WEEK_MS),
    ).length;
    return {
      locationKey: first.locationKey!,
      locationLevel: first.locationLevel!,
      country: first.country,
      week: first.week,
      seizures: group.length,
      originators: uniqueSorted(group.map((c) => c.originator)),
      totals: categoryTotals(group),
      activeAlerts,
    };
  });
}

/**
 * Routes (SPEC §8): seizures that name a route, per (origin, destination) (either may be unknown,
 * null) and per full ordered path origin → transit… → destination for those with transit countries.
 */
export function routesView(contributions: readonly SeizureContribution[]): RoutesView {
  const routed = contributions.filter((c) => c.route !== null);
  const pairs = groupBy(
    routed.filter((c) => c.route!.origin !== null || c.route!.destination !== null),
    (c) => routeKey(c.route!.origin, [], c.route!.destination),
  );
  const paths = groupBy(
    routed.filter((c) => c.route!.transit.length > 0),
    (c) => routeKey(c.route!.origin, c.route!.transit, c.route!.destination),
  );
  return {
    pairs: [...pairs.values()].map((g) => routeRow(g, false)),
    paths: [...paths.values()].map((g) => routeRow(g, true)),
  };
}

/**
 * Trends (SPEC §8) for ISO week `week`: per (country, substance, unit) with a seizure in that week
 * or in the 8 before it, the week's total quantity against its history (see trends.ts for how
 * quiet weeks, short histories and SD = 0 are treated).
 */
export function trendsView(contributions: readonly SeizureContribution[], week: string): TrendRow[] {
  const series = new Map<
    string,
    { country: string; substance: string; unit: NormalisedUnit; first: string; weeks: Map<string, number> }
  >();
  for (const c of contributions) {
    if (c.country === null || c.week > week) continue;
    for (const item of c.items) {
      const key = JSON.stringify([c.country, item.substance, item.unit]);
      const s = series.get(key) ?? {
        country: c.country,
        substance: item.substance,
        unit: item.unit,
        first: c.week,
        weeks: new Map(),
      };
      if (c.week < s.first) s.first = c.week;
      s.weeks.set(c.week, (s.weeks.get(c.week) ?? 0) + item.quantity);
      series.set(key, s);
    }
  }
  const rows: TrendRow[] = [];
  for (const s of series.values()) {
    const history: number[] = [];
    for (let offset = -TREND_WINDOW_WEEKS; offset < 0; offset++) {
      const w = shiftIsoWeek(week, offset);
      if (w >= s.first) history.push(s.weeks.get(w) ?? 0);
    }
    const total = s.weeks.get(week) ?? 0;
    if (total === 0 && history.every((x) => x === 0)) continue;
    rows.push({ country: s.country, substance: s.substance, unit: s.unit, week, ...trendStatistics(total, history) });
  }
  return rows.sort(
    (a, b) => compare(a.country, b.country) || compare(a.substance, b.substance) || compare(a.unit, b.unit),
  );
}

/**
 * Risk scores (SPEC §8) at `at` for every crossing point with a seizure or an active alert naming
 * it, highest score first. Seizures that happen after `at` (beyond the 5 minutes of clock skew a
 * report may carry) did not exist at `at` and are left out.
 */
export function riskView(
  contributions: readonly SeizureContribution[],
  alerts: readonly AlertState[],
  at: Date,
  config: RiskConfig = DEFAULT_RISK_CONFIG,
): RiskRow[] {
  const active = alerts.filter((a) => isAlertActive(a, at));
  const byPoint = new Map<string, SeizureContribution[]>();
  for (const c of [...contributions].sort((a, b) => compare(a.seizureId, b.seizureId))) {
    if (c.crossingPoint === null || Date.parse(c.occurredAt) > at.getTime() + CLOCK_SKEW_MS) continue;
    const list = byPoint.get(c.crossingPoint);
    if (list) list.push(c);
    else byPoint.set(c.crossingPoint, [c]);
  }
  const points = new Set<string>([...byPoint.keys(), ...active.flatMap((a) => a.crossingPoints)]);
  const rows = [...points].map((crossingPoint) => {
    const seizures = (byPoint.get(crossingPoint) ?? []).map((c) => ({
      seizureId: c.seizureId,
      occurredAt: c.occurredAt,
      items: c.items,
    }));
    const naming = active
      .filter((a) => a.crossingPoints.includes(crossingPoint))
      .map((a) => ({ alertId: a.alertId, severity: a.severity ?? 0 }));
    return { crossingPoint, ...riskScore(seizures, naming, at, config) };
  });
  return rows.sort((a, b) => b.score - a.score || compare(a.crossingPoint, b.crossingPoint));
}

/** Alerts in force at `at`, most severe first, then by alert id. */
export function activeAlertsView(alerts: readonly AlertState[], at: Date): AlertState[] {
  return alerts
    .filter((a) => isAlertActive(a, at))
    .sort((a, b) => (b.severity ?? 0) - (a.severity ?? 0) || compare(a.alertId, b.alertId));
}

/** A contribution as small-cell protection sees it; quantity keys are `category/substance/unit`. */
export function cellSeizure(c: SeizureContribution): CellSeizure {
  return {
    seizureId: c.seizureId,
    originator: c.originator,
    quantities: c.items.map((i) => ({ key: `${i.category}/${i.substance}/${i.unit}`, quantity: i.quantity })),
  };
}

/** The crossings view as a location × week table, ready for `protectTable`. */
export function crossingCells(contributions: readonly SeizureContribution[]): TableCell[] {
  const groups = groupBy(
    contributions.filter((c) => c.locationKey !== null),
    (c) => `${c.locationKey}\u0000${c.week}`,
  );
  return [...groups.values()].map((g) => ({
    row: g[0]!.locationKey!,
    column: g[0]!.week,
    seizures: g.map(cellSeizure),
  }));
}

/** The ISO week of `at`: the "this week" of the trends view. */
export function currentWeek(at: Date): string {
  return isoWeekOf(at);
}

function routeRow(group: readonly SeizureContribution[], withTransit: boolean): RouteRow {
  const route = group[0]!.route!;
  const times = group.map((c) => c.occurredAt).sort(compare);
  const totals = new Map<string, SubstanceTotal>();
  for (const c of group) {
    for (const i of c.items) {
      const key = JSON.stringify([i.substance, i.unit]);
      totals.set(key, {
        substance: i.substance,
        unit: i.unit,
        quantity: (totals.get(key)?.quantity ?? 0) + i.quantity,
      });
    }
  }
  return {
    origin: route.origin,
    transit: withTransit ? route.transit : [],
    destination: route.destination,
    seizures: group.length,
    originators: uniqueSorted(group.map((c) => c.originator)),
    totals: [...totals.values()].sort((a, b) => compare(a.substance, b.substance) || compare(a.unit, b.unit)),
    firstOccurredAt: times[0]!,
    lastOccurredAt: times[times.length - 1]!,
  };
}

function categoryTotals(group: readonly SeizureContribution[]): CategoryTotal[] {
  const totals = new Map<string, CategoryTotal>();
  for (const c of group) {
    for (const i of c.items) {
      const key = JSON.stringify([i.category, i.substance, i.unit]);
      totals.set(key, {
        category: i.category,
        substance: i.substance,
        unit: i.unit,
        quantity: (totals.get(key)?.quantity ?? 0) + i.quantity,
      });
    }
  }
  return [...totals.values()].sort(
    (a, b) => compare(a.category, b.category) || compare(a.substance, b.substance) || compare(a.unit, b.unit),
  );
}

function namesLocation(alert: AlertState, c: SeizureContribution): boolean {
  if (c.locationLevel === 'crossing-point') return alert.crossingPoints.includes(c.crossingPoint!);
  if (c.locationLevel === 'country') return alert.countries.includes(c.country!);
  return false;
}

function activeDuring(alert: AlertState, from: number, to: number): boolean {
  if (alert.withdrawn || alert.validFrom === null || alert.validUntil === null) return false;
  return parseInstant(alert.validFrom).getTime() < to && parseInstant(alert.validUntil).getTime() > from;
}

/** Groups in seizure-id order and returns the groups sorted by key. */
function groupBy<T extends SeizureContribution>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const sorted = [...items].sort((a, b) => compare(a.seizureId, b.seizureId));
  const groups = new Map<string, T[]>();
  for (const item of sorted) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => compare(a, b)));
}

/**
 * A group key that sorts by origin, then transit path (a path before its extensions), then
 * destination, an unknown end (null, as '') before a known one. Codes never contain \u0000 or \u0001.
 */
function routeKey(origin: string | null, transit: readonly string[], destination: string | null): string {
  return [origin ?? '', transit.join('\u0001'), destination ?? ''].join('\u0000');
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
