// Shared by the distributor's integration tests (not a test file itself: jest matches only
// *.unit.spec.ts / *.int.spec.ts, and the build skips *.spec.ts).
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import {
  HEADERS,
  streamConfigs,
  subjects,
  type Agency,
  type ChainedEvent,
  type DomainEvent,
  type SeizureReport,
  type SharedCopy,
  type SharingRule,
  type Topology,
} from '@caravan/contracts';
import { generateLedgerKeyPem } from '@caravan/config';
import { DirectoryRepository } from '@caravan/directory';
import { validatePolicy } from '@caravan/domain';
import { LedgerWriter } from '@caravan/ledger-store';
import { publishToStream } from '@caravan/messaging';

export const SECRET = 'distributor-test-pseudonym-secret-0123456789';

export const AGENCIES: readonly Agency[] = [
  {
    code: 'TJ-DCA',
    name: 'Drug Control Agency of Tajikistan',
    country: 'TJ',
    kind: 'drug-control',
    groups: ['group:central-asia'],
  },
  {
    code: 'KZ-BS',
    name: 'Border Service of Kazakhstan',
    country: 'KZ',
    kind: 'border',
    groups: ['group:central-asia'],
  },
  {
    code: 'UZ-SCC',
    name: 'State Customs Committee of Uzbekistan',
    country: 'UZ',
    kind: 'customs',
    groups: ['group:central-asia', 'group:customs'],
  },
  { code: 'KG-BS', name: 'Border Service of Kyrgyzstan', country: 'KG', kind: 'border', groups: [] },
];

export async function seedAgencies(db: DataSource): Promise<void> {
  const directory = new DirectoryRepository(db);
  for (const agency of AGENCIES) await directory.upsertAgency(agency);
}

/** One copy as it sits on CARAVAN_SHARE. */
export interface ShareMessage {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly copy: SharedCopy;
}

/** Every message of the topology's CARAVAN_SHARE, in stream order. */
export async function readShare(nc: NatsConnection, topology: Topology): Promise<ShareMessage[]> {
  const jsm = await jetstreamManager(nc);
  const name = streamConfigs(topology).share.name;
  const info = await jsm.streams.info(name).catch(() => undefined);
  const out: ShareMessage[] = [];
  if (!info) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(name, { seq });
    if (!m) continue;
    const headers: Record<string, string> = {};
    for (const key of m.header.keys()) headers[key] = m.header.get(key);
    out.push({ seq, subject: m.subject, msgId: headers[HEADERS.msgId] ?? '', headers, copy: m.json<SharedCopy>() });
  }
  return out;
}

export async function waitFor(
  what: string,
  predicate: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The ledger and the outbox relay's job, as the tests need them: append, then publish in order. */
export class TestLedger {
  readonly writer: LedgerWriter;

  constructor(
    db: DataSource,
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
  ) {
    this.writer = new LedgerWriter(db, { signingKeyPem: generateLedgerKeyPem() });
  }

  /** Records one event for `originator` on `streamId` (no publish). */
  async append(originator: string, streamId: string, event: DomainEvent): Promise<ChainedEvent> {
    const result = await this.writer.append({ streamId, expectedVersion: 'any', originator, events: [event] });
    return result.events[0]!;
  }

  /** Publishes recorded events to caravan.evt.<type> as the relay does. */
  async publish(...events: readonly ChainedEvent[]): Promise<void> {
    for (const event of events) {
      await publishToStream(this.nc, subjects(this.topology).event(event.type), event, {
        msgId: event.eventId,
        position: event.position,
        type: event.type,
        schemaVersion: event.schemaVersion,
      });
    }
  }

  async record(originator: string, streamId: string, event: DomainEvent): Promise<ChainedEvent> {
    const recorded = await this.append(originator, streamId, event);
    await this.publish(recorded);
    return recorded;
  }

  setPolicy(agency: string, rules: readonly SharingRule[]): DomainEvent {
    const errors = validatePolicy(rules, { agencies: AGENCIES, crossingPoints: [] });
    if (errors.length > 0) throw new Error(`test policy is invalid: ${JSON.stringify(errors)}`);
    return { type: 'policy.set', data: { agency, rules } };
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

export function seizure(overrides: Partial<SeizureReport> = {}): SeizureReport {
  return {
    seizureId: randomUUID(),
    occurredAt: '2026-03-14T06:30:00.000Z',
    location: {
      country: 'TJ',
      crossingPoint: 'TJ-NIZHNY-PANJ',
      region: 'Khatlon',
      lat: 37.2,
      lon: 68.6,
      locationType: 'land-border',
    },
    direction: 'import',
    items: [{ category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg', purityPercent: 61 }],
    transportMode: 'road',
    conveyance: { kind: 'truck', registration: '01 TJ 4455 AA', country: 'TJ' },
    detectionMethod: 'x-ray',
    suspects: [{ fullName: 'Ivan Petrov', nationality: 'TJ', documentNumber: 'A1234567', role: 'driver' }],
    narrative: 'Found in the fuel tank.',
    handling: { tlp: 'GREEN' },
    ...overrides,
  };
}
