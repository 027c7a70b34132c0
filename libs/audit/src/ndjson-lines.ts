// Splits a byte or text stream into lines without a readline interface: one Buffer scan per
// chunk, a line decoded only once it is whole. `\r\n` is accepted; a last line without `\n` counts.
// Verifiers take the lines a chunk at a time: one await per chunk rather than per line.

/** The lines of an NDJSON stream (without their line ends), a chunk's worth at a time, in order. */
export async function* ndjsonLineBatches(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<string[]> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let buffer = bytes;
    const lines: string[] = [];
    if (rest.length > 0) {
      // Only the line cut by the chunk boundary is joined up, not the whole chunk with it.
      const newline = bytes.indexOf(10);
      if (newline === -1) {
        rest = Buffer.concat([rest, bytes]);
        continue;
      }
      const joined = Buffer.concat([rest, bytes.subarray(0, newline)]);
      lines.push(lineOf(joined, 0, joined.length));
      buffer = bytes.subarray(newline + 1);
    }
    let start = 0;
    for (let end = buffer.indexOf(10, start); end !== -1; end = buffer.indexOf(10, start)) {
      lines.push(lineOf(buffer, start, end));
      start = end + 1;
    }
    // Copied so that the caller's chunk can be reused or freed.
    rest = start < buffer.length ? Buffer.from(buffer.subarray(start)) : Buffer.alloc(0);
    if (lines.length > 0) yield lines;
  }
  if (rest.length > 0) yield [lineOf(rest, 0, rest.length)];
}

/** Lines of an NDJSON stream (without their line ends), in order. */
export async function* ndjsonLines(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<string> {
  for await (const lines of ndjsonLineBatches(source)) yield* lines;
}

// Decoding a whole chunk at once and slicing it was tried: JSON.parse of the slices was slower.
function lineOf(buffer: Buffer, start: number, end: number): string {
  const last = end > start && buffer[end - 1] === 13 ? end - 1 : end;
  return buffer.toString('utf8', start, last);
}
