// The outbox relay killed with SIGKILL between commit and publish, then restarted (SPEC §4): every
// event appears on CARAVAN_EVENTS exactly once, in position order. The ledger runs as a child
// process from the build (`npm run build` first; `npm run test:int` does it), so the kill is real.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { generateLedgerKeyPem } from '@caravan/config';
import { openDatabase } from '@caravan/database';
import { ledgerSchema, LedgerWriter, readRelayCheckpoint } from '@caravan/ledger-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import {
  appendDirectly,
  eventStreamCount,
  eventually,
  expectExactlyOnce,
  ledgerRows,
  readEventStream,
} from '../ledger.fixtures.spec.js';
import { relayCheckpointName } from './outbox-relay.js';

// The built entry point; CARAVAN_TEST_LEDGER_MAIN points elsewhere when the build went to another directory.
const MAIN = resolve(process.env['CARAVAN_TEST_LEDGER_MAIN'] ?? 'dist/apps/ledger/src/main.js');

let database: TestDatabase;
let nats: TestNats;
let db: DataSource;
let writer: LedgerWriter;
let stateDir: string;
const ledgerKeyPem = generateLedgerKeyPem();

interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(extraEnv: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      CARAVAN_DATABASE_URL: database.url,
      CARAVAN_NATS_URL: nats.url,
      // The child derives the same private topology from the namespace (isolatedTopology).
      CARAVAN_NAMESPACE: nats.topology.subjectRoot.split('.')[0]!,
      CARAVAN_LEDGER_KEY: ledgerKeyPem,
      CARAVAN_STATE_DIR: stateDir,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 200_000) output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { process: child, output: () => output, exited };
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before this test`);
  database = await createTestDatabase('ledgercrash');
  nats = await createTestNats();
  db = await openDatabase({ url: database.url, schemas: [ledgerSchema] });
  writer = new LedgerWriter(db, { signingKeyPem: ledgerKeyPem });
  stateDir = mkdtempSync(join(tmpdir(), 'caravan-ledger-'));
});

afterAll(async () => {
  await writer?.close();
  await db?.destroy();
  await nats?.cleanup();
  await database?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

it('loses and duplicates nothing when the relay dies between publish and checkpoint', async () => {
  await appendDirectly(writer, 25);

  // The fault kills the process right after the 10th PubAck, before the checkpoint moves.
  const crashing = startChild({ CARAVAN_FAULT_RELAY_KILL_AFTER: '10' });
  const crash = await crashing.exited;
  expect({ signal: crash.signal, output: crash.signal === 'SIGKILL' ? '' : crashing.output() }).toEqual({
    signal: 'SIGKILL',
    output: '',
  });
  expect(await eventStreamCount(nats.nc, nats.topology)).toBe(10);
  expect(await readRelayCheckpoint(db, relayCheckpointName(nats.topology))).toBe(0);

  // Committed while no relay runs: the outbox keeps them.
  await appendDirectly(writer, 5);

  const restarted = startChild();
  try {
    await eventually(
      'the restarted relay to catch up',
      async () => (await readRelayCheckpoint(db, relayCheckpointName(nats.topology))) === 30,
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${restarted.output()}`);
    });
    expectExactlyOnce(await readEventStream(nats.nc, nats.topology), await ledgerRows(db), nats.topology.subjectRoot);
  } finally {
    restarted.process.kill('SIGTERM');
    const stopped = await restarted.exited;
    expect(stopped.code).toBe(0);
  }
});
