// Where an interrupted export stopped, so that writing can resume after its last event.
import { GENESIS_HASH } from '@caravan/domain';
import { parseExportLine } from './export-format.js';
import { ndjsonLines } from './ndjson-lines.js';

/** The state of an export file as written so far. */
export interface ExportScan {
  /** Where the file began: its chainStart's afterPosition, 0 for an export from position 1. */
  readonly startedAfter: number;
  /** The last event position the file holds (its chainStart's afterPosition when it holds none). */
  readonly lastPosition: number;
  /** The hash recorded for lastPosition: what the rest must chain from (the genesis hash for 0). */
  readonly lastHash: string;
  /** Whether the checkpoint section has begun: the events part is then closed, no resume possible. */
  readonly closed: boolean;
  /** Byte length of the whole lines; a torn last line (cut mid-write) lies beyond it and must be cut. */
  readonly wholeBytes: number;
}

/** Reads an export written so far (shapes only, no verification) and says where to resume. */
export async function scanExport(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): Promise<ExportScan> {
  // The state before and after the latest line: a last line without its `\n` does not count.
  let before = { startedAfter: 0, lastPosition: 0, lastHash: GENESIS_HASH, closed: false };
  let after = before;
  let wholeBytes = 0;
  let total = 0;
  const track = (ended: number, length: number) => {
    wholeBytes = ended;
    total = length;
  };
  for await (const line of ndjsonLines(withEnds(input, track))) {
    before = after;
    const parsed = parseExportLine(line);
    if (parsed.kind === 'start') {
      const { afterPosition, prevHash } = parsed.start;
      after = { ...after, startedAfter: afterPosition, lastPosition: afterPosition, lastHash: prevHash };
    } else if (parsed.kind === 'event') {
      after = { ...after, lastPosition: parsed.event.position, lastHash: parsed.event.hash };
    } else if (parsed.kind === 'checkpoint' || parsed.kind === 'key') after = { ...after, closed: true };
  }
  return { ...(wholeBytes === total ? after : before), wholeBytes };
}

// Tracks the offset just after the last `\n` seen, i.e. the end of the last whole line.
async function* withEnds(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  onEnd: (wholeEnd: number, length: number) => void,
): AsyncGenerator<Uint8Array> {
  let offset = 0;
  let wholeEnd = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const lastNewline = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf(10);
    if (lastNewline !== -1) wholeEnd = offset + lastNewline + 1;
    offset += bytes.byteLength;
    onEnd(wholeEnd, offset);
    yield bytes;
  }
}
