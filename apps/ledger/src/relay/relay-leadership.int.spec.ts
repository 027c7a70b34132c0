// Two ledger instances on one database: one relay is active, the other stands by and takes over
// when the first stops; both answer commands (one queue group).
import type { DataSource } from 'typeorm';
import { subjects, type CommandReply } from '@caravan/contracts';
import { generateLedgerKeyPem } from '@caravan/config';
import { openDatabase } from '@caravan/database';
import { demoDirectory, directorySchema, seedDirectory } from '@caravan/directory';
import { ledgerSchema, LedgerWriter } from '@caravan/ledger-store';
import { requestCommand } from '@caravan/messaging';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { startLedger, type RunningApp } from '../ledger.app.js';
import {
  appendDirectly,
  eventStreamCount,
  eventually,
  expectExactlyOnce,
  ledgerRows,
  readEventStream,
  reportBody,
} from '../ledger.fixtures.spec.js';

const ledgerKeyPem = generateLedgerKeyPem();
let database: TestDatabase;
let nats: TestNats;
let db: DataSource;
let writer: LedgerWriter;
const ledgers: RunningApp[] = [];

// Sessions holding the relay's advisory lock (one per active relay).
async function relayLockHolders(): Promise<number> {
  const rows: Array<{ holders: string }> = await db.query(
    `SELECT count(*) AS holders FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = $1)
        AND a.application_name = 'caravan-ledger-relay'`,
    [database.name],
  );
  return Number(rows[0]?.holders ?? 0);
}

function start(): Promise<RunningApp> {
  return startLedger({
    databaseUrl: database.url,
    natsServers: [nats.url],
    topology: nats.topology,
    ledgerKeyPem,
    tuning: { relayPollMs: 500, relayStandbyMs: 200 },
  });
}

beforeAll(async () => {
  database = await createTestDatabase('ledgerleader');
  nats = await createTestNats();
  db = await openDatabase({ url: database.url, schemas: [ledgerSchema, directorySchema] });
  await seedDirectory(db, demoDirectory);
  writer = new LedgerWriter(db, { signingKeyPem: ledgerKeyPem });
});

afterAll(async () => {
  for (const ledger of ledgers) await ledger.close();
  await writer?.close();
  await db?.destroy();
  await nats?.cleanup();
  await database?.drop();
});

it('runs one relay across instances and hands over when the active one stops', async () => {
  const first = await start();
  ledgers.push(first);
  await eventually('the first relay to become active', async () => (await relayLockHolders()) === 1);
  const second = await start();
  ledgers.push(second);

  // Both instances answer commands in one queue group; every command is recorded once.
  const replies: CommandReply[] = await Promise.all(
    Array.from({ length: 10 }, () =>
      requestCommand(nats.nc, subjects(nats.topology).command('TJ-DCA', 'seizure.report'), reportBody(), {
        timeoutMs: 10_000,
      }),
    ),
  );
  expect(replies.filter((reply) => reply.ok)).toHaveLength(10);
  await eventually(
    'the first events to be published',
    async () => (await eventStreamCount(nats.nc, nats.topology)) === 10,
  );
  // One relay holds the lock; the other instance stands by without it.
  expect(await relayLockHolders()).toBe(1);

  await first.close();
  await appendDirectly(writer, 5);
  await eventually('the standby to take over', async () => (await relayLockHolders()) === 1);
  await eventually('the standby to publish', async () => (await eventStreamCount(nats.nc, nats.topology)) === 15);
  expectExactlyOnce(await readEventStream(nats.nc, nats.topology), await ledgerRows(db), nats.topology.subjectRoot);
});
