// Issue 3, "Done when": 8 concurrent writers × 500 events with random rollbacks and one transaction
// held open for 5 s; positions 1..N with no gap and no duplicate, and a reader polling throughout
// never sees position N+1 before N. Two more writers without a beforeCommit hook take part, as the
// ledger app's does: they send their rows and COMMIT in one round trip.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CaravanError } from '@caravan/contracts';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { LedgerReader, LedgerWriter, commandBodyHash, verifyLedger, type AppendRequest } from './index.js';
import { ledgerKeys, seizureReported, seizureRetracted } from './ledger-fixtures.spec.js';
import { openLedgerDatabase } from './ledger-test-database.spec.js';

const WRITERS = 8;
// Two more writers without a beforeCommit hook, which send their rows and COMMIT in one round trip.
const PLAIN_WRITERS = 2;
const ALL_WRITERS = WRITERS + PLAIN_WRITERS;
const EVENTS_PER_WRITER = 500;
const IN_FLIGHT_PER_WRITER = 10;
const HOLD_MS = 5000;
const keys = ledgerKeys();

describe('concurrent writers in separate processes', () => {
  let db: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('ledgerconcurrency');
  });
  afterAll(async () => {
    for (const ds of sources) await ds.destroy();
    await db?.drop();
  });

  it('keep positions gap-free for every reader, through rollbacks and a long transaction', async () => {
    // Each writer has its own DataSource (pool, sessions, in-process queue), as a separate process would.
    for (let i = 0; i < ALL_WRITERS + 1; i++) sources.push(await openLedgerDatabase(db.url, 3));
    const readerSource = sources[ALL_WRITERS]!;

    let rolledBack = 0;
    let holding = false;
    let held = false;
    let pollsDuringHold = 0;
    const hooked = sources.slice(0, WRITERS).map((ds, index) => {
      let batches = 0;
      return new LedgerWriter(ds, {
        signingKeyPem: keys.privatePem,
        beforeCommit: async (batch) => {
          batches += 1;
          // Writer 0's 10th batch keeps its transaction (rows inserted, lock held) open for 5 s.
          if (index === 0 && batches === 10 && !held) {
            held = true;
            holding = true;
            await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
            holding = false;
          }
          // Every 7th batch of every writer rolls back after its rows were inserted.
          if (batches % 7 === 0 && batch.events > 0) {
            rolledBack += 1;
            throw new Error('injected rollback');
          }
        },
      });
    });
    const plain = sources
      .slice(WRITERS, ALL_WRITERS)
      .map((ds) => new LedgerWriter(ds, { signingKeyPem: keys.privatePem }));
    const writers = [...hooked, ...plain];

    // The reader polls the way a follower does: everything after the last position it saw.
    const violations: string[] = [];
    let lastSeen = 0;
    let polls = 0;
    let writing = true;
    const reader = new LedgerReader(readerSource);
    const polling = (async () => {
      while (writing) {
        const page = await reader.readPage({ after: lastSeen }, 1000);
        polls += 1;
        if (holding) pollsDuringHold += 1;
        for (const event of page) {
          if (event.position !== lastSeen + 1) violations.push(`saw ${event.position} right after ${lastSeen}`);
          lastSeen = event.position;
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();

    const accepted = new Map<string, number>();
    let versionConflicts = 0;
    let retries = 0;
    const appendUntilRecorded = async (writer: LedgerWriter, request: AppendRequest) => {
      for (;;) {
        try {
          return await writer.append(request);
        } catch (error) {
          if (!(error instanceof CaravanError) || error.code !== 'unavailable') throw error;
          retries += 1; // a rolled-back batch: the same command again
        }
      }
    };
    const worker = async (writer: LedgerWriter, count: number) => {
      // Each worker owns one stream and appends to it with the version it last saw.
      const seizureId = randomUUID();
      const streamId = `seizure-${seizureId}`;
      let version = 0;
      for (let i = 0; i < count; i++) {
        const request: AppendRequest = {
          streamId,
          expectedVersion: version,
          originator: 'TJ-DCA',
          events: [version === 0 ? seizureReported(seizureId) : seizureRetracted(seizureId, `r${i}`)],
          command: { commandId: randomUUID(), name: 'seizure.amend', bodyHash: commandBodyHash({ seizureId, i }) },
        };
        if (i % 10 === 3) {
          // A stale version, refused alone inside whatever batch it lands in.
          const stale = {
            ...request,
            expectedVersion: version - 1,
            command: { ...request.command!, commandId: randomUUID() },
          };
          await expect(appendUntilRecorded(writer, stale)).rejects.toMatchObject({ code: 'version-conflict' });
          versionConflicts += 1;
        }
        const result = await appendUntilRecorded(writer, request);
        expect(result.replayed).toBe(false);
        accepted.set(request.command!.commandId, result.position);
        version = result.streamVersion;
      }
    };
    await Promise.all(
      writers.flatMap((writer) =>
        Array.from({ length: IN_FLIGHT_PER_WRITER }, () => worker(writer, EVENTS_PER_WRITER / IN_FLIGHT_PER_WRITER)),
      ),
    );
    await Promise.all(writers.map((writer) => writer.close()));
    writing = false;
    await polling;
    const finalPage = await reader.readPage({ after: lastSeen }, 10_000);
    for (const event of finalPage) {
      if (event.position !== lastSeen + 1) violations.push(`saw ${event.position} right after ${lastSeen}`);
      lastSeen = event.position;
    }

    const total = ALL_WRITERS * EVENTS_PER_WRITER;
    // The scenario really happened: rollbacks, a hold watched by the reader, refusals inside batches.
    expect(held).toBe(true);
    expect(rolledBack).toBeGreaterThan(0);
    expect(retries).toBeGreaterThan(0);
    expect(versionConflicts).toBe(ALL_WRITERS * IN_FLIGHT_PER_WRITER * (EVENTS_PER_WRITER / IN_FLIGHT_PER_WRITER / 10));
    expect(pollsDuringHold).toBeGreaterThan(0);
    expect(polls).toBeGreaterThan(10);

    expect(violations).toEqual([]);
    expect(lastSeen).toBe(total);
    const [stats] = await readerSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT position)::int AS distinct, min(position)::int AS min, max(position)::int AS max
         FROM ledger_events`,
    );
    expect(stats).toEqual({ n: total, distinct: total, min: 1, max: total });
    // Every accepted command has exactly its one event, at the position it was told.
    expect(new Set(accepted.values()).size).toBe(total);
    const commands: Array<{ command_id: string; position: string }> = await readerSource.query(
      'SELECT command_id, position FROM ledger_commands',
    );
    expect(commands).toHaveLength(total);
    for (const row of commands) expect(accepted.get(row.command_id)).toBe(Number(row.position));

    const verified = await verifyLedger(new LedgerReader(readerSource, { pageSize: 1000 }), {
      publicKey: keys.publicPem,
    });
    expect(verified).toMatchObject({ ok: true, events: total });
    // At least every 1,000 events a checkpoint, whichever process wrote them (timers add more).
    const signed: Array<{ position: string }> = await readerSource.query(
      'SELECT position FROM ledger_checkpoints ORDER BY position',
    );
    const positions = [0, ...signed.map((row) => Number(row.position))];
    const gaps = positions.slice(1).map((position, i) => position - positions[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1000);
    expect(total - positions[positions.length - 1]!).toBeLessThan(1000);
  });
});
