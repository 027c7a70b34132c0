import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CaravanError } from '@caravan/contracts';
import { GENESIS_HASH, hashEvent, verifyCheckpoint } from '@caravan/domain';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import {
  LedgerNotifier,
  LedgerReader,
  LedgerWriter,
  advanceRelayCheckpoint,
  commandBodyHash,
  readRelayCheckpoint,
  verifyLedger,
  type AppendRequest,
  type BatchInfo,
} from './index.js';
import { ledgerKeys, policySet, seizureReported, seizureRetracted } from './ledger-fixtures.spec.js';
import { openLedgerDatabase } from './ledger-test-database.spec.js';

const keys = ledgerKeys();
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RFC3339_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function report(seizureId = randomUUID(), body: object = { seizureId }): AppendRequest {
  return {
    streamId: `seizure-${seizureId}`,
    expectedVersion: 0,
    originator: 'TJ-DCA',
    events: [seizureReported(seizureId)],
    command: { commandId: randomUUID(), name: 'seizure.report', bodyHash: commandBodyHash(body) },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof CaravanError ? error.code : `not a CaravanError: ${String(error)}`;
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('ledger store on PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let writer: LedgerWriter;
  let reader: LedgerReader;
  const batches: BatchInfo[] = [];
  let failNextBatch = false;

  beforeAll(async () => {
    db = await createTestDatabase('ledgerstore');
    ds = await openLedgerDatabase(db.url);
    writer = new LedgerWriter(ds, {
      signingKeyPem: keys.privatePem,
      // Only the tests below that ask for one get a timed checkpoint.
      checkpointIntervalMs: 3_600_000,
      beforeCommit: (batch) => {
        batches.push(batch);
        if (failNextBatch) {
          failNextBatch = false;
          throw new Error('injected failure before commit');
        }
      },
    });
    reader = new LedgerReader(ds, { pageSize: 3 });
  });
  afterAll(async () => {
    await writer?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('records an event with the envelope of SPEC §3 and the hash of SPEC §4', async () => {
    const request = report();
    const result = await writer.append(request);
    expect(result).toMatchObject({ position: 1, streamVersion: 1, replayed: false });
    const [stored] = await collect(reader.readStream(request.streamId));
    expect(stored).toEqual(result.events[0]);
    expect(stored).toMatchObject({
      eventId: result.eventId,
      type: 'seizure.reported',
      schemaVersion: 1,
      streamId: request.streamId,
      streamVersion: 1,
      position: 1,
      originator: 'TJ-DCA',
      occurredAt: '2026-03-01T06:30:00.000Z',
      payload: request.events[0]!.data,
    });
    expect(stored!.eventId).toMatch(UUID_V4);
    expect(stored!.recordedAt).toMatch(RFC3339_MS_UTC);
    expect(stored!.hash).toBe(hashEvent(GENESIS_HASH, stored!));
    expect(await reader.head()).toEqual({ position: 1, hash: stored!.hash });
  });

  it('records all events of one command in one transaction, answering with the last one', async () => {
    const first = report();
    await writer.append(first);
    const seizureId = first.streamId.replace('seizure-', '');
    const result = await writer.append({
      streamId: first.streamId,
      expectedVersion: 1,
      originator: 'TJ-DCA',
      events: [seizureRetracted(seizureId, 'one'), seizureRetracted(seizureId, 'two')],
    });
    const stream = await reader.loadStream(first.streamId);
    expect(stream.version).toBe(3);
    expect(stream.events.map((e) => e.position)).toEqual([2, 3, 4]);
    expect(result).toMatchObject({ position: 4, streamVersion: 3, eventId: stream.events[2]!.eventId });
  });

  it('refuses a stale expected version and records nothing for it', async () => {
    const first = report();
    await writer.append(first);
    const head = await reader.head();
    // The same command again is a replay, not a conflict, although its expected version is now stale.
    expect(await codeOf(writer.append(first))).toBe('ok');
    const stale = { ...report(), streamId: first.streamId, expectedVersion: 0 };
    expect(await codeOf(writer.append(stale))).toBe('version-conflict');
    expect(await codeOf(writer.append({ ...stale, expectedVersion: 5 }))).toBe('version-conflict');
    expect(await reader.head()).toEqual(head);
  });

  it('returns the first result for the same command twice, and refuses a different body', async () => {
    const request = report(randomUUID(), { body: 1 });
    const first = await writer.append(request);
    const again = await writer.append(request);
    expect(again).toEqual({ ...first, replayed: true, events: [] });
    const other = new LedgerWriter(ds, { signingKeyPem: keys.privatePem });
    try {
      expect(await other.append(request)).toMatchObject({ eventId: first.eventId, replayed: true });
      const changed = { ...request, command: { ...request.command!, bodyHash: commandBodyHash({ body: 2 }) } };
      expect(await codeOf(other.append(changed))).toBe('idempotency-conflict');
      expect(await codeOf(other.append({ ...request, originator: 'UZ-SCC' }))).toBe('idempotency-conflict');
    } finally {
      await other.close();
    }
    const events = await collect(reader.readAll({ streamId: request.streamId }));
    expect(events.map((e) => e.eventId)).toEqual([first.eventId]);
  });

  it('fails one command of a batch alone; the others of the batch commit', async () => {
    const existing = report();
    const recorded = await writer.append(existing);
    const head = recorded.position;
    batches.length = 0;
    // Issued in one tick, so they form one batch.
    const outcomes = await Promise.allSettled([
      writer.append(report()),
      writer.append({ ...report(), streamId: existing.streamId, expectedVersion: 0 }),
      writer.append({ ...existing, command: { ...existing.command!, bodyHash: 'f'.repeat(64) } }),
      writer.append(existing),
      writer.append(report()),
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ commands: 5, events: 2, firstPosition: head + 1, lastPosition: head + 2 });
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as CaravanError).code))).toEqual([
      'ok',
      'version-conflict',
      'idempotency-conflict',
      'ok',
      'ok',
    ]);
    const positions = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.position] : []));
    expect(positions).toEqual([head + 1, head, head + 2]);
  });

  it('a rolled-back batch rejects its commands and consumes no position', async () => {
    const head = await reader.head();
    failNextBatch = true;
    const lost = report();
    const outcomes = await Promise.allSettled([writer.append(lost), writer.append(report())]);
    expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as CaravanError).code)).toEqual([
      'unavailable',
      'unavailable',
    ]);
    expect(await reader.head()).toEqual(head);
    // The same command again is recorded afresh, at the next position.
    expect(await writer.append(lost)).toMatchObject({ position: head.position + 1, replayed: false });
    expect((await verifyLedger(reader)).ok).toBe(true);
  });

  it('reads everything in order through pages, with filters', async () => {
    await writer.append({
      streamId: 'policy-UZ-SCC',
      expectedVersion: 0,
      originator: 'UZ-SCC',
      events: [policySet('UZ-SCC', 'seizure.*')],
    });
    const all = await collect(reader.readAll());
    const head = await reader.head();
    expect(all.map((e) => e.position)).toEqual(Array.from({ length: head.position }, (_, i) => i + 1));
    const after = await collect(reader.readAll({ after: 4, upTo: 9 }));
    expect(after.map((e) => e.position)).toEqual([5, 6, 7, 8, 9]);
    expect((await collect(reader.readAll({ types: ['seizure.retracted'] }))).map((e) => e.position)).toEqual([3, 4]);
    expect((await collect(reader.readAll({ originator: 'UZ-SCC' }))).map((e) => e.type)).toEqual(['policy.set']);
    const recordedFrom = all[all.length - 1]!.recordedAt;
    const late = await collect(reader.readAll({ recordedFrom }));
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((e) => e.recordedAt >= recordedFrom)).toBe(true);
    expect(await collect(reader.readAll({ recordedBefore: all[0]!.recordedAt }))).toEqual([]);
    expect(await reader.findEvent(all[2]!.eventId)).toEqual(all[2]);
    expect(await reader.findEvent(randomUUID())).toBeUndefined();
  });

  it('finds the policy in force at a position', async () => {
    const agency = 'KZ-BS';
    const append = (expectedVersion: number, rule: string) =>
      writer.append({
        streamId: `policy-${agency}`,
        expectedVersion,
        originator: agency,
        events: [policySet(agency, rule)],
      });
    const v1 = await append(0, 'seizure.*');
    const between = await writer.append(report());
    const v2 = await append(1, 'threat.alert.*');
    expect(await reader.policyAt(agency, v1.position - 1)).toBeUndefined();
    expect((await reader.policyAt(agency, v1.position))?.streamVersion).toBe(1);
    const inForce = await reader.policyAt(agency, between.position);
    expect(inForce).toMatchObject({ type: 'policy.set', streamVersion: 1, eventId: v1.eventId });
    expect(inForce?.payload.rules[0]?.types).toEqual(['seizure.*']);
    expect((await reader.policyAt(agency, v2.position + 100))?.eventId).toBe(v2.eventId);
    expect(await reader.policyAt('TM-SBS', v2.position)).toBeUndefined();
  });

  it('signs a checkpoint every 1,000 events, and the head on demand, all verifiable', async () => {
    const start = (await reader.head()).position;
    const requests = Array.from({ length: 25 }, () => {
      const seizureId = randomUUID();
      return {
        streamId: `seizure-${seizureId}`,
        expectedVersion: 0,
        originator: 'TJ-DCA',
        events: Array.from({ length: 100 }, () => seizureReported(seizureId)),
      } satisfies AppendRequest;
    });
    await Promise.all(requests.map((request) => writer.append(request)));
    await writer.checkpointNow();
    const head = await reader.head();
    expect(head.position).toBe(start + 2500);
    const checkpoints = await collect(reader.readCheckpoints());
    expect(checkpoints.map((c) => c.position)).toEqual([1000, 2000, head.position]);
    for (const checkpoint of checkpoints) {
      expect(verifyCheckpoint(keys.publicPem, checkpoint)).toBe(true);
      expect(checkpoint.hash).toBe(
        (await collect(reader.readAll({ after: checkpoint.position - 1, upTo: checkpoint.position })))[0]!.hash,
      );
    }
    expect(await reader.latestCheckpoint()).toEqual(checkpoints[2]);
    const wide = new LedgerReader(ds, { pageSize: 1000 });
    const verified = await verifyLedger(wide, { publicKey: keys.publicPem });
    expect(verified).toMatchObject({ ok: true, events: head.position, checkpoints: 3, lastHash: head.hash });
    // With another key the checkpoints do not verify.
    expect((await verifyLedger(wide, { publicKey: ledgerKeys().publicPem })).firstBreak?.position).toBe(1000);
  });

  it('signs the head on its timer when events arrived since the last checkpoint', async () => {
    const timed = new LedgerWriter(ds, { signingKeyPem: keys.privatePem, checkpointIntervalMs: 50 });
    try {
      const { position } = await timed.append(report());
      let latest = await reader.latestCheckpoint();
      for (let i = 0; i < 100 && latest?.position !== position; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        latest = await reader.latestCheckpoint();
      }
      expect(latest?.position).toBe(position);
      expect(verifyCheckpoint(keys.publicPem, latest!)).toBe(true);
    } finally {
      await timed.close();
    }
  });

  it('wakes a follower when a batch commits, and not before', async () => {
    const notifier = await LedgerNotifier.listen(ds);
    try {
      const head = await reader.head();
      const seen: number[] = [];
      const unsubscribe = notifier.onHead((position) => seen.push(position));
      const waiting = notifier.waitForHeadAfter(head.position, { timeoutMs: 60_000 });
      failNextBatch = true;
      await expect(writer.append(report())).rejects.toThrow(CaravanError);
      const { position } = await writer.append(report());
      expect(await waiting).toBe(position);
      expect(position).toBe(head.position + 1);
      // Already past: answers at once from the table.
      expect(await notifier.waitForHeadAfter(head.position, { timeoutMs: 60_000 })).toBe(position);
      // Nothing new: answers with the head when the time is up.
      expect(await notifier.waitForHeadAfter(position, { timeoutMs: 50 })).toBe(position);
      unsubscribe();
      expect(seen).toEqual([position]);
    } finally {
      await notifier.close();
    }
  });

  it('keeps a relay checkpoint that only moves forward', async () => {
    expect(await readRelayCheckpoint(ds, 'relay-a')).toBe(0);
    await advanceRelayCheckpoint(ds, 'relay-a', 5);
    await advanceRelayCheckpoint(ds, 'relay-a', 3);
    await advanceRelayCheckpoint(ds, 'relay-b', 1);
    expect(await readRelayCheckpoint(ds, 'relay-a')).toBe(5);
    expect(await readRelayCheckpoint(ds, 'relay-b')).toBe(1);
  });

  it('refuses appends once closed', async () => {
    const closing = new LedgerWriter(ds, { signingKeyPem: keys.privatePem });
    const pending = closing.append(report());
    await closing.close();
    expect((await pending).replayed).toBe(false);
    expect(await codeOf(closing.append(report()))).toBe('unavailable');
  });
});

// Without a beforeCommit hook the writer sends its rows and COMMIT in one query string, the rows as
// dollar-quoted literals: whatever a payload holds must come back exactly as it went in.
describe('a writer without a beforeCommit hook', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let writer: LedgerWriter;

  beforeAll(async () => {
    db = await createTestDatabase('ledgernohook');
    ds = await openLedgerDatabase(db.url);
    writer = new LedgerWriter(ds, { signingKeyPem: keys.privatePem, checkpointIntervalMs: 3_600_000 });
  });
  afterAll(async () => {
    await writer?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('records a batch with its refusals and replays, payload text verbatim, and wakes a follower', async () => {
    const notifier = await LedgerNotifier.listen(ds);
    try {
      const waking = notifier.waitForHeadAfter(0, { timeoutMs: 60_000 });
      const tricky = report();
      (tricky.events[0]!.data as { narrative: string }).narrative =
        "$caravan$ $caravan_$ ' '' \\ \\' $$ $1:: E'x' ; COMMIT; -- Тайник 𝄞";
      const first = report();
      // One tick: one batch holding a new command, its replay, a stale version and the tricky text.
      const outcomes = await Promise.allSettled([
        writer.append(first),
        writer.append(first),
        writer.append({ ...report(), expectedVersion: 3 }),
        writer.append(tricky),
      ]);
      expect(
        outcomes.map((o) => (o.status === 'fulfilled' ? o.value.replayed : (o.reason as CaravanError).code)),
      ).toEqual([false, true, 'version-conflict', false]);
      const reader = new LedgerReader(ds);
      const [stored] = await collect(reader.readStream(tricky.streamId));
      expect(stored!.payload).toEqual(tricky.events[0]!.data);
      expect(await verifyLedger(reader, { publicKey: keys.publicPem })).toMatchObject({ ok: true, events: 2 });
      expect(await waking).toBe(2);
    } finally {
      await notifier.close();
    }
  });
});
