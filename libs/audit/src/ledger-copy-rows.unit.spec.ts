import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { RecordedEvent } from '@caravan/contracts';
import { GENESIS_HASH, hashEvent } from '@caravan/domain';
import { CopyRowLinker, storedHashEquals } from './copy-row-link.js';
import {
  encodeCopy,
  encodeTuple,
  jsonbText,
  pgMicros,
  storablePayload,
  type RowToEncode,
} from './ledger-copy-encoding.spec.js';
import {
  LedgerCopyDecoder,
  LedgerCopyError,
  decodeRow,
  type LedgerCopyRow,
  type LedgerCopyRowView,
} from './ledger-copy-rows.js';

const row = (position: number, overrides: Partial<RowToEncode> = {}): RowToEncode => ({
  position,
  eventId: randomUUID(),
  type: 'seizure.retracted',
  schemaVersion: 1,
  streamId: `seizure-${position}`,
  streamVersion: 2,
  originator: 'TJ-DCA',
  recordedAtMicros: pgMicros('2026-03-01T10:00:00.123Z') + 456,
  payloadText: `{"reason": "r${position}", "seizureId": "Душанбе"}`,
  hash: createHash('sha256').update(String(position)).digest('hex'),
  ...overrides,
});

function decodeAll(chunks: Buffer[]): LedgerCopyRow[] {
  const decoder = new LedgerCopyDecoder();
  const rows: LedgerCopyRow[] = [];
  for (const chunk of chunks) decoder.push(chunk, (view) => rows.push(decodeRow(view)) > 0);
  decoder.end();
  return rows;
}

describe('ledger rows from a binary COPY', () => {
  const rows = [row(1), row(2, { payloadText: '{}', type: 'policy.set' }), row(3, { originator: 'Ёж' })];
  const stream = encodeCopy(rows);
  const expected = rows.map((r) => ({
    position: r.position,
    eventId: r.eventId,
    type: r.type,
    schemaVersion: r.schemaVersion,
    streamId: r.streamId,
    streamVersion: r.streamVersion,
    originator: r.originator,
    recordedAt: '2026-03-01T10:00:00.123Z',
    payloadText: r.payloadText,
    hash: r.hash,
  }));

  it('decodes every row whole, however the stream is cut into chunks', () => {
    expect(decodeAll([stream])).toEqual(expected);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(decodeAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
    }
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(decodeAll(bytes)).toEqual(expected);
  });

  it('stops handing out rows when the visitor says so', () => {
    const seen: number[] = [];
    const decoder = new LedgerCopyDecoder();
    expect(decoder.push(stream, (view) => seen.push(decodeRow(view).position) < 2)).toBe(false);
    expect(seen).toEqual([1, 2]);
  });

  it('refuses what is not the ledger columns, and a stream cut short', () => {
    const bad = (tuple: Buffer) => () => decodeAll([encodeCopy([row(1), tuple])]);
    const r = row(2);
    const fields = (change: (f: Array<Buffer | null>) => void) => {
      const f: Array<Buffer | null> = [
        Buffer.alloc(8),
        Buffer.alloc(16),
        Buffer.from('t'),
        Buffer.alloc(4),
        Buffer.from('s'),
        Buffer.alloc(4),
        Buffer.from('o'),
        Buffer.alloc(8),
        Buffer.from([1, 0x7b, 0x7d]),
        Buffer.from('h'),
      ];
      change(f);
      return encodeTuple(r, f);
    };
    expect(bad(fields((f) => f.pop()))).toThrow(/9 columns, not the ledger's 10/);
    expect(bad(fields((f) => (f[6] = null)))).toThrow(/NULL for originator/);
    expect(bad(fields((f) => (f[1] = Buffer.alloc(36))))).toThrow(/36 bytes for event_id uuid, not 16/);
    expect(bad(fields((f) => (f[8] = Buffer.from('{}'))))).toThrow(/jsonb payload in a format other than version 1/);
    expect(() => decodeAll([stream.subarray(0, stream.length - 2)])).toThrow(LedgerCopyError);
    expect(() => decodeAll([stream.subarray(0, stream.length - 5)])).toThrow(/in the middle of a row/);
    expect(() => decodeAll([stream, encodeTuple(r)])).toThrow(/after the end/);
    expect(() => decodeAll([Buffer.from('not a copy stream at all')])).toThrow(/not a PostgreSQL binary COPY/);
  });

  it('writes recordedAt as the writer did: milliseconds truncated, UTC', () => {
    const at = (iso: string, extra: number) =>
      decodeAll([encodeCopy([row(1, { recordedAtMicros: pgMicros(iso) + extra })])])[0]!;
    expect(at('2026-03-01T23:59:59.999Z', 999).recordedAt).toBe('2026-03-01T23:59:59.999Z');
    expect(at('1999-12-31T23:59:59.000Z', 1).recordedAt).toBe('1999-12-31T23:59:59.000Z');
  });
});

// Hands the one row of a COPY of `encoded` to `check`, and fails unless it was handed exactly once.
function withRow(encoded: RowToEncode, check: (view: LedgerCopyRowView) => void): void {
  let seen = 0;
  const decoder = new LedgerCopyDecoder();
  decoder.push(encodeCopy([encoded]), (view) => {
    seen += 1;
    check(view);
    return true;
  });
  decoder.end();
  expect(seen).toBe(1);
}

function eventOf(encoded: RowToEncode, recordedAt: string): RecordedEvent {
  return { ...encoded, recordedAt, payload: JSON.parse(encoded.payloadText) as unknown } as unknown as RecordedEvent;
}

describe('the chain hash of a row from its COPY bytes', () => {
  const envelopeText = fc
    .oneof(fc.string(), fc.string({ unit: 'binary' }))
    .filter((s) => !/[\0\ud800-\udfff]/u.test(s));

  it('equals hashEvent of the same event, for any payload jsonb can hold and any envelope text', () => {
    const linker = new CopyRowLinker();
    fc.assert(
      fc.property(
        storablePayload,
        envelopeText,
        envelopeText,
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 8_000_000_000_000 }),
        (payload, originator, streamId, position, streamVersion, msSince2000) => {
          const encoded = row(position, {
            originator,
            streamId,
            streamVersion,
            payloadText: jsonbText(payload),
            recordedAtMicros: msSince2000 * 1000 + 7,
          });
          const expected = hashEvent(
            GENESIS_HASH,
            eventOf(encoded, new Date(Date.UTC(2000, 0, 1) + msSince2000).toISOString()),
          );
          withRow({ ...encoded, hash: expected }, (view) => {
            const computed = linker.link(GENESIS_HASH, view);
            expect(computed).toBe(expected);
            expect(storedHashEquals(view, computed)).toBe(true);
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('links from the given previous hash, and tells a stored hash that differs in any way', () => {
    const encoded = row(9);
    const prev = 'ab'.repeat(32);
    const expected = hashEvent(prev, eventOf(encoded, '2026-03-01T10:00:00.123Z'));
    const lastDigitChanged = expected.slice(0, 63) + (expected.endsWith('0') ? '1' : '0');
    for (const [stored, equal] of [
      [expected, true],
      [expected.toUpperCase(), false],
      [lastDigitChanged, false],
      [`${expected} `, false],
      [expected.slice(1), false],
    ] as const) {
      withRow({ ...encoded, hash: stored }, (view) => {
        const computed = new CopyRowLinker().link(prev, view);
        expect(computed).toBe(expected);
        expect(storedHashEquals(view, computed)).toBe(equal);
      });
    }
  });

  it('parses a payload the byte canonicaliser does not expect, and refuses one with no JCS form', () => {
    const linker = new CopyRowLinker();
    // Valid JSON that jsonb never writes: a repeated key, of which JSON.parse keeps the last.
    const odd = row(4, { payloadText: '{"b":[15e-1,"x"],"a":1,"a":null}' });
    const expected = hashEvent(GENESIS_HASH, eventOf(odd, '2026-03-01T10:00:00.123Z'));
    withRow(odd, (view) => expect(linker.link(GENESIS_HASH, view)).toBe(expected));
    withRow(row(5, { payloadText: `{"q": 1${'0'.repeat(400)}}` }), (view) => {
      expect(() => linker.link(GENESIS_HASH, view)).toThrow(TypeError);
    });
  });
});
