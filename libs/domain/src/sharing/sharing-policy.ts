import {
  AGENCY_CODE,
  GENERALIZE_LOCATION,
  GENERALIZE_OCCURRED_AT,
  GROUP_REF,
  type AgencyCode,
  type Directory,
  type EventType,
  type FieldError,
  type Handling,
  type SharingRule,
} from '@caravan/contracts';
import { pathTree, resolvePath, treeCovers, type PayloadFamily } from './field-paths.js';

// Who a rule reaches, which rule wins, and what TLP lets through (SPEC §5), plus the check a policy
// passes before it is recorded.

/** Event types that sharing ever delivers; `policy.set` stays inside the hub. */
export const SHAREABLE_TYPES = [
  'seizure.reported',
  'seizure.amended',
  'seizure.retracted',
  'threat.alert.issued',
  'threat.alert.updated',
  'threat.alert.withdrawn',
] as const satisfies readonly EventType[];
export type ShareableType = (typeof SHAREABLE_TYPES)[number];

export function isShareable(type: string): type is ShareableType {
  return (SHAREABLE_TYPES as readonly string[]).includes(type);
}

export function familyOf(type: ShareableType): PayloadFamily {
  return type.startsWith('seizure.') ? 'seizure' : 'alert';
}

/** The event that creates the aggregate a follow-up belongs to. */
export function originalTypeOf(type: ShareableType): ShareableType {
  return familyOf(type) === 'seizure' ? 'seizure.reported' : 'threat.alert.issued';
}

/** `*`, an exact type, or a prefix ending in `.*` (`seizure.*`, `threat.alert.*`). */
export function typeMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Groups are written `group:<name>` in policies; the directory may store either spelling. */
function groupName(group: string): string {
  return group.startsWith('group:') ? group.slice('group:'.length) : group;
}

/** Whether one `to` entry reaches an agency of the directory. */
function entryReaches(entry: string, recipient: AgencyCode, directory: Directory): boolean {
  if (entry === recipient) return true;
  const agency = directory.agencies.find((candidate) => candidate.code === recipient);
  if (!agency) return false;
  if (entry === '*') return true;
  if (entry.startsWith('group:')) return agency.groups.some((group) => groupName(group) === groupName(entry));
  return false;
}

/** SPEC §5: the first rule, in the order written, that reaches the recipient for this type. */
export function firstMatchingRule(
  rules: readonly SharingRule[],
  recipient: AgencyCode,
  type: string,
  directory: Directory,
): SharingRule | undefined {
  return rules.find(
    (rule) =>
      rule.types.some((pattern) => typeMatches(pattern, type)) &&
      rule.to.some((entry) => entryReaches(entry, recipient, directory)),
  );
}

/**
 * SPEC §5 TLP caps, as a gate on the rule that won. Gating the winner (rather than first dropping the
 * rules the cap disallows and taking the next one) keeps the caps monotone: an event marked AMBER or
 * RED never gives a recipient more than the same event marked GREEN would, even when a later rule
 * naming the agency is wider than the group rule written before it.
 */
export function tlpAllows(handling: Handling, rule: SharingRule, recipient: AgencyCode): boolean {
  const releasable = handling.releasableTo?.includes(recipient) ?? false;
  // WHITE is CLEAR by SPEC §3.1; any other unexpected value fails closed.
  const tlp: string = handling.tlp;
  switch (tlp) {
    case 'CLEAR':
    case 'WHITE':
    case 'GREEN':
      return true;
    case 'AMBER':
    case 'AMBER+STRICT':
      return releasable || rule.to.includes(recipient);
    case 'RED':
      return releasable;
    default:
      return false;
  }
}

const FIELD_PATH_HINT = 'a dotted path of the payload, with [] for array elements (suspects[].role), or *';

/**
 * Checks a policy before it is set (SPEC §5): every recipient, type pattern, path and transform must
 * mean something, so a typo never silently shares more or less than intended. Empty when valid.
 */
export function validatePolicy(rules: readonly SharingRule[], directory: Directory): FieldError[] {
  const errors: FieldError[] = [];
  const agencies = new Set(directory.agencies.map((agency) => agency.code));
  const groups = new Set(directory.agencies.flatMap((agency) => agency.groups.map(groupName)));

  rules.forEach((rule, r) => {
    const at = `rules[${r}]`;
    if (rule.to.length === 0) errors.push({ path: `${at}.to`, message: 'names no recipient' });
    rule.to.forEach((entry, i) => {
      const path = `${at}.to[${i}]`;
      if (entry === '*') return;
      if (entry.startsWith('group:')) {
        if (!GROUP_REF.test(entry)) errors.push({ path, message: `"${entry}" is not a group reference` });
        else if (!groups.has(groupName(entry))) errors.push({ path, message: `no agency belongs to ${entry}` });
      } else if (!AGENCY_CODE.test(entry)) {
        errors.push({ path, message: `"${entry}" is not an agency code, group:<name> or *` });
      } else if (!agencies.has(entry)) {
        errors.push({ path, message: `agency ${entry} is not in the directory` });
      }
    });

    if (rule.types.length === 0) errors.push({ path: `${at}.types`, message: 'names no event type' });
    const families = new Set<PayloadFamily>();
    rule.types.forEach((pattern, i) => {
      const grammatical = pattern === '*' || /^[a-z]+(\.[a-z]+)*(\.\*)?$/.test(pattern);
      const matched = grammatical ? SHAREABLE_TYPES.filter((type) => typeMatches(pattern, type)) : [];
      if (matched.length === 0) {
        errors.push({ path: `${at}.types[${i}]`, message: `"${pattern}" matches no shareable event type` });
      }
      for (const type of matched) families.add(familyOf(type));
    });
    // A rule whose types are all wrong is already refused; check its paths against both payloads.
    const checked: PayloadFamily[] = families.size > 0 ? [...families] : ['seizure', 'alert'];
    const known = (path: string) => checked.some((family) => resolvePath(family, path) !== undefined);

    rule.fields.forEach((path, i) => {
      if (path !== '*' && !known(path)) {
        errors.push({ path: `${at}.fields[${i}]`, message: `unknown field "${path}": ${FIELD_PATH_HINT}` });
      }
    });
    (rule.drop ?? []).forEach((path, i) => {
      if (path !== '*' && !known(path)) {
        errors.push({ path: `${at}.drop[${i}]`, message: `unknown field "${path}": ${FIELD_PATH_HINT}` });
      }
    });

    const { location, occurredAt } = rule.generalize ?? {};
    if (location !== undefined && !(GENERALIZE_LOCATION as readonly string[]).includes(location)) {
      errors.push({ path: `${at}.generalize.location`, message: 'must be country or region' });
    }
    if (occurredAt !== undefined && !(GENERALIZE_OCCURRED_AT as readonly string[]).includes(occurredAt)) {
      errors.push({ path: `${at}.generalize.occurredAt`, message: 'must be day, week or month' });
    }

    const selected = pathTree(rule.fields);
    const dropped = pathTree(rule.drop ?? []);
    (rule.pseudonymize ?? []).forEach((path, i) => {
      const where = `${at}.pseudonymize[${i}]`;
      const targets = checked.map((family) => resolvePath(family, path)).filter((target) => target !== undefined);
      if (targets.length === 0) {
        errors.push({ path: where, message: `unknown field "${path}": ${FIELD_PATH_HINT}` });
      } else if (!targets.every((target) => target === 'text' || target === 'texts')) {
        errors.push({ path: where, message: `"${path}" is not a text value` });
      } else if (path === 'handling.tlp') {
        errors.push({ path: where, message: 'handling.tlp is always delivered as it is' });
      } else if (!treeCovers(selected, path) || treeCovers(dropped, path)) {
        errors.push({ path: where, message: `"${path}" is not selected by fields (or is dropped)` });
      }
    });
  });
  return errors;
}
