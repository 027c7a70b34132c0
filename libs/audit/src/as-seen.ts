// as-seen (SPEC §9): exactly what a recipient had been shown of an event by a given time, rebuilt
// from the ledger (the events and the policy versions recorded for each delivery) with the same
// domain redaction the distributor applies, and each rebuilt copy checked against the digest in the
// disclosure record. Nothing here trusts the stored copies: they are only compared through digests.
import {
  CaravanError,
  type AgencyCode,
  type ChainedEvent,
  type Directory,
  type Handling,
  type RecordedEvent,
  type SharedCopy,
  type SharingRule,
} from '@caravan/contracts';
import {
  copyDigest,
  currentAlert,
  currentPayload,
  currentSeizure,
  evaluateSharing,
  toSharedCopy,
  type CurrentPayload,
} from '@caravan/domain';
import type { Disclosure, DisclosureQuery } from '@caravan/sharing-store';

/** What as-seen reads: the ledger, the disclosure record, the directory and the pseudonym secret. */
export interface AsSeenSources {
  readonly ledger: {
    findEvent(eventId: string): Promise<ChainedEvent | undefined>;
    loadStream(streamId: string): Promise<{ readonly events: ChainedEvent[] }>;
  };
  readonly disclosures: (query: DisclosureQuery) => Promise<Disclosure[]>;
  readonly directory: Directory;
  readonly secret: string;
}

/** One delivered copy, rebuilt, with the comparison against its recorded digest. */
export interface AsSeenCopy {
  readonly eventId: string;
  readonly position: number;
  readonly type: string;
  readonly policyVersion: number;
  readonly deliveredAt: string;
  readonly paths: readonly string[];
  readonly recordedDigest: string;
  /** Absent when the copy could not be rebuilt (see `problem`). */
  readonly rebuiltDigest?: string;
  /** Whether the rebuilt copy's digest equals the recorded one. */
  readonly match: boolean;
  readonly copy?: SharedCopy;
  readonly problem?: string;
}

/** The answer of as-seen. */
export interface AsSeen {
  readonly recipient: AgencyCode;
  readonly eventId: string;
  /** The aggregate (`seizure-…`, `alert-…`) the event belongs to: its original and follow-ups count. */
  readonly aggregateId: string;
  /** RFC 3339: copies delivered at or before this instant. */
  readonly at: string;
  readonly received: boolean;
  /** Every copy delivered by `at`, in position order. */
  readonly copies: readonly AsSeenCopy[];
  /** True when every copy was rebuilt and matches its recorded digest (and there is at least one). */
  readonly allMatch: boolean;
  /** What the recipient's copies add up to by `at` (the original with its follow-ups applied). */
  readonly shown?: CurrentPayload;
  /** Said when nothing was received. */
  readonly note?: string;
}

const ORIGINALS = new Set(['seizure.reported', 'threat.alert.issued']);

/** Rebuilds what `recipient` had been shown of the event's aggregate by `at` (default now). */
export async function asSeen(
  sources: AsSeenSources,
  query: { readonly recipient: AgencyCode; readonly eventId: string; readonly at?: string },
): Promise<AsSeen> {
  const at = new Date(query.at ?? Date.now());
  if (Number.isNaN(at.getTime())) throw new CaravanError('invalid', 'at must be an RFC 3339 time');
  const event = await sources.ledger.findEvent(query.eventId);
  if (!event) throw new CaravanError('not-found', `the ledger has no event ${query.eventId}`);
  const aggregateId = event.streamId;
  const base = { recipient: query.recipient, eventId: query.eventId, aggregateId, at: at.toISOString() };
  const { events } = await sources.ledger.loadStream(aggregateId);

  const delivered: Array<{ event: ChainedEvent; disclosure: Disclosure }> = [];
  for (const member of events) {
    const [disclosure] = await sources.disclosures({ eventId: member.eventId, recipient: query.recipient, limit: 1 });
    if (disclosure && new Date(disclosure.deliveredAt).getTime() <= at.getTime()) {
      delivered.push({ event: member, disclosure });
    }
  }
  if (delivered.length === 0) {
    return {
      ...base,
      received: false,
      copies: [],
      allMatch: false,
      note: `${query.recipient} had received nothing of this event by ${base.at}: no copy, not even its existence`,
    };
  }

  const policyRules = await policyVersions(sources, event.originator);
  const copies = delivered.map(({ event: member, disclosure }) =>
    rebuild(sources, events, member, disclosure, policyRules),
  );
  const rebuilt = copies.flatMap((c) => (c.copy ? [{ type: c.copy.type, payload: c.copy.payload }] : []));
  const shown = currentPayload(rebuilt);
  return {
    ...base,
    received: true,
    copies,
    allMatch: copies.every((c) => c.match),
    ...(shown ? { shown } : {}),
  };
}

function rebuild(
  sources: AsSeenSources,
  stream: readonly ChainedEvent[],
  event: ChainedEvent,
  disclosure: Disclosure,
  policyRules: ReadonlyMap<number, readonly SharingRule[]>,
): AsSeenCopy {
  const recorded = {
    eventId: event.eventId,
    position: event.position,
    type: event.type,
    policyVersion: disclosure.policyVersion,
    deliveredAt: disclosure.deliveredAt,
    paths: disclosure.paths,
    recordedDigest: disclosure.digest,
  };
  const rules = policyRules.get(disclosure.policyVersion);
  if (!rules) {
    return { ...recorded, match: false, problem: `policy version ${disclosure.policyVersion} is not in the ledger` };
  }
  const recipient = disclosure.recipient;
  const original = ORIGINALS.has(event.type);
  const handling = original ? undefined : handlingAfter(stream, event);
  // The recorded version governs: for a follow-up the recipient is a previous recipient under it,
  // exactly as the distributor routes follow-ups (SPEC §5).
  const deliveries = evaluateSharing({
    event: event,
    ...(handling ? { aggregate: { handling } } : {}),
    policy: { version: disclosure.policyVersion, rules },
    directory: sources.directory,
    secret: sources.secret,
    ...(original ? {} : { previousRecipients: new Map([[recipient, disclosure.policyVersion]]) }),
    rulesOfVersion: (version) => policyRules.get(version),
  });
  const delivery = deliveries.find((d) => d.recipient === recipient);
  if (!delivery) {
    return {
      ...recorded,
      match: false,
      problem: `policy version ${disclosure.policyVersion} does not deliver this event to ${recipient} with today's directory`,
    };
  }
  const copy = toSharedCopy(event, delivery);
  const rebuiltDigest = copyDigest(copy);
  return { ...recorded, rebuiltDigest, match: rebuiltDigest === disclosure.digest, copy };
}

/** The aggregate's handling with `event` applied, as the distributor computed it. */
function handlingAfter(stream: readonly ChainedEvent[], event: ChainedEvent): Handling | undefined {
  const upTo = stream.filter((e) => e.streamVersion <= event.streamVersion) as RecordedEvent[];
  const view = event.type.startsWith('seizure.') ? currentSeizure(upTo) : currentAlert(upTo);
  return view?.payload.handling;
}

/** Every version of the originator's policy: version = stream version of `policy-<agency>`. */
async function policyVersions(
  sources: AsSeenSources,
  originator: AgencyCode,
): Promise<Map<number, readonly SharingRule[]>> {
  const { events } = await sources.ledger.loadStream(`policy-${originator}`);
  const versions = new Map<number, readonly SharingRule[]>();
  for (const event of events) {
    if (event.type === 'policy.set') versions.set(event.streamVersion, event.payload.rules);
  }
  return versions;
}
