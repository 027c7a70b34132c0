// `npm run bench -- fanout`: the distributor with 12 recipients under realistic policies (SPEC §5
// example shapes: a detailed, pseudonymised rule for the regional centre, one for customs, one for
// the region, a minimal one for everyone else), fed by the ledger store and a relay-style publisher.
//
// 1. Throughput: a backlog of events recorded and on CARAVAN_EVENTS, then the distributor started:
//    source events/s and deliveries/s until the last copy is on CARAVAN_SHARE, beside the raw rate of
//    JetStream publishes of as many copies (same sizes, Nats-Msg-Id, awaited PubAcks).
// 2. Latency at 100 events/s offered (open loop), then at 1,000 events/s: p50/p99 from ledger
//    commit to arrival on one recipient's subject, beside raw JetStream publishes of 12 copies per
//    event at the same rate (publish to arrival). Issue 4 target: p99 ≤ 100 ms at 1,000 events/s.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import {
  durableNames,
  streamConfigs,
  streamIds,
  subjects,
  type Agency,
  type ChainedEvent,
  type DomainEvent,
  type SeizureReport,
  type SharingRule,
  type Topology,
} from '@caravan/contracts';
import { generateLedgerKeyPem } from '@caravan/config';
import { openDatabase } from '@caravan/database';
import { directorySchema, DirectoryRepository } from '@caravan/directory';
import { validatePolicy } from '@caravan/domain';
import { ledgerSchema, LedgerWriter } from '@caravan/ledger-store';
import { ensureStreams, publishToStream } from '@caravan/messaging';
import { sharingSchema, SharingStore } from '@caravan/sharing-store';
import { startDistributor } from '../apps/distributor/src/distributor.app.js';
import { benchDatabase, benchServices, benchTopology, median, percentile, printRatio } from './support.js';

const BACKLOG = 3_000;
const RUNS = 2;
const OFFERED_PER_SECOND = 1_000;
// A second point, below saturation on a shared machine, shows the latency without queueing.
const LIGHT_PER_SECOND = 100;
const LATENCY_SECONDS = 5;
const WATCHED = 'CARICC';
const SECRET = 'bench-fanout-pseudonym-secret-0123456789abcdef';

const central = ['group:central-asia'];
const AGENCIES: Agency[] = [
  { code: 'TJ-DCA', name: 'Drug Control Agency (TJ)', country: 'TJ', kind: 'drug-control', groups: central },
  { code: 'KZ-BS', name: 'Border Service (KZ)', country: 'KZ', kind: 'border', groups: central },
  { code: 'KZ-CUS', name: 'Customs (KZ)', country: 'KZ', kind: 'customs', groups: [...central, 'group:customs'] },
  { code: 'KZ-POL', name: 'Police (KZ)', country: 'KZ', kind: 'police', groups: central },
  { code: 'KG-BS', name: 'Border Service (KG)', country: 'KG', kind: 'border', groups: central },
  { code: 'KG-CUS', name: 'Customs (KG)', country: 'KG', kind: 'customs', groups: [...central, 'group:customs'] },
  { code: 'KG-DCS', name: 'Drug Control Service (KG)', country: 'KG', kind: 'drug-control', groups: central },
  { code: 'UZ-BS', name: 'Border Troops (UZ)', country: 'UZ', kind: 'border', groups: central },
  {
    code: 'UZ-SCC',
    name: 'State Customs Committee (UZ)',
    country: 'UZ',
    kind: 'customs',
    groups: [...central, 'group:customs'],
  },
  { code: 'TM-BS', name: 'Border Service (TM)', country: 'TM', kind: 'border', groups: central },
  { code: 'TM-CUS', name: 'Customs (TM)', country: 'TM', kind: 'customs', groups: [...central, 'group:customs'] },
  { code: 'AF-CNPA', name: 'Counter Narcotics Police (AF)', country: 'AF', kind: 'police', groups: [] },
  { code: 'CARICC', name: 'CARICC', kind: 'regional-centre', groups: [] },
];
const RECIPIENTS = AGENCIES.length - 1;

const POLICY: SharingRule[] = [
  {
    to: ['CARICC'],
    types: ['seizure.*'],
    fields: [
      'occurredAt',
      'location',
      'direction',
      'items',
      'transportMode',
      'concealment',
      'detectionMethod',
      'route',
      'suspects[].nationality',
      'suspects[].role',
      'suspects[].documentNumber',
      'conveyance.registration',
    ],
    generalize: { location: 'region' },
    pseudonymize: ['suspects[].documentNumber', 'conveyance.registration'],
  },
  {
    to: ['group:customs'],
    types: ['seizure.*'],
    fields: ['items', 'transportMode', 'concealment', 'conveyance.registration', 'route'],
    pseudonymize: ['conveyance.registration'],
  },
  {
    to: ['group:central-asia'],
    types: ['seizure.*'],
    fields: ['occurredAt', 'location', 'direction', 'items[].substance', 'items[].quantity', 'items[].unit'],
    generalize: { location: 'country', occurredAt: 'week' },
  },
  { to: ['*'], types: ['seizure.*'], fields: ['items[].category', 'items[].substance'] },
];

function report(i: number): SeizureReport {
  return {
    seizureId: randomUUID(),
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
    location: {
      country: 'TJ',
      crossingPoint: 'TJ-NIZHNY-PANJ',
      region: 'Khatlon',
      lat: 37.2,
      lon: 68.6,
      locationType: 'land-border',
    },
    direction: 'import',
    items: [
      { category: 'narcotic', substance: 'heroin', quantity: 5 + (i % 40), unit: 'kg', purityPercent: 55 },
      { category: 'precursor', substance: 'acetic-anhydride', quantity: 20, unit: 'l' },
    ],
    transportMode: 'road',
    conveyance: { kind: 'truck', registration: `01 TJ ${1000 + (i % 9000)} AA`, country: 'TJ' },
    concealment: 'vehicle-compartment',
    detectionMethod: 'x-ray',
    route: { origin: 'AF', transit: ['TJ', 'KG'], destination: 'KZ' },
    suspects: [{ fullName: 'Driver Name', nationality: 'TJ', documentNumber: `P${100000 + i}`, role: 'driver' }],
    narrative: 'Concealed in a modified fuel tank.',
    handling: { tlp: 'GREEN' },
  };
}

/** Every tenth event amends an earlier seizure, so follow-up routing is part of the load. */
class Workload {
  private readonly seizures: string[] = [];
  private i = 0;

  next(): { streamId: string; event: DomainEvent } {
    this.i += 1;
    const earlier = this.seizures[this.seizures.length - 3];
    if (this.i % 10 === 0 && earlier) {
      return {
        streamId: streamIds.seizure(earlier),
        event: {
          type: 'seizure.amended',
          data: {
            seizureId: earlier,
            changes: { items: [{ category: 'narcotic', substance: 'heroin', quantity: 9, unit: 'kg' }] },
            reason: 'reweighed',
          },
        },
      };
    }
    const data = report(this.i);
    this.seizures.push(data.seizureId);
    return { streamId: streamIds.seizure(data.seizureId), event: { type: 'seizure.reported', data } };
  }
}

interface Hub {
  readonly db: DataSource;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly topology: Topology;
  readonly writer: LedgerWriter;
  readonly config: { databaseUrl: string; natsServers: string[]; topology: Topology; pseudonymSecret: string };
}

/** The relay's job: each committed event to caravan.evt.<type>, in position order. */
function relay(hub: Hub, event: ChainedEvent): Promise<unknown> {
  return publishToStream(hub.js, subjects(hub.topology).event(event.type), event, {
    msgId: event.eventId,
    position: event.position,
    type: event.type,
    schemaVersion: event.schemaVersion,
  });
}

async function shareCount(hub: Hub): Promise<number> {
  return (await hub.jsm.streams.info(streamConfigs(hub.topology).share.name)).state.messages;
}

async function until(predicate: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('fanout bench: timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Records and relays `n` events with the distributor stopped, then times the distributor draining them. */
async function fanoutRate(hub: Hub, workload: Workload, n: number): Promise<{ events: number; deliveries: number }> {
  const before = await shareCount(hub);
  const store = new SharingStore(hub.db);
  const appended = await Promise.all(
    Array.from({ length: n }, () => {
      const { streamId, event } = workload.next();
      return hub.writer.append({ streamId, expectedVersion: 'any', originator: 'TJ-DCA', events: [event] });
    }),
  );
  const events = appended.flatMap((r) => r.events).sort((a, b) => a.position - b.position);
  await Promise.all(events.map((e) => relay(hub, e)));
  const last = events.at(-1)!.position;
  const checkpoint = durableNames(hub.topology).distributor;
  const started = performance.now();
  const distributor = await startDistributor(hub.config, { logs: false });
  let delivered = 0;
  await until(async () => {
    if ((await store.checkpoint(checkpoint)) < last) return false;
    delivered = (await shareCount(hub)) - before;
    // Every recorded delivery of this run is on CARAVAN_SHARE.
    return delivered >= n * RECIPIENTS;
  });
  const seconds = (performance.now() - started) / 1000;
  await distributor.close();
  return { events: n / seconds, deliveries: delivered / seconds };
}

/** Raw JetStream: as many copies as a fan-out run publishes, pipelined like the distributor does. */
async function rawRate(hub: Hub, n: number, body: string): Promise<number> {
  const subject = subjects(hub.topology).share('RAW', 'seizure.reported');
  const total = n * RECIPIENTS;
  const started = performance.now();
  for (let sent = 0; sent < total; sent += 2_400) {
    await Promise.all(
      Array.from({ length: Math.min(2_400, total - sent) }, () =>
        hub.js.publish(subject, body, { msgID: randomUUID() }),
      ),
    );
  }
  return total / ((performance.now() - started) / 1000);
}

/** Open loop: `perSecond` appends per second; latency from commit to arrival on WATCHED's subject. */
async function fanoutLatencies(hub: Hub, workload: Workload, perSecond: number): Promise<number[]> {
  const committedAt = new Map<string, number>();
  const results: number[] = [];
  const sub = hub.nc.subscribe(subjects(hub.topology).shareFor(WATCHED), {
    callback: (_error, msg) => {
      const eventId = msg.headers?.get('Nats-Msg-Id').split(':')[0] ?? '';
      const at = committedAt.get(eventId);
      if (at !== undefined) results.push(performance.now() - at);
    },
  });
  await hub.nc.flush();
  const total = perSecond * LATENCY_SECONDS;
  const relays: Array<Promise<unknown>> = [];
  const started = performance.now();
  let issued = 0;
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond));
    for (; issued < due; issued++) {
      const { streamId, event } = workload.next();
      relays.push(
        hub.writer
          .append({ streamId, expectedVersion: 'any', originator: 'TJ-DCA', events: [event] })
          .then((result) => {
            const recorded = result.events[0]!;
            committedAt.set(recorded.eventId, performance.now());
            // Batches resolve in position order, so these publishes leave in position order.
            return relay(hub, recorded);
          }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(relays);
  await until(async () => results.length >= total);
  sub.unsubscribe();
  return results;
}

/** Raw JetStream at the same offered rate: 12 copies per event, publish to arrival of one of them. */
async function rawLatencies(hub: Hub, body: string, perSecond: number): Promise<number[]> {
  const s = subjects(hub.topology);
  const results: number[] = [];
  const sentAt = new Map<string, number>();
  let lost = 0;
  const sub = hub.nc.subscribe(s.share('RAWWATCH', 'seizure.reported'), {
    callback: (_error, msg) => {
      const at = sentAt.get(msg.headers?.get('Nats-Msg-Id') ?? '');
      if (at !== undefined) results.push(performance.now() - at);
    },
  });
  await hub.nc.flush();
  const total = perSecond * LATENCY_SECONDS;
  const pending: Array<Promise<unknown>> = [];
  const started = performance.now();
  let issued = 0;
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond));
    for (; issued < due; issued++) {
      const id = randomUUID();
      sentAt.set(id, performance.now());
      // A PubAck timeout under overload is counted, not fatal: the baseline reports what arrived.
      pending.push(hub.js.publish(s.share('RAWWATCH', 'seizure.reported'), body, { msgID: id }).catch(() => lost++));
      for (let r = 1; r < RECIPIENTS; r++) {
        pending.push(
          hub.js.publish(s.share('RAW', 'seizure.reported'), body, { msgID: `${id}:${r}` }).catch(() => lost++),
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  await until(async () => results.length >= total - lost, 60_000).catch(() => undefined);
  sub.unsubscribe();
  if (lost > 0) console.log(`  (baseline: ${lost} raw publishes got no PubAck in time)`);
  return results;
}

function describe(label: string, times: readonly number[]): string {
  return `${label}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${percentile(times, 100).toFixed(1)} ms`;
}

export async function run(): Promise<void> {
  const database = await benchDatabase('fanout');
  const topology = benchTopology('fanout');
  const db = await openDatabase({
    url: database.url,
    schemas: [ledgerSchema, directorySchema, sharingSchema],
    poolSize: 4,
    applicationName: 'bench-fanout',
  });
  const nc = await connect({ servers: benchServices.natsUrl });
  const jsm = await jetstreamManager(nc);
  const writer = new LedgerWriter(db, { signingKeyPem: generateLedgerKeyPem() });
  const hub: Hub = {
    db,
    nc,
    js: jetstream(nc),
    jsm,
    topology,
    writer,
    config: { databaseUrl: database.url, natsServers: [benchServices.natsUrl], topology, pseudonymSecret: SECRET },
  };
  try {
    await ensureStreams(jsm, topology);
    const directory = new DirectoryRepository(db);
    for (const agency of AGENCIES) await directory.upsertAgency(agency);
    const errors = validatePolicy(POLICY, { agencies: AGENCIES, crossingPoints: [] });
    if (errors.length > 0) throw new Error(`bench policy is invalid: ${JSON.stringify(errors)}`);
    const policy = await writer.append({
      streamId: streamIds.policy('TJ-DCA'),
      expectedVersion: 'any',
      originator: 'TJ-DCA',
      events: [{ type: 'policy.set', data: { agency: 'TJ-DCA', rules: POLICY } }],
    });
    await relay(hub, policy.events[0]!);
    const workload = new Workload();
    // A copy the size CARICC gets, for the raw baseline.
    const body = JSON.stringify({ eventId: randomUUID(), payload: report(0), recipient: WATCHED, policyVersion: 1 });

    // Warm-up (connections, JIT, consumers), not measured.
    await fanoutRate(hub, workload, 300);
    await rawRate(hub, 300, body);
    const events: number[] = [];
    const deliveries: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const rate = await fanoutRate(hub, workload, BACKLOG);
      events.push(rate.events);
      deliveries.push(rate.deliveries);
      raw.push(await rawRate(hub, BACKLOG, body));
    }
    console.log(
      `fan-out of a ${BACKLOG}-event backlog to ${RECIPIENTS} recipients: ${median(events).toFixed(0)} source events/s ` +
        `(runs ${events.map((v) => v.toFixed(0)).join('/')})`,
    );
    printRatio('deliveries (decide, record, publish) vs raw JetStream publishes', deliveries, raw, 'msgs/s');

    const distributor = await startDistributor(hub.config, { logs: false });
    try {
      for (const perSecond of [LIGHT_PER_SECOND, OFFERED_PER_SECOND]) {
        const ours = await fanoutLatencies(hub, workload, perSecond);
        const baseline = await rawLatencies(hub, body, perSecond);
        const target = perSecond === OFFERED_PER_SECOND ? '; target p99 ≤ 100 ms' : '';
        console.log(
          describe(
            `commit → arrival on ${WATCHED}'s subject at ${perSecond} events/s offered for ${LATENCY_SECONDS} s (${RECIPIENTS} copies each${target})`,
            ours,
          ),
        );
        console.log(
          `  ${describe(`baseline: raw JetStream publish → arrival, ${RECIPIENTS} messages per event at the same rate`, baseline)}`,
        );
      }
    } finally {
      await distributor.close();
    }
  } finally {
    await writer.close();
    await nc.drain();
    await db.destroy();
    await database.drop();
    const cleanup = await connect({ servers: benchServices.natsUrl });
    const manager = await jetstreamManager(cleanup);
    for (const config of Object.values(streamConfigs(topology)))
      await manager.streams.delete(config.name).catch(() => false);
    await cleanup.drain();
  }
}
