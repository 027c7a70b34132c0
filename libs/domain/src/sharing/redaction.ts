import { type SharingRule } from '@caravan/contracts';
import { LOCATION_KEPT, generalizeOccurredAt } from './generalize.js';
import {
  cachedPathTree,
  isObject,
  mapTree,
  removeTree,
  selectObjectTree,
  selectTree,
  type JsonObject,
} from './field-paths.js';
import { pseudonymize } from './pseudonym.js';

// One rule applied to one payload body (SPEC §5): select `fields`, remove `drop`, then generalise and
// pseudonymise what is left. The aggregate id and handling.tlp are added back by the caller, after
// all of this, so no rule can remove them.

const NO_PATHS: readonly string[] = Object.freeze([]);

/**
 * The body of a seizure or alert (or the `changes` of a follow-up) reduced by one rule, read as if
 * its field `skip` were absent. The result is a new object; it shares nothing with `body` unless
 * `reuse` says that `body` is plain JSON nobody changes, when unchanged parts are shared.
 */
export function redactBody(body: unknown, rule: SharingRule, secret: string, skip?: string, reuse = false): JsonObject {
  const fields = cachedPathTree(rule.fields);
  // selectObjectTree and removeTree both return a new top-level object (below it, parts of `body`
  // itself with `reuse`), so the transforms below may change the top level of `out` in place.
  const selected = isObject(body) ? selectObjectTree(body, fields, skip, reuse) : selectTree(body, fields, reuse);
  const kept = selected === undefined ? undefined : removeTree(selected, cachedPathTree(rule.drop ?? NO_PATHS));
  const out: JsonObject = isObject(kept) ? kept : {};

  const location = rule.generalize?.location;
  if (location !== undefined && isObject(out.location)) {
    // An unknown level keeps nothing: validation refuses it, evaluation must not share more for it.
    const allowed: readonly string[] = LOCATION_KEPT[location] ?? [];
    const generalized = Object.fromEntries(Object.entries(out.location).filter(([key]) => allowed.includes(key)));
    if (Object.keys(generalized).length > 0) out.location = generalized;
    else delete out.location;
  }

  const occurredAt = rule.generalize?.occurredAt;
  if (occurredAt !== undefined && typeof out.occurredAt === 'string') {
    const generalized = generalizeOccurredAt(out.occurredAt, occurredAt);
    if (generalized !== undefined) out.occurredAt = generalized;
    else delete out.occurredAt;
  }

  if ((rule.pseudonymize ?? []).length === 0) return out;
  const tokenize = (value: unknown): string | undefined =>
    typeof value === 'string' || typeof value === 'number' ? pseudonymize(String(value), secret) : undefined;
  const pseudonymized = mapTree(out, cachedPathTree(rule.pseudonymize ?? NO_PATHS), (leaf) =>
    // A list of identifiers is tokenised element by element; anything else that cannot be tokenised
    // is withheld rather than shown in clear.
    Array.isArray(leaf) ? leaf.map((element) => tokenize(element) ?? null) : tokenize(leaf),
  );
  return isObject(pseudonymized) ? pseudonymized : {};
}

/**
 * `reason` of a follow-up is free text written by the originator, as open as `narrative` (it can name
 * people, sources or methods), so it is treated exactly as `narrative` is: delivered only where the
 * rule releases `narrative`, and pseudonymised, dropped or selected by the same entries.
 */
export function redactReason(reason: unknown, rule: SharingRule, secret: string): string | undefined {
  const redacted = redactBody({ narrative: reason }, rule, secret).narrative;
  return typeof redacted === 'string' ? redacted : undefined;
}
