// `npm run bench -- replay`: how fast the auditor verifies the stored chain (hash of every event,
// signature of every checkpoint) over 1,000,000 events, beside a raw `pg` read of the same rows in
// the same run; then an export of the same ledger and its offline verification from the file.
// Issue 7 target: ≥ 50,000 events/s verified. The rows are generated here, correctly chained and
// checkpointed every 1,000 events, and inserted with bulk INSERT … SELECT FROM unnest(…).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { RecordedEvent } from '@caravan/contracts';
import { LedgerVerifier, chainHash, verifyExport, writeExport } from '@caravan/audit';
import { openDatabase } from '@caravan/database';
import { GENESIS_HASH, ledgerPublicKey, signCheckpoint } from '@caravan/domain';
import { LedgerReader, ledgerSchema } from '@caravan/ledger-store';
import { benchDatabase, printRatio } from './support.js';

const EVENTS = Number(process.env['CARAVAN_BENCH_REPLAY_EVENTS'] ?? 1_000_000);
const INSERT_BATCH = 5000;
const PAGE = 5000;
const CHECKPOINT_EVERY = 1000;
const ORIGINATORS = ['TJ-DCA', 'UZ-SCC', 'KZ-BS', 'KG-SCNC', 'TM-SCS'];

function payload(seizureId: string, i: number) {
  return {
    seizureId,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', region: 'Khatlon', locationType: 'land-border' },
    direction: 'import',
    items: [
      { category: 'narcotic', substance: 'heroin', quantity: 1 + (i % 97) / 4, unit: 'kg', purityPercent: 61 },
      { category: 'precursor', substance: 'acetic-anhydride', quantity: 20 + (i % 13), unit: 'l' },
    ],
    transportMode: 'road',
    concealment: 'vehicle-compartment',
    detectionMethod: 'canine',
    route: { origin: 'AF', transit: ['TJ'], destination: 'KZ' },
    suspects: [{ nationality: 'TJ', documentNumber: `P${1000000 + i}`, role: 'driver' }],
    narrative: 'Тайник в запасном колесе грузовика',
    handling: { tlp: 'AMBER', releasableTo: ['CARICC'] },
  };
}

/** Generates and inserts EVENTS chained events and their checkpoints; returns the seconds it took. */
async function generate(client: pg.Client, signingKeyPem: string): Promise<number> {
  const started = performance.now();
  // A throw-away database: secondary indexes are built once after the load rather than row by row.
  await client.query(`SET synchronous_commit = off`);
  await client.query(`ALTER TABLE ledger_events DROP CONSTRAINT ledger_events_stream_version,
                        DROP CONSTRAINT ledger_events_event_id_key`);
  await client.query(`DROP INDEX ledger_events_type`);
  let prev = GENESIS_HASH;
  const base = Date.UTC(2026, 2, 1);
  for (let first = 1; first <= EVENTS; first += INSERT_BATCH) {
    const cols: unknown[][] = Array.from({ length: 10 }, () => []);
    const checkpoints: Array<[number, string, string]> = [];
    for (let position = first; position < first + INSERT_BATCH && position <= EVENTS; position++) {
      const seizureId = randomUUID();
      const event = {
        position,
        eventId: randomUUID(),
        type: 'seizure.reported',
        schemaVersion: 1,
        streamId: `seizure-${seizureId}`,
        streamVersion: 1,
        originator: ORIGINATORS[position % ORIGINATORS.length]!,
        recordedAt: new Date(base + position * 7).toISOString(),
        payload: payload(seizureId, position),
      } as unknown as RecordedEvent;
      prev = chainHash(prev, event);
      const row = [
        position,
        event.eventId,
        event.type,
        1,
        event.streamId,
        1,
        event.originator,
        event.recordedAt,
        JSON.stringify(event.payload),
        prev,
      ];
      row.forEach((value, index) => cols[index]!.push(value));
      if (position % CHECKPOINT_EVERY === 0 || position === EVENTS) {
        checkpoints.push([position, prev, signCheckpoint(signingKeyPem, position, prev)]);
      }
    }
    await client.query(
      `INSERT INTO ledger_events (position, event_id, type, schema_version, stream_id, stream_version, originator,
                                  recorded_at, payload, hash)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[],
                            $8::timestamptz[], $9::jsonb[], $10::text[])`,
      cols,
    );
    await client.query(
      `INSERT INTO ledger_checkpoints (position, hash, signature, signed_at)
       SELECT p, h, s, now() FROM unnest($1::bigint[], $2::text[], $3::text[]) AS c(p, h, s)`,
      [checkpoints.map((c) => c[0]), checkpoints.map((c) => c[1]), checkpoints.map((c) => c[2])],
    );
  }
  await client.query(`ALTER TABLE ledger_events ADD CONSTRAINT ledger_events_event_id_key UNIQUE (event_id),
                        ADD CONSTRAINT ledger_events_stream_version UNIQUE (stream_id, stream_version)`);
  await client.query(`CREATE INDEX ledger_events_type ON ledger_events (type, position)`);
  await client.query('ANALYZE ledger_events');
  return (performance.now() - started) / 1000;
}

/** Rows/s of a raw `pg` keyset read of the same rows and columns, no hashing. */
async function rawRead(client: pg.Client): Promise<number> {
  const started = performance.now();
  let after = 0;
  let rows = 0;
  for (;;) {
    const page = await client.query<{ position: string }>(
      `SELECT position, event_id, type, schema_version, stream_id, stream_version, originator,
              to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, payload, hash
         FROM ledger_events WHERE position > $1 ORDER BY position LIMIT $2`,
      [after, PAGE],
    );
    rows += page.rows.length;
    const last = page.rows.at(-1);
    if (!last || page.rows.length < PAGE) break;
    after = Number(last.position);
  }
  if (rows !== EVENTS) throw new Error(`raw read saw ${rows} rows, expected ${EVENTS}`);
  return rows / ((performance.now() - started) / 1000);
}

export async function run(): Promise<void> {
  const signingKeyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicKey = ledgerPublicKey(signingKeyPem);
  const db = await benchDatabase('replay');
  const ds = await openDatabase({ url: db.url, schemas: [ledgerSchema], poolSize: 3, applicationName: 'bench-replay' });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const dir = await mkdtemp(join(tmpdir(), 'caravan-bench-replay-'));
  try {
    const generated = await generate(client, signingKeyPem);
    console.log(`generated ${EVENTS} chained events in ${generated.toFixed(1)} s`);

    // Interleaved, so that both see the same machine load; one warm-up of each first.
    const reader = new LedgerReader(ds);
    const verifyRates: number[] = [];
    const rawRates: number[] = [];
    for (let i = 0; i < 2; i++) {
      rawRates.push(await rawRead(client));
      const started = performance.now();
      const status = await new LedgerVerifier(reader, publicKey.pem, { pageSize: PAGE }).advance();
      const seconds = (performance.now() - started) / 1000;
      if (!status.ok || status.verifiedUpTo !== EVENTS)
        throw new Error(`verification failed: ${JSON.stringify(status)}`);
      verifyRates.push(EVENTS / seconds);
      console.log(`  run ${i + 1}: ${status.checkpoints} checkpoints verified with the chain`);
    }
    printRatio(
      `verify ${EVENTS} stored events (hash chain + checkpoint signatures) vs raw pg read`,
      verifyRates,
      rawRates,
      'events/s',
    );

    const file = join(dir, 'export.ndjson');
    const out = createWriteStream(file);
    let started = performance.now();
    await writeExport(reader, out, { publicKey, pageSize: PAGE });
    out.end();
    await once(out, 'close');
    const exportRate = EVENTS / ((performance.now() - started) / 1000);
    started = performance.now();
    const offline = await verifyExport(createReadStream(file, { highWaterMark: 1 << 20 }), {
      publicKeyPem: publicKey.pem,
    });
    const offlineRate = EVENTS / ((performance.now() - started) / 1000);
    if (!offline.ok) throw new Error(`offline verification failed: ${JSON.stringify(offline.firstBreak)}`);
    console.log(
      `export ${exportRate.toFixed(0)} events/s; offline verify of the file ${offlineRate.toFixed(0)} events/s ` +
        `(${offline.events} events, ${offline.checkpoints} checkpoints), peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await client.end();
    await ds.destroy();
    await db.drop();
  }
}
