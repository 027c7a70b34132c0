import { type CellSeizure, type TableCell, primaryReason, protectTable } from './small-cell.js';

let n = 0;
const seizure = (originator: string, kg = 10): CellSeizure => ({
  seizureId: `s${++n}`,
  originator,
  quantities: [{ key: 'narcotic/heroin/kg', quantity: kg }],
});
// `count` seizures of 10 kg each, alternating between two agencies: safe on every primary rule.
const safe = (count: number): CellSeizure[] =>
  Array.from({ length: count }, (_, i) => seizure(i % 2 === 0 ? 'TJ-DCA' : 'UZ-SCC'));
const cell = (row: string, column: string, seizures: CellSeizure[]): TableCell => ({ row, column, seizures });

describe('primaryReason', () => {
  it('hides a cell of 1 seizure', () => {
    expect(primaryReason([seizure('TJ-DCA')])).toBe('fewer-than-3-seizures');
  });

  it('hides 2 seizures from one agency, and 3 seizures from one agency', () => {
    expect(primaryReason([seizure('TJ-DCA'), seizure('TJ-DCA')])).toBe('fewer-than-3-seizures');
    expect(primaryReason([seizure('TJ-DCA'), seizure('TJ-DCA'), seizure('TJ-DCA')])).toBe('one-agency');
  });

  it('hides a total of which two seizures make 85%: 50 + 35 of 50 + 35 + 10 + 5 = 100 kg', () => {
    const cell = [seizure('TJ-DCA', 50), seizure('UZ-SCC', 35), seizure('TJ-DCA', 10), seizure('UZ-SCC', 5)];
    expect(primaryReason(cell)).toBe('dominance');
  });

  it('shows it when the two largest make 84%: 50 + 34 of 50 + 34 + 10 + 6 = 100 kg', () => {
    const cell = [seizure('TJ-DCA', 50), seizure('UZ-SCC', 34), seizure('TJ-DCA', 10), seizure('UZ-SCC', 6)];
    expect(primaryReason(cell)).toBeNull();
  });

  it('tests every total of the cell on its own: a dominated opium total hides the cell', () => {
    const cell = [...safe(4)];
    cell.push({ seizureId: 'op', originator: 'KG-DCS', quantities: [{ key: 'narcotic/opium/kg', quantity: 1 }] });
    expect(primaryReason(cell)).toBe('dominance');
  });
});

describe('protectTable', () => {
  it('hides a complement when a row total would reveal a suppressed cell', () => {
    // One row: A/W1 holds 1 seizure (2 kg), A/W2 holds 6 (60 kg). Shown alone, the row total
    // (62 kg) minus A/W2 (60 kg) would give A/W1 away, so A/W2 is hidden too; the column total of
    // W2 repeats A/W2 and is hidden with it.
    const table = protectTable([cell('A', 'W1', [seizure('TJ-DCA', 2)]), cell('A', 'W2', safe(6))], null);
    expect(table.cells.map((c) => [c.row, c.column, c.visibility])).toEqual([
      ['A', 'W1', 'primary'],
      ['A', 'W2', 'secondary'],
    ]);
    expect(table.rowTotals.map((c) => c.suppressed)).toEqual([false]);
    expect(table.columnTotals.map((c) => [c.column, c.visibility])).toEqual([
      ['W1', 'primary'],
      ['W2', 'secondary'],
    ]);
    expect(table.exposed).toBe(false);
  });

  it('covers the hidden cell in its row and its column, choosing the smallest complements', () => {
    //        W1          W2
    // A   1 (primary)   3
    // B   3             3
    // C   4             4
    // Row A needs a second hidden cell: A/W2. Column W1 then has only A/W1 hidden: B/W1 (3) is
    // smaller than C/W1 (4). Row B then has only B/W1: B/W2. Every line now hides 0 or 2.
    const table = protectTable(
      [
        cell('A', 'W1', [seizure('TJ-DCA')]),
        cell('A', 'W2', safe(3)),
        cell('B', 'W1', safe(3)),
        cell('B', 'W2', safe(3)),
        cell('C', 'W1', safe(4)),
        cell('C', 'W2', safe(4)),
      ],
      null,
    );
    expect(table.cells.map((c) => `${c.row}/${c.column}:${c.visibility}`)).toEqual([
      'A/W1:primary',
      'A/W2:secondary',
      'B/W1:secondary',
      'B/W2:secondary',
      'C/W1:visible',
      'C/W2:visible',
    ]);
    expect([...table.rowTotals, ...table.columnTotals, table.grandTotal].every((c) => !c.suppressed)).toBe(true);
    expect(table.exposed).toBe(false);
  });

  it('shows an originator its own cell, and then needs no complement for it', () => {
    const table = protectTable([cell('A', 'W1', [seizure('KZ-BS', 2)]), cell('A', 'W2', safe(6))], 'KZ-BS');
    expect(table.cells.map((c) => c.visibility)).toEqual(['own', 'visible']);
    expect(table.cells.every((c) => !c.suppressed)).toBe(true);
  });

  it('never uses the viewer’s own cell as a complement, and hides the total instead', () => {
    // For KZ-BS, owner of A/W2: A/W1 (one TJ-DCA seizure) can only be covered in row A by the row total.
    const mine = [seizure('KZ-BS'), seizure('TJ-DCA'), seizure('UZ-SCC')];
    const table = protectTable(
      [
        cell('A', 'W1', [seizure('TJ-DCA', 2)]),
        cell('A', 'W2', mine),
        cell('B', 'W1', safe(3)),
        cell('B', 'W2', safe(3)),
      ],
      'KZ-BS',
    );
    const cells = Object.fromEntries(table.cells.map((c) => [`${c.row}/${c.column}`, c.visibility]));
    expect(cells['A/W1']).toBe('primary');
    expect(cells['A/W2']).toBe('visible');
    expect(table.rowTotals.find((c) => c.row === 'A')!.suppressed).toBe(true);
    expect(table.exposed).toBe(false);
  });
});
