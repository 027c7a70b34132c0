// The auditor follows the ledger as it grows (woken by its notifications), notices an altered row
// on its next full pass, and reports where it stands to the table the gateway serves.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ChainStatusStore, type ReportedChainStatus } from '@caravan/audit';
import { openDatabase } from '@caravan/database';
import { ledgerPublicKey } from '@caravan/domain';
import { LedgerWriter, ledgerSchema } from '@caravan/ledger-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { startAuditor, type RunningAuditor } from './auditor.app.js';

const signingKeyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

describe('auditor app', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let ds: DataSource;
  let writer: LedgerWriter;
  let auditor: RunningAuditor | undefined;

  async function append(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const seizureId = randomUUID();
      await writer.append({
        streamId: `seizure-${seizureId}`,
        expectedVersion: 'any',
        originator: 'KZ-BS',
        events: [{ type: 'seizure.retracted', data: { seizureId, reason: `r${i}` } }],
      });
    }
  }

  // The report is written a moment after the pass: poll it until it says what is expected.
  async function reported(done: (status: ReportedChainStatus) => boolean): Promise<ReportedChainStatus | undefined> {
    const store = new ChainStatusStore(ds);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const status = await store.latest().catch(() => undefined);
      if ((status && done(status)) || Date.now() > deadline) return status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('auditorapp');
    nats = await createTestNats();
    ds = await openDatabase({ url: db.url, schemas: [ledgerSchema], poolSize: 3 });
    writer = new LedgerWriter(ds, { signingKeyPem, checkpointEvery: 4, checkpointIntervalMs: 3_600_000 });
  });

  afterAll(async () => {
    await auditor?.close();
    await writer?.close();
    await ds?.destroy();
    await nats?.cleanup();
    await db?.drop();
  });

  it('verifies new events as the ledger notifies them, and exposes the status as metrics', async () => {
    await append(3);
    auditor = await startAuditor({
      databaseUrl: db.url,
      natsServers: [nats.url],
      topology: nats.topology,
      ledgerPublicKeyPem: ledgerPublicKey(signingKeyPem).pem,
      pseudonymSecret: 'auditor-test-secret-0123456789abcdef',
      // Idle checks far apart: only a notification can wake it within the test.
      tuning: { idleCheckMs: 600_000, fullPassEveryMs: 600_000, logEveryMs: 0, reportEveryMs: 100 },
    });
    expect(await auditor.waitForVerified(3)).toMatchObject({ ok: true, verifiedUpTo: 3 });
    await append(6);
    expect(await auditor.waitForVerified(9)).toMatchObject({
      ok: true,
      verifiedUpTo: 9,
      signedUpTo: 8,
      checkpoints: 2,
    });
    const metrics = auditor.metricsText();
    expect(metrics).toContain('caravan_audit_chain_ok 1\n');
    expect(metrics).toContain('caravan_audit_verified_position 9\n');
    expect(metrics).toContain('caravan_audit_break_position 0\n');
    const stored = await reported((status) => status.verifiedUpTo === 9);
    expect(stored).toMatchObject({
      auditor: 'auditor',
      ok: true,
      verifiedUpTo: 9,
      signedUpTo: 8,
      checkpoints: 2,
      head: 9,
    });
    expect(stored?.lastHash).toBe(auditor.status().lastHash);
    expect(stored?.passes).toBeGreaterThanOrEqual(1);
    expect(stored?.reportedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(stored?.firstBreak).toBeUndefined();
    await auditor.close();
    auditor = undefined;
  });

  it('finds a row altered behind the verified range on its next full pass', async () => {
    auditor = await startAuditor({
      databaseUrl: db.url,
      natsServers: [nats.url],
      topology: nats.topology,
      ledgerPublicKeyPem: ledgerPublicKey(signingKeyPem).pem,
      pseudonymSecret: 'auditor-test-secret-0123456789abcdef',
      tuning: { idleCheckMs: 200, fullPassEveryMs: 300, logEveryMs: 0 },
    });
    expect(await auditor.waitForVerified(9)).toMatchObject({ ok: true });
    await ds.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
    await ds.query(`UPDATE ledger_events SET originator = 'TJ-DCA' WHERE position = 2`);
    await ds.query('ALTER TABLE ledger_events ENABLE ALWAYS TRIGGER ledger_events_append_only');
    const status = await auditor.waitForVerified(Number.MAX_SAFE_INTEGER, 20_000);
    expect(status).toMatchObject({ ok: false, firstBreak: { position: 2 } });
    expect(auditor.metricsText()).toContain('caravan_audit_break_position 2\n');
    const stored = await reported((status) => status.firstBreak !== undefined);
    expect(stored).toMatchObject({
      ok: false,
      firstBreak: { position: 2, reason: expect.stringMatching(/^hash mismatch/) },
    });
  });
});
