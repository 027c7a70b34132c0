// The chain hash of a ledger row straight from its COPY bytes: the message (prevHash bytes, then the
// JCS of the nine chained fields) is written byte by byte into one reused buffer and hashed in one
// call, so a row costs no JavaScript string but a few short ones. Same text as canonicalEnvelope of
// @caravan/domain (a test holds them equal); a payload the byte canonicaliser does not expect is parsed
// and serialised the ordinary way.
import * as nodeCrypto from 'node:crypto';
import { canonicalJson } from '@caravan/domain';
import { ByteSink, JsonbCanonicaliser, UnexpectedJsonbText } from './jsonb-canonical.js';
import { LedgerCopyColumn, int32At, int64At, isoTimeOf, textAt, type LedgerCopyRowView } from './ledger-copy-rows.js';

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

// The JCS text between the fields, keys in JCS order (the same as canonicalEnvelope writes).
const EVENT_ID = Buffer.from('{"eventId":"', 'latin1');
const ORIGINATOR = Buffer.from('","originator":', 'latin1');
const PAYLOAD = Buffer.from(',"payload":', 'latin1');
const POSITION = Buffer.from(',"position":', 'latin1');
const RECORDED_AT = Buffer.from(',"recordedAt":"', 'latin1');
const SCHEMA_VERSION = Buffer.from('","schemaVersion":', 'latin1');
const STREAM_ID = Buffer.from(',"streamId":', 'latin1');
const STREAM_VERSION = Buffer.from(',"streamVersion":', 'latin1');
const TYPE = Buffer.from(',"type":', 'latin1');

const oneShot = typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : undefined;

/** Computes rows' chain hashes from their COPY bytes; one per thread (it reuses its buffers). */
export class CopyRowLinker {
  private readonly sink = new ByteSink();
  private readonly jsonb = new JsonbCanonicaliser();
  // The second of the last time written, and its text up to the milliseconds ("…T10:00:00.").
  private cachedSecond = Number.NaN;
  private cachedPrefix: Buffer = Buffer.alloc(0);

  /**
   * SHA-256(prevHash || JCS of the row's nine chained fields), as lower-case hex (the form the
   * digest is cheapest to get in). Both hashes are 64 hex digits. Throws a TypeError for
   * a payload that has no JCS form (a number beyond a double).
   */
  link(prevHashHex: string, row: LedgerCopyRowView): string {
    const sink = this.sink;
    sink.length = 0;
    if (sink.bytes.write(prevHashHex, 0, 32, 'hex') !== 32 || prevHashHex.length !== 64) {
      throw new TypeError('a previous hash is 64 hex digits');
    }
    sink.length = 32;
    sink.append(EVENT_ID, 0, EVENT_ID.length);
    this.uuid(row);
    sink.append(ORIGINATOR, 0, ORIGINATOR.length);
    this.text(row, LedgerCopyColumn.originator);
    sink.append(PAYLOAD, 0, PAYLOAD.length);
    this.payload(row);
    sink.append(POSITION, 0, POSITION.length);
    this.integer(int64At(row, LedgerCopyColumn.position));
    sink.append(RECORDED_AT, 0, RECORDED_AT.length);
    this.time(int64At(row, LedgerCopyColumn.recordedAt));
    sink.append(SCHEMA_VERSION, 0, SCHEMA_VERSION.length);
    this.integer(int32At(row, LedgerCopyColumn.schemaVersion));
    sink.append(STREAM_ID, 0, STREAM_ID.length);
    this.text(row, LedgerCopyColumn.streamId);
    sink.append(STREAM_VERSION, 0, STREAM_VERSION.length);
    this.integer(int32At(row, LedgerCopyColumn.streamVersion));
    sink.append(TYPE, 0, TYPE.length);
    this.text(row, LedgerCopyColumn.type);
    sink.byte(0x7d);
    const message = new Uint8Array(sink.bytes.buffer, sink.bytes.byteOffset, sink.length);
    return oneShot ? oneShot('sha256', message, 'hex') : nodeCrypto.createHash('sha256').update(message).digest('hex');
  }

  // Non-negative integers below 2^53 digit by digit; anything else through String.
  private integer(value: number): void {
    const sink = this.sink;
    if (value < 0 || value > Number.MAX_SAFE_INTEGER) {
      sink.ascii(String(value));
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
    sink.reserve(digits);
    const out = sink.bytes;
    let at = sink.length + digits;
    sink.length = at;
    let rest = value;
    do {
      out[--at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  private uuid(row: LedgerCopyRowView): void {
    const sink = this.sink;
    sink.reserve(36);
    const out = sink.bytes;
    let at = sink.length;
    const start = row.starts[LedgerCopyColumn.eventId]!;
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out[at++] = 0x2d;
      const byte = row.bytes[start + i]!;
      out[at++] = HEX_DIGITS[byte >> 4]!;
      out[at++] = HEX_DIGITS[byte & 15]!;
    }
    sink.length = at;
  }

  // A text column as a JSON string: its UTF-8 bytes between quotes when nothing needs escaping.
  private text(row: LedgerCopyRowView, column: number): void {
    const bytes = row.bytes;
    const start = row.starts[column]!;
    const end = row.ends[column]!;
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c < 0x20 || c === 0x22 || c === 0x5c) {
        this.sink.utf8(canonicalJson(textAt(row, column)));
        return;
      }
    }
    this.sink.byte(0x22);
    this.sink.append(bytes, start, end);
    this.sink.byte(0x22);
  }

  private payload(row: LedgerCopyRowView): void {
    const start = this.sink.length;
    try {
      this.jsonb.write(
        row.bytes,
        row.starts[LedgerCopyColumn.payload]! + 1,
        row.ends[LedgerCopyColumn.payload]!,
        this.sink,
      );
    } catch (error) {
      if (!(error instanceof UnexpectedJsonbText) && !(error instanceof RangeError)) throw error;
      this.sink.length = start;
      this.sink.utf8(canonicalJson(JSON.parse(textAt(row, LedgerCopyColumn.payload))));
    }
  }

  private time(microseconds: number): void {
    const second = Math.floor(microseconds / 1_000_000);
    if (second !== this.cachedSecond) {
      const text = isoTimeOf(microseconds);
      if (!text.endsWith('Z')) {
        this.sink.utf8(text);
        return;
      }
      this.cachedSecond = second;
      this.cachedPrefix = Buffer.from(text.slice(0, -4), 'latin1');
    }
    const milliseconds = Math.floor(microseconds / 1000) - second * 1000;
    this.sink.append(this.cachedPrefix, 0, this.cachedPrefix.length);
    this.sink.byte(0x30 + Math.floor(milliseconds / 100));
    this.sink.byte(0x30 + (Math.floor(milliseconds / 10) % 10));
    this.sink.byte(0x30 + (milliseconds % 10));
    this.sink.byte(0x5a);
  }
}

/** Whether the hash column holds exactly `hashHex`. */
export function storedHashEquals(row: LedgerCopyRowView, hashHex: string): boolean {
  const bytes = row.bytes;
  const start = row.starts[LedgerCopyColumn.hash]!;
  if (row.ends[LedgerCopyColumn.hash]! - start !== hashHex.length) return false;
  for (let i = 0; i < hashHex.length; i++) if (bytes[start + i] !== hashHex.charCodeAt(i)) return false;
  return true;
}
