// WARNING: subject and stream names are a public contract (SPEC §6) and are baked into agencies'
// NATS permissions and durable consumers. Renaming one is a migration, not a refactor.
//
// Every name is derived from a Topology so that a test run can use its own prefix and stream names
// (`t1a2b.caravan.evt.…`, `T1A2B_CARAVAN_EVENTS`) and never see another run's messages.
import type { AgencyCode, EventType } from './events.js';
import type { CommandName } from './commands.js';

export interface Topology {
  /** First subject token(s): `caravan` in production. */
  readonly subjectRoot: string;
  /** Prepended to stream and durable names: empty in production. */
  readonly namePrefix: string;
}

export const PRODUCTION_TOPOLOGY: Topology = { subjectRoot: 'caravan', namePrefix: '' };

/** A private topology for one test run or benchmark: `<id>.caravan…`, `<ID>_CARAVAN_…`. */
export function isolatedTopology(id: string): Topology {
  const token = id.toLowerCase().replace(/[^a-z0-9]/g, '');
  return { subjectRoot: `${token}.caravan`, namePrefix: `${token.toUpperCase()}_` };
}

export const STREAM_NAMES = { events: 'CARAVAN_EVENTS', share: 'CARAVAN_SHARE' } as const;

/** Header names of SPEC §6. */
export const HEADERS = {
  msgId: 'Nats-Msg-Id',
  position: 'Caravan-Position',
  type: 'Caravan-Type',
  schemaVersion: 'Caravan-Schema-Version',
  policyVersion: 'Caravan-Policy-Version',
} as const;

/** Subject builders; no app writes a subject string by hand. */
export function subjects(t: Topology) {
  const root = t.subjectRoot;
  return {
    /** `caravan.evt.<type>`: full events, hub-internal. */
    event: (type: EventType) => `${root}.evt.${type}`,
    allEvents: `${root}.evt.>`,
    /** `caravan.share.<recipient>.<type>`: a recipient's redacted copy. */
    share: (recipient: AgencyCode, type: EventType) => `${root}.share.${recipient}.${type}`,
    shareFor: (recipient: AgencyCode) => `${root}.share.${recipient}.>`,
    allShares: `${root}.share.>`,
    /** `caravan.share.<originator>.hit.notified`: an originator told that a hit query matched its data. */
    hitNotified: (originator: AgencyCode) => `${root}.share.${originator}.hit.notified`,
    /** `caravan.cmd.<agency>.<command>`: request/reply. */
    command: (agency: AgencyCode, command: CommandName) => `${root}.cmd.${agency}.${command}`,
    commandsOf: (agency: AgencyCode) => `${root}.cmd.${agency}.>`,
    allCommands: `${root}.cmd.>`,
    /** Wakes hub services that follow ledger progress (not a public contract). */
    ledgerAppended: `${root}.internal.ledger.appended`,
  } as const;
}
export type Subjects = ReturnType<typeof subjects>;

/** Parses `caravan.cmd.<agency>.<command>` back into its parts, or undefined. */
export function parseCommandSubject(t: Topology, subject: string): { agency: string; command: string } | undefined {
  const prefix = `${t.subjectRoot}.cmd.`;
  if (!subject.startsWith(prefix)) return undefined;
  const rest = subject.slice(prefix.length);
  const dot = rest.indexOf('.');
  if (dot <= 0) return undefined;
  return { agency: rest.slice(0, dot), command: rest.slice(dot + 1) };
}

/** Parses `caravan.share.<recipient>.<type>`. */
export function parseShareSubject(t: Topology, subject: string): { recipient: string; type: string } | undefined {
  const prefix = `${t.subjectRoot}.share.`;
  if (!subject.startsWith(prefix)) return undefined;
  const rest = subject.slice(prefix.length);
  const dot = rest.indexOf('.');
  if (dot <= 0) return undefined;
  return { recipient: rest.slice(0, dot), type: rest.slice(dot + 1) };
}

/** Stream configurations as data; libs/messaging provisions them idempotently. */
export function streamConfigs(t: Topology) {
  const s = subjects(t);
  const base = {
    storage: 'file',
    retention: 'limits',
    discard: 'old',
    num_replicas: 1,
    // Nanoseconds, as JetStream takes it. Long enough to cover a relay restart after a crash
    // between publish and checkpoint.
    duplicate_window: 2 * 60 * 60 * 1_000_000_000,
  } as const;
  return {
    events: { ...base, name: `${t.namePrefix}${STREAM_NAMES.events}`, subjects: [s.allEvents] },
    share: { ...base, name: `${t.namePrefix}${STREAM_NAMES.share}`, subjects: [s.allShares] },
  } as const;
}
export type StreamConfigs = ReturnType<typeof streamConfigs>;

/** Durable consumer names (no dots allowed by JetStream). */
export function durableNames(t: Topology) {
  return {
    distributor: `${t.namePrefix}distributor`,
    aggregator: `${t.namePrefix}aggregator`,
    /** The durable from which an agency consumes its own copies; see deploy/nats/README.md. */
    agency: (agency: AgencyCode) => `${t.namePrefix}share_${agency}`,
  } as const;
}
