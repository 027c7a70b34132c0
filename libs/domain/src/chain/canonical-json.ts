// RFC 8785 (JCS), the one serialiser behind every hash and digest of the hub: the ledger's chain
// (SPEC §4), command fingerprints, the disclosure digests of delivered copies (SPEC §5) and the
// auditors' verification. It is on the hot path of each (twelve copies per event in the
// distributor, a million events in a verification), so it is written for speed; a property test
// holds it equal to an independent implementation over arbitrary JSON.
// - Payloads have few shapes (one per event type and version), so the JCS order of an object's
//   keys, with each key already quoted, is worked out once per key sequence and reused.
// - A string with nothing to escape is quoted by hand: JSON.stringify per value costs more than the
//   scan that proves it unnecessary.

// The JCS order of one key sequence, as Object.keys returns it, with each key written as `"key":`.
interface Shape {
  readonly keys: readonly string[];
  readonly order: readonly number[];
  readonly quoted: readonly string[];
}

// Bounded, so that values that all differ in shape cannot grow it without limit: once full it
// starts afresh (the shapes in use come back at once).
const MAX_SHAPES = 4096;
const shapes = new Map<string, Shape[]>();
let shapeCount = 0;

function shapeOf(keys: readonly string[]): Shape {
  const first = keys[0]!;
  const candidates = shapes.get(first);
  if (candidates) {
    for (const shape of candidates) {
      if (sameKeys(shape.keys, keys)) return shape;
    }
  }
  // JCS sorts by UTF-16 code units, which is what `<` on strings compares.
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const shape: Shape = { keys: [...keys], order, quoted: order.map((i) => `${JSON.stringify(keys[i])}:`) };
  if (shapeCount >= MAX_SHAPES) {
    shapes.clear();
    shapeCount = 0;
  }
  const list = shapes.get(first);
  if (list) list.push(shape);
  else shapes.set(first, [shape]);
  shapeCount += 1;
  return shape;
}

// The first keys are equal by construction (the map is keyed by them).
function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 1; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// JSON.stringify escapes `"`, `\`, controls below U+0020 and lone surrogates, exactly as JCS asks;
// anything else it writes as is, so a string free of those needs only its quotes.
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}

// As JSON.stringify: such members are left out of objects and written as null in arrays.
function isSkipped(item: unknown): boolean {
  return item === undefined || typeof item === 'function' || typeof item === 'symbol';
}

/** RFC 8785 (JCS) canonical JSON of a JSON-safe value; a TypeError for what has no JSON form. */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('JCS has no form for a non-finite number');
      // ECMAScript Number::toString, which RFC 8785 prescribes (and -0 as 0).
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out += isSkipped(item) ? 'null' : canonicalJson(item);
        }
        return `${out}]`;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return canonicalJson((value as { toJSON: () => unknown }).toJSON());
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 0) return '{}';
      const { order, quoted } = shapeOf(keys);
      let out = '{';
      let first = true;
      for (let n = 0; n < order.length; n++) {
        const item = record[keys[order[n]!]!];
        if (isSkipped(item)) continue;
        if (!first) out += ',';
        first = false;
        out += quoted[n]! + canonicalJson(item);
      }
      return `${out}}`;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(`JCS has no form for a ${typeof value}`);
  }
}
