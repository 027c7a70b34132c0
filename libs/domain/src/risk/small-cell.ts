// SPEC §8 small-cell protection, applied when a view is read.
//
// Primary suppression hides a cell that summarises fewer than 3 seizures, seizures from only one
// agency, or a quantity total of which the two largest seizures make up 85% or more (the (2, 85%)
// dominance rule, tested separately for every (category, substance, unit) total of the cell).
//
// Secondary (complementary) suppression works on the table extended with its margins: the row
// totals, the column totals and the grand total, each summarising the union of its line's seizures
// and each subject to the primary rules itself. Every row (its cells plus its row total), every
// column (its cells plus its column total), the row of column totals (plus the grand total) and the
// column of row totals (plus the grand total) is a "line" whose visible members add up to its total.
// A line with exactly one hidden member gives that member away by subtraction, so the algorithm
// repeats, until nothing changes: find the first line (in a fixed order) with exactly one hidden
// member and hide one more of its members, choosing
//   1. a visible cell that is not the line's own total, with the fewest seizures (least lost),
//      then the smallest sum of quantities, then the smallest key;
//   2. failing that, the line's total.
// Each round hides one more member of a finite table, so it ends; at the end every line has zero or
// at least two hidden members. This is the usual greedy heuristic: it blocks recovery from any
// single line, though not every conceivable combination of several lines, which would need a
// linear-programming audit the SPEC does not ask for.
//
// The viewer: an inner cell whose originators include the viewer is shown to it (SPEC §8), so for
// that viewer it can neither be hidden nor serve as a complement, and the pattern is computed per
// viewer. A total gets that exception only when every cell it adds up is shown to the viewer (it then
// tells the viewer nothing new); otherwise it mixes other agencies' cells, and exempting it would let
// the viewer subtract its own cells from it. So a line with a hidden cell always has a member left to
// hide. `exposed` on the result reports any line still left with one hidden member (none is expected).

/** The thresholds of SPEC §8's small-cell rule. */
export const SMALL_CELL_RULES = {
  minSeizures: 3,
  minAgencies: 2,
  dominantSeizures: 2,
  dominanceShare: 0.85,
} as const;

/** A seizure as a protected cell sees it: who reported it and what it adds to each quantity total. */
export interface CellSeizure {
  readonly seizureId: string;
  readonly originator: string;
  /** Keyed by total, e.g. `narcotic/heroin/kg`; a seizure may add to several totals. */
  readonly quantities: readonly { readonly key: string; readonly quantity: number }[];
}

/** One cell of a two-way table (e.g. location × week). */
export interface TableCell {
  readonly row: string;
  readonly column: string;
  readonly seizures: readonly CellSeizure[];
}

/** Why a cell fails the primary rule. */
export type PrimaryReason = 'fewer-than-3-seizures' | 'one-agency' | 'dominance';

/** How a member of the table is shown to the viewer. */
export type CellVisibility = 'visible' | 'own' | 'primary' | 'secondary';

/** One member of the protected table: an inner cell (row and column), a margin, or the grand total. */
export interface ProtectedCell {
  readonly row: string | null;
  readonly column: string | null;
  readonly visibility: CellVisibility;
  readonly suppressed: boolean;
}

/** The suppression pattern of a table for one viewer. */
export interface ProtectedTable {
  readonly cells: readonly ProtectedCell[];
  readonly rowTotals: readonly ProtectedCell[];
  readonly columnTotals: readonly ProtectedCell[];
  readonly grandTotal: ProtectedCell;
  /** True when some hidden member could not be covered by a second one in its line. */
  readonly exposed: boolean;
}

/** The first SPEC §8 rule a set of seizures breaks, or null when it may be shown. */
export function primaryReason(seizures: readonly CellSeizure[]): PrimaryReason | null {
  if (seizures.length < SMALL_CELL_RULES.minSeizures) return 'fewer-than-3-seizures';
  if (new Set(seizures.map((s) => s.originator)).size < SMALL_CELL_RULES.minAgencies) return 'one-agency';
  const perTotal = new Map<string, number[]>();
  for (const seizure of seizures) {
    // A seizure listing the same substance twice is still one seizure for the dominance rule.
    const own = new Map<string, number>();
    for (const { key, quantity } of seizure.quantities) own.set(key, (own.get(key) ?? 0) + quantity);
    for (const [key, quantity] of own) {
      const list = perTotal.get(key) ?? [];
      list.push(quantity);
      perTotal.set(key, list);
    }
  }
  for (const quantities of perTotal.values()) {
    const total = quantities.reduce((sum, q) => sum + q, 0);
    if (total <= 0) continue;
    const top = [...quantities]
      .sort((a, b) => b - a)
      .slice(0, SMALL_CELL_RULES.dominantSeizures)
      .reduce((sum, q) => sum + q, 0);
    if (top >= SMALL_CELL_RULES.dominanceShare * total) return 'dominance';
  }
  return null;
}

interface Member {
  readonly row: string | null;
  readonly column: string | null;
  readonly key: string;
  readonly seizures: readonly CellSeizure[];
  readonly weight: number;
  readonly own: boolean;
  readonly primary: boolean;
  hidden: boolean;
  secondary: boolean;
}

interface Line {
  readonly members: readonly Member[];
  readonly total: Member;
}

/**
 * The suppression pattern of a two-way table with its row, column and grand totals, as shown to
 * `viewer` (an agency code; null for a viewer that originated nothing).
 */
export function protectTable(cells: readonly TableCell[], viewer: string | null): ProtectedTable {
  const rows = unique(cells.map((c) => c.row));
  const columns = unique(cells.map((c) => c.column));
  const make = (
    row: string | null,
    column: string | null,
    seizures: readonly CellSeizure[],
    parts?: readonly Member[],
  ): Member => {
    const own = parts
      ? parts.length > 0 && parts.every((p) => p.own)
      : viewer !== null && seizures.some((s) => s.originator === viewer);
    const primary = primaryReason(seizures) !== null;
    return {
      row,
      column,
      key: `${row ?? '\uffff'}\u0000${column ?? '\uffff'}`,
      seizures,
      weight: seizures.reduce((sum, s) => sum + s.quantities.reduce((q, x) => q + x.quantity, 0), 0),
      own,
      primary,
      hidden: primary && !own,
      secondary: false,
    };
  };
  const total = (row: string | null, column: string | null, parts: readonly Member[]) =>
    make(
      row,
      column,
      parts.flatMap((m) => m.seizures),
      parts,
    );

  // Several input cells with the same row and column are one cell.
  const grouped = new Map<string, { row: string; column: string; seizures: CellSeizure[] }>();
  for (const c of cells) {
    const key = `${c.row}\u0000${c.column}`;
    const entry = grouped.get(key) ?? { row: c.row, column: c.column, seizures: [] };
    entry.seizures.push(...c.seizures);
    grouped.set(key, entry);
  }
  const inner = [...grouped.values()]
    .filter((g) => g.seizures.length > 0)
    .map((g) => make(g.row, g.column, g.seizures))
    .sort((x, y) => compare(x.key, y.key));
  const innerOf = (predicate: (m: Member) => boolean) => inner.filter(predicate);
  const rowTotals = rows.map((row) =>
    total(
      row,
      null,
      innerOf((m) => m.row === row),
    ),
  );
  const columnTotals = columns.map((column) =>
    total(
      null,
      column,
      innerOf((m) => m.column === column),
    ),
  );
  const grand = total(null, null, inner);

  const lines: Line[] = [
    ...rows.map((row, i) => ({ members: innerOf((m) => m.row === row), total: rowTotals[i]! })),
    ...columns.map((column, i) => ({ members: innerOf((m) => m.column === column), total: columnTotals[i]! })),
    { members: columnTotals, total: grand },
    { members: rowTotals, total: grand },
  ];

  let exposed = false;
  for (let changed = true; changed;) {
    changed = false;
    for (const line of lines) {
      const all = [...line.members, line.total];
      if (all.filter((m) => m.hidden).length !== 1) continue;
      const complement =
        line.members
          .filter((m) => !m.hidden && !m.own)
          .sort((a, b) => a.seizures.length - b.seizures.length || a.weight - b.weight || compare(a.key, b.key))[0] ??
        (!line.total.hidden && !line.total.own ? line.total : undefined);
      if (!complement) continue;
      complement.hidden = true;
      complement.secondary = true;
      changed = true;
      break;
    }
  }
  for (const line of lines) {
    if ([...line.members, line.total].filter((m) => m.hidden).length === 1) exposed = true;
  }

  const show = (m: Member): ProtectedCell => ({
    row: m.row,
    column: m.column,
    visibility: m.hidden ? (m.secondary ? 'secondary' : 'primary') : m.own && m.primary ? 'own' : 'visible',
    suppressed: m.hidden,
  });
  return {
    cells: inner.map(show),
    rowTotals: rowTotals.map(show),
    columnTotals: columnTotals.map(show),
    grandTotal: show(grand),
    exposed,
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
