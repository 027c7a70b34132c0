// `npm run bench -- ledger`: the ledger's append rate with hash chaining, idempotency records and
// signed checkpoints, beside the raw rate of 100-row INSERTs into an equivalent plain table (same
// columns and indexes, no chain, no trigger) in the same database and run; then single-event commit
// latency under an open-loop load of 2,000 events/s. Issue 3 targets: ratio ≥ 0.5, p99 ≤ 25 ms.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { openDatabase } from '@caravan/database';
import { LedgerWriter, commandBodyHash, ledgerSchema, type AppendRequest, type BatchInfo } from '@caravan/ledger-store';
import { benchDatabase, median, percentile, printRatio, repeat } from './support.js';

const EVENTS_PER_RUN = 10_000;
const IN_FLIGHT = 400;
const RUNS = 3;
const OFFERED_PER_SECOND = 2000;
const LATENCY_SECONDS = 5;

const signingKeyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

function payload(seizureId: string) {
  return {
    seizureId,
    occurredAt: '2026-03-01T06:30:00.000Z',
    location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border' as const },
    direction: 'import' as const,
    items: [{ category: 'narcotic' as const, substance: 'heroin', quantity: 12.5, unit: 'kg' as const }],
    transportMode: 'road' as const,
    detectionMethod: 'canine' as const,
    handling: { tlp: 'AMBER' as const, releasableTo: ['CARICC'] },
  };
}

function request(): AppendRequest {
  const seizureId = randomUUID();
  const data = payload(seizureId);
  return {
    streamId: `seizure-${seizureId}`,
    expectedVersion: 0,
    originator: 'TJ-DCA',
    events: [{ type: 'seizure.reported', data }],
    command: { commandId: randomUUID(), name: 'seizure.report', bodyHash: commandBodyHash(data) },
  };
}

/** Events/s appended by one writer kept busy by IN_FLIGHT concurrent commands. */
async function ledgerRate(ds: DataSource, batches: BatchInfo[]): Promise<number> {
  const writer = new LedgerWriter(ds, { signingKeyPem, beforeCommit: (batch) => void batches.push(batch) });
  const requests = Array.from({ length: EVENTS_PER_RUN }, request);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < requests.length) await writer.append(requests[next++]!);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await writer.close();
  return EVENTS_PER_RUN / seconds;
}

/** Rows/s of plain 100-row INSERT statements, one per (autocommit) transaction. */
async function rawRate(ds: DataSource): Promise<number> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const [head]: Array<{ start: string }> = await runner.query(
      'SELECT coalesce(max(position), 0) AS start FROM plain_events',
    );
    let position = Number(head?.start ?? 0);
    const started = performance.now();
    for (let sent = 0; sent < EVENTS_PER_RUN; sent += 100) {
      const params: unknown[] = [];
      const values: string[] = [];
      for (let i = 0; i < 100; i++) {
        const seizureId = randomUUID();
        position += 1;
        const row = [
          position,
          randomUUID(),
          'seizure.reported',
          1,
          `seizure-${seizureId}`,
          1,
          'TJ-DCA',
          new Date().toISOString(),
          JSON.stringify(payload(seizureId)),
          'a'.repeat(64),
        ];
        values.push(`(${row.map((_, j) => `$${params.length + j + 1}`).join(', ')})`);
        params.push(...row);
      }
      await runner.query(
        `INSERT INTO plain_events (position, event_id, type, schema_version, stream_id, stream_version, originator,
                                   recorded_at, payload, hash) VALUES ${values.join(', ')}`,
        params,
      );
    }
    return EVENTS_PER_RUN / ((performance.now() - started) / 1000);
  } finally {
    await runner.release();
  }
}

/** Commit latencies (ms) of single-event commands offered at a steady rate, open loop. */
async function latencies(ds: DataSource): Promise<number[]> {
  const writer = new LedgerWriter(ds, { signingKeyPem });
  const total = OFFERED_PER_SECOND * LATENCY_SECONDS;
  // Built beforehand: preparing a command (ids, body hash) is the client's work, not the ledger's.
  const requests = Array.from({ length: total }, request);
  const results: number[] = [];
  const pending: Array<Promise<void>> = [];
  const started = performance.now();
  let issued = 0;
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * OFFERED_PER_SECOND));
    for (; issued < due; issued++) {
      const sent = performance.now();
      pending.push(writer.append(requests[issued]!).then(() => void results.push(performance.now() - sent)));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  await writer.close();
  return results;
}

export async function run(): Promise<void> {
  const db = await benchDatabase('ledger');
  const ds = await openDatabase({ url: db.url, schemas: [ledgerSchema], poolSize: 4, applicationName: 'bench-ledger' });
  try {
    await ds.query(`
      CREATE TABLE plain_events (
        position bigint PRIMARY KEY, event_id uuid NOT NULL UNIQUE, type text NOT NULL, schema_version integer NOT NULL,
        stream_id text NOT NULL, stream_version integer NOT NULL, originator text NOT NULL,
        recorded_at timestamptz NOT NULL, payload jsonb NOT NULL, hash char(64) NOT NULL,
        UNIQUE (stream_id, stream_version))`);
    await ds.query('CREATE INDEX plain_events_type ON plain_events (type, position)');

    const batches: BatchInfo[] = [];
    const ours: number[] = [];
    const raw: number[] = [];
    // Interleaved, so that both see the same machine load.
    await ledgerRate(ds, []);
    await rawRate(ds);
    for (let i = 0; i < RUNS; i++) {
      ours.push(await ledgerRate(ds, batches));
      raw.push(await rawRate(ds));
    }
    printRatio('ledger appends (chained, signed, idempotent) vs raw 100-row INSERTs', ours, raw, 'events/s');
    const sizes = batches.map((b) => b.events);
    console.log(`  group commit: median ${median(sizes)} events per batch, ${batches.length} batches`);

    const runs = await repeat(RUNS, () => latencies(ds).then((times) => percentile(times, 99)));
    const times = await latencies(ds);
    console.log(
      `single-event commit at ${OFFERED_PER_SECOND} events/s offered for ${LATENCY_SECONDS} s: ` +
        `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, ` +
        `max ${percentile(times, 100).toFixed(1)} ms (last run; target p99 ≤ 25 ms); ` +
        `p99 over ${RUNS} runs ${runs.map((v) => v.toFixed(1)).join('/')} ms, median ${median(runs).toFixed(1)} ms`,
    );
  } finally {
    await ds.destroy();
    await db.drop();
  }
}
