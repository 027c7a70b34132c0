import { CaravanError } from '@caravan/contracts';
import { parseViewQuery, VIEW_PAGE } from './view-query.js';

function fieldsOf(raw: Record<string, unknown>): string[] {
  try {
    parseViewQuery(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(CaravanError);
    expect((error as CaravanError).code).toBe('invalid');
    return ((error as CaravanError).fields ?? []).map((f) => f.path);
  }
  throw new Error('expected the query to be refused');
}

describe('parseViewQuery', () => {
  it('gives the first page of 100 rows without filters', () => {
    expect(parseViewQuery({})).toEqual({ limit: VIEW_PAGE.defaultLimit, offset: 0 });
  });

  it('keeps every well-formed filter and page bound', () => {
    expect(
      parseViewQuery({
        country: 'TJ',
        crossingPoint: 'TJ-NIZHNY-PANJ',
        substance: 'acetic-anhydride',
        from: '2025-W01',
        to: '2025-W10',
        limit: '20',
        offset: '40',
      }),
    ).toEqual({
      country: 'TJ',
      crossingPoint: 'TJ-NIZHNY-PANJ',
      substance: 'acetic-anhydride',
      from: '2025-W01',
      to: '2025-W10',
      limit: 20,
      offset: 40,
    });
  });

  it('refuses unknown parameters, malformed values and a range that ends before it starts, field by field', () => {
    expect(fieldsOf({ agency: 'TJ-DCA' })).toEqual(['agency']);
    expect(fieldsOf({ country: 'XX' })).toEqual(['country']);
    expect(fieldsOf({ crossingPoint: 'nizhny' })).toEqual(['crossingPoint']);
    expect(fieldsOf({ substance: 'Heroin' })).toEqual(['substance']);
    expect(fieldsOf({ from: '2025-W54' })).toEqual(['from']);
    expect(fieldsOf({ to: '2025-13' })).toEqual(['to']);
    expect(fieldsOf({ from: '2025-W10', to: '2025-W09' })).toEqual(['from']);
    expect(fieldsOf({ limit: '0', offset: '-1' })).toEqual(['limit', 'offset']);
    expect(fieldsOf({ limit: String(VIEW_PAGE.maxLimit + 1) })).toEqual(['limit']);
    expect(fieldsOf({ country: ['TJ', 'KZ'] })).toEqual(['country']);
  });
});
