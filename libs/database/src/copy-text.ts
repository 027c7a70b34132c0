// PostgreSQL's COPY text format, for the stores that bulk-load rows (the risk views' rebuild, the
// distributor's deliveries): backslash, tab, newline and carriage return are escaped; \N is NULL.

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One column in COPY's text format. */
export function copyField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text;
}

/**
 * JSON text as one COPY column. JSON escapes every control character, so its text holds no tab,
 * newline or carriage return, and a backslash only as the start of an escape.
 */
export function copyJsonField(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** A `text[]` value as one COPY column: every element quoted, so none needs to be told from NULL or a delimiter. */
export function copyTextArrayField(values: readonly string[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (i > 0) literal += ',';
    literal += `"${/["\\]/.test(value) ? value.replace(/["\\]/g, (c) => `\\${c}`) : value}"`;
  }
  return copyField(`${literal}}`);
}
