// RFC 8785 (JCS) straight from the bytes PostgreSQL renders a jsonb value as, without building a
// JavaScript value: over a million ledger rows, JSON.parse and re-serialising were most of the cost.
// It relies on what jsonb's text form is, and on nothing else:
// - strings are rendered exactly as JSON.stringify renders them (`\"`, `\\`, \b \f \n \r \t, other
//   controls as lower-case \u00xx, everything else as UTF-8; jsonb holds no lone surrogate), so a
//   string's bytes are copied as they are;
// - numbers are plain decimals that may carry zeros JCS drops (`1.50`) or digits a double cannot
//   hold, so any but a short integer goes through Number and back, as JSON.parse would;
// - keys come in jsonb's order (by length, then bytes), so each object's members are put in JCS order
//   (UTF-16 code units) here; a key with an escape or a non-ASCII byte is compared decoded.
// Anything else (a byte jsonb would not write) throws, and the caller falls back to JSON.parse.

/** A growable byte buffer that the canonical text is written into. */
export class ByteSink {
  bytes: Buffer;
  length = 0;

  constructor(capacity = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for `more` bytes beyond the current length. */
  reserve(more: number): void {
    const needed = this.length + more;
    if (needed <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  /** Appends bytes[start..end). */
  append(source: Buffer, start: number, end: number): void {
    const count = end - start;
    if (this.length + count > this.bytes.length) this.reserve(count);
    const bytes = this.bytes;
    let at = this.length;
    // A loop beats the native copy's call for the short strings and numbers that make up most of it.
    if (count < 64) {
      for (let i = start; i < end; i++) bytes[at++] = source[i]!;
    } else {
      bytes.set(new Uint8Array(source.buffer, source.byteOffset + start, count), at);
    }
    this.length += count;
  }

  /** Appends one byte. */
  byte(value: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = value;
  }

  /** Appends text that is known to be ASCII. */
  ascii(text: string): void {
    this.reserve(text.length);
    this.length += this.bytes.write(text, this.length, text.length, 'latin1');
  }

  /** Appends text as UTF-8. */
  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.length += this.bytes.write(text, this.length, 'utf8');
  }
}

/** jsonb text a canonicaliser does not expect (the caller then parses it the ordinary way). */
export class UnexpectedJsonbText extends Error {
  constructor(at: number) {
    super(`unexpected byte at offset ${at} of a jsonb text`);
    this.name = 'UnexpectedJsonbText';
  }
}

// Node kinds of the first pass.
const STRING = 1; // a string whose bytes are all ASCII without an escape
const ESCAPED_STRING = 2; // a string with an escape or a non-ASCII byte: a key of it is compared decoded
const PLAIN_NUMBER = 3; // an integer of at most 15 digits without a leading zero: its ES form is itself
const NUMBER = 4;
const LITERAL = 5;
const ARRAY = 6;
const OBJECT = 7;
// Per node: kind, start, end (source offsets; a container's end is the index of the node after its
// subtree, since its children follow it in order).
const STRIDE = 3;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Writes the JCS form of jsonb text; one instance per thread (it reuses its tables). */
export class JsonbCanonicaliser {
  private nodes = new Int32Array(STRIDE * 1024);
  private count = 0;
  private order = new Int32Array(256);
  private prefixes = new Float64Array(256);
  private orderTop = 0;
  private source: Buffer = Buffer.alloc(0);

  /** Appends to `sink` the JCS text of the jsonb text in source[start..end). */
  write(source: Buffer, start: number, end: number, sink: ByteSink): void {
    this.source = source;
    this.count = 0;
    this.orderTop = 0;
    let at = this.parse(source, skipSpace(source, start, end), end);
    at = skipSpace(source, at, end);
    if (at !== end) throw new UnexpectedJsonbText(at);
    sink.reserve(end - start);
    this.emit(0, sink);
  }

  // First pass: one node per value, in document order; returns the offset after the value.
  private parse(source: Buffer, at: number, end: number): number {
    if (at >= end) throw new UnexpectedJsonbText(at);
    const node = this.push();
    const c = source[at]!;
    const nodes = this.nodes;
    nodes[node + 1] = at;
    if (c === QUOTE) {
      let kind = STRING;
      let i = at + 1;
      for (;;) {
        if (i >= end) throw new UnexpectedJsonbText(i);
        const b = source[i]!;
        // Letters and every byte of a multi-byte character: the common case, one comparison.
        if (b > BACKSLASH) {
          if (b >= 0x80) kind = ESCAPED_STRING;
          i += 1;
          continue;
        }
        if (b === QUOTE) break;
        if (b === BACKSLASH) {
          kind = ESCAPED_STRING;
          i += 2;
        } else {
          if (b < 0x20) throw new UnexpectedJsonbText(i);
          i += 1;
        }
      }
      nodes[node] = kind;
      nodes[node + 2] = i + 1;
      return i + 1;
    }
    if (c === 0x7b || c === 0x5b) {
      const object = c === 0x7b;
      nodes[node] = object ? OBJECT : ARRAY;
      const close = object ? 0x7d : 0x5d;
      let i = skipSpace(source, at + 1, end);
      if (source[i] === close && i < end) {
        this.nodes[node + 2] = this.count;
        return i + 1;
      }
      for (;;) {
        if (object) {
          if (source[i] !== QUOTE) throw new UnexpectedJsonbText(i);
          i = skipSpace(source, this.parse(source, i, end), end);
          if (source[i] !== COLON || i >= end) throw new UnexpectedJsonbText(i);
          i = skipSpace(source, i + 1, end);
        }
        i = skipSpace(source, this.parse(source, i, end), end);
        if (i >= end) throw new UnexpectedJsonbText(i);
        const d = source[i]!;
        if (d === close) break;
        if (d !== COMMA) throw new UnexpectedJsonbText(i);
        i = skipSpace(source, i + 1, end);
      }
      this.nodes[node + 2] = this.count;
      return i + 1;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let i = c === 0x2d ? at + 1 : at;
      const digitsStart = i;
      let plain = true;
      for (; i < end; i++) {
        const b = source[i]!;
        if (b >= 0x30 && b <= 0x39) continue;
        if (b === 0x2e || b === 0x65 || b === 0x45 || b === 0x2b || b === 0x2d) plain = false;
        else break;
      }
      const digits = i - digitsStart;
      if (digits === 0) throw new UnexpectedJsonbText(at);
      // Not -0, no leading zero, at most 15 digits: exactly a double whose ES form is this text.
      nodes[node] =
        plain && digits <= 15 && (source[digitsStart] !== 0x30 || (digits === 1 && digitsStart === at))
          ? PLAIN_NUMBER
          : NUMBER;
      nodes[node + 2] = i;
      return i;
    }
    const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : undefined;
    if (word === undefined || at + word.length > end) throw new UnexpectedJsonbText(at);
    for (let i = 0; i < word.length; i++) {
      if (source[at + i] !== word.charCodeAt(i)) throw new UnexpectedJsonbText(at + i);
    }
    nodes[node] = LITERAL;
    nodes[node + 2] = at + word.length;
    return at + word.length;
  }

  private push(): number {
    if ((this.count + 1) * STRIDE > this.nodes.length) {
      const grown = new Int32Array(this.nodes.length * 2);
      grown.set(this.nodes);
      this.nodes = grown;
    }
    return STRIDE * this.count++;
  }

  // Second pass: node `index` in JCS form; returns the index of the node after its subtree.
  private emit(index: number, sink: ByteSink): number {
    const nodes = this.nodes;
    const base = index * STRIDE;
    const kind = nodes[base]!;
    if (kind === OBJECT) return this.emitObject(index, sink);
    if (kind === ARRAY) {
      const after = nodes[base + 2]!;
      sink.byte(0x5b);
      let child = index + 1;
      while (child < after) {
        if (child > index + 1) sink.byte(COMMA);
        child = this.emit(child, sink);
      }
      sink.byte(0x5d);
      return after;
    }
    if (kind === NUMBER) {
      const text = this.source.toString('latin1', nodes[base + 1], nodes[base + 2]);
      const parsed = Number(text);
      if (Number.isNaN(parsed)) throw new UnexpectedJsonbText(nodes[base + 1]!);
      if (!Number.isFinite(parsed)) throw new TypeError('JCS has no form for a non-finite number');
      // String(-0) is "0", as JCS wants.
      sink.ascii(String(parsed));
    } else {
      sink.append(this.source, nodes[base + 1]!, nodes[base + 2]!);
    }
    return index + 1;
  }

  private emitObject(index: number, sink: ByteSink): number {
    const nodes = this.nodes;
    const after = nodes[index * STRIDE + 2]!;
    // The key nodes of the members, put in JCS order by insertion (objects are small).
    const first = this.orderTop;
    let escaped = false;
    for (let key = index + 1; key < after;) {
      if (nodes[key * STRIDE] === ESCAPED_STRING) escaped = true;
      this.pushOrder(key);
      const value = key + 1;
      key =
        nodes[value * STRIDE] === OBJECT || nodes[value * STRIDE] === ARRAY ? nodes[value * STRIDE + 2]! : value + 1;
    }
    const count = this.orderTop - first;
    const order = this.order;
    const prefixes = this.prefixes;
    const decoded = escaped ? this.decodedKeys(first, count) : undefined;
    if (!decoded) {
      for (let n = 0; n < count; n++) prefixes[first + n] = this.keyPrefix(order[first + n]!);
    }
    for (let n = 1; n < count; n++) {
      const key = order[first + n]!;
      const prefix = prefixes[first + n]!;
      let i = n - 1;
      for (; i >= 0; i--) {
        // Plain keys compare by their first four bytes as a number, and only on a tie byte by byte.
        const other = prefixes[first + i]!;
        const after = decoded || other === prefix ? this.keyAfter(order[first + i]!, key, decoded) : other > prefix;
        if (!after) break;
        order[first + i + 1] = order[first + i]!;
        prefixes[first + i + 1] = other;
      }
      order[first + i + 1] = key;
      prefixes[first + i + 1] = prefix;
    }
    sink.byte(0x7b);
    const source = this.source;
    for (let n = 0; n < count; n++) {
      if (n > 0) sink.byte(COMMA);
      const key = order[first + n]!;
      sink.append(source, nodes[key * STRIDE + 1]!, nodes[key * STRIDE + 2]!);
      sink.byte(COLON);
      const value = (key + 1) * STRIDE;
      const kind = nodes[value]!;
      if (kind === STRING || kind === ESCAPED_STRING || kind === PLAIN_NUMBER || kind === LITERAL) {
        sink.append(source, nodes[value + 1]!, nodes[value + 2]!);
      } else {
        this.emit(key + 1, sink);
      }
    }
    sink.byte(0x7d);
    this.orderTop = first;
    return after;
  }

  // The first four bytes of a plain key (zeros past its end), as one number in the same order.
  private keyPrefix(key: number): number {
    const source = this.source;
    const start = this.nodes[key * STRIDE + 1]! + 1;
    const end = this.nodes[key * STRIDE + 2]! - 1;
    let prefix = 0;
    for (let i = start; i < start + 4; i++) prefix = prefix * 256 + (i < end ? source[i]! : 0);
    return prefix;
  }

  private pushOrder(key: number): void {
    if (this.orderTop === this.order.length) {
      const grown = new Int32Array(this.order.length * 2);
      grown.set(this.order);
      this.order = grown;
      this.prefixes = new Float64Array(grown.length);
    }
    this.order[this.orderTop++] = key;
  }

  private decodedKeys(first: number, count: number): Map<number, string> {
    const text = this.source;
    const keys = new Map<number, string>();
    for (let n = 0; n < count; n++) {
      const key = this.order[first + n]!;
      const base = key * STRIDE;
      keys.set(key, JSON.parse(text.toString('utf8', this.nodes[base + 1], this.nodes[base + 2])) as string);
    }
    return keys;
  }

  // Whether key node a sorts after key node b in JCS order (UTF-16 code units). jsonb holds no
  // duplicate key; text that does is left to JSON.parse, whose last-one-wins the canonical form keeps.
  private keyAfter(a: number, b: number, decoded: Map<number, string> | undefined): boolean {
    if (decoded) {
      const [x, y] = [decoded.get(a)!, decoded.get(b)!];
      if (x === y) throw new UnexpectedJsonbText(this.nodes[a * STRIDE + 1]!);
      return x > y;
    }
    // ASCII without escapes: the bytes between the quotes are the key's code units.
    const source = this.source;
    const nodes = this.nodes;
    let i = nodes[a * STRIDE + 1]! + 1;
    const aEnd = nodes[a * STRIDE + 2]! - 1;
    let j = nodes[b * STRIDE + 1]! + 1;
    const bEnd = nodes[b * STRIDE + 2]! - 1;
    for (; i < aEnd && j < bEnd; i++, j++) {
      if (source[i] !== source[j]) return source[i]! > source[j]!;
    }
    if (aEnd - i === bEnd - j) throw new UnexpectedJsonbText(nodes[a * STRIDE + 1]!);
    return aEnd - i > bEnd - j;
  }
}

function skipSpace(source: Buffer, at: number, end: number): number {
  while (at < end) {
    const c = source[at]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    at += 1;
  }
  return at;
}
