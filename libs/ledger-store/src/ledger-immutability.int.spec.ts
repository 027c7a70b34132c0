import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hashEvent } from '@caravan/domain';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { HUB_ROLE, LedgerReader, LedgerWriter, commandBodyHash, verifyLedger, type AppendRequest } from './index.js';
import { ledgerKeys, seizureReported } from './ledger-fixtures.spec.js';
import { openLedgerDatabase } from './ledger-test-database.spec.js';

const keys = ledgerKeys();
const LEDGER_TABLES = ['ledger_events', 'ledger_commands', 'ledger_checkpoints'] as const;

function report(): AppendRequest {
  const seizureId = randomUUID();
  return {
    streamId: `seizure-${seizureId}`,
    expectedVersion: 0,
    originator: 'TJ-DCA',
    events: [seizureReported(seizureId)],
    command: { commandId: randomUUID(), name: 'seizure.report', bodyHash: commandBodyHash({ seizureId }) },
  };
}

/** A ledger of `count` events with a checkpoint at its head. */
async function filledLedger(count: number): Promise<{ db: TestDatabase; ds: DataSource; reader: LedgerReader }> {
  const db = await createTestDatabase('ledgerimmutable');
  const ds = await openLedgerDatabase(db.url);
  const writer = new LedgerWriter(ds, { signingKeyPem: keys.privatePem });
  for (let i = 0; i < count; i++) await writer.append(report());
  await writer.checkpointNow();
  await writer.close();
  return { db, ds, reader: new LedgerReader(ds) };
}

async function errorOf(ds: DataSource, statements: readonly string[]): Promise<string> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  try {
    for (const sql of statements) await runner.query(sql);
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

describe('the ledger cannot be changed after the fact (SPEC §4)', () => {
  let ledger: { db: TestDatabase; ds: DataSource; reader: LedgerReader };
  beforeAll(async () => {
    ledger = await filledLedger(5);
  });
  afterAll(async () => {
    await ledger?.ds.destroy();
    await ledger?.db.drop();
  });

  it.each(LEDGER_TABLES)('refuses UPDATE, DELETE and TRUNCATE of %s even to its owner, by trigger', async (table) => {
    const [owner] = await ledger.ds.query(`SELECT tableowner FROM pg_tables WHERE tablename = $1`, [table]);
    const [me] = await ledger.ds.query('SELECT current_user AS name');
    expect(owner.tableowner).toBe(me.name);
    const refused = /the ledger is append-only: (UPDATE|DELETE|TRUNCATE) on /;
    expect(await errorOf(ledger.ds, [`UPDATE ${table} SET position = position`])).toMatch(refused);
    expect(await errorOf(ledger.ds, [`DELETE FROM ${table}`])).toMatch(refused);
    expect(await errorOf(ledger.ds, [`TRUNCATE ${table} CASCADE`])).toMatch(refused);
    // Statement level: even an UPDATE that matches no row is refused.
    expect(await errorOf(ledger.ds, [`UPDATE ${table} SET position = position WHERE false`])).toMatch(refused);
    // Replication mode does not switch the trigger off (ENABLE ALWAYS).
    expect(await errorOf(ledger.ds, ['SET LOCAL session_replication_role = replica', `DELETE FROM ${table}`])).toMatch(
      refused,
    );
  });

  it.each(LEDGER_TABLES)('gives the hub role only SELECT and INSERT on %s', async (table) => {
    const asHub = `SET LOCAL ROLE ${HUB_ROLE}`;
    // The role check comes before the trigger: these fail for want of the privilege itself.
    expect(await errorOf(ledger.ds, [asHub, `UPDATE ${table} SET position = position`])).toBe(
      `permission denied for table ${table}`,
    );
    expect(await errorOf(ledger.ds, [asHub, `DELETE FROM ${table}`])).toBe(`permission denied for table ${table}`);
    expect(await errorOf(ledger.ds, [asHub, `TRUNCATE ${table}`])).toBe(`permission denied for table ${table}`);
    expect(await errorOf(ledger.ds, [asHub, `SELECT count(*) FROM ${table}`])).toBe('no error');
    const [grants] = await ledger.ds.query(
      `SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) AS privileges
         FROM information_schema.role_table_grants WHERE grantee = $1 AND table_name = $2`,
      [HUB_ROLE, table],
    );
    expect(grants.privileges).toBe('INSERT,SELECT');
    const [role] = await ledger.ds.query('SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = $1', [HUB_ROLE]);
    expect(role).toEqual({ rolcanlogin: false, rolsuper: false });
  });

  it('runs the writer under the hub role', async () => {
    // Revoking INSERT from the role makes appends fail, so the writes really go through it.
    await ledger.ds.query(`REVOKE INSERT ON ledger_events FROM ${HUB_ROLE}`);
    const writer = new LedgerWriter(ledger.ds, { signingKeyPem: keys.privatePem });
    try {
      const failure = writer.append(report());
      await expect(failure).rejects.toMatchObject({ code: 'unavailable' });
      await expect(failure.catch((error: Error) => Promise.reject(error.cause as Error))).rejects.toThrow(
        'permission denied for table ledger_events',
      );
    } finally {
      await ledger.ds.query(`GRANT INSERT ON ledger_events TO ${HUB_ROLE}`);
      await writer.close();
    }
  });
});

describe('chain verification over the stored table', () => {
  const opened: Array<{ db: TestDatabase; ds: DataSource }> = [];
  afterAll(async () => {
    for (const { ds, db } of opened) {
      await ds.destroy();
      await db.drop();
    }
  });

  async function tamper(count: number, change: (ds: DataSource) => Promise<readonly string[]>) {
    const ledger = await filledLedger(count);
    opened.push(ledger);
    const before = await verifyLedger(ledger.reader, { publicKey: keys.publicPem });
    expect(before).toMatchObject({ ok: true, events: count, checkpoints: 1 });
    const statements = await change(ledger.ds);
    // A superuser going around the trigger, which only an explicit DISABLE TRIGGER does.
    await ledger.ds.transaction(async (manager) => {
      await manager.query('SET LOCAL session_replication_role = replica');
      await manager.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_append_only');
      for (const sql of statements) await manager.query(sql);
      await manager.query('ALTER TABLE ledger_events ENABLE ALWAYS TRIGGER ledger_events_append_only');
    });
    return verifyLedger(ledger.reader, { publicKey: keys.publicPem });
  }

  it('names the first position whose content was altered', async () => {
    const report = await tamper(8, async () => [
      `UPDATE ledger_events SET payload = jsonb_set(payload, '{items,0,quantity}', '1') WHERE position = 4`,
      `UPDATE ledger_events SET originator = 'UZ-SCC' WHERE position = 6`,
    ]);
    expect(report.ok).toBe(false);
    expect(report.firstBreak?.position).toBe(4);
    expect(report.firstBreak?.reason).toMatch(/hash mismatch/);
  });

  it('names the next position when the altered row was given a matching hash', async () => {
    const report = await tamper(6, async (ds) => {
      const reader = new LedgerReader(ds);
      const [second, third] = await reader.readPage({ after: 1, upTo: 3 });
      const forged = { ...third!, recordedAt: '2026-01-01T00:00:00.000Z' };
      const hash = hashEvent(second!.hash, forged);
      return [`UPDATE ledger_events SET recorded_at = '${forged.recordedAt}', hash = '${hash}' WHERE position = 3`];
    });
    expect(report.firstBreak?.position).toBe(4);
    expect(report.firstBreak?.reason).toMatch(/hash mismatch/);
  });

  it('names the first deleted position', async () => {
    const report = await tamper(7, async () => ['DELETE FROM ledger_events WHERE position IN (5, 6)']);
    expect(report.ok).toBe(false);
    expect(report.firstBreak?.position).toBe(5);
    expect(report.firstBreak?.reason).toMatch(/position 5 is missing/);
  });
});
