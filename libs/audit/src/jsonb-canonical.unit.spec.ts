import fc from 'fast-check';
import { canonicalJson } from '@caravan/domain';
import { ByteSink, JsonbCanonicaliser, UnexpectedJsonbText } from './jsonb-canonical.js';
import { jsonbText, storableJson } from './ledger-copy-encoding.spec.js';

function canonical(text: string, prefix = ''): string {
  const source = Buffer.from(prefix + text + ' trailing bytes that are not the value');
  const sink = new ByteSink(8);
  sink.ascii('>');
  new JsonbCanonicaliser().write(source, Buffer.byteLength(prefix), Buffer.byteLength(prefix + text), sink);
  return sink.bytes.toString('utf8', 1, sink.length);
}

describe('JCS straight from jsonb text', () => {
  it('equals canonicalJson of the parsed text, for any JSON value rendered as jsonb renders it', () => {
    const canonicaliser = new JsonbCanonicaliser();
    fc.assert(
      fc.property(storableJson, (value) => {
        const text = jsonbText(value);
        const sink = new ByteSink(16);
        canonicaliser.write(Buffer.from(text), 0, Buffer.byteLength(text), sink);
        expect(sink.bytes.toString('utf8', 0, sink.length)).toBe(canonicalJson(JSON.parse(text)));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads the value within a larger buffer and appends after what the sink holds', () => {
    fc.assert(
      fc.property(storableJson, fc.string(), (value, prefix) => {
        const text = jsonbText(value);
        expect(canonical(text, prefix)).toBe(canonicalJson(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('orders keys by UTF-16 code units, escaped and non-ASCII keys included', () => {
    const value = { b: 1, a: { z: [], y: {} }, aa: 2, 'a"': 3, é: 4, '\u{1F600}': 5, '\uFF61': 6, A: 7, '': 8 };
    expect(canonical(jsonbText(value))).toBe(canonicalJson(value));
    expect(canonical('{"b": 1, "a": 2}')).toBe('{"a":2,"b":1}');
    // UTF-8 byte order puts U+FF61 before U+1F600; UTF-16 code units put it after.
    expect(canonical('{"é": 4, "\uFF61": 6, "\u{1F600}": 5}')).toBe('{"é":4,"\u{1F600}":5,"\uFF61":6}');
  });

  it('gives numbers their ES form, as JSON.parse would read them', () => {
    expect(canonical('[1.50, 100, 0, -0, 0.0000001, 1000000000000000000000, 12345678901234567890, -7, 2.5e3]')).toBe(
      '[1.5,100,0,0,1e-7,1e+21,12345678901234567000,-7,2500]',
    );
    expect(() => canonical(`[1${'0'.repeat(400)}]`)).toThrow(TypeError);
  });

  it('refuses what jsonb would not write, so that the caller parses it instead', () => {
    for (const text of [
      '',
      '{',
      '[1,]',
      '{"a" 1}',
      '{"a": 1,}',
      'nul',
      'tru',
      '"open',
      '1 2',
      '{1: 2}',
      '-',
      '"\u0001"',
    ]) {
      expect(() => canonical(text)).toThrow(UnexpectedJsonbText);
    }
  });
});
