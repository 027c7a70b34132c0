import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { SharedCopy } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { sharingSchema, SharingNotifier, SharingStore, type DeliveryRecord } from './index.js';

const SEIZURE = randomUUID();
const OTHER_SEIZURE = randomUUID();

function delivery(
  position: number,
  recipient: string,
  type: SharedCopy['type'],
  payload: Record<string, unknown>,
  options: { eventId?: string; policyVersion?: number; seizureId?: string } = {},
): DeliveryRecord {
  const copy: SharedCopy = {
    eventId: options.eventId ?? randomUUID(),
    type,
    schemaVersion: 1,
    streamId: `seizure-${options.seizureId ?? SEIZURE}`,
    streamVersion: position,
    position,
    originator: 'TJ-DCA',
    recordedAt: '2026-01-01T00:00:00.000Z',
    recipient,
    policyVersion: options.policyVersion ?? 1,
    payload,
  };
  return { copy, paths: Object.keys(payload).sort(), digest: String(position).padStart(64, '0') };
}

describe('SharingStore', () => {
  let database: TestDatabase;
  let db: DataSource;
  let store: SharingStore;

  beforeAll(async () => {
    database = await createTestDatabase('sharing');
    db = await openDatabase({ url: database.url, schemas: [sharingSchema] });
    store = new SharingStore(db);
  });

  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('records deliveries with the checkpoint in one step and refuses to record a position twice', async () => {
    const reported = randomUUID();
    await store.record('d1', 1, [
      delivery(1, 'KZ-BS', 'seizure.reported', { seizureId: SEIZURE }, { eventId: reported }),
      delivery(1, 'CARICC', 'seizure.reported', { seizureId: SEIZURE, direction: 'import' }, { eventId: reported }),
    ]);
    expect(await store.checkpoint('d1')).toBe(1);
    await expect(
      store.record('d1', 1, [delivery(1, 'UZ-SCC', 'seizure.reported', {}, { eventId: reported })]),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    // The refused batch left nothing behind.
    expect((await store.deliveriesOf(reported)).map((d) => d.copy.recipient)).toEqual(['CARICC', 'KZ-BS']);
    expect(await store.checkpoint('d1')).toBe(1);
  });

  it('rolls back the checkpoint when an insert fails', async () => {
    const eventId = randomUUID();
    // The same (event, recipient) twice violates the unique constraint.
    await expect(
      store.record('d2', 2, [
        delivery(2, 'KZ-BS', 'seizure.reported', {}, { eventId }),
        delivery(3, 'KZ-BS', 'seizure.reported', {}, { eventId }),
      ]),
    ).rejects.toThrow();
    expect(await store.checkpoint('d2')).toBe(0);
    expect(await store.deliveriesOf(eventId)).toEqual([]);
  });

  it('serves feeds by position with type globs, a next cursor, aggregate copies and first recipients', async () => {
    await store.record('d3', 10, [
      delivery(
        5,
        'KG-BS',
        'seizure.reported',
        { seizureId: OTHER_SEIZURE },
        { seizureId: OTHER_SEIZURE, policyVersion: 2 },
      ),
      delivery(6, 'KG-BS', 'threat.alert.issued', { alertId: 'a' }),
      delivery(
        7,
        'KG-BS',
        'seizure.amended',
        { seizureId: OTHER_SEIZURE },
        { seizureId: OTHER_SEIZURE, policyVersion: 2 },
      ),
      delivery(
        7,
        'UZ-SCC',
        'seizure.amended',
        { seizureId: OTHER_SEIZURE },
        { seizureId: OTHER_SEIZURE, policyVersion: 3 },
      ),
      delivery(
        8,
        'UZ-SCC',
        'seizure.amended',
        { seizureId: OTHER_SEIZURE },
        { seizureId: OTHER_SEIZURE, policyVersion: 4 },
      ),
    ]);
    const all = await store.feed('KG-BS');
    expect(all.copies.map((c) => c.position)).toEqual([5, 6, 7]);
    expect(all.next).toBe(7);
    const seizures = await store.feed('KG-BS', { types: ['seizure.*'], limit: 1 });
    expect(seizures.copies.map((c) => c.type)).toEqual(['seizure.reported']);
    const rest = await store.feed('KG-BS', { types: ['seizure.*'], after: seizures.next });
    expect(rest.copies.map((c) => c.position)).toEqual([7]);
    expect((await store.feed('KG-BS', { after: 7 })).next).toBe(7);
    expect((await store.feed('KG-BS', { types: ['threat.alert.issued'] })).copies.map((c) => c.position)).toEqual([6]);

    const copies = await store.aggregateCopies('KG-BS', `seizure-${OTHER_SEIZURE}`);
    expect(copies.map((c) => c.type)).toEqual(['seizure.reported', 'seizure.amended']);
    expect(copies[0]!.payload).toEqual({ seizureId: OTHER_SEIZURE });

    expect(await store.recipientsOf(`seizure-${OTHER_SEIZURE}`)).toEqual(
      new Map([
        ['KG-BS', 2],
        ['UZ-SCC', 3],
      ]),
    );
  });

  it('answers the disclosure record by event, recipient, field path and time', async () => {
    const eventId = randomUUID();
    const amended = randomUUID();
    await store.record('d4', 21, [
      {
        ...delivery(20, 'KZ-BS', 'seizure.reported', {}, { eventId }),
        paths: ['location.country', 'suspects[].documentNumber'],
      },
      { ...delivery(20, 'CARICC', 'seizure.reported', {}, { eventId }), paths: ['items[].quantity'] },
      { ...delivery(21, 'CARICC', 'seizure.amended', {}, { eventId: amended }), paths: ['changes.location.region'] },
    ]);
    const byEvent = await store.disclosures({ eventId });
    expect(byEvent.map((d) => [d.recipient, d.policyVersion, d.paths])).toEqual([
      ['CARICC', 1, ['items[].quantity']],
      ['KZ-BS', 1, ['location.country', 'suspects[].documentNumber']],
    ]);
    expect(byEvent[0]!.digest).toBe('20'.padStart(64, '0'));
    expect(byEvent[0]!.aggregateId).toBe(`seizure-${SEIZURE}`);

    const location = await store.disclosures({ path: 'location', from: '2000-01-01T00:00:00Z' });
    expect(location.map((d) => [d.position, d.recipient])).toEqual([
      [20, 'KZ-BS'],
      [21, 'CARICC'],
    ]);
    expect((await store.disclosures({ path: 'suspects' })).map((d) => d.recipient)).toEqual(['KZ-BS']);
    expect(await store.disclosures({ path: 'locat' })).toEqual([]);
    expect((await store.disclosures({ recipient: 'CARICC', eventId: amended })).map((d) => d.type)).toEqual([
      'seizure.amended',
    ]);
    expect(await store.disclosures({ eventId, to: '2000-01-01T00:00:00Z' })).toEqual([]);
    const firstPage = await store.disclosures({ eventId, limit: 1 });
    const secondPage = await store.disclosures({ eventId, after: firstPage[0]!, limit: 1 });
    expect(secondPage.map((d) => d.recipient)).toEqual(['KZ-BS']);
  });

  it('stores each copy as the very JSON text it was given, with text COPY would have to escape', async () => {
    const payload = { seizureId: SEIZURE, narrative: 'tab\there, "quoted", back\\slash\nnew line, Душанбе \u0001' };
    const given = delivery(40, 'KG-BS', 'seizure.reported', payload);
    const copyJson = JSON.stringify(given.copy);
    const odd = { ...given, paths: ['narrative', 'a"b', 'c\\d', 'NULL', 'x,y {z}'], copyJson };
    await store.record('d7', 40, [odd]);
    const rows: Array<{ text: string; paths: string[]; type: string }> = await db.query(
      `SELECT copy::text AS text, paths, pg_typeof(copy)::text AS type FROM sharing_deliveries
        WHERE recipient = 'KG-BS' AND position = 40`,
    );
    const row = rows[0];
    // json keeps the text byte for byte: what the digest was taken over is what is stored.
    expect(row).toEqual({ text: copyJson, paths: odd.paths, type: 'json' });
    expect((await store.feed('KG-BS', { after: 39, limit: 1 })).copies).toEqual([given.copy]);
    expect((await store.disclosures({ path: 'a"b' })).map((d) => d.paths)).toEqual([odd.paths]);
  });

  it('tracks what is recorded but not yet confirmed published, in order', async () => {
    // One table serves one distributor: start this consumer past the rows of the other tests.
    await store.record('d6', 999, []);
    await store.markPublished('d6', 999);
    expect(await store.unpublished('d6')).toEqual([]);
    await store.record('d6', 1001, [
      delivery(1000, 'KZ-BS', 'seizure.reported', {}),
      delivery(1001, 'UZ-SCC', 'seizure.reported', {}),
      delivery(1001, 'KG-BS', 'seizure.reported', {}),
    ]);
    expect(await store.progress('d6')).toEqual({ recorded: 1001, published: 999 });
    expect((await store.unpublished('d6')).map((d) => [d.copy.position, d.copy.recipient])).toEqual([
      [1000, 'KZ-BS'],
      [1001, 'KG-BS'],
      [1001, 'UZ-SCC'],
    ]);
    await store.markPublished('d6', 1000);
    expect((await store.unpublished('d6')).map((d) => d.copy.position)).toEqual([1001, 1001]);
    // Never beyond what is recorded, never backwards.
    await store.markPublished('d6', 5000);
    expect(await store.progress('d6')).toEqual({ recorded: 1001, published: 1001 });
    await store.markPublished('d6', 10);
    expect(await store.progress('d6')).toEqual({ recorded: 1001, published: 1001 });
    expect(await store.unpublished('d6')).toEqual([]);
  });

  it('wakes a follower when a delivery for its recipient commits', async () => {
    const notifier = await SharingNotifier.listen(db);
    try {
      const waiting = notifier.waitForDeliveryAfter('TM-SCS', 30, { timeoutMs: 60_000 });
      const other = notifier.waitForDeliveryAfter('AF-CNPA', 30, { timeoutMs: 1_000 });
      await store.record('d5', 31, [delivery(31, 'TM-SCS', 'seizure.reported', {})]);
      expect(await waiting).toBe(true);
      expect(await other).toBe(false);
      // Already delivered before the wait began: found in the table, not missed.
      expect(await notifier.waitForDeliveryAfter('TM-SCS', 30, { timeoutMs: 60_000 })).toBe(true);
    } finally {
      await notifier.close();
    }
  });
});
