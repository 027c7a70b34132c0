import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readdirSync } from 'node:fs';
import { HashLog } from './hash-log.js';
import { ndjsonLines } from './ndjson-lines.js';

const hashOf = (i: number) => createHash('sha256').update(String(i)).digest('hex');

function spillDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('caravan-verify-'));
}

describe('HashLog', () => {
  it('returns every hash by position across memory, the unflushed page and the spilled file', () => {
    const before = new Set(spillDirs());
    const log = new HashLog(101, { memoryHashes: 3 });
    const count = 3 + 2048 + 5; // memory, one whole flushed page, a partial page
    for (let i = 0; i < count; i++) log.push(hashOf(i));
    const created = spillDirs().filter((name) => !before.has(name));
    expect(created).toHaveLength(1);
    for (const i of [0, 2, 3, 1000, 2050, 2051, count - 1]) expect(log.at(101 + i)).toBe(hashOf(i));
    expect(log.at(100)).toBeUndefined();
    expect(log.at(101 + count)).toBeUndefined();
    log.dispose();
    expect(existsSync(`${tmpdir()}/${created[0]}`)).toBe(false);
  });

  it('needs no file while the hashes fit in memory', () => {
    const before = new Set(spillDirs());
    const log = new HashLog(1, { memoryHashes: 10 });
    for (let i = 0; i < 10; i++) log.push(hashOf(i));
    expect(spillDirs().filter((name) => !before.has(name))).toEqual([]);
    expect(log.at(10)).toBe(hashOf(9));
    log.dispose();
  });
});

describe('ndjsonLines', () => {
  async function* chunks(...parts: (string | Uint8Array)[]) {
    yield* parts;
  }
  async function lines(...parts: (string | Uint8Array)[]) {
    const out: string[] = [];
    for await (const line of ndjsonLines(chunks(...parts))) out.push(line);
    return out;
  }

  it('joins lines split across chunks, even inside a multi-byte character, and accepts CRLF', async () => {
    const text = Buffer.from('{"a":"Душанбе"}\r\n{"b":2}\n{"c":3}', 'utf8');
    const cut = text.indexOf(Buffer.from('ш')) + 1; // between the two bytes of 'ш'
    expect(await lines(text.subarray(0, cut), text.subarray(cut))).toEqual(['{"a":"Душанбе"}', '{"b":2}', '{"c":3}']);
  });

  it('gives the same lines however the stream is cut into chunks, CRLF split included', async () => {
    const text = Buffer.from('{"a":"Душанбе"}\r\n\n{"b":2}\r\n{"c":"\u{1F600}"}\nlast', 'utf8');
    const expected = ['{"a":"Душанбе"}', '', '{"b":2}', '{"c":"\u{1F600}"}', 'last'];
    for (let first = 0; first <= text.length; first++) {
      for (const second of [first, Math.min(first + 1, text.length), Math.min(first + 7, text.length)]) {
        const parts = [text.subarray(0, first), text.subarray(first, second), text.subarray(second)];
        expect(await lines(...parts.filter((part) => part.length > 0))).toEqual(expected);
      }
    }
  });

  it('keeps empty lines for the caller to skip', async () => {
    expect(await lines('a\n\nb\n')).toEqual(['a', '', 'b']);
  });
});
