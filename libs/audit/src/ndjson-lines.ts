// Splits a byte or text stream into lines without a readline interface: one Buffer scan per
// chunk, a line decoded only once it is whole. `\r\n` is accepted; a last line without `\n` counts.

/** Lines of an NDJSON stream (without their line ends), in order. */
export async function* ndjsonLines(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<string> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let buffer = rest.length > 0 ? Buffer.concat([rest, bytes]) : bytes;
    let start = 0;
    for (let end = buffer.indexOf(10, start); end !== -1; end = buffer.indexOf(10, start)) {
      yield lineOf(buffer, start, end);
      start = end + 1;
    }
    // Copied so that the caller's chunk can be reused or freed.
    rest = start < buffer.length ? Buffer.from(buffer.subarray(start)) : Buffer.alloc(0);
    buffer = rest;
  }
  if (rest.length > 0) yield lineOf(rest, 0, rest.length);
}

function lineOf(buffer: Buffer, start: number, end: number): string {
  const last = end > start && buffer[end - 1] === 13 ? end - 1 : end;
  return buffer.toString('utf8', start, last);
}
