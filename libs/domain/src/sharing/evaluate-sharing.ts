import {
  CaravanError,
  type AgencyCode,
  type Directory,
  type Handling,
  type RecordedEvent,
  type SharingRule,
} from '@caravan/contracts';
import { isObject, leafPaths, type JsonObject } from './field-paths.js';
import { redactBody, redactReason } from './redaction.js';
import { firstMatchingRule, isShareable, originalTypeOf, tlpAllows, type ShareableType } from './sharing-policy.js';

/** One version of an agency's outbound policy. */
export interface SharingPolicy {
  readonly version: number;
  readonly rules: readonly SharingRule[];
}

/** Everything `evaluateSharing` needs; the caller loads it, this module only decides. */
export interface SharingInput {
  readonly event: RecordedEvent;
  /**
   * The aggregate's current handling, with this event applied. Required for follow-ups (amended,
   * retracted, updated, withdrawn), whose own payload carries no TLP; ignored for the originals,
   * which carry their own.
   */
  readonly aggregate?: { readonly handling: Handling };
  /** The originator's policy in force at the event's position; undefined if it never set one. */
  readonly policy: SharingPolicy | undefined;
  readonly directory: Directory;
  /** The hub pseudonym secret (CARAVAN_PSEUDONYM_SECRET). */
  readonly secret: string;
  /** For follow-ups: every agency that received the original, with the policy version that governed it. */
  readonly previousRecipients?: ReadonlyMap<AgencyCode, number>;
  /** The rules of an earlier version of the originator's policy. */
  readonly rulesOfVersion?: (version: number) => readonly SharingRule[] | undefined;
  /**
   * Leave every delivery's `paths` empty: listing them costs a walk of each payload, wasted on a
   * caller that never records a disclosure (the aggregator's rebuild).
   */
  readonly skipPaths?: boolean;
  /**
   * The event's payload is plain JSON (as JSON.parse returns it) that nobody changes afterwards, so
   * deliveries may share its unchanged parts instead of each holding a deep copy (the aggregator's
   * rebuild, which reads each event once). Deliveries are equal either way.
   */
  readonly reusePayload?: boolean;
}

/** One recipient's copy of an event: the redacted payload, its leaf paths and the deciding version. */
export interface Delivery {
  readonly recipient: AgencyCode;
  readonly policyVersion: number;
  readonly payload: Readonly<Record<string, unknown>>;
  /** Sorted leaf paths of `payload` (`changes.items[].quantity`, `location.country`, `reason`); empty with `skipPaths`. */
  readonly paths: readonly string[];
}

const ID_KEY = { seizure: 'seizureId', alert: 'alertId' } as const;

function idKeyOf(type: ShareableType): 'seizureId' | 'alertId' {
  return type.startsWith('seizure.') ? ID_KEY.seizure : ID_KEY.alert;
}

function isOriginal(type: ShareableType): boolean {
  return type === 'seizure.reported' || type === 'threat.alert.issued';
}

function isEnding(type: ShareableType): boolean {
  return type === 'seizure.retracted' || type === 'threat.alert.withdrawn';
}

/** `handling` reduced to what the rule kept, plus the always-delivered tlp (in place: `body` is new). */
function withTlp(body: JsonObject, tlp: unknown): JsonObject {
  if (typeof tlp !== 'string') return body;
  const handling = isObject(body.handling) ? body.handling : {};
  body.handling = { ...handling, tlp };
  return body;
}

/**
 * The payload a recipient gets, or only what must reach it anyway (`rule` undefined): a previous
 * recipient that the current TLP now excludes still learns that the aggregate changed or ended, and
 * its new TLP, so its copy never silently goes stale or disappears.
 */
function redactPayload(
  type: ShareableType,
  payload: unknown,
  rule: SharingRule | undefined,
  secret: string,
  reuse: boolean,
): JsonObject {
  const source = isObject(payload) ? payload : {};
  const idKey = idKeyOf(type);
  const out: JsonObject = {};
  if (typeof source[idKey] === 'string') out[idKey] = source[idKey];
  if (isOriginal(type)) {
    // The id is left out of the rule's reach and added last, so no rule can remove or alter it.
    const body = withTlp(rule ? redactBody(source, rule, secret, idKey, reuse) : {}, handlingOf(source)?.tlp);
    if (out[idKey] !== undefined) body[idKey] = out[idKey];
    return body;
  }
  if (!isEnding(type)) {
    const changes = isObject(source.changes) ? source.changes : {};
    const body = rule ? redactBody(changes, rule, secret, undefined, reuse) : {};
    out.changes = isObject(changes.handling) ? withTlp(body, changes.handling.tlp) : body;
  }
  const reason = rule ? redactReason(source.reason, rule, secret) : undefined;
  if (reason !== undefined) out.reason = reason;
  return out;
}

function handlingOf(source: JsonObject): JsonObject | undefined {
  return isObject(source.handling) ? source.handling : undefined;
}

const NO_PATHS: readonly string[] = Object.freeze([]);

/**
 * What a rule makes of one event depends on the rule alone, not on the recipient, so recipients
 * under the same rule (a group, `*`) share one redacted payload and one list of paths: computed
 * once per rule and event rather than once per recipient. Deliveries are read-only data.
 */
class Redactions {
  private readonly byRule = new Map<SharingRule | undefined, { payload: JsonObject; paths: readonly string[] }>();

  constructor(
    private readonly type: ShareableType,
    private readonly payload: unknown,
    private readonly secret: string,
    private readonly reuse: boolean,
    private readonly skipPaths: boolean | undefined,
  ) {}

  delivery(recipient: AgencyCode, policyVersion: number, rule: SharingRule | undefined): Delivery {
    let redacted = this.byRule.get(rule);
    if (!redacted) {
      const payload = redactPayload(this.type, this.payload, rule, this.secret, this.reuse);
      redacted = { payload, paths: this.skipPaths ? NO_PATHS : leafPaths(payload) };
      this.byRule.set(rule, redacted);
    }
    return { recipient, policyVersion, payload: redacted.payload, paths: redacted.paths };
  }
}

/**
 * A follow-up is matched by its own type first, then by the type of the original, so a rule written
 * for `seizure.reported` alone still carries amendments to the same recipients with the same fields.
 */
function ruleFor(
  rules: readonly SharingRule[],
  recipient: AgencyCode,
  type: ShareableType,
  directory: Directory,
): SharingRule | undefined {
  return (
    firstMatchingRule(rules, recipient, type, directory) ??
    (isOriginal(type) ? undefined : firstMatchingRule(rules, recipient, originalTypeOf(type), directory))
  );
}

/**
 * Decides, for one recorded event, which agencies receive it and exactly what each receives (SPEC §5).
 * An agency absent from the result receives nothing, not even the event's existence. The originator
 * never receives its own event. Results are sorted by recipient.
 */
export function evaluateSharing(input: SharingInput): Delivery[] {
  const { event, policy, directory, secret, skipPaths } = input;
  const reuse = input.reusePayload === true;
  const type: string = event.type;
  if (!isShareable(type)) return [];
  const originator = event.originator;
  const deliveries: Delivery[] = [];

  if (isOriginal(type)) {
    const payload = event.payload as unknown;
    const handling = isObject(payload) && isObject(payload.handling) ? payload.handling : undefined;
    if (!policy || !handling) return [];
    const redactions = new Redactions(type, payload, secret, reuse, skipPaths);
    for (const { code } of directory.agencies) {
      if (code === originator) continue;
      const rule = firstMatchingRule(policy.rules, code, type, directory);
      if (rule && tlpAllows(handling as unknown as Handling, rule, code)) {
        deliveries.push(redactions.delivery(code, policy.version, rule));
      }
    }
    return sortByRecipient(deliveries);
  }

  const handling = input.aggregate?.handling;
  if (!handling) throw new CaravanError('invalid', `${type} needs the aggregate's current handling to be shared`);
  const previous = input.previousRecipients ?? new Map<AgencyCode, number>();
  const redactions = new Redactions(type, event.payload, secret, reuse, skipPaths);

  // Everyone who had the original keeps following it under the version that governed it.
  for (const [recipient, version] of previous) {
    if (recipient === originator) continue;
    const rules = version === policy?.version ? policy.rules : input.rulesOfVersion?.(version);
    if (!rules) throw new CaravanError('unavailable', `policy version ${version} of ${originator} is not available`);
    const rule = ruleFor(rules, recipient, type, directory);
    const allowed = rule && tlpAllows(handling, rule, recipient) ? rule : undefined;
    deliveries.push(redactions.delivery(recipient, version, allowed));
  }

  // Plus whoever the policy in force now makes eligible, under the current TLP.
  if (policy) {
    for (const { code } of directory.agencies) {
      if (code === originator || previous.has(code)) continue;
      const rule = ruleFor(policy.rules, code, type, directory);
      if (rule && tlpAllows(handling, rule, code)) {
        deliveries.push(redactions.delivery(code, policy.version, rule));
      }
    }
  }
  return sortByRecipient(deliveries);
}

function sortByRecipient(deliveries: Delivery[]): Delivery[] {
  return deliveries.sort((a, b) => (a.recipient < b.recipient ? -1 : a.recipient > b.recipient ? 1 : 0));
}

/** A sample event for a policy preview: what an administrator would publish. */
export interface PreviewSample {
  readonly originator: AgencyCode;
  readonly type: ShareableType;
  readonly payload: unknown;
  /** The aggregate's handling for a follow-up sample; an original carries its own. */
  readonly handling?: Handling;
}

/** What one directory agency would get of a sample under a draft policy. */
export type PolicyPreview =
  | { readonly agency: AgencyCode; readonly delivered: false }
  | {
      readonly agency: AgencyCode;
      readonly delivered: true;
      readonly payload: Readonly<Record<string, unknown>>;
      readonly paths: readonly string[];
    };

/**
 * For `POST /v1/policies/{agency}/preview`: every directory agency but the originator, in directory
 * order, with what the draft rules would deliver to it (a follow-up is previewed as if nobody had
 * received the original yet).
 */
export function previewPolicy(
  draftRules: readonly SharingRule[],
  sample: PreviewSample,
  directory: Directory,
  secret: string,
): PolicyPreview[] {
  const payload = sample.payload;
  const handling =
    sample.handling ?? (isObject(payload) && isObject(payload.handling) ? (payload.handling as unknown) : undefined);
  const event = {
    eventId: '00000000-0000-4000-8000-000000000000',
    type: sample.type,
    schemaVersion: 1,
    streamId: 'preview',
    streamVersion: 1,
    position: 1,
    originator: sample.originator,
    recordedAt: '1970-01-01T00:00:00.000Z',
    payload,
  } as RecordedEvent;
  const deliveries = evaluateSharing({
    event,
    aggregate: handling ? { handling: handling as Handling } : undefined,
    policy: { version: 0, rules: draftRules },
    directory,
    secret,
  });
  const byAgency = new Map(deliveries.map((d) => [d.recipient, d]));
  return directory.agencies
    .filter(({ code }) => code !== sample.originator)
    .map(({ code }): PolicyPreview => {
      const found = byAgency.get(code);
      return found
        ? { agency: code, delivered: true, payload: found.payload, paths: found.paths }
        : { agency: code, delivered: false };
    });
}
