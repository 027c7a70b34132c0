// The regional views of SPEC §8 as tables. The gateway's rows are read defensively: a suppressed
// cell (small-cell protection) has no counts, and a view may come as a list or inside a page object.
import { formatQuantity, renderTable, type Column } from './table.js';

type Row = Readonly<Record<string, unknown>>;

/** The rows of a view answer: a bare array, or the array inside `{items}`, `{rows}` or `{data}`. */
export function rowsOf(body: unknown, key?: string): Row[] {
  if (Array.isArray(body)) return body.filter(isRow);
  if (!isRow(body)) return [];
  for (const name of [key, 'items', 'rows', 'data'].filter((k): k is string => k !== undefined)) {
    const value = body[name];
    if (Array.isArray(value)) return value.filter(isRow);
  }
  return [];
}

/** `heroin 12.5 kg, tramadol 3,000 tablets` from a row's totals; `suppressed` when hidden. */
export function totalsText(row: Row, limit = 3): string {
  if (isSuppressed(row)) return 'suppressed';
  const totals = Array.isArray(row.totals) ? row.totals.filter(isRow) : [];
  const sorted = [...totals].sort((a, b) => num(b.quantity) - num(a.quantity));
  const shown = sorted
    .slice(0, limit)
    .map((t) => `${str(t.substance)} ${formatQuantity(num(t.quantity))} ${str(t.unit)}`);
  if (sorted.length > limit) shown.push(`+${sorted.length - limit} more`);
  return shown.join(', ') || '-';
}

/** The crossings view: location, week, seizures, top totals, alerts naming it. */
export function renderCrossings(body: unknown, limit?: number): string {
  const rows = top(rowsOf(body), (r) => num(r.seizures), limit);
  const columns: Column<Row>[] = [
    { header: 'LOCATION', value: (r) => str(r.locationKey ?? r.crossingPoint ?? r.location) },
    { header: 'WEEK', value: (r) => str(r.week) },
    { header: 'SEIZURES', value: (r) => count(r, 'seizures'), align: 'right' },
    { header: 'ALERTS', value: (r) => count(r, 'activeAlerts'), align: 'right' },
    { header: 'TOTALS', value: (r) => totalsText(r) },
  ];
  return rows.length === 0 ? 'no crossings to show\n' : renderTable(rows, columns);
}

/** The routes view: origin → transit → destination, seizures, top totals, first and last dates. */
export function renderRoutes(body: unknown, limit?: number): string {
  const record = isRow(body) ? body : {};
  const pairs = rowsOf(record.pairs ?? body);
  const paths = rowsOf(record.paths);
  const columns: Column<Row>[] = [
    { header: 'ROUTE', value: routeText },
    { header: 'SEIZURES', value: (r) => count(r, 'seizures'), align: 'right' },
    { header: 'FIRST', value: (r) => str(r.firstOccurredAt).slice(0, 10) },
    { header: 'LAST', value: (r) => str(r.lastOccurredAt).slice(0, 10) },
    { header: 'TOTALS', value: (r) => totalsText(r) },
  ];
  const parts: string[] = [];
  const byCount = (r: Row) => num(r.seizures);
  if (pairs.length > 0) parts.push(renderTable(top(pairs, byCount, limit), columns));
  if (paths.length > 0) parts.push(`transit paths\n${renderTable(top(paths, byCount, limit), columns)}`);
  return parts.length === 0 ? 'no routes to show\n' : parts.join('\n');
}

/** The trends view; anomalies first, then by z score. */
export function renderTrends(body: unknown, options: { limit?: number; anomaliesOnly?: boolean } = {}): string {
  let rows = rowsOf(body);
  if (options.anomaliesOnly) rows = rows.filter((r) => r.anomaly === true);
  rows = [...rows].sort((a, b) => Number(b.anomaly === true) - Number(a.anomaly === true) || num(b.z) - num(a.z));
  if (options.limit !== undefined) rows = rows.slice(0, options.limit);
  const columns: Column<Row>[] = [
    { header: 'COUNTRY', value: (r) => str(r.country) },
    { header: 'SUBSTANCE', value: (r) => `${str(r.substance)} (${str(r.unit)})` },
    { header: 'WEEK', value: (r) => str(r.week) },
    {
      header: 'TOTAL',
      value: (r) => (isSuppressed(r) ? 'suppressed' : formatQuantity(num(r.total ?? r.quantity))),
      align: 'right',
    },
    { header: 'MEAN', value: (r) => maybe(r.mean), align: 'right' },
    { header: 'SD', value: (r) => maybe(r.stdDev ?? r.sd ?? r.standardDeviation), align: 'right' },
    { header: 'Z', value: (r) => maybe(r.z), align: 'right' },
    { header: 'ANOMALY', value: (r) => (r.anomaly === true ? 'ANOMALY' : '') },
  ];
  return rows.length === 0
    ? options.anomaliesOnly
      ? 'no anomalies\n'
      : 'no trends to show\n'
    : renderTable(rows, columns);
}

/** `AF → TJ → KG → KZ`, `?` where the route leaves an end unnamed. */
export function routeText(row: Row): string {
  const transit = Array.isArray(row.transit) ? row.transit.map(str) : [];
  return [str(row.origin ?? '?') || '?', ...transit, str(row.destination ?? '?') || '?'].join(' → ');
}

function top(rows: Row[], by: (r: Row) => number, limit?: number): Row[] {
  const sorted = [...rows].sort((a, b) => by(b) - by(a));
  return limit === undefined ? sorted : sorted.slice(0, limit);
}

function count(row: Row, key: string): string {
  if (isSuppressed(row) && row[key] === undefined) return '-';
  return row[key] === undefined || row[key] === null ? '-' : cellText(row[key]);
}

function maybe(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? formatQuantity(value) : '-';
}

function isSuppressed(row: Row): boolean {
  return row.suppressed === true || row.visibility === 'suppressed';
}

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** A cell of JSON as text: strings as they are, anything else as JSON, nothing for null. */
export function cellText(value: unknown): string {
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

const str = cellText;
