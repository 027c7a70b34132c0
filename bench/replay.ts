// `npm run bench -- replay`: how fast the auditor verifies the stored chain (hash of every event,
// signature of every checkpoint) over 1,000,000 events, beside a raw `pg` read of the same rows in
// the same run (and beside the verifier's own COPY read alone); then an export of the same ledger
// and its offline verification from the file, beside reading and parsing the file. Medians of
// CARAVAN_BENCH_REPLAY_RUNS (3) runs; CARAVAN_BENCH_REPLAY_EVENTS sets the size.
// Issue 7 target: ≥ 50,000 events/s verified. The rows are generated here, correctly chained and
// checkpointed every 1,000 events, and loaded with COPY.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { LedgerVerifier, ndjsonLines, verifyExport, writeExport } from '@caravan/audit';
import { openDatabase } from '@caravan/database';
import { canonicalEnvelope, canonicalJson, checkpointMessage, ledgerPublicKey } from '@caravan/domain';
import { LedgerReader, ledgerSchema } from '@caravan/ledger-store';
import { benchDatabase, printRatio } from './support.js';

const EVENTS = Number(process.env['CARAVAN_BENCH_REPLAY_EVENTS'] ?? 1_000_000);
const RUNS = Number(process.env['CARAVAN_BENCH_REPLAY_RUNS'] ?? 3);
const COPY_CHUNK_ROWS = 2000;
const PAGE = 5000;
const COPY_RANGE = 100_000;
const CHECKPOINT_EVERY = 1000;
const ORIGINATORS = ['TJ-DCA', 'UZ-SCC', 'KZ-BS', 'KG-SCNC', 'TM-SCS'];
const CROSSINGS = [
  ['TJ', 'TJ-NIZHNY-PANJ', 'Khatlon'],
  ['UZ', 'UZ-TERMEZ', 'Surxondaryo'],
  ['KG', 'KG-KARAMYK', 'Osh'],
  ['KZ', 'KZ-ZHIBEK-ZHOLY', 'Turkistan'],
  ['TM', 'TM-IMAMNAZAR', 'Lebap'],
] as const;
const VARIANTS = 60;
// Placeholders for what differs in every event; the rest of a variant's canonical text is fixed.
const SEIZURE_ID = '@seizure-id@';
const OCCURRED_AT = '@occurred-at@';
const DOCUMENT = '@document@';

/** A realistic seizure.reported payload: one of VARIANTS shapes and value sets, its ids left open. */
function payloadVariant(v: number): Record<string, unknown> {
  const [country, crossingPoint, region] = CROSSINGS[v % CROSSINGS.length]!;
  const items: Record<string, unknown>[] = [
    { category: 'narcotic', substance: 'heroin', quantity: 1 + (v % 97) / 4, unit: 'kg', purityPercent: 40 + (v % 50) },
  ];
  if (v % 2 === 0)
    items.push({ category: 'precursor', substance: 'acetic-anhydride', quantity: 20 + (v % 13), unit: 'l' });
  if (v % 3 === 0)
    items.push({ category: 'psychotropic', substance: 'tramadol', quantity: 500 * (1 + (v % 7)), unit: 'tablets' });
  const suspects: Record<string, unknown>[] = [{ nationality: country, documentNumber: DOCUMENT, role: 'driver' }];
  if (v % 4 === 1) suspects.push({ fullName: 'Unknown passenger', nationality: 'AF', role: 'courier' });
  return {
    seizureId: SEIZURE_ID,
    occurredAt: OCCURRED_AT,
    location: { country, crossingPoint, region, locationType: 'land-border' },
    direction: v % 5 === 0 ? 'transit' : 'import',
    items,
    transportMode: v % 6 === 0 ? 'rail' : 'road',
    concealment: 'vehicle-compartment',
    detectionMethod: v % 2 ? 'canine' : 'x-ray',
    route: { origin: 'AF', transit: v % 3 ? [country] : [country, 'KG'], destination: 'KZ' },
    suspects,
    narrative: `Тайник в запасном колесе грузовика №${v}`,
    handling: { tlp: v % 4 ? 'AMBER' : 'GREEN', releasableTo: ['CARICC'] },
  };
}

/** A variant's canonical (JCS) text cut into its fixed parts and its placeholders, in text order. */
function canonicalPieces(v: number): string[] {
  const text = canonicalJson(payloadVariant(v));
  // COPY's text format would need these escaped; the variants are written without any.
  if (/[\\\t\n\r]/.test(text)) throw new Error('a payload variant needs COPY escaping');
  return text.split(new RegExp(`(${SEIZURE_ID}|${OCCURRED_AT}|${DOCUMENT})`));
}

/**
 * Generates EVENTS chained events and their checkpoints and loads them with COPY; returns the
 * seconds it took. Each payload is one variant's canonical text with its own seizure id, time and
 * document number spliced in, so it is hashed without a serialiser; the verifier parses and
 * serialises every row from the database as it would any other.
 */
export async function generateLedger(client: pg.Client, signingKeyPem: string, events: number): Promise<number> {
  const started = performance.now();
  const signingKey = createPrivateKey(signingKeyPem);
  // A throw-away database: secondary indexes are built once after the load rather than row by row.
  await client.query(`SET synchronous_commit = off`);
  await client.query(`ALTER TABLE ledger_events DROP CONSTRAINT ledger_events_stream_version,
                        DROP CONSTRAINT ledger_events_event_id_key`);
  await client.query(`DROP INDEX ledger_events_type`);
  const variants = Array.from({ length: VARIANTS }, (_, v) => canonicalPieces(v));
  const base = Date.UTC(2026, 2, 1);
  const occurredBase = Date.UTC(2026, 0, 1);
  const checkpoints: string[] = [];
  let prev = Buffer.alloc(32);
  const copy = client.query(
    copyStreams.from(`COPY ledger_events (position, event_id, type, schema_version, stream_id, stream_version,
                                         originator, recorded_at, payload, hash) FROM STDIN`),
  );
  const rows = async function* (): AsyncGenerator<string> {
    let chunk = '';
    for (let position = 1; position <= events; position++) {
      const seizureId = randomUUID();
      const eventId = randomUUID();
      const originator = ORIGINATORS[position % ORIGINATORS.length]!;
      const recordedAt = new Date(base + position * 7).toISOString();
      const occurredAt = new Date(occurredBase + position * 60_000).toISOString();
      const document = `P${1_000_000 + position}`;
      let payload = '';
      for (const piece of variants[position % VARIANTS]!) {
        payload +=
          piece === SEIZURE_ID ? seizureId : piece === OCCURRED_AT ? occurredAt : piece === DOCUMENT ? document : piece;
      }
      const envelope = {
        position,
        eventId,
        type: 'seizure.reported',
        schemaVersion: 1,
        streamId: `seizure-${seizureId}`,
        streamVersion: 1,
        originator,
        recordedAt,
      } as const;
      prev = createHash('sha256').update(prev).update(canonicalEnvelope(envelope, payload), 'utf8').digest();
      const hash = prev.toString('hex');
      chunk += `${position}\t${eventId}\tseizure.reported\t1\tseizure-${seizureId}\t1\t${originator}\t${recordedAt}\t${payload}\t${hash}\n`;
      if (position % CHECKPOINT_EVERY === 0 || position === events) {
        const signature = sign(null, Buffer.from(checkpointMessage(position, hash), 'utf8'), signingKey).toString(
          'base64',
        );
        checkpoints.push(`${position}\t${hash}\t${signature}\t${recordedAt}\n`);
      }
      if (position % COPY_CHUNK_ROWS === 0) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  };
  await pipeline(Readable.from(rows()), copy);
  const copyCheckpoints = client.query(
    copyStreams.from('COPY ledger_checkpoints (position, hash, signature, signed_at) FROM STDIN'),
  );
  await pipeline(Readable.from([checkpoints.join('')]), copyCheckpoints);
  await client.query(`ALTER TABLE ledger_events ADD CONSTRAINT ledger_events_event_id_key UNIQUE (event_id),
                        ADD CONSTRAINT ledger_events_stream_version UNIQUE (stream_id, stream_version)`);
  await client.query(`CREATE INDEX ledger_events_type ON ledger_events (type, position)`);
  await client.query('ANALYZE ledger_events');
  return (performance.now() - started) / 1000;
}

/** Rows/s of a raw `pg` keyset read of the same rows and columns as LedgerReader reads them, no hashing. */
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

/** Rows/s of the verifier's own COPY ranges, received and dropped: the floor under its figure. */
async function rawCopy(reader: LedgerReader): Promise<number> {
  const started = performance.now();
  let bytes = 0;
  for (let after = 0; after < EVENTS; after += COPY_RANGE) {
    for await (const chunk of reader.copyEvents({ after, upTo: Math.min(after + COPY_RANGE, EVENTS) })) {
      bytes += chunk.length;
    }
  }
  if (bytes < EVENTS * 100) throw new Error(`raw COPY read only ${bytes} bytes`);
  return EVENTS / ((performance.now() - started) / 1000);
}

/** Lines/s of reading the export file and parsing each line, no hashing. */
async function rawParse(file: string): Promise<number> {
  const started = performance.now();
  let lines = 0;
  for await (const line of ndjsonLines(createReadStream(file, { highWaterMark: 1 << 20 }))) {
    if ((JSON.parse(line) as { hash?: unknown }).hash !== undefined) lines += 1;
  }
  if (lines !== EVENTS) throw new Error(`raw parse saw ${lines} events, expected ${EVENTS}`);
  return lines / ((performance.now() - started) / 1000);
}

const maxRssMiB = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

export async function run(): Promise<void> {
  const signingKeyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicKey = ledgerPublicKey(signingKeyPem);
  const db = await benchDatabase('replay');
  const ds = await openDatabase({ url: db.url, schemas: [ledgerSchema], poolSize: 3, applicationName: 'bench-replay' });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const dir = await mkdtemp(join(tmpdir(), 'caravan-bench-replay-'));
  try {
    const generated = await generateLedger(client, signingKeyPem, EVENTS);
    console.log(
      `generated ${EVENTS} chained events (checkpoint every ${CHECKPOINT_EVERY}) in ${generated.toFixed(1)} s`,
    );

    // Interleaved, so that each figure and its baselines see the same machine load.
    const reader = new LedgerReader(ds);
    const verifyRates: number[] = [];
    const rawRates: number[] = [];
    const copyRates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      rawRates.push(await rawRead(client));
      copyRates.push(await rawCopy(reader));
      const started = performance.now();
      const status = await new LedgerVerifier(reader, publicKey.pem, { rangeSize: COPY_RANGE }).advance();
      const seconds = (performance.now() - started) / 1000;
      if (!status.ok || status.verifiedUpTo !== EVENTS || status.signedUpTo !== EVENTS) {
        throw new Error(`verification failed: ${JSON.stringify(status)}`);
      }
      verifyRates.push(EVENTS / seconds);
      console.log(
        `  run ${i + 1}: verified ${status.verifiedUpTo} events and ${status.checkpoints} checkpoints in ${seconds.toFixed(1)} s`,
      );
    }
    printRatio(
      `verify ${EVENTS} stored events (hash chain + checkpoint signatures) vs raw pg read`,
      verifyRates,
      rawRates,
      'events/s',
    );
    printRatio(`verify ${EVENTS} stored events vs its own COPY read alone`, verifyRates, copyRates, 'events/s');
    console.log(`  max RSS so far ${maxRssMiB()} MiB`);

    const file = join(dir, 'export.ndjson');
    const out = createWriteStream(file);
    let started = performance.now();
    await writeExport(reader, out, { publicKey, pageSize: PAGE });
    out.end();
    await once(out, 'close');
    console.log(`export ${(EVENTS / ((performance.now() - started) / 1000)).toFixed(0)} events/s`);

    const offlineRates: number[] = [];
    const parseRates: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      parseRates.push(await rawParse(file));
      started = performance.now();
      const offline = await verifyExport(createReadStream(file, { highWaterMark: 1 << 20 }), {
        publicKeyPem: publicKey.pem,
      });
      if (!offline.ok || offline.events !== EVENTS) {
        throw new Error(`offline verification failed: ${JSON.stringify(offline.firstBreak)}`);
      }
      offlineRates.push(EVENTS / ((performance.now() - started) / 1000));
    }
    printRatio(
      `offline verify of the ${EVENTS}-event export file vs reading and JSON.parse of its lines`,
      offlineRates,
      parseRates,
      'events/s',
    );
    console.log(`  max RSS ${maxRssMiB()} MiB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await client.end();
    await ds.destroy();
    await db.drop();
  }
}
