import canonicalizeModule from 'canonicalize';

// The package is CommonJS (`module.exports = serialize`) but its typings declare an ES default
// export; under NodeNext the default import is the function at run time either way.
const serialize = ((canonicalizeModule as unknown as { default?: unknown }).default ??
  canonicalizeModule) as unknown as (input: unknown) => string | undefined;

/** RFC 8785 (JCS) canonical JSON of a JSON-safe value. */
export function canonicalJson(value: unknown): string {
  const text = serialize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}
