// `npm run bench -- views`: the regional views (issue 6). Fills a private ledger with seizures,
// amendments, retractions and alerts from eight agencies, then measures, beside a raw `pg` read of
// the same ledger rows in the same run:
//   - rebuild: rebuildViews() streaming the ledger on one connection, redacting for CARICC and
//     COPYing each folded row on another as soon as its stream has ended (target ≥ 50,000
//     events/s); the per-run split is read+fold (with the overlapped writes) + the end of the
//     COPY and COMMIT;
//   - live: the aggregator app (leading alone) folding the centre's shared copies from a
//     pre-loaded CARAVAN_SHARE stream into the views, batch by batch with its checkpoint.
// The live copies are what a `fields: ["*"]` policy gives the centre, built here directly rather
// than by the distributor, so the live figure is the aggregator's alone.
// Beside the rates, CPU µs per event of this process and of the bench database's PostgreSQL sessions
// during each rebuild and raw read: on a busy machine a rate falls with the CPU it gets, the CPU a
// run takes much less.
// CARAVAN_BENCH_VIEWS_PHASES=rebuild,live (both by default): which phases to run.
// CARAVAN_BENCH_PROFILE_DIR=<dir>: a CPU profile of this process during each measured rebuild.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import QueryStream from 'pg-query-stream';
import type { DataSource } from 'typeorm';
import { generateLedgerKeyPem } from '@caravan/config';
import {
  REGIONAL_CENTRE,
  streamConfigs,
  streamIds,
  subjects,
  type DomainEvent,
  type SharedCopy,
} from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { demoDirectory, directorySchema, seedDirectory } from '@caravan/directory';
import { ledgerSchema, LedgerWriter, type AppendRequest } from '@caravan/ledger-store';
import { ensureStreams, publishToStream } from '@caravan/messaging';
import { rebuildViews, RiskViewStore, riskViewsSchema } from '@caravan/risk-views';
import { startAggregator } from '../apps/aggregator/src/aggregator.app.js';
import { benchDatabase, benchServices, benchTopology, cpuSeconds, median, printRatio, repeat } from './support.js';

const SEIZURES = 40_000;
const AGENCIES = ['TJ-DCA', 'TJ-BS', 'TJ-CUS', 'UZ-BS', 'UZ-CUS', 'KG-BS', 'KZ-BS', 'TM-BS'];
const SECRET = 'bench-views-pseudonym-secret-0123456789abcdef';
const IN_FLIGHT = 400;
const RUNS = 3;
const PHASES = new Set(
  (process.env['CARAVAN_BENCH_VIEWS_PHASES'] ?? 'rebuild,live').split(',').map((phase) => phase.trim()),
);
const PROFILE_DIR = process.env['CARAVAN_BENCH_PROFILE_DIR'];

/** CPU µs per event, this process's and its database's PostgreSQL sessions'. */
interface CpuPerEvent {
  readonly node: number;
  readonly postgres: number;
}

/**
 * CPU of this process and of every PostgreSQL session of the bench database but the meter's own,
 * between begin() and end(). A session opened meanwhile counts from zero; end() must be called
 * while the measured sessions are still open.
 */
class CpuMeter {
  private start = { node: 0, sessions: new Map<number, number>() };

  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<CpuMeter> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new CpuMeter(client);
  }

  async begin(): Promise<void> {
    this.start = await this.sample();
  }

  async end(events: number): Promise<CpuPerEvent> {
    const now = await this.sample();
    let postgres = 0;
    for (const [pid, seconds] of now.sessions) postgres += seconds - (this.start.sessions.get(pid) ?? 0);
    return { node: ((now.node - this.start.node) * 1e6) / events, postgres: (postgres * 1e6) / events };
  }

  close(): Promise<void> {
    return this.client.end();
  }

  private async sample(): Promise<{ node: number; sessions: Map<number, number> }> {
    const { rows } = await this.client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const sessions = new Map<number, number>();
    for (const { pid } of rows) {
      const seconds = await cpuSeconds(pid);
      if (seconds !== undefined) sessions.set(pid, seconds);
    }
    const own = process.cpuUsage();
    return { node: (own.user + own.system) / 1e6, sessions };
  }
}

function describeCpu(label: string, runs: readonly CpuPerEvent[]): string {
  const node = median(runs.map((r) => r.node));
  const postgres = median(runs.map((r) => r.postgres));
  const total = median(runs.map((r) => r.node + r.postgres));
  return `${label} CPU µs/event (medians of ${runs.length}): node ${node.toFixed(1)}, postgres ${postgres.toFixed(1)}, total ${total.toFixed(1)}`;
}

function seizure(i: number) {
  const agency = AGENCIES[i % AGENCIES.length]!;
  const country = agency.slice(0, 2);
  const points = demoDirectory.crossingPoints.filter((p) => p.country === country);
  const seizureId = randomUUID();
  return {
    agency,
    seizureId,
    data: {
      seizureId,
      occurredAt: new Date(
        Date.parse('2025-01-06T00:00:00Z') + (i % 84) * 86_400_000 + (i % 24) * 3_600_000,
      ).toISOString(),
      location: {
        country,
        ...(points.length > 0 ? { crossingPoint: points[i % points.length]!.code } : {}),
        region: 'border district',
        locationType: 'land-border' as const,
      },
      direction: 'import' as const,
      items: [
        {
          category: 'narcotic' as const,
          substance: i % 3 === 0 ? 'opium' : 'heroin',
          quantity: 1 + (i % 40),
          unit: 'kg' as const,
        },
        {
          category: 'psychotropic' as const,
          substance: 'tramadol',
          quantity: 100 * (1 + (i % 9)),
          unit: 'tablets' as const,
        },
      ],
      transportMode: 'road' as const,
      detectionMethod: 'x-ray' as const,
      route: { origin: 'AF', transit: i % 2 ? ['TJ'] : ['UZ', 'KG'], destination: 'KZ' },
      handling: { tlp: 'GREEN' as const },
    },
  };
}

/** Appends policies, reports, then amendments and retractions; returns how many events it appended. */
export async function fillLedger(ds: DataSource): Promise<number> {
  const writer = new LedgerWriter(ds, { signingKeyPem: generateLedgerKeyPem() });
  const request = (
    streamId: string,
    expectedVersion: number,
    originator: string,
    event: DomainEvent,
  ): AppendRequest => ({
    streamId,
    expectedVersion,
    originator,
    events: [event],
  });
  for (const agency of AGENCIES) {
    await writer.append(
      request(streamIds.policy(agency), 0, agency, {
        type: 'policy.set',
        data: { agency, rules: [{ to: [REGIONAL_CENTRE], types: ['*'], fields: ['*'] }] },
      }),
    );
  }
  const seizures = Array.from({ length: SEIZURES }, (_, i) => seizure(i));
  const followUps = seizures
    .filter((_, i) => i % 8 === 0)
    .map((s, j) =>
      j % 3 === 0
        ? request(streamIds.seizure(s.seizureId), 1, s.agency, {
            type: 'seizure.retracted',
            data: { seizureId: s.seizureId, reason: 'duplicate' },
          })
        : request(streamIds.seizure(s.seizureId), 1, s.agency, {
            type: 'seizure.amended',
            data: { seizureId: s.seizureId, changes: { items: [s.data.items[0]!] }, reason: 'weighed again' },
          }),
    );
  const all = [
    ...seizures.map((s) =>
      request(streamIds.seizure(s.seizureId), 0, s.agency, { type: 'seizure.reported', data: s.data }),
    ),
  ];
  for (const batch of [all, followUps]) {
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < batch.length) await writer.append(batch[next++]!);
      }),
    );
  }
  await writer.close();
  return AGENCIES.length + all.length + followUps.length;
}

/** Events/s of a plain cursor read of the same rows, parsing each payload and nothing more. */
async function rawRead(url: string, meter: CpuMeter, cpu: CpuPerEvent[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await meter.begin();
    const started = performance.now();
    let rows = 0;
    await client.query('BEGIN');
    const stream = client.query(
      new QueryStream(
        `SELECT position, event_id, type, schema_version, stream_id, stream_version, originator,
           to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, payload
           FROM ledger_events ORDER BY position`,
        [],
        { batchSize: 5_000 },
      ),
    );
    for await (const _row of stream) rows++;
    await client.query('COMMIT');
    const rate = rows / ((performance.now() - started) / 1000);
    cpu.push(await meter.end(rows));
    return rate;
  } finally {
    await client.end();
  }
}

/** Reads the centre's copies out of the ledger as a fields-["*"] policy delivers them. */
async function centreCopies(ds: DataSource): Promise<SharedCopy[]> {
  const rows = await ds.query<
    Array<{
      position: string;
      event_id: string;
      type: SharedCopy['type'];
      stream_id: string;
      stream_version: number;
      originator: string;
      recorded_at: string;
      payload: Record<string, unknown>;
    }>
  >(
    `SELECT position, event_id, type, stream_id, stream_version, originator,
       to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, payload
       FROM ledger_events WHERE type <> 'policy.set' ORDER BY position`,
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    type: r.type,
    schemaVersion: 1,
    streamId: r.stream_id,
    streamVersion: r.stream_version,
    position: Number(r.position),
    originator: r.originator,
    recordedAt: r.recorded_at,
    ...(typeof r.payload['occurredAt'] === 'string' ? { occurredAt: r.payload['occurredAt'] } : {}),
    recipient: REGIONAL_CENTRE,
    policyVersion: 1,
    payload: r.payload,
  }));
}

/** Copies/s folded by a freshly started aggregator from a pre-loaded share stream into empty views. */
async function liveRate(copies: readonly SharedCopy[]): Promise<number> {
  const views = await benchDatabase('viewslive');
  const topology = benchTopology('views');
  const nc = await connect({ servers: benchServices.natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, topology);
    const s = subjects(topology);
    for (let i = 0; i < copies.length; i += 1_000) {
      await Promise.all(
        copies.slice(i, i + 1_000).map((c) =>
          publishToStream(nc, s.share(c.recipient, c.type), c, {
            msgId: `${c.eventId}:${c.recipient}`,
            position: c.position,
          }),
        ),
      );
    }
    const last = copies[copies.length - 1]!.position;
    const ds = await openDatabase({ url: views.url, schemas: [riskViewsSchema], poolSize: 2 });
    const store = new RiskViewStore(ds);
    const started = performance.now();
    const app = await startAggregator({ databaseUrl: views.url, natsServers: [benchServices.natsUrl], topology });
    while ((await store.checkpoint()) < last) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1000;
    await app.close();
    await ds.destroy();
    for (const config of Object.values(streamConfigs(topology)))
      await jsm.streams.delete(config.name).catch(() => false);
    return copies.length / seconds;
  } finally {
    await nc.drain();
    await views.drop();
  }
}

/** The machine is shared: the load beside the figures says how much they can be trusted. */
function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export async function run(): Promise<void> {
  console.log(`load average (1, 5, 15 min) at start: ${load()}`);
  const db = await benchDatabase('views');
  const ds = await openDatabase({
    url: db.url,
    schemas: [ledgerSchema, directorySchema, riskViewsSchema],
    poolSize: 8,
  });
  try {
    await seedDirectory(ds, demoDirectory);
    const events = await fillLedger(ds);
    console.log(`ledger: ${events} events (${SEIZURES} seizures from ${AGENCIES.length} agencies)`);
    const meter = await CpuMeter.open(db.url);
    const rawCpu: CpuPerEvent[] = [];
    const baseline = await repeat(RUNS, () => rawRead(db.url, meter, rawCpu));
    if (PHASES.has('rebuild')) {
      const timings: string[] = [];
      const rebuildCpu: CpuPerEvent[] = [];
      const session = PROFILE_DIR ? new Session() : undefined;
      session?.connect();
      let run = 0;
      const rebuild = await repeat(RUNS, async () => {
        // Run 0 is the warm-up, which repeat() does not count.
        const profiled = session !== undefined && run > 0;
        if (profiled) {
          await session.post('Profiler.enable');
          await session.post('Profiler.start');
        }
        await meter.begin();
        const started = performance.now();
        const result = await rebuildViews(ds, { secret: SECRET });
        const rate = result.events / ((performance.now() - started) / 1000);
        const cpu = await meter.end(result.events);
        if (profiled) {
          const { profile } = await session.post('Profiler.stop');
          await mkdir(PROFILE_DIR!, { recursive: true });
          await writeFile(join(PROFILE_DIR!, `views-rebuild-${run}.cpuprofile`), JSON.stringify(profile));
        }
        if (run++ > 0) rebuildCpu.push(cpu);
        timings.push(`${result.timings.foldMs}+${result.timings.writeMs}`);
        return rate;
      });
      session?.disconnect();
      printRatio('rebuild', rebuild, baseline, 'events/s');
      console.log(`rebuild: read+fold+write ms per run ${timings.join(', ')}`);
      console.log(describeCpu('rebuild', rebuildCpu));
      console.log(describeCpu('raw read', rawCpu.slice(1)));
    }
    await meter.close();
    if (PHASES.has('live')) {
      const copies = await centreCopies(ds);
      const live = [await liveRate(copies)];
      printRatio('live aggregator', live, baseline, 'copies/s');
    }
    console.log(`load average (1, 5, 15 min) at end: ${load()}`);
  } finally {
    await ds.destroy();
    await db.drop();
  }
}
