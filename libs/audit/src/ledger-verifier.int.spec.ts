// Verification of the stored ledger as it grows, and the auditor access record, on PostgreSQL.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openDatabase } from '@caravan/database';
import { ledgerPublicKey, signCheckpoint } from '@caravan/domain';
import { LedgerReader, LedgerWriter, ledgerSchema } from '@caravan/ledger-store';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { AuditAccessLog, LedgerVerifier, auditSchema } from './index.js';

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
    const verifier = new LedgerVerifier(reader, publicKeyPem, { pageSize: 2 });
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
