// The distributor killed with SIGKILL after committing deliveries but before publishing them, then
// restarted: every recipient ends with every copy exactly once, and the disclosure record matches
// what is on CARAVAN_SHARE. Runs the built app (`npm run build` first) as a child process, the way it
// is deployed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { durableNames, streamIds, type ChainedEvent, type Topology } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { directorySchema } from '@caravan/directory';
import { copyDigest } from '@caravan/domain';
import { ledgerSchema } from '@caravan/ledger-store';
import { sharingSchema, SharingStore } from '@caravan/sharing-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { readShare, SECRET, seedAgencies, seizure, TestLedger, waitFor } from './distributor-fixtures.spec.js';

const MAIN = resolve('dist/apps/distributor/src/main.js');
const RECIPIENTS = ['KG-BS', 'KZ-BS', 'UZ-SCC'];
const KILL_AFTER = 25;
const EVENTS = 60;

describe('distributor killed between commit and publish (child process from dist)', () => {
  let database: TestDatabase;
  let nats: TestNats;
  let topology: Topology;
  let db: DataSource;
  let ledger: TestLedger;
  let store: SharingStore;
  let stateDir: string;
  const children: ChildProcess[] = [];

  const spawnDistributor = (faults: Record<string, string>) => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'],
        CARAVAN_DATABASE_URL: database.url,
        CARAVAN_NATS_URL: nats.url,
        CARAVAN_NAMESPACE: topology.subjectRoot.split('.')[0],
        CARAVAN_PSEUDONYM_SECRET: SECRET,
        CARAVAN_STATE_DIR: stateDir,
        CARAVAN_FAULT_DISTRIBUTOR_ACK_WAIT_MS: '2000',
        ...faults,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.once('exit', (code, signal) => done({ code, signal })),
    );
    children.push(child);
    return { child, exited, output: () => output };
  };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
    database = await createTestDatabase('distcrash');
    nats = await createTestNats();
    topology = nats.topology;
    db = await openDatabase({ url: database.url, schemas: [ledgerSchema, directorySchema, sharingSchema] });
    await seedAgencies(db);
    ledger = new TestLedger(db, nats.nc, topology);
    store = new SharingStore(db);
    stateDir = await mkdtemp(join(tmpdir(), 'caravan-distributor-'));
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await ledger?.close();
    await db?.destroy();
    await nats?.cleanup();
    await database?.drop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('loses nothing and doubles nothing', async () => {
    const checkpoint = () => store.checkpoint(durableNames(topology).distributor);
    const first = spawnDistributor({ CARAVAN_FAULT_DISTRIBUTOR_KILL_AFTER: String(KILL_AFTER) });
    const events: ChainedEvent[] = [];
    events.push(
      await ledger.record(
        'TJ-DCA',
        streamIds.policy('TJ-DCA'),
        ledger.setPolicy('TJ-DCA', [
          { to: ['*'], types: ['seizure.*'], fields: ['items', 'location'], generalize: { location: 'country' } },
        ]),
      ),
    );
    const report = async (i: number) => {
      const s = seizure();
      events.push(await ledger.record('TJ-DCA', streamIds.seizure(s.seizureId), { type: 'seizure.reported', data: s }));
      if (i % 3 === 0) {
        events.push(
          await ledger.record('TJ-DCA', streamIds.seizure(s.seizureId), {
            type: 'seizure.amended',
            data: { seizureId: s.seizureId, changes: { direction: 'transit' }, reason: `amendment ${i}` },
          }),
        );
      }
    };
    // A first wave fully distributed, so the kill lands mid-stream with published work behind it.
    for (let i = 0; i < 8; i++) await report(i);
    const firstWave = events.length - 1;
    await waitFor(
      'the first wave on CARAVAN_SHARE',
      async () => (await readShare(nats.nc, topology)).length === firstWave * RECIPIENTS.length,
    );
    for (let i = 8; events.length < EVENTS; i++) await report(i);
    const last = events.at(-1)!.position;

    const killed = await first.exited;
    expect(killed.signal).toBe('SIGKILL');
    // The crash left deliveries committed but unpublished.
    expect(await checkpoint()).toBe(KILL_AFTER);
    const recorded = await store.disclosures({ limit: 10_000 });
    expect((await readShare(nats.nc, topology)).length).toBeLessThan(recorded.length);

    const second = spawnDistributor({});
    try {
      await waitFor(
        'every event distributed after the restart',
        async () => (await checkpoint()) === last && (await readShare(nats.nc, topology)).length >= (last - 1) * 3,
        90_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${second.output()}`);
      });
      const messages = await readShare(nats.nc, topology);
      const record = await store.disclosures({ limit: 10_000 });

      // Each recipient has each copy exactly once: one message per Nats-Msg-Id, one per (event, recipient).
      const ids = messages.map((m) => m.msgId);
      expect(new Set(ids).size).toBe(ids.length);
      const shared = events.filter((e) => e.type !== 'policy.set');
      expect(messages).toHaveLength(shared.length * RECIPIENTS.length);
      expect([...ids].sort()).toEqual(shared.flatMap((e) => RECIPIENTS.map((r) => `${e.eventId}:${r}`)).sort());

      // The disclosure record matches what was published, digest for digest.
      expect(record).toHaveLength(messages.length);
      const digests = new Map(record.map((d) => [`${d.eventId}:${d.recipient}`, d.digest]));
      for (const m of messages) expect(digests.get(m.msgId)).toBe(copyDigest(m.copy));

      // And each recipient received its copies in position order.
      for (const recipient of RECIPIENTS) {
        const positions = messages.filter((m) => m.copy.recipient === recipient).map((m) => m.copy.position);
        expect(positions).toEqual(shared.map((e) => e.position));
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('republishes on takeover what its predecessor committed, even when no event is redelivered', async () => {
    const killAfter = 6;
    const before = (await readShare(nats.nc, topology)).length;
    // The default ack wait (60 s): the killed batch comes back long after this test's deadline, so
    // only the successor's own republish can deliver it.
    const first = spawnDistributor({
      CARAVAN_FAULT_DISTRIBUTOR_KILL_AFTER: String(killAfter),
      CARAVAN_FAULT_DISTRIBUTOR_ACK_WAIT_MS: '60000',
    });
    const events: ChainedEvent[] = [];
    for (let i = 0; i < killAfter; i++) {
      const s = seizure();
      events.push(await ledger.record('TJ-DCA', streamIds.seizure(s.seizureId), { type: 'seizure.reported', data: s }));
    }
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await store.checkpoint(durableNames(topology).distributor)).toBe(events.at(-1)!.position);

    const second = spawnDistributor({ CARAVAN_FAULT_DISTRIBUTOR_ACK_WAIT_MS: '60000' });
    try {
      await waitFor(
        'the committed copies on CARAVAN_SHARE',
        async () => (await readShare(nats.nc, topology)).length >= before + killAfter * RECIPIENTS.length,
        30_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${second.output()}`);
      });
      const messages = await readShare(nats.nc, topology);
      const ids = messages.map((m) => m.msgId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(messages).toHaveLength((await store.disclosures({ limit: 10_000 })).length);
      for (const recipient of RECIPIENTS) {
        const positions = messages.filter((m) => m.copy.recipient === recipient).map((m) => m.copy.position);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
        expect(positions.slice(-killAfter)).toEqual(events.map((e) => e.position));
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
