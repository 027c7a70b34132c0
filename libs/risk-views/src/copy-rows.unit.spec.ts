import { copyField } from './copy-rows.js';

describe('copyField (one column of the rebuild’s COPY text format)', () => {
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
});
