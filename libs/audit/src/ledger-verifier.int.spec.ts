// Verification of the stored ledger as it grows, and the auditor access record, on PostgreSQL.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { openDatabase } from '@caravan/database';
import { canonicalJson, hashEvent, ledgerPublicKey, signCheckpoint } from '@caravan/domain';
import { LedgerReader, LedgerWriter, ledgerSchema } from '@caravan/ledger-store';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { AuditAccessLog, LedgerVerifier, auditSchema } from './index.js';
import { ByteSink, JsonbCanonicaliser } from './jsonb-canonical.js';
import { storablePayload } from './ledger-copy-encoding.spec.js';
import { LedgerCopyColumn, LedgerCopyDecoder, textAt } from './ledger-copy-rows.js';

const signingKeyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const publicKeyPem = ledgerPublicKey(signingKeyPem).pem;

describe('LedgerVerifier and the audit access record', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let writer: LedgerWriter;
  let reader: LedgerReader;

  async function retractions(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const seizureId = randomUUID();
      await writer.append({
        streamId: `seizure-${seizureId}`,
        expectedVersion: 'any',
        originator: 'TJ-DCA',
        events: [{ type: 'seizure.retracted', data: { seizureId, reason: `r${i}` } }],
      });
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('auditverify');
    ds = await openDatabase({ url: db.url, schemas: [ledgerSchema, auditSchema], poolSize: 4 });
    writer = new LedgerWriter(ds, { signingKeyPem, checkpointEvery: 3, checkpointIntervalMs: 3_600_000 });
    reader = new LedgerReader(ds);
  });

  afterAll(async () => {
    await writer?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('verifies the chain and checkpoints a new range at a time, including a head signed later', async () => {
    const verifier = new LedgerVerifier(reader, publicKeyPem, { rangeSize: 2 });
    expect(await verifier.advance()).toMatchObject({ ok: true, verifiedUpTo: 0, head: 0 });
    await retractions(5);
    expect(await verifier.advance()).toMatchObject({ ok: true, verifiedUpTo: 5, checkpoints: 1, signedUpTo: 3 });
    await writer.checkpointNow(); // a checkpoint at 5, written after position 5 was verified
    await retractions(4);
    await writer.checkpointNow();
    const status = await verifier.advance();
    expect(status).toMatchObject({ ok: true, verifiedUpTo: 9, head: 9, signedUpTo: 9 });
    const stored: Array<{ count: string }> = await ds.query('SELECT count(*) FROM ledger_checkpoints');
    expect(status.checkpoints).toBe(Number(stored[0]!.count));
  });

  it('names a forged checkpoint and an altered row in a fresh pass', async () => {
    const head = await reader.head();
    await ds.query(`INSERT INTO ledger_checkpoints (position, hash, signature, signed_at) VALUES ($1, $2, $3, now())`, [
      head.position + 1000,
      head.hash,
      signCheckpoint(signingKeyPem, head.position, head.hash),
    ]);
    // A forged checkpoint beyond the head is not read until the head reaches it; one at the head is.
    await retractions(1);
    await ds.query(`INSERT INTO ledger_checkpoints (position, hash, signature, signed_at) VALUES ($1, $2, $3, now())`, [
      head.position + 1,
      (await reader.head()).hash,
      signCheckpoint(generateKeyPairSync('ed25519').privateKey, head.position + 1, (await reader.head()).hash),
    ]);
    const forged = await new LedgerVerifier(reader, publicKeyPem).advance();
    expect(forged.firstBreak).toEqual({
      position: head.position + 1,
      reason: `checkpoint ${head.position + 1}: signature does not verify with the ledger key`,
    });

    // The owner can switch the append-only trigger off; verification must still notice.
    await ds.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
    await ds.query(`UPDATE ledger_events SET payload = jsonb_set(payload, '{reason}', '"r9"') WHERE position = 4`);
    await ds.query('ALTER TABLE ledger_events ENABLE ALWAYS TRIGGER ledger_events_append_only');
    const altered = await new LedgerVerifier(reader, publicKeyPem).advance();
    expect(altered).toMatchObject({ ok: false, verifiedUpTo: 3, firstBreak: { position: 4 } });
    expect(altered.firstBreak?.reason).toContain('hash mismatch');
  });

  it('records auditor reads, lists them to any auditor, and refuses to change them', async () => {
    const log = new AuditAccessLog(ds);
    const first = await log.record({
      agency: 'OVERSIGHT',
      keyId: 'k1',
      action: 'events',
      fromPosition: 1,
      toPosition: 9,
      detail: { type: ['seizure.retracted'] },
    });
    await log.record({ agency: 'OTHER-AUD', keyId: 'k2', action: 'events', detail: {} });
    expect(first).toMatchObject({ id: expect.any(Number), agency: 'OVERSIGHT', fromPosition: 1, toPosition: 9 });
    expect(first.accessedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect((await log.list()).map((a) => a.keyId)).toEqual(['k1', 'k2']);
    expect((await log.list({ agency: 'OTHER-AUD' })).map((a) => a.keyId)).toEqual(['k2']);
    expect(await log.list({ afterId: first.id })).toHaveLength(1);
    await expect(ds.query('DELETE FROM audit_accesses')).rejects.toThrow(/append-only/);
    await expect(ds.query(`UPDATE audit_accesses SET agency = 'X'`)).rejects.toThrow(/append-only/);
  });
});

// The verifier reads rows as binary COPY and hashes them from jsonb's text form: these check it
// against the writer's own hashes over payloads of every JSON shape, and name each kind of break
// where the chain-walking verifier of @caravan/ledger-store names it, across COPY range boundaries.
describe('LedgerVerifier over rows altered behind its back', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let reader: LedgerReader;
  let head = 0;

  // Runs `statements` with the append-only trigger off, verifies afresh, then puts every row back.
  async function tampered(statements: readonly string[], rangeSize = 3) {
    const saved: unknown[] = await ds.query('SELECT * FROM ledger_events ORDER BY position');
    const savedCheckpoints: unknown[] = await ds.query('SELECT * FROM ledger_checkpoints ORDER BY position');
    const bypass = async (sql: readonly string[]) =>
      ds.transaction(async (manager) => {
        await manager.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
        await manager.query('ALTER TABLE ledger_checkpoints DISABLE TRIGGER ledger_checkpoints_append_only');
        for (const statement of sql) await manager.query(statement);
        await manager.query('ALTER TABLE ledger_events ENABLE ALWAYS TRIGGER ledger_events_append_only');
        await manager.query('ALTER TABLE ledger_checkpoints ENABLE ALWAYS TRIGGER ledger_checkpoints_append_only');
      });
    await bypass(statements);
    try {
      return await new LedgerVerifier(reader, publicKeyPem, { rangeSize }).advance();
    } finally {
      await bypass(['DELETE FROM ledger_events', 'DELETE FROM ledger_checkpoints']);
      await ds.query(`INSERT INTO ledger_events SELECT * FROM json_populate_recordset(NULL::ledger_events, $1::json)`, [
        JSON.stringify(saved),
      ]);
      await ds.query(
        `INSERT INTO ledger_checkpoints SELECT * FROM json_populate_recordset(NULL::ledger_checkpoints, $1::json)`,
        [JSON.stringify(savedCheckpoints)],
      );
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('auditcopy');
    ds = await openDatabase({ url: db.url, schemas: [ledgerSchema], poolSize: 4 });
    reader = new LedgerReader(ds);
    const writer = new LedgerWriter(ds, { signingKeyPem, checkpointEvery: 5, checkpointIntervalMs: 3_600_000 });
    // Payloads of every JSON shape jsonb can hold: strings with escapes and any code point, keys
    // that sort differently by length, by bytes and by UTF-16, numbers with trailing zeros or beyond 2^53.
    const payloads = fc.sample(storablePayload, { numRuns: 60, seed: 7 });
    payloads.push({
      quantity: 1.5,
      big: 12345678901234567890,
      tiny: 1e-7,
      huge: 1e21,
      ['\u{1F600}']: 1,
      ['\uFF61']: 2,
    });
    for (const data of payloads) {
      await writer.append({
        streamId: `seizure-${randomUUID()}`,
        expectedVersion: 'any',
        originator: 'TJ-DCA',
        events: [{ type: 'seizure.retracted', data: data as never }],
      });
    }
    await writer.checkpointNow();
    await writer.close();
    head = (await reader.head()).position;
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('verifies what the writer hashed, whatever the payload, one COPY range or many', async () => {
    const checkpoints: Array<{ count: string }> = await ds.query('SELECT count(*) FROM ledger_checkpoints');
    for (const rangeSize of [1, 7, 1000]) {
      const status = await new LedgerVerifier(reader, publicKeyPem, { rangeSize }).advance();
      expect(status).toMatchObject({ ok: true, verifiedUpTo: head, signedUpTo: head, head });
      expect(status.checkpoints).toBe(Number(checkpoints[0]!.count));
      expect(status.lastHash).toBe((await reader.head()).hash);
    }
  });

  it("reads PostgreSQL's own jsonb text the way the byte canonicaliser expects it", async () => {
    const canonicaliser = new JsonbCanonicaliser();
    const decoder = new LedgerCopyDecoder();
    let rows = 0;
    for await (const chunk of reader.copyEvents({ after: 0, upTo: head })) {
      decoder.push(chunk, (view) => {
        const sink = new ByteSink(16);
        // No fallback here: a throw would fail the test.
        canonicaliser.write(
          view.bytes,
          view.starts[LedgerCopyColumn.payload]! + 1,
          view.ends[LedgerCopyColumn.payload]!,
          sink,
        );
        expect(sink.bytes.toString('utf8', 0, sink.length)).toBe(
          canonicalJson(JSON.parse(textAt(view, LedgerCopyColumn.payload))),
        );
        rows += 1;
        return true;
      });
    }
    decoder.end();
    expect(rows).toBe(head);
  });

  it('names the first altered row, not a later one', async () => {
    const status = await tampered([
      `UPDATE ledger_events SET payload = payload || '{"extra": 1}' WHERE position = 4`,
      `UPDATE ledger_events SET originator = 'UZ-SCC' WHERE position = 6`,
    ]);
    expect(status).toMatchObject({ ok: false, verifiedUpTo: 3, firstBreak: { position: 4 } });
    expect(status.firstBreak?.reason).toMatch(/^hash mismatch: the row records [0-9a-f]{64} but its content hashes to/);
  });

  it('names the next row when an altered row was given a matching hash', async () => {
    const [second, third] = await reader.readPage({ after: 1, upTo: 3 });
    const forged = { ...third!, recordedAt: '2020-01-01T00:00:00.000Z' };
    const status = await tampered([
      `UPDATE ledger_events SET recorded_at = '${forged.recordedAt}', hash = '${hashEvent(second!.hash, forged)}' WHERE position = 3`,
    ]);
    expect(status).toMatchObject({ verifiedUpTo: 3, firstBreak: { position: 4 } });
    expect(status.firstBreak?.reason).toMatch(/hash mismatch/);
  });

  it('names the first deleted position and the next row, across COPY ranges', async () => {
    expect((await tampered(['DELETE FROM ledger_events WHERE position IN (5, 6)'])).firstBreak).toEqual({
      position: 5,
      reason: 'position 5 is missing from the ledger table (next row is 7)',
    });
    // A whole range empty (7..9 with ranges of 3): the row after it still names the gap.
    expect((await tampered(['DELETE FROM ledger_events WHERE position BETWEEN 7 AND 11'])).firstBreak).toEqual({
      position: 7,
      reason: 'position 7 is missing from the ledger table (next row is 12)',
    });
  });

  it('names a payload no writer could have hashed, and a checkpoint that names another hash', async () => {
    const beyondDouble = await tampered([
      `UPDATE ledger_events SET payload = jsonb_set(payload, '{q}', ('1' || repeat('0', 400))::jsonb) WHERE position = 8`,
    ]);
    expect(beyondDouble.firstBreak?.position).toBe(8);
    expect(beyondDouble.firstBreak?.reason).toMatch(/^hash mismatch: the row's payload has no canonical form/);

    const wrongHash = await tampered([`UPDATE ledger_checkpoints SET hash = repeat('a', 64) WHERE position = 10`]);
    expect(wrongHash.firstBreak).toEqual({
      position: 10,
      reason: expect.stringMatching(/^checkpoint 10 names hash a{64} but the chain has [0-9a-f]{64}$/),
    });
    expect(wrongHash.verifiedUpTo).toBe(10);
  });
});
