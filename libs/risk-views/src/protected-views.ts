// The regional views as a viewer may see them (SPEC §8): the pure views of @caravan/domain over the
// filtered contributions, then small-cell protection per viewer (primary and secondary suppression;
// the viewer's own cells stay visible to it), then one page. Pure: the caller loads the rows.
import {
  activeAlertsView,
  cellSeizure,
  crossingCells,
  crossingsView,
  currentWeek,
  primaryReason,
  protectTable,
  riskView,
  routesView,
  shiftIsoWeek,
  trendsView,
  TREND_WINDOW_WEEKS,
  type AlertState,
  type CategoryTotal,
  type CellVisibility,
  type CrossingRow,
  type LocationLevel,
  type ProtectedCell,
  type RiskContributor,
  type RouteRow,
  type SeizureContribution,
  type TableCell,
  type TrendRow,
} from '@caravan/domain';
import type { ViewQuery } from './view-query.js';

/** One page of rows. `next` is the offset of the following page, null on the last. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly next: number | null;
}

/** How a suppressed cell is shown: its keys, no counts and no totals. */
export interface Suppressed {
  readonly suppressed: true;
  readonly visibility: Extract<CellVisibility, 'primary' | 'secondary'>;
}

/** A shown cell: `own` when only the viewer's authorship lets it through. */
export interface Shown {
  readonly suppressed: false;
  readonly visibility: Extract<CellVisibility, 'visible' | 'own'>;
}

/** A crossings row as the viewer sees it. */
export type CrossingItem =
  | (CrossingRow & Shown)
  | ({
      readonly locationKey: string;
      readonly locationLevel: LocationLevel;
      readonly country: string | null;
      readonly week: string;
    } & Suppressed);

/** A margin of the crossings table: one location over all weeks, one week over all locations, or everything. */
export type MarginItem =
  | ({ readonly key: string | null; readonly seizures: number; readonly totals: readonly CategoryTotal[] } & Shown)
  | ({ readonly key: string | null } & Suppressed);

/** A crossing point's risk score as the viewer sees it. */
export type RiskItem =
  | ({
      readonly crossingPoint: string;
      readonly score: number;
      readonly raw: number;
      readonly top: readonly RiskContributor[];
    } & Shown)
  | ({ readonly crossingPoint: string } & Suppressed);

/** GET /v1/risk/crossings. */
export interface CrossingsAnswer extends Page<CrossingItem> {
  readonly locations: readonly MarginItem[];
  readonly weeks: readonly MarginItem[];
  readonly all: MarginItem;
  readonly riskScores: readonly RiskItem[];
  readonly at: string;
}

/** A routes row as the viewer sees it. */
export type RouteItem =
  | (RouteRow & Shown)
  | ({
      readonly origin: string | null;
      readonly transit: readonly string[];
      readonly destination: string | null;
    } & Suppressed);

/** GET /v1/risk/routes. */
export interface RoutesAnswer {
  readonly pairs: Page<RouteItem>;
  readonly paths: Page<RouteItem>;
}

/** A trends row as the viewer sees it. */
export type TrendItem =
  | (TrendRow & Shown)
  | ({
      readonly country: string;
      readonly substance: string;
      readonly unit: string;
      readonly week: string;
    } & Suppressed);

/** GET /v1/risk/trends. */
export type TrendsAnswer = Page<TrendItem> & { readonly weeks: readonly string[] };

/** An alert in force, as the centre knows it. */
export interface ActiveAlertItem {
  readonly alertId: string;
  readonly originator: string;
  readonly severity: number | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly countries: readonly string[];
  readonly crossingPoints: readonly string[];
}

/** The most weeks one trends answer spans (a year). */
export const MAX_TREND_WEEKS = 53;

/**
 * Contributions within the query's filters. A substance filter keeps the seizures that name the
 * substance and only that substance's items, so totals and cells describe what was asked for.
 */
export function filterContributions(
  contributions: readonly SeizureContribution[],
  query: Pick<ViewQuery, 'country' | 'crossingPoint' | 'substance' | 'from' | 'to'>,
): SeizureContribution[] {
  const out: SeizureContribution[] = [];
  for (const c of contributions) {
    if (query.from !== undefined && c.week < query.from) continue;
    if (query.to !== undefined && c.week > query.to) continue;
    if (query.country !== undefined && c.country !== query.country) continue;
    if (query.crossingPoint !== undefined && c.crossingPoint !== query.crossingPoint) continue;
    if (query.substance !== undefined) {
      const items = c.items.filter((i) => i.substance === query.substance);
      if (items.length === 0) continue;
      out.push({ ...c, items });
    } else out.push(c);
  }
  return out;
}

/** The crossings view, its margins and the crossing points' risk scores at `at`, protected for `viewer`. */
export function crossingsAnswer(
  contributions: readonly SeizureContribution[],
  alerts: readonly AlertState[],
  query: ViewQuery,
  viewer: string | null,
  at: Date,
): CrossingsAnswer {
  const filtered = filterContributions(contributions, query);
  const located = filtered.filter((c) => c.locationKey !== null);
  const table = protectTable(crossingCells(located), viewer);
  const cell = indexCells(table.cells);
  const rows: CrossingItem[] = crossingsView(located, alerts).map((row) => {
    const protectedCell = cell.get(cellKey(row.locationKey, row.week));
    return protectedCell?.suppressed
      ? {
          locationKey: row.locationKey,
          locationLevel: row.locationLevel,
          country: row.country,
          week: row.week,
          ...hidden(protectedCell),
        }
      : { ...row, ...shown(protectedCell) };
  });
  const byLocation = group(located, (c) => c.locationKey!);
  const byWeek = group(located, (c) => c.week);
  const locations = table.rowTotals.map((m) => margin(m, m.row, byLocation.get(m.row!) ?? []));
  const weeks = table.columnTotals.map((m) => margin(m, m.column, byWeek.get(m.column!) ?? []));
  const rowTotal = new Map(table.rowTotals.map((m) => [m.row, m]));
  const riskScores: RiskItem[] = riskView(filtered, alerts, at)
    .filter((r) => query.country === undefined || r.crossingPoint.startsWith(`${query.country}-`))
    .filter((r) => query.crossingPoint === undefined || r.crossingPoint === query.crossingPoint)
    .map((r) => {
      // A score summarises the same seizures as the crossing point's row total, so it is hidden with it.
      const total = rowTotal.get(r.crossingPoint);
      return total?.suppressed
        ? { crossingPoint: r.crossingPoint, ...hidden(total) }
        : { crossingPoint: r.crossingPoint, score: r.score, raw: r.raw, top: r.top, ...shown(total) };
    });
  return {
    ...page(rows, query),
    locations,
    weeks,
    all: margin(table.grandTotal, null, located),
    riskScores,
    at: at.toISOString(),
  };
}

/** The routes view protected for `viewer`: pairs as an origin × destination table, paths each as a line. */
export function routesAnswer(
  contributions: readonly SeizureContribution[],
  query: ViewQuery,
  viewer: string | null,
): RoutesAnswer {
  const filtered = filterContributions(contributions, { ...query, country: undefined }).filter(
    (c) => query.country === undefined || routeNames(c, query.country),
  );
  const view = routesView(filtered);
  const routed = filtered.filter((c) => c.route !== null);
  const end = (value: string | null) => value ?? '?';
  const pairCells: TableCell[] = routed
    .filter((c) => c.route!.origin !== null || c.route!.destination !== null)
    .map((c) => ({ row: end(c.route!.origin), column: end(c.route!.destination), seizures: [cellSeizure(c)] }));
  const pathKey = (origin: string | null, transit: readonly string[], destination: string | null) =>
    JSON.stringify([origin, transit, destination]);
  const pathCells: TableCell[] = routed
    .filter((c) => c.route!.transit.length > 0)
    .map((c) => ({
      row: pathKey(c.route!.origin, c.route!.transit, c.route!.destination),
      column: 'path',
      seizures: [cellSeizure(c)],
    }));
  const pairs = indexCells(protectTable(pairCells, viewer).cells);
  const paths = indexCells(protectTable(pathCells, viewer).cells);
  const protect = (row: RouteRow, found: ProtectedCell | undefined): RouteItem =>
    found?.suppressed
      ? { origin: row.origin, transit: row.transit, destination: row.destination, ...hidden(found) }
      : { ...row, ...shown(found) };
  return {
    pairs: page(
      view.pairs.map((r) => protect(r, pairs.get(cellKey(end(r.origin), end(r.destination))))),
      query,
    ),
    paths: page(
      view.paths.map((r) => protect(r, paths.get(cellKey(pathKey(r.origin, r.transit, r.destination), 'path')))),
      query,
    ),
  };
}

/**
 * The trends view for each ISO week from `query.from` to `query.to` (the current week at `at` by
 * default), protected for `viewer`. Per week, the series × week table of that week and its 8
 * history weeks is protected; a row whose week cell is hidden, or whose history as a whole fails the
 * primary rule, shows only its keys.
 */
export function trendsAnswer(
  contributions: readonly SeizureContribution[],
  query: ViewQuery,
  viewer: string | null,
  at: Date,
): TrendsAnswer {
  const last = query.to ?? query.from ?? currentWeek(at);
  const first = query.from ?? last;
  const weeks: string[] = [];
  for (let w = first; w <= last && weeks.length < MAX_TREND_WEEKS; w = shiftIsoWeek(w, 1)) weeks.push(w);
  // History reaches 8 weeks before the first week asked for.
  const filtered = filterContributions(contributions, {
    country: query.country,
    crossingPoint: query.crossingPoint,
    substance: query.substance,
    from: shiftIsoWeek(first, -TREND_WINDOW_WEEKS),
    to: last,
  }).filter((c) => c.country !== null);
  const rows: TrendItem[] = [];
  for (const week of weeks) {
    const windowStart = shiftIsoWeek(week, -TREND_WINDOW_WEEKS);
    const inWindow = filtered.filter((c) => c.week >= windowStart && c.week <= week);
    const cells = new Map<string, TableCell & { seizures: ReturnType<typeof cellSeizure>[] }>();
    for (const c of inWindow) {
      for (const item of c.items) {
        const row = seriesKey(c.country!, item.substance, item.unit);
        const key = cellKey(row, c.week);
        const entry = cells.get(key) ?? { row, column: c.week, seizures: [] };
        const quantity = c.items
          .filter((i) => i.substance === item.substance && i.unit === item.unit)
          .reduce((sum, i) => sum + i.quantity, 0);
        if (!entry.seizures.some((s) => s.seizureId === c.seizureId)) {
          entry.seizures.push({
            seizureId: c.seizureId,
            originator: c.originator,
            quantities: [{ key: row, quantity }],
          });
        }
        cells.set(key, entry);
      }
    }
    const protectedCells = indexCells(protectTable([...cells.values()], viewer).cells);
    for (const row of trendsView(inWindow, week)) {
      const series = seriesKey(row.country, row.substance, row.unit);
      const current = protectedCells.get(cellKey(series, week));
      const history = [...cells.values()]
        .filter((c) => c.row === series && c.column !== week)
        .flatMap((c) => c.seizures);
      const historyHidden =
        history.length > 0 && primaryReason(history) !== null && !history.some((s) => s.originator === viewer);
      if (current?.suppressed || historyHidden) {
        rows.push({
          country: row.country,
          substance: row.substance,
          unit: row.unit,
          week,
          suppressed: true,
          visibility: current?.suppressed ? (current.visibility as 'primary' | 'secondary') : 'primary',
        });
      } else rows.push({ ...row, ...shown(current) });
    }
  }
  return { ...page(rows, query), weeks };
}

/** Alerts in force at `at` that name the query's country or crossing point, most severe first. */
export function activeAlertsAnswer(
  alerts: readonly AlertState[],
  query: ViewQuery,
  at: Date,
): Page<ActiveAlertItem> & { readonly at: string } {
  const items = activeAlertsView(alerts, at)
    .filter((a) => query.country === undefined || a.countries.includes(query.country))
    .filter((a) => query.crossingPoint === undefined || a.crossingPoints.includes(query.crossingPoint))
    .map(({ withdrawn: _withdrawn, ...rest }) => rest);
  return { ...page(items, query), at: at.toISOString() };
}

function page<T>(rows: readonly T[], query: Pick<ViewQuery, 'limit' | 'offset'>): Page<T> {
  const items = rows.slice(query.offset, query.offset + query.limit);
  const end = query.offset + items.length;
  return { items, total: rows.length, offset: query.offset, limit: query.limit, next: end < rows.length ? end : null };
}

function routeNames(c: SeizureContribution, country: string): boolean {
  const r = c.route;
  return r !== null && (r.origin === country || r.destination === country || r.transit.includes(country));
}

function seriesKey(country: string, substance: string, unit: string): string {
  return JSON.stringify([country, substance, unit]);
}

function cellKey(row: string | null, column: string | null): string {
  return `${row ?? ''}\u0000${column ?? ''}`;
}

function indexCells(cells: readonly ProtectedCell[]): Map<string, ProtectedCell> {
  return new Map(cells.map((c) => [cellKey(c.row, c.column), c]));
}

function hidden(cell: ProtectedCell): Suppressed {
  return { suppressed: true, visibility: cell.visibility === 'secondary' ? 'secondary' : 'primary' };
}

function shown(cell: ProtectedCell | undefined): Shown {
  return { suppressed: false, visibility: cell?.visibility === 'own' ? 'own' : 'visible' };
}

function group(
  contributions: readonly SeizureContribution[],
  key: (c: SeizureContribution) => string,
): Map<string, SeizureContribution[]> {
  const groups = new Map<string, SeizureContribution[]>();
  for (const c of contributions) {
    const k = key(c);
    const list = groups.get(k);
    if (list) list.push(c);
    else groups.set(k, [c]);
  }
  return groups;
}

function margin(cell: ProtectedCell, key: string | null, members: readonly SeizureContribution[]): MarginItem {
  if (cell.suppressed) return { key, ...hidden(cell) };
  const totals = new Map<string, CategoryTotal>();
  for (const c of [...members].sort((a, b) => (a.seizureId < b.seizureId ? -1 : a.seizureId > b.seizureId ? 1 : 0))) {
    for (const i of c.items) {
      const k = JSON.stringify([i.category, i.substance, i.unit]);
      totals.set(k, {
        category: i.category,
        substance: i.substance,
        unit: i.unit,
        quantity: (totals.get(k)?.quantity ?? 0) + i.quantity,
      });
    }
  }
  return {
    key,
    seizures: members.length,
    totals: [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t),
    ...shown(cell),
  };
}
