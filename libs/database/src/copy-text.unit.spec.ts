import { copyField, copyJsonField, copyTextArrayField } from './copy-text.js';

describe('one column of COPY’s text format', () => {
  it('writes NULL as \\N, whether null or undefined', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
  });

  it('escapes backslash, tab, newline and carriage return, so JSON escapes reach jsonb unchanged', () => {
    // JSON.stringify('a"b\\c') is "a\"b\\c": each backslash must be doubled for COPY to read it back.
    expect(copyField(JSON.stringify({ note: 'a"b\\c' }))).toBe('{"note":"a\\\\"b\\\\\\\\c"}');
    expect(copyField('x\ty\nz\rw')).toBe('x\\ty\\nz\\rw');
  });

  it('passes plain text and numbers through, and escapes a literal "\\N" text so it is not read as NULL', () => {
    expect(copyField('TJ-NIZHNY-PANJ')).toBe('TJ-NIZHNY-PANJ');
    expect(copyField(45008)).toBe('45008');
    expect(copyField('\\N')).toBe('\\\\N');
  });

  it('doubles the backslashes of JSON text and leaves the rest as it is', () => {
    expect(copyJsonField('{"a":"x\\"y","b":"\\u0001"}')).toBe('{"a":"x\\\\"y","b":"\\\\u0001"}');
    expect(copyJsonField('{"a":1}')).toBe('{"a":1}');
  });

  it('writes a text[] with every element quoted, quotes and backslashes escaped for the array, then for COPY', () => {
    expect(copyTextArrayField([])).toBe('{}');
    expect(copyTextArrayField(['items[].substance', 'location.country'])).toBe(
      '{"items[].substance","location.country"}',
    );
    // Array literal: a"b → "a\"b", c\d → "c\\d"; then every backslash doubled for COPY.
    expect(copyTextArrayField(['a"b', 'c\\d', 'NULL', 'x,y'])).toBe('{"a\\\\"b","c\\\\\\\\d","NULL","x,y"}');
  });
});
