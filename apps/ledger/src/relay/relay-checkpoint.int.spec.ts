// The relay's checkpoint under a stream of small commits: it follows the PubAcks with one write at a
// time to the latest acknowledged position, at most every relayCheckpointEveryMs, instead of one
// transaction per page (which, at a page per commit, queued up behind the publishing and competed
// with the ledger's writers for WAL flushes); once the commits stop it reaches the head.
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { isolatedTopology } from '@caravan/contracts';
import { generateLedgerKeyPem } from '@caravan/config';
import { openDatabase } from '@caravan/database';
import { ledgerSchema, LedgerReader, LedgerWriter, readRelayCheckpoint } from '@caravan/ledger-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { startLedger, type RunningApp } from '../ledger.app.js';
import { appendDirectly, eventStreamCount, eventually } from '../ledger.fixtures.spec.js';
import { relayCheckpointName } from './outbox-relay.js';

const topology = isolatedTopology(`k${randomBytes(4).toString('hex')}`);
const ledgerKeyPem = generateLedgerKeyPem();
const EVERY_MS = 1_000;

let database: TestDatabase;
let nats: TestNats;
let db: DataSource;
let writer: LedgerWriter;
let ledger: RunningApp | undefined;

beforeAll(async () => {
  database = await createTestDatabase('relaycheckpoint');
  nats = await createTestNats();
  db = await openDatabase({ url: database.url, schemas: [ledgerSchema] });
  writer = new LedgerWriter(db, { signingKeyPem: ledgerKeyPem });
  ledger = await startLedger({
    databaseUrl: database.url,
    natsServers: [nats.url],
    topology,
    ledgerKeyPem,
    // A page per event, as under load with a commit every few milliseconds.
    tuning: { relayPageSize: 1, relayPollMs: 1_000, relayCheckpointEveryMs: EVERY_MS },
  });
});

afterAll(async () => {
  await ledger?.close();
  await writer?.close();
  await db?.destroy();
  await nats?.cleanup();
  await database?.drop();
});

it('moves the checkpoint by a few coalesced writes while pages are acknowledged one by one, then to the head', async () => {
  const name = relayCheckpointName(topology);
  const seen = new Set<number>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      seen.add(await readRelayCheckpoint(db, name));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const started = Date.now();
  await appendDirectly(writer, 40);
  const head = (await new LedgerReader(db).head()).position;
  await eventually('every event on the stream', async () => (await eventStreamCount(nats.nc, topology)) === head);
  const burstMs = Date.now() - started;
  await eventually('the checkpoint at the head', async () => (await readRelayCheckpoint(db, name)) === head);
  watching = false;
  await watcher;

  expect(head).toBe(40);
  // 0 before anything, the first page at once, then one write per EVERY_MS the burst lasted, and
  // the last one. Forty pages written one by one would show most of the forty positions here.
  expect(seen.size).toBeLessThanOrEqual(3 + Math.ceil(burstMs / EVERY_MS));
  expect(seen.size).toBeLessThan(10);
  expect(Math.max(...seen)).toBe(head);
});

it('writes the last acknowledged position when it stops', async () => {
  await appendDirectly(writer, 5);
  const head = (await new LedgerReader(db).head()).position;
  await eventually('every event on the stream', async () => (await eventStreamCount(nats.nc, topology)) === head);
  await ledger!.close();
  ledger = undefined;
  expect(await readRelayCheckpoint(db, relayCheckpointName(topology))).toBe(head);
});
