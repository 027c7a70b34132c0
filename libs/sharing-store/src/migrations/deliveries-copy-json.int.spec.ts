// A database whose deliveries were recorded before the copy became `json`: the migration keeps every
// row, and the store reads the old copies back equal to what was delivered.
import { randomUUID } from 'node:crypto';
import { openDatabase } from '@caravan/database';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { CreateSharing1764000000300, sharingSchema, SharingStore } from '../index.js';

describe('DeliveriesCopyJson1764000000310', () => {
  let database: TestDatabase;
  afterAll(async () => database?.drop());

  it('converts the copies recorded as jsonb, which read back as they were delivered', async () => {
    database = await createTestDatabase('sharingmigrate');
    const old = await openDatabase({
      url: database.url,
      schemas: [{ name: 'sharing', migrations: [CreateSharing1764000000300] }],
    });
    const copy = {
      eventId: randomUUID(),
      type: 'seizure.reported',
      schemaVersion: 1,
      streamId: 'seizure-x',
      streamVersion: 1,
      position: 7,
      originator: 'TJ-DCA',
      recordedAt: '2026-01-01T00:00:00.000Z',
      recipient: 'KZ-BS',
      policyVersion: 2,
      payload: { seizureId: 'x', narrative: 'Душанбе "q" \\ \n', items: [{ quantity: 1.5e-7 }] },
    };
    await old.query(
      `INSERT INTO sharing_deliveries (recipient, position, event_id, type, aggregate_id, originator, policy_version, paths, digest, copy)
       VALUES ('KZ-BS', 7, $1, 'seizure.reported', 'seizure-x', 'TJ-DCA', 2, ARRAY['narrative'], repeat('a', 64), $2::jsonb)`,
      [copy.eventId, JSON.stringify(copy)],
    );
    await old.destroy();
    const db = await openDatabase({ url: database.url, schemas: [sharingSchema] });
    try {
      const [{ type }] = await db.query(
        `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
          WHERE attrelid = 'sharing_deliveries'::regclass AND attname = 'copy'`,
      );
      expect(type).toBe('json');
      expect((await new SharingStore(db).feed('KZ-BS')).copies).toEqual([copy]);
    } finally {
      await db.destroy();
    }
  });
});
