// nats-server stopped for 20 s and started again while events keep being committed (SPEC §4): the
// relay loses none, and publishes all of them, in order and once each, after the server returns.
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { isolatedTopology } from '@caravan/contracts';
import { generateLedgerKeyPem } from '@caravan/config';
import { openDatabase } from '@caravan/database';
import { ledgerSchema, LedgerWriter, readRelayCheckpoint } from '@caravan/ledger-store';
import { createTestDatabase, startNatsServer, type NatsServerProcess, type TestDatabase } from '@caravan/testing';
import { startLedger, type RunningApp } from '../ledger.app.js';
import {
  appendDirectly,
  eventStreamCount,
  eventually,
  expectExactlyOnce,
  ledgerRows,
  readEventStream,
} from '../ledger.fixtures.spec.js';
import { relayCheckpointName } from './outbox-relay.js';

const OUTAGE_MS = 20_000;
const topology = isolatedTopology(`o${randomBytes(4).toString('hex')}`);
const ledgerKeyPem = generateLedgerKeyPem();

let database: TestDatabase;
let server: NatsServerProcess;
let db: DataSource;
let writer: LedgerWriter;
let ledger: RunningApp;
let observer: NatsConnection;

beforeAll(async () => {
  database = await createTestDatabase('ledgeroutage');
  server = await startNatsServer();
  db = await openDatabase({ url: database.url, schemas: [ledgerSchema] });
  // Commits come straight through the store, as from another ledger instance.
  writer = new LedgerWriter(db, { signingKeyPem: ledgerKeyPem });
  ledger = await startLedger({
    databaseUrl: database.url,
    natsServers: [server.url],
    topology,
    ledgerKeyPem,
    tuning: { relayPollMs: 1_000, relayPublishRetryMs: 2_000 },
  });
  observer = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
});

afterAll(async () => {
  await ledger?.close();
  await observer?.close();
  await writer?.close();
  await db?.destroy();
  await server?.dispose();
  await database?.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('publishes every event committed during a 20 s NATS outage once the server is back', async () => {
  await appendDirectly(writer, 5);
  await eventually('the first events to be published', async () => (await eventStreamCount(observer, topology)) === 5);

  await server.stop();
  const outageEnds = Date.now() + OUTAGE_MS;
  await appendDirectly(writer, 5);
  await sleep(OUTAGE_MS / 2);
  await appendDirectly(writer, 5);
  await sleep(Math.max(0, outageEnds - Date.now()));
  // Nothing could be published meanwhile, so the relay's mark is where the outage found it.
  expect(await readRelayCheckpoint(db, relayCheckpointName(topology))).toBe(5);
  await server.restart();

  await eventually(
    'the relay to publish what was committed during the outage',
    async () => (await readRelayCheckpoint(db, relayCheckpointName(topology))) === 15,
    60_000,
  );
  await eventually('the observer to reconnect', () =>
    observer.rtt().then(
      () => true,
      () => false,
    ),
  );
  expectExactlyOnce(await readEventStream(observer, topology), await ledgerRows(db), topology.subjectRoot);
});
