// Decodes the ledger rows of a PostgreSQL binary COPY (`COPY (SELECT …) TO STDOUT (FORMAT binary)`),
// the cheapest form in which the ledger table leaves the database: no per-row protocol message for
// the driver to parse, no text rendering of numbers, uuids and times on the server. Rows are handed
// out as views on the received bytes (no string is made unless asked for), so that the verifier can
// hash straight from them. The column list is LEDGER_COPY_COLUMNS; the reader in
// @caravan/ledger-store selects exactly those, and every row is checked against their widths.

import type { ChainedEnvelope } from '@caravan/domain';

/** The columns, in order and with their types, that a ledger COPY carries (see LedgerCopySource). */
export const LEDGER_COPY_COLUMNS = [
  'position bigint',
  'event_id uuid',
  'type text',
  'schema_version integer',
  'stream_id text',
  'stream_version integer',
  'originator text',
  'recorded_at timestamptz',
  'payload jsonb',
  'hash char(64)',
] as const;

/** Column indexes into a row view's starts and ends. */
export const LedgerCopyColumn = {
  position: 0,
  eventId: 1,
  type: 2,
  schemaVersion: 3,
  streamId: 4,
  streamVersion: 5,
  originator: 6,
  recordedAt: 7,
  payload: 8,
  hash: 9,
} as const;

/** One row, valid only while the callback it is given to runs: column i is bytes[starts[i]..ends[i]). */
export interface LedgerCopyRowView {
  readonly bytes: Buffer;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** One ledger row as text: the eight envelope fields, the payload's JSON text, the stored hash. */
export interface LedgerCopyRow extends ChainedEnvelope {
  readonly payloadText: string;
  readonly hash: string;
}

/** A malformed or unexpected COPY stream: not the ledger's columns, or cut short. */
export class LedgerCopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerCopyError';
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const FIELDS = LEDGER_COPY_COLUMNS.length;
// Fixed widths of the binary forms; -1 where the width varies.
const WIDTHS = [8, 16, -1, 4, -1, 4, -1, 8, -1, -1];
// PostgreSQL timestamps count microseconds from 2000-01-01T00:00:00Z.
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Streaming decoder of one COPY statement's output; chunks may split rows anywhere. */
export class LedgerCopyDecoder {
  private rest: Buffer | undefined;
  private headerRead = false;
  private ended = false;
  private readonly view: { bytes: Buffer; starts: Int32Array; ends: Int32Array } = {
    bytes: Buffer.alloc(0),
    starts: new Int32Array(FIELDS),
    ends: new Int32Array(FIELDS),
  };

  /**
   * Hands each whole row this chunk completes to `visit`, in order. Stops, and returns false, as
   * soon as `visit` returns false.
   */
  push(chunk: Uint8Array, visit: (row: LedgerCopyRowView) => boolean): boolean {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const rest = this.rest;
    this.rest = undefined;
    if (rest) {
      // Only the row cut by the chunk boundary is joined up, not the whole chunk with it.
      const needed = this.headerRead ? pendingRowLength(rest, bytes) : undefined;
      if (needed === undefined || needed - rest.length > bytes.length) {
        bytes = Buffer.concat([rest, bytes]);
      } else {
        if (!this.rows(Buffer.concat([rest, bytes.subarray(0, needed - rest.length)]), 0, visit)) return false;
        bytes = bytes.subarray(needed - rest.length);
      }
    }
    let offset = 0;
    if (!this.headerRead) {
      const headerEnd = headerLength(bytes);
      if (headerEnd === undefined) {
        this.rest = Buffer.from(bytes);
        return true;
      }
      offset = headerEnd;
      this.headerRead = true;
    }
    return this.rows(bytes, offset, visit);
  }

  // Hands out the whole rows of bytes[offset..]; keeps a copy of what is left of a cut one.
  private rows(bytes: Buffer, offset: number, visit: (row: LedgerCopyRowView) => boolean): boolean {
    const view = this.view;
    view.bytes = bytes;
    while (offset + 2 <= bytes.length) {
      if (this.ended) throw new LedgerCopyError('data after the end of the COPY stream');
      const fields = bytes.readInt16BE(offset);
      if (fields === -1) {
        this.ended = true;
        offset += 2;
        continue;
      }
      if (fields !== FIELDS) throw new LedgerCopyError(`a COPY row has ${fields} columns, not the ledger's ${FIELDS}`);
      const end = locate(bytes, offset + 2, view.starts, view.ends);
      if (end === undefined) break;
      offset = end;
      if (!visit(view)) return false;
    }
    // Copied so that the caller's chunk can be reused.
    if (offset < bytes.length) this.rest = Buffer.from(bytes.subarray(offset));
    return true;
  }

  /** Checks that the stream ended with its trailer and nothing is left over. */
  end(): void {
    if (!this.ended || this.rest) throw new LedgerCopyError('the COPY stream ended in the middle of a row');
  }
}

// The length of the tuple (or trailer) that begins `rest` and goes on in `next`, once their bytes
// hold all its length prefixes; undefined before, or when it is not a ledger row at all.
function pendingRowLength(rest: Buffer, next: Buffer): number | undefined {
  const total = rest.length + next.length;
  const byte = (i: number) => (i < rest.length ? rest[i]! : next[i - rest.length]!);
  const int32 = (i: number) => ((byte(i) << 24) | (byte(i + 1) << 16) | (byte(i + 2) << 8) | byte(i + 3)) >> 0;
  if (total < 2) return undefined;
  const fields = (((byte(0) << 8) | byte(1)) << 16) >> 16;
  if (fields === -1) return 2;
  if (fields !== FIELDS) return undefined;
  let at = 2;
  for (let column = 0; column < FIELDS; column++) {
    if (at + 4 > total) return undefined;
    at += 4 + Math.max(int32(at), 0);
  }
  return at;
}

function headerLength(bytes: Buffer): number | undefined {
  if (bytes.length < SIGNATURE.length + 8) return undefined;
  if (!bytes.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw new LedgerCopyError('not a PostgreSQL binary COPY stream');
  }
  const extension = bytes.readInt32BE(SIGNATURE.length + 4);
  const end = SIGNATURE.length + 8 + extension;
  return bytes.length >= end ? end : undefined;
}

// Fills starts/ends for the row whose first length prefix is at `offset`; returns where the row
// ends, or undefined when it is not all here yet.
function locate(bytes: Buffer, offset: number, starts: Int32Array, ends: Int32Array): number | undefined {
  let at = offset;
  for (let column = 0; column < FIELDS; column++) {
    if (at + 4 > bytes.length) return undefined;
    const length = bytes.readInt32BE(at);
    if (length < 0) throw new LedgerCopyError(`a COPY row has NULL for ${LEDGER_COPY_COLUMNS[column]}`);
    const width = WIDTHS[column]!;
    if (width !== -1 && length !== width) {
      throw new LedgerCopyError(`a COPY row has ${length} bytes for ${LEDGER_COPY_COLUMNS[column]}, not ${width}`);
    }
    starts[column] = at + 4;
    at += 4 + length;
    ends[column] = at;
  }
  if (at > bytes.length) return undefined;
  // jsonb's binary form is a version byte (1), then the JSON text.
  if (
    ends[LedgerCopyColumn.payload]! === starts[LedgerCopyColumn.payload]! ||
    bytes[starts[LedgerCopyColumn.payload]!] !== 1
  ) {
    throw new LedgerCopyError('a COPY row has a jsonb payload in a format other than version 1');
  }
  return at;
}

/** A bigint or timestamptz column: exact below 2^53 (positions; microsecond times until 2255). */
export function int64At(row: LedgerCopyRowView, column: number): number {
  const at = row.starts[column]!;
  return row.bytes.readInt32BE(at) * 0x1_0000_0000 + row.bytes.readUInt32BE(at + 4);
}

/** An integer column. */
export function int32At(row: LedgerCopyRowView, column: number): number {
  return row.bytes.readInt32BE(row.starts[column]);
}

/** A text column (the payload's JSON text, without jsonb's version byte). */
export function textAt(row: LedgerCopyRowView, column: number): string {
  const start = row.starts[column]! + (column === LedgerCopyColumn.payload ? 1 : 0);
  return row.bytes.toString('utf8', start, row.ends[column]);
}

/** The event id column in its canonical text form. */
export function uuidAt(row: LedgerCopyRowView): string {
  const at = row.starts[LedgerCopyColumn.eventId]!;
  let text = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += HEX[row.bytes[at + i]!]!;
  }
  return text;
}

/**
 * The recorded_at column as the writer's toISOString() wrote it and, for years 1..9999, as
 * LedgerReader's to_char(… 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') reads it: milliseconds truncated.
 */
export function isoTimeOf(microseconds: number): string {
  const date = new Date(PG_EPOCH_MS + Math.floor(microseconds / 1000));
  // Outside JavaScript's range (PostgreSQL's infinity) is no time the writer can have recorded.
  return Number.isNaN(date.getTime()) ? `${microseconds}µs after 2000-01-01` : date.toISOString();
}

/** The whole row as text. */
export function decodeRow(row: LedgerCopyRowView): LedgerCopyRow {
  return {
    position: int64At(row, LedgerCopyColumn.position),
    eventId: uuidAt(row),
    type: textAt(row, LedgerCopyColumn.type),
    schemaVersion: int32At(row, LedgerCopyColumn.schemaVersion),
    streamId: textAt(row, LedgerCopyColumn.streamId),
    streamVersion: int32At(row, LedgerCopyColumn.streamVersion),
    originator: textAt(row, LedgerCopyColumn.originator),
    recordedAt: isoTimeOf(int64At(row, LedgerCopyColumn.recordedAt)),
    payloadText: textAt(row, LedgerCopyColumn.payload),
    hash: textAt(row, LedgerCopyColumn.hash),
  };
}
