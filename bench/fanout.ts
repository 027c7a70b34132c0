// `npm run bench -- fanout`: the distributor with 12 recipients under realistic policies (SPEC §5
// example shapes: a detailed, pseudonymised rule for the regional centre, one for customs, one for
// the region, a minimal one for everyone else), fed by the ledger store. The distributor runs as it
// is deployed alone: its own process (dist/apps/distributor/src/main.js), so the load generator here
// does not share its event loop.
//
// 1. Throughput: a backlog of events recorded in the ledger, then put on CARAVAN_EVENTS at once
//    (relay-style, pipelined): source events/s and deliveries/s until the last copy is on
//    CARAVAN_SHARE, beside the best plain JetStream publishing of as many copies from this process
//    (same sizes, Nats-Msg-Id, every PubAck awaited). Medians of several runs.
// 2. Latency at 100 events/s offered (open loop), then at 1,000 events/s: p50/p99 from ledger
//    commit to arrival on one recipient's subject, with a relay-style publisher here, beside plain
//    JetStream publishes of 12 copies per event at the same rate (publish to arrival); then the same
//    at 1,000 events/s through the ledger's own outbox relay (apps/ledger), as in production.
//    Issue 4 target: p99 ≤ 100 ms at 1,000 events/s.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { createInbox, headers, type Msg, type Subscription } from '@nats-io/nats-core';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import {
  HEADERS,
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
import { advanceRelayCheckpoint, ledgerSchema, LedgerReader, LedgerWriter } from '@caravan/ledger-store';
import { ensureStreams, StreamPublisher } from '@caravan/messaging';
import { sharingSchema } from '@caravan/sharing-store';
import { startLedger } from '../apps/ledger/src/ledger.app.js';
import { relayCheckpointName } from '../apps/ledger/src/relay/outbox-relay.js';
import { benchDatabase, benchServices, benchTopology, cpuSeconds, median, percentile, printRatio } from './support.js';

const BACKLOG = 3_000;
const RUNS = 3;
const OFFERED_PER_SECOND = 1_000;
// A second point, below saturation on a shared machine, shows the latency without queueing.
const LIGHT_PER_SECOND = 100;
const LATENCY_SECONDS = 5;
const LATENCY_RUNS = 3;
// CARAVAN_BENCH_FANOUT_PHASES=backlog,light,offered,relay (all by default): which phases to run.
const phases = new Set(
  (process.env['CARAVAN_BENCH_FANOUT_PHASES'] ?? 'backlog,light,offered,relay').split(',').map((p) => p.trim()),
);
const DISTRIBUTOR_MAIN = resolve('dist/apps/distributor/src/main.js');
const WATCHED = 'CARICC';
const SECRET = 'bench-fanout-pseudonym-secret-0123456789abcdef';

const central = ['group:central-asia'];
export const AGENCIES: Agency[] = [
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

export const POLICY: SharingRule[] = [
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
export class Workload {
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
  readonly jsm: JetStreamManager;
  readonly topology: Topology;
  readonly writer: LedgerWriter;
  /** The relay's job, simulated: each committed event to caravan.evt.<type>, in position order. */
  readonly relay: StreamPublisher;
  readonly databaseUrl: string;
}

function relayMessage(hub: Hub, event: ChainedEvent) {
  return {
    subject: subjects(hub.topology).event(event.type),
    body: event,
    meta: { msgId: event.eventId, position: event.position, type: event.type, schemaVersion: event.schemaVersion },
  };
}

async function shareCount(hub: Hub): Promise<number> {
  return (await hub.jsm.streams.info(streamConfigs(hub.topology).share.name)).state.messages;
}

async function until(predicate: () => Promise<boolean> | boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('fanout bench: timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The distributor as deployed alone: `main.js` in a process of its own. */
async function spawnDistributor(
  hub: Hub,
  stateDir: string,
): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  // CARAVAN_BENCH_PROFILE_DIR=<dir>: the distributor writes a CPU profile there when it stops.
  const profileDir = process.env['CARAVAN_BENCH_PROFILE_DIR'];
  const execArgv = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  // CARAVAN_BENCH_DISTRIBUTOR_NODE_ARGS='--import …': more node flags for the distributor (a tracing preload).
  execArgv.push(...(process.env['CARAVAN_BENCH_DISTRIBUTOR_NODE_ARGS'] ?? '').split(' ').filter(Boolean));
  const child = spawn(process.execPath, [...execArgv, DISTRIBUTOR_MAIN], {
    env: {
      PATH: process.env['PATH'],
      CARAVAN_DATABASE_URL: hub.databaseUrl,
      CARAVAN_NATS_URL: benchServices.natsUrl,
      CARAVAN_NAMESPACE: hub.topology.subjectRoot.split('.')[0],
      CARAVAN_PSEUDONYM_SECRET: SECRET,
      CARAVAN_STATE_DIR: stateDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (output.includes('distributor ready')) ready();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => fail(new Error(`the distributor exited before it was ready:\n${output}`)));
  });
  // Its log lines (one per chunk) are read and dropped, so a full pipe never blocks it.
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  return {
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU seconds of every process named `comm` (Linux /proc), e.g. the NATS server. */
async function cpuSecondsOfCommand(comm: string): Promise<number | undefined> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  let total: number | undefined;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const name = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (name.trim() !== comm) continue;
    total = (total ?? 0) + ((await cpuSeconds(Number(entry))) ?? 0);
  }
  return total;
}

/**
 * Where the CPU goes during a phase, per source event: the distributor's process, this one (the
 * ledger writer, the relay, the subscriber), the PostgreSQL sessions of the bench's database (so not
 * another user's: the distributor's, and the rest, which serve the ledger), and the whole NATS server.
 */
class CpuMeter {
  private start: Record<string, number> = {};

  constructor(
    private readonly hub: Hub,
    private readonly distributorPid: number | undefined,
  ) {}

  async begin(): Promise<void> {
    this.start = await this.sample();
  }

  async end(events: number): Promise<Record<string, number>> {
    const now = await this.sample();
    return Object.fromEntries(
      Object.entries(now).map(([key, value]) => [key, ((value - (this.start[key] ?? 0)) * 1000) / events]),
    );
  }

  private async sample(): Promise<Record<string, number>> {
    const sessions: Array<{ pid: number; application_name: string }> = await this.hub.db.query(
      'SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database()',
    );
    // PostgreSQL's work split by whose session it did it for.
    const postgres: Record<string, number> = { 'pg(distributor)': 0, 'pg(ledger)': 0 };
    for (const { pid, application_name } of sessions) {
      const key = application_name.startsWith('caravan-distributor') ? 'pg(distributor)' : 'pg(ledger)';
      postgres[key]! += (await cpuSeconds(pid)) ?? 0;
    }
    const own = process.cpuUsage();
    return {
      distributor: (await cpuSeconds(this.distributorPid)) ?? 0,
      bench: (own.user + own.system) / 1e6,
      ...postgres,
      nats: (await cpuSecondsOfCommand('nats-server')) ?? 0,
    };
  }
}

function describeCpu(perEvent: Record<string, number>): string {
  return Object.entries(perEvent)
    .map(([key, ms]) => `${key} ${ms.toFixed(2)}`)
    .join(', ');
}

/** Records `n` events with nothing relayed, then puts them on the bus at once and times the distributor's drain. */
async function fanoutRate(
  hub: Hub,
  workload: Workload,
  n: number,
  distributorPid?: number,
): Promise<{ events: number; deliveries: number; cpuMsPerEvent: number | undefined }> {
  const before = await shareCount(hub);
  const appended = await Promise.all(
    Array.from({ length: n }, () => {
      const { streamId, event } = workload.next();
      return hub.writer.append({ streamId, expectedVersion: 'any', originator: 'TJ-DCA', events: [event] });
    }),
  );
  const events = appended.flatMap((r) => r.events).sort((a, b) => a.position - b.position);
  const cpuBefore = await cpuSeconds(distributorPid);
  const started = performance.now();
  await hub.relay.publish(events.map((e) => relayMessage(hub, e)));
  let delivered = 0;
  await until(async () => {
    delivered = (await shareCount(hub)) - before;
    return delivered >= n * RECIPIENTS;
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuSeconds(distributorPid);
  const cpuMsPerEvent =
    cpuBefore !== undefined && cpuAfter !== undefined ? ((cpuAfter - cpuBefore) * 1000) / n : undefined;
  return { events: n / seconds, deliveries: delivered / seconds, cpuMsPerEvent };
}

/**
 * The best plain JetStream publishing we know from one Node process: core publishes whose reply
 * subject is a token on ONE wildcard inbox subscription (no request object, timer or promise per
 * message), a window of PubAcks in flight, each awaited. No ordering guarantee on failure, no retry.
 */
class RawJetStream {
  private readonly inbox = createInbox();
  private readonly subscription: Subscription;
  private token = 0;
  private inFlight = 0;
  private waiters: Array<{ limit: number; resolve: () => void }> = [];
  lost = 0;

  constructor(private readonly nc: NatsConnection) {
    this.subscription = nc.subscribe(`${this.inbox}.*`, { callback: (_error, msg) => this.onAck(msg) });
  }

  send(subject: string, body: Uint8Array, msgId: string): void {
    const h = headers();
    h.append(HEADERS.msgId, msgId);
    this.inFlight += 1;
    this.nc.publish(subject, body, { reply: `${this.inbox}.${++this.token}`, headers: h });
  }

  /** Resolves once at most `limit` PubAcks are outstanding. */
  async inFlightAtMost(limit: number): Promise<void> {
    if (this.inFlight <= limit) return;
    await new Promise<void>((resolve) => this.waiters.push({ limit, resolve }));
  }

  close(): void {
    this.subscription.unsubscribe();
  }

  private onAck(msg: Msg): void {
    if (msg.data.length === 0 || new TextDecoder().decode(msg.data).includes('"error"')) this.lost += 1;
    this.inFlight -= 1;
    const ready = this.waiters.filter((w) => w.limit >= this.inFlight);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.limit < this.inFlight);
    for (const waiter of ready) waiter.resolve();
  }
}

/** Raw JetStream: as many copies as a fan-out run delivers, published as fast as the stream takes them. */
async function rawRate(hub: Hub, n: number, body: Uint8Array): Promise<number> {
  const raw = new RawJetStream(hub.nc);
  const subject = subjects(hub.topology).share('RAW', 'seizure.reported');
  const total = n * RECIPIENTS;
  const run = randomUUID();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    raw.send(subject, body, `${run}:${i}`);
    if (i % 256 === 255) await raw.inFlightAtMost(4_096);
  }
  await raw.inFlightAtMost(0);
  const rate = total / ((performance.now() - started) / 1000);
  raw.close();
  return rate;
}

/** Calls `issue` `perSecond` times a second for LATENCY_SECONDS (open loop); returns how many it issued. */
async function openLoop(perSecond: number, issue: () => void): Promise<number> {
  const total = perSecond * LATENCY_SECONDS;
  const started = performance.now();
  let issued = 0;
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond));
    for (; issued < due; issued++) issue();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return total;
}

/**
 * Open loop: `perSecond` appends per second; latency from commit to arrival on WATCHED's subject.
 * `relayHere`: this process publishes each committed event (relay-style); otherwise the ledger's
 * outbox relay does.
 */
async function fanoutLatencies(hub: Hub, workload: Workload, perSecond: number, relayHere: boolean): Promise<number[]> {
  const committedAt = new Map<string, number>();
  // Kept apart from the commit times: a copy can arrive before this process has seen its commit.
  const arrivedAt = new Map<string, number>();
  const sub = hub.nc.subscribe(subjects(hub.topology).shareFor(WATCHED), {
    callback: (_error, msg) => {
      const eventId = msg.headers?.get(HEADERS.msgId).split(':')[0] ?? '';
      if (!arrivedAt.has(eventId)) arrivedAt.set(eventId, performance.now());
    },
  });
  await hub.nc.flush();
  const appends: Array<Promise<unknown>> = [];
  const total = await openLoop(perSecond, () => {
    const { streamId, event } = workload.next();
    appends.push(
      hub.writer.append({ streamId, expectedVersion: 'any', originator: 'TJ-DCA', events: [event] }).then((result) => {
        const recorded = result.events[0]!;
        committedAt.set(recorded.eventId, performance.now());
        // Batches resolve in position order, so these publishes are queued in position order.
        if (relayHere) void hub.relay.publish([relayMessage(hub, recorded)]);
      }),
    );
  });
  await Promise.all(appends);
  await until(() => [...committedAt.keys()].every((id) => arrivedAt.has(id)));
  sub.unsubscribe();
  if (committedAt.size !== total) throw new Error(`fanout bench: ${committedAt.size} of ${total} appends committed`);
  return [...committedAt].map(([id, at]) => arrivedAt.get(id)! - at);
}

/** Raw JetStream at the same offered rate: 12 copies per event, publish to arrival of one of them. */
async function rawLatencies(hub: Hub, body: Uint8Array, perSecond: number): Promise<number[]> {
  const s = subjects(hub.topology);
  const raw = new RawJetStream(hub.nc);
  const results: number[] = [];
  const sentAt = new Map<string, number>();
  const sub = hub.nc.subscribe(s.share('RAWWATCH', 'seizure.reported'), {
    callback: (_error, msg) => {
      const at = sentAt.get(msg.headers?.get(HEADERS.msgId) ?? '');
      if (at !== undefined) results.push(performance.now() - at);
    },
  });
  await hub.nc.flush();
  const total = await openLoop(perSecond, () => {
    const id = randomUUID();
    sentAt.set(id, performance.now());
    raw.send(s.share('RAWWATCH', 'seizure.reported'), body, id);
    for (let r = 1; r < RECIPIENTS; r++) raw.send(s.share('RAW', 'seizure.reported'), body, `${id}:${r}`);
  });
  await raw.inFlightAtMost(0);
  await until(() => results.length >= total - raw.lost, 60_000).catch(() => undefined);
  sub.unsubscribe();
  raw.close();
  if (raw.lost > 0) console.log(`  (baseline: ${raw.lost} raw publishes were refused)`);
  return results;
}

/** `label: p50 …, p99 …, max …` as medians over the runs, with each run's p99. */
function describe(label: string, runs: readonly (readonly number[])[]): string {
  const at = (p: number) => median(runs.map((times) => percentile(times, p)));
  const p99s = runs.map((times) => percentile(times, 99).toFixed(1)).join('/');
  return (
    `${label}: p50 ${at(50).toFixed(1)} ms, p99 ${at(99).toFixed(1)} ms, max ${at(100).toFixed(1)} ms ` +
    `(medians of ${runs.length} runs; p99s ${p99s})`
  );
}

/** Phase 1: the drain of a backlog, beside raw JetStream publishing of as many copies. */
async function backlogPhase(hub: Hub, workload: Workload, body: Uint8Array, pid: number | undefined): Promise<void> {
  const events: number[] = [];
  const deliveries: number[] = [];
  const cpu: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const rate = await fanoutRate(hub, workload, BACKLOG, pid);
    events.push(rate.events);
    deliveries.push(rate.deliveries);
    if (rate.cpuMsPerEvent !== undefined) cpu.push(rate.cpuMsPerEvent);
    raw.push(await rawRate(hub, BACKLOG, body));
  }
  console.log(
    `fan-out of a ${BACKLOG}-event backlog to ${RECIPIENTS} recipients: ${median(events).toFixed(0)} source events/s ` +
      `(runs ${events.map((v) => v.toFixed(0)).join('/')})` +
      (cpu.length > 0 ? `; distributor process CPU ${median(cpu).toFixed(2)} ms per source event` : ''),
  );
  printRatio('deliveries (decide, record, publish) vs raw JetStream publishes', deliveries, raw, 'msgs/s');
}

export async function run(): Promise<void> {
  const database = await benchDatabase('fanout');
  const topology = benchTopology('fanout');
  const stateDir = await mkdtemp(join(tmpdir(), 'caravan-bench-fanout-'));
  const db = await openDatabase({
    url: database.url,
    schemas: [ledgerSchema, directorySchema, sharingSchema],
    poolSize: 4,
    applicationName: 'bench-fanout',
  });
  const nc = await connect({ servers: benchServices.natsUrl, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const writer = new LedgerWriter(db, { signingKeyPem: generateLedgerKeyPem() });
  const hub: Hub = {
    db,
    nc,
    jsm,
    topology,
    writer,
    relay: new StreamPublisher(nc),
    databaseUrl: database.url,
  };
  let distributor: Awaited<ReturnType<typeof spawnDistributor>> | undefined;
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
    await hub.relay.publish([relayMessage(hub, policy.events[0]!)]);
    const workload = new Workload();
    // A copy the size CARICC gets, for the raw baseline.
    const body = new TextEncoder().encode(
      JSON.stringify({ eventId: randomUUID(), payload: report(0), recipient: WATCHED, policyVersion: 1 }),
    );
    distributor = await spawnDistributor(hub, stateDir);
    const pid = distributor.child.pid;

    // Warm-up (connections, JIT, consumers), not measured.
    await fanoutRate(hub, workload, 300);
    await rawRate(hub, 300, body);
    console.log(
      `uptime load at start ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
    );
    if (phases.has('backlog')) await backlogPhase(hub, workload, body, pid);

    const meter = new CpuMeter(hub, pid);
    const rates = [
      ...(phases.has('light') ? [LIGHT_PER_SECOND] : []),
      ...(phases.has('offered') ? [OFFERED_PER_SECOND] : []),
    ];
    for (const perSecond of rates) {
      const ours: number[][] = [];
      const baseline: number[][] = [];
      const cpuRuns: Array<Record<string, number>> = [];
      for (let i = 0; i < LATENCY_RUNS; i++) {
        await meter.begin();
        ours.push(await fanoutLatencies(hub, workload, perSecond, true));
        cpuRuns.push(await meter.end(perSecond * LATENCY_SECONDS));
        baseline.push(await rawLatencies(hub, body, perSecond));
      }
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
      const cpuMedians = Object.fromEntries(
        Object.keys(cpuRuns[0] ?? {}).map((key) => [key, median(cpuRuns.map((r) => r[key]!))]),
      );
      console.log(
        `  CPU ms per source event (medians): ${describeCpu(cpuMedians)}; uptime load ${loadavg()[0]!.toFixed(2)}`,
      );
    }

    // Production's path: the ledger app's outbox relay (woken by the writer's NOTIFY) instead of ours.
    if (!phases.has('relay')) return;
    const head = await new LedgerReader(db).head();
    await advanceRelayCheckpoint(db, relayCheckpointName(topology), head.position);
    const ledger = await startLedger({
      databaseUrl: database.url,
      natsServers: [benchServices.natsUrl],
      topology,
      ledgerKeyPem: generateLedgerKeyPem(),
    });
    try {
      const viaRelay: number[][] = [];
      for (let i = 0; i < LATENCY_RUNS; i++)
        viaRelay.push(await fanoutLatencies(hub, workload, OFFERED_PER_SECOND, false));
      console.log(
        describe(
          `commit → arrival through the ledger's outbox relay at ${OFFERED_PER_SECOND} events/s offered (target p99 ≤ 100 ms)`,
          viaRelay,
        ),
      );
    } finally {
      await ledger.close();
    }
  } finally {
    await distributor?.stop();
    hub.relay.close();
    await writer.close();
    await nc.drain();
    await db.destroy();
    await database.drop();
    await rm(stateDir, { recursive: true, force: true });
    const cleanup = await connect({ servers: benchServices.natsUrl });
    const manager = await jetstreamManager(cleanup);
    for (const config of Object.values(streamConfigs(topology)))
      await manager.streams.delete(config.name).catch(() => false);
    await cleanup.drain();
  }
}
