// Test-only: writes ledger rows as PostgreSQL's binary COPY would send them (signature, flags,
// header extension, one tuple per row, the -1 trailer), so that the decoder and the row hasher can
// be checked without a database, and renders JSON as jsonb's text form. The integration tests
// check the same code against a real COPY.
import fc from 'fast-check';

/** A row to encode: payloadText is jsonb's text form; recordedAt is microseconds since 2000-01-01. */
export interface RowToEncode {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly originator: string;
  readonly recordedAtMicros: number;
  readonly payloadText: string;
  readonly hash: string;
}

function int64(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64BE(BigInt(value));
  return out;
}

function int32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(value);
  return out;
}

function field(bytes: Buffer | null): Buffer {
  return bytes === null ? int32(-1) : Buffer.concat([int32(bytes.length), bytes]);
}

/** One tuple; `fields` overrides the encoded columns (for malformed rows). */
export function encodeTuple(row: RowToEncode, fields?: Array<Buffer | null>): Buffer {
  const columns = fields ?? [
    int64(row.position),
    Buffer.from(row.eventId.replaceAll('-', ''), 'hex'),
    Buffer.from(row.type),
    int32(row.schemaVersion),
    Buffer.from(row.streamId),
    int32(row.streamVersion),
    Buffer.from(row.originator),
    int64(row.recordedAtMicros),
    Buffer.concat([Buffer.from([1]), Buffer.from(row.payloadText)]),
    Buffer.from(row.hash),
  ];
  const count = Buffer.alloc(2);
  count.writeInt16BE(columns.length);
  return Buffer.concat([count, ...columns.map(field)]);
}

/** A whole COPY stream of these rows (or tuples already encoded). */
export function encodeCopy(rows: ReadonlyArray<RowToEncode | Buffer>): Buffer {
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(2), Buffer.from('xx')]);
  const trailer = Buffer.from([0xff, 0xff]);
  return Buffer.concat([header, ...rows.map((row) => (Buffer.isBuffer(row) ? row : encodeTuple(row))), trailer]);
}

/** Microseconds since PostgreSQL's epoch of an RFC 3339 time. */
export function pgMicros(iso: string): number {
  return (Date.parse(iso) - Date.UTC(2000, 0, 1)) * 1000;
}

/** Renders a JSON value as PostgreSQL's jsonb_out does: keys by length and then bytes, ", " and ": "
// between members, numbers as plain decimals (no exponent), strings escaped as JSON.stringify does. */
export function jsonbText(value: unknown): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return plainDecimal(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort((a, b) => {
    const [x, y] = [Buffer.from(a), Buffer.from(b)];
    return x.length - y.length || Buffer.compare(x, y);
  });
  return `{${keys.map((key) => `${JSON.stringify(key)}: ${jsonbText(record[key])}`).join(', ')}}`;
}

// The exact decimal of a double's shortest form, without exponent, as numeric renders it.
function plainDecimal(value: number): string {
  const text = JSON.stringify(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = '', exponentText] = match;
  const digits = lead! + fraction;
  const point = 1 + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Whether jsonb can hold the value: no NUL and no lone surrogate in its strings and keys. */
export function jsonbStorable(value: unknown): boolean {
  const text = JSON.stringify(value);
  return !text.includes('\\u0000') && !/\\ud[89a-f]/.test(text);
}

/** JSON values jsonb can hold, with ASCII and with any code point in their strings and keys. */
export const storableJson = fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' })).filter(jsonbStorable);

/** Payload objects jsonb can hold. */
export const storablePayload = fc.dictionary(fc.string({ unit: 'binary' }), storableJson).filter(jsonbStorable);
