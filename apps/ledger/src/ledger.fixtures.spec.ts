// Shared by the ledger's integration tests: command bodies, ledger events written straight through
// the store, and reads of what the relay put on a stream. Not a test file itself.
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import { HEADERS, streamConfigs, type ChainedEvent, type Topology } from '@caravan/contracts';
import type { LedgerWriter } from '@caravan/ledger-store';

/** A body loosely typed on purpose, so a test can write any wrong value into it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutations put wrong types into fields
export type Body = Record<string, any>;

/** A valid `seizure.report` body for TJ-DCA's side of the Nizhny Panj bridge. */
export function reportBody(overrides: Body = {}): Body {
  return {
    commandId: randomUUID(),
    seizureId: randomUUID(),
    occurredAt: '2026-01-10T04:15:00Z',
    location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', region: 'Khatlon', locationType: 'land-border' },
    direction: 'import',
    items: [{ category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg' }],
    transportMode: 'road',
    detectionMethod: 'x-ray',
    handling: { tlp: 'GREEN' },
    ...overrides,
  };
}

/** Appends `count` small events, each a command of its own, straight through the store. */
export async function appendDirectly(writer: LedgerWriter, count: number, originator = 'TJ-DCA'): Promise<void> {
  for (let i = 0; i < count; i++) {
    const seizureId = randomUUID();
    await writer.append({
      streamId: `seizure-${seizureId}`,
      expectedVersion: 0,
      originator,
      events: [{ type: 'seizure.retracted', data: { seizureId, reason: `test event ${i}` } }],
    });
  }
}

/** One message of CARAVAN_EVENTS as the relay published it. */
export interface PublishedEvent {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly position: string | undefined;
  readonly type: string | undefined;
  readonly schemaVersion: string | undefined;
  readonly body: ChainedEvent;
}

/** How many messages the topology's CARAVAN_EVENTS holds (0 when the stream does not exist yet). */
export async function eventStreamCount(nc: NatsConnection, topology: Topology): Promise<number> {
  const jsm = await jetstreamManager(nc);
  try {
    return (await jsm.streams.info(streamConfigs(topology).events.name)).state.messages;
  } catch {
    return 0;
  }
}

/** Every message of the topology's CARAVAN_EVENTS, in stream order. */
export async function readEventStream(nc: NatsConnection, topology: Topology): Promise<PublishedEvent[]> {
  const jsm = await jetstreamManager(nc);
  const name = streamConfigs(topology).events.name;
  const { state } = await jsm.streams.info(name);
  const messages: PublishedEvent[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(name, { seq });
    if (!m) continue;
    messages.push({
      seq: m.seq,
      subject: m.subject,
      msgId: m.header.get(HEADERS.msgId) || undefined,
      position: m.header.get(HEADERS.position) || undefined,
      type: m.header.get(HEADERS.type) || undefined,
      schemaVersion: m.header.get(HEADERS.schemaVersion) || undefined,
      body: m.json<ChainedEvent>(),
    });
  }
  return messages;
}

/** Every ledger row as (position, eventId, hash), in position order. */
export async function ledgerRows(
  db: DataSource,
): Promise<Array<{ position: number; eventId: string; type: string; hash: string }>> {
  const rows: Array<{ position: string; event_id: string; type: string; hash: string }> = await db.query(
    'SELECT position, event_id, type, hash FROM ledger_events ORDER BY position',
  );
  return rows.map((r) => ({ position: Number(r.position), eventId: r.event_id, type: r.type, hash: r.hash }));
}

/** Polls `check` until it returns true, or fails with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Checks that the stream holds each ledger event exactly once, in position order, with the headers
 * of SPEC §6 and the chained event as its body.
 */
export function expectExactlyOnce(
  published: readonly PublishedEvent[],
  rows: ReadonlyArray<{ position: number; eventId: string; type: string; hash: string }>,
  subjectRoot: string,
): void {
  expect(published).toHaveLength(rows.length);
  expect(new Set(published.map((m) => m.msgId)).size).toBe(rows.length);
  expect(published.map((m) => Number(m.position))).toEqual(rows.map((r) => r.position));
  published.forEach((m, i) => {
    const row = rows[i]!;
    expect(m.msgId).toBe(row.eventId);
    expect(m.type).toBe(row.type);
    expect(m.schemaVersion).toBe('1');
    expect(m.subject).toBe(`${subjectRoot}.evt.${row.type}`);
    expect(m.body.eventId).toBe(row.eventId);
    expect(m.body.position).toBe(row.position);
    expect(m.body.hash).toBe(row.hash);
  });
}
