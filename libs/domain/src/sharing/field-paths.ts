// Dotted field paths of SPEC §5 (`location.country`, `suspects[].role`) and the tree operations that
// select, remove and list them. Everything here fails closed: a value whose shape does not fit a path
// is left out, never passed through.

/** A payload shape, enough to tell a known path from an unknown one. */
type Leaf = 'text' | 'number' | 'texts';
interface Node {
  readonly fields: { readonly [key: string]: Shape };
  /** An array of such objects: a path enters it with `[]`. */
  readonly array?: true;
}
type Shape = Leaf | Node;

const HANDLING: Node = {
  fields: {
    tlp: 'text',
    releasableTo: 'texts',
    handlingCode: 'text',
    sourceReliability: 'text',
    informationAccuracy: 'number',
  },
};

/** SPEC §3.1, without the aggregate id (always delivered, never a policy path). */
const SEIZURE: Node = {
  fields: {
    occurredAt: 'text',
    location: {
      fields: {
        country: 'text',
        crossingPoint: 'text',
        region: 'text',
        lat: 'number',
        lon: 'number',
        locationType: 'text',
      },
    },
    direction: 'text',
    items: {
      array: true,
      fields: {
        category: 'text',
        substance: 'text',
        quantity: 'number',
        unit: 'text',
        purityPercent: 'number',
        estimatedValueUsd: 'number',
      },
    },
    transportMode: 'text',
    conveyance: { fields: { kind: 'text', registration: 'text', country: 'text' } },
    concealment: 'text',
    detectionMethod: 'text',
    route: { fields: { origin: 'text', transit: 'texts', destination: 'text' } },
    suspects: {
      array: true,
      fields: { fullName: 'text', nationality: 'text', birthDate: 'text', documentNumber: 'text', role: 'text' },
    },
    caseReference: 'text',
    narrative: 'text',
    handling: HANDLING,
  },
};

/** SPEC §3.4, without the aggregate id. */
const ALERT: Node = {
  fields: {
    category: 'text',
    severity: 'number',
    confidence: 'text',
    validFrom: 'text',
    validUntil: 'text',
    area: { fields: { countries: 'texts', crossingPoints: 'texts' } },
    indicators: { array: true, fields: { kind: 'text', value: 'text' } },
    relatedSeizures: 'texts',
    summary: 'text',
    narrative: 'text',
    handling: HANDLING,
  },
};

export type PayloadFamily = 'seizure' | 'alert';
const SHAPES: { readonly [F in PayloadFamily]: Node } = { seizure: SEIZURE, alert: ALERT };

interface Segment {
  readonly key: string;
  readonly each: boolean;
}

const SEGMENT = /^([A-Za-z][A-Za-z0-9]*)(\[\])?$/;

/** `suspects[].role` → suspects (each element) → role; undefined when the syntax is wrong. */
function parsePath(path: string): Segment[] | undefined {
  const segments: Segment[] = [];
  for (const part of path.split('.')) {
    const match = SEGMENT.exec(part);
    if (!match?.[1]) return undefined;
    segments.push({ key: match[1], each: match[2] !== undefined });
  }
  return segments;
}

/** What a known path points at: a text (or list of texts) can be pseudonymised, an object cannot. */
export type PathTarget = 'text' | 'number' | 'texts' | 'object';

/**
 * Resolves a policy path against a payload family. `[]` is required exactly where the path enters an
 * array of objects (`suspects[].role`, not `suspects.role`), so a path reads the same as the data.
 */
export function resolvePath(family: PayloadFamily, path: string): PathTarget | undefined {
  const segments = parsePath(path);
  if (!segments) return undefined;
  let shape: Shape = SHAPES[family];
  for (const [index, segment] of segments.entries()) {
    if (typeof shape === 'string') return undefined;
    const next: Shape | undefined = Object.hasOwn(shape.fields, segment.key) ? shape.fields[segment.key] : undefined;
    if (next === undefined) return undefined;
    const isArrayOfObjects = typeof next !== 'string' && next.array === true;
    const isLast = index === segments.length - 1;
    if (segment.each && !isArrayOfObjects) return undefined;
    if (isArrayOfObjects && !segment.each && !isLast) return undefined;
    shape = next;
  }
  return typeof shape === 'string' ? shape : 'object';
}

/** Every path a policy may name for a family, intermediate objects included (for tests and tools). */
export function knownPaths(family: PayloadFamily): string[] {
  const out: string[] = [];
  const walk = (node: Node, prefix: string): void => {
    for (const [key, shape] of Object.entries(node.fields)) {
      const path = prefix + key;
      out.push(path);
      if (typeof shape !== 'string') walk(shape, `${path}${shape.array ? '[]' : ''}.`);
    }
  };
  walk(SHAPES[family], '');
  return out;
}

/** A set of paths as a tree; `whole` means the subtree is named entirely. */
export interface PathTree {
  whole: boolean;
  readonly children: Map<string, PathTree>;
}

/** Builds the tree of the well-formed paths among `paths`; `*` names the whole payload. */
export function pathTree(paths: readonly string[]): PathTree {
  const root: PathTree = { whole: false, children: new Map() };
  for (const path of paths) {
    if (path === '*') {
      root.whole = true;
      continue;
    }
    const segments = parsePath(path);
    if (!segments) continue;
    let node = root;
    for (const { key } of segments) {
      let child = node.children.get(key);
      if (!child) {
        child = { whole: false, children: new Map() };
        node.children.set(key, child);
      }
      node = child;
    }
    node.whole = true;
  }
  return root;
}

// Redaction asks for the same rule's trees for every event it shares; policies are immutable data
// (a new version is a new object), so a tree is built once per paths array and reused.
const treesOf = new WeakMap<readonly string[], PathTree>();

/** `pathTree(paths)`, built once per array: callers must not change the array or the tree. */
export function cachedPathTree(paths: readonly string[]): PathTree {
  let tree = treesOf.get(paths);
  if (!tree) {
    tree = pathTree(paths);
    treesOf.set(paths, tree);
  }
  return tree;
}

/** Whether the tree names this path or one of its ancestors. */
export function treeCovers(tree: PathTree, path: string): boolean {
  const segments = parsePath(path);
  if (!segments) return false;
  let node = tree;
  for (const { key } of segments) {
    if (node.whole) return true;
    const child = node.children.get(key);
    if (!child) return false;
    node = child;
  }
  return node.whole;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Plain loops over Object.keys: this copies every payload the hub shares, and Object.entries would
// allocate a pair per field.
function copyJson(value: unknown): Json | undefined {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) {
    const out: Json[] = new Array<Json>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyJson(value[i]) ?? null;
    return out;
  }
  if (isObject(value)) return copyFields(value, undefined, false);
  return undefined;
}

/** Copies every field of an object but `skip`; with `reuse`, the fields' values are not copied. */
function copyFields(value: JsonObject, skip: string | undefined, reuse: boolean): JsonObject {
  const out: JsonObject = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === skip) continue;
    const copied = reuse ? value[key] : copyJson(value[key]);
    if (copied !== undefined) out[key] = copied;
  }
  return out;
}

/**
 * Copies what the tree names out of a value. An array is entered element by element; an element that
 * keeps nothing stays as `{}` so indices still line up (the other fields of the same suspect stay
 * together), and an array that keeps nothing at all is left out. With `reuse` (for a value that is
 * plain JSON nobody changes), what the tree names whole is shared with the value instead of copied.
 */
export function selectTree(value: unknown, tree: PathTree, reuse = false): Json | undefined {
  if (tree.whole) return reuse ? (value as Json) : copyJson(value);
  if (Array.isArray(value)) {
    const elements = value.map((element) => (isObject(element) ? selectTree(element, tree, reuse) : undefined));
    return elements.some((element) => element !== undefined) ? elements.map((element) => element ?? {}) : undefined;
  }
  if (!isObject(value)) return undefined;
  return selectFields(value, tree, undefined, reuse);
}

/**
 * `selectTree` of an object without its field `skip` (if any), as if that field were absent: what a
 * rule selects from a payload whose aggregate id is delivered apart. Undefined when nothing is
 * selected; the object returned is always new, whatever `reuse` says.
 */
export function selectObjectTree(
  value: JsonObject,
  tree: PathTree,
  skip: string | undefined,
  reuse = false,
): JsonObject | undefined {
  return tree.whole ? copyFields(value, skip, reuse) : selectFields(value, tree, skip, reuse);
}

function selectFields(
  value: JsonObject,
  tree: PathTree,
  skip: string | undefined,
  reuse: boolean,
): JsonObject | undefined {
  const out: JsonObject = {};
  let any = false;
  for (const [key, child] of tree.children) {
    if (key === skip || !Object.hasOwn(value, key)) continue;
    const selected = selectTree(value[key], child, reuse);
    if (selected !== undefined) {
      out[key] = selected;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** Removes what the tree names; a container emptied by the removal goes too. */
export function removeTree(value: Json, tree: PathTree): Json | undefined {
  if (tree.whole) return undefined;
  if (tree.children.size === 0) return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return value;
    const elements = value.map((element) => (isObject(element) ? removeTree(element, tree) : element));
    return elements.some((element) => element !== undefined) ? elements.map((element) => element ?? {}) : undefined;
  }
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const subtree = tree.children.get(key);
    const kept = subtree ? removeTree(child, subtree) : child;
    if (kept !== undefined) out[key] = kept;
  }
  return Object.keys(out).length > 0 || Object.keys(value).length === 0 ? out : undefined;
}

/** Replaces every value the tree names, element by element through arrays; `undefined` removes it. */
export function mapTree(value: Json, tree: PathTree, replace: (leaf: Json) => Json | undefined): Json | undefined {
  if (tree.whole) return replace(value);
  if (Array.isArray(value))
    return value.map((element) => (isObject(element) ? mapTree(element, tree, replace) : element) ?? {});
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const subtree = tree.children.get(key);
    const mapped = subtree ? mapTree(child, subtree, replace) : child;
    if (mapped !== undefined) out[key] = mapped;
  }
  return out;
}

/**
 * The leaf paths present in a value, sorted: `items[].quantity`, `route.transit`. A list of plain
 * values (or an empty list) is one leaf; an empty object contributes nothing.
 */
export function leafPaths(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      if (node.length === 0 || node.some((element) => !isObject(element))) out.add(path);
      for (const element of node) if (isObject(element)) walk(element, `${path}[]`);
      return;
    }
    if (isObject(node)) {
      for (const [key, child] of Object.entries(node)) walk(child, path === '' ? key : `${path}.${key}`);
      return;
    }
    out.add(path);
  };
  walk(value, '');
  return [...out].sort();
}
