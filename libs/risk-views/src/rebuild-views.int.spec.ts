import type { DataSource } from 'typeorm';
import { generateLedgerKeyPem } from '@caravan/config';
import { REGIONAL_CENTRE, streamIds, type DomainEvent, type SharedCopy } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { demoDirectory } from '@caravan/directory';
import { alertStates, contributions, projectRiskState, type SeizureRecord } from '@caravan/domain';
import { LedgerReader, ledgerSchema, LedgerWriter } from '@caravan/ledger-store';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { ByteOrderKeys1764000000630 } from './migrations/byte-order-keys.migration.js';
import { CreateRiskViews1764000000600 } from './migrations/create-risk-views.migration.js';
import { LedgerFold } from './rebuild-views.js';
import { rebuildViews, RiskViewStore, riskViewsSchema } from './index.js';

// The rebuild's less travelled paths, against a real ledger: a one-connection pool (read first,
// write after), a ledger event that changes another stream's aggregate (the evicting fold gives way
// to one that keeps every row), and rows written before the views' rows became json.

const SECRET = 'rebuild-int-test-pseudonym-secret-0123456789';
const narrowed = {
  agencies: demoDirectory.agencies.filter((a) => a.code === REGIONAL_CENTRE),
  crossingPoints: demoDirectory.crossingPoints,
};
const id = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;
const report = (n: number): DomainEvent => ({
  type: 'seizure.reported',
  data: {
    seizureId: id(n),
    occurredAt: '2025-03-04T10:00:00.000Z',
    location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', region: 'Khatlon', locationType: 'land-border' },
    direction: 'import',
    items: [{ category: 'narcotic', substance: 'heroin', quantity: 1000 + n, unit: 'g' }],
    transportMode: 'road',
    detectionMethod: 'x-ray',
    handling: { tlp: 'GREEN' },
  },
});

/** A test database holding the ledger and the views, and an append of one TJ-DCA event at a time. */
async function openLedger(name: string) {
  const db = await createTestDatabase(name);
  const ds = await openDatabase({ url: db.url, schemas: [ledgerSchema, riskViewsSchema], poolSize: 4 });
  const writer = new LedgerWriter(ds, { signingKeyPem: generateLedgerKeyPem() });
  const append = (streamId: string, expectedVersion: number, event: DomainEvent) =>
    writer.append({ streamId, expectedVersion, originator: 'TJ-DCA', events: [event] });
  return { db, ds, writer, append };
}

describe('rebuildViews on its less travelled paths', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    const ledger = await openLedger('rebuildpaths');
    ({ db, ds } = ledger);
    const { writer, append } = ledger;
    await append(streamIds.policy('TJ-DCA'), 0, {
      type: 'policy.set',
      data: { agency: 'TJ-DCA', rules: [{ to: [REGIONAL_CENTRE], types: ['seizure.*'], fields: ['*'] }] },
    });
    for (let n = 1; n <= 30; n++) await append(streamIds.seizure(id(n)), 0, report(n));
    // Recorded on seizure 2's stream but about seizure 1, whose stream ended long before: no decider
    // writes this, so only a ledger written around them can hold it.
    await append(streamIds.seizure(id(2)), 1, {
      type: 'seizure.amended',
      data: {
        seizureId: id(1),
        changes: { items: [{ category: 'narcotic', substance: 'opium', quantity: 9, unit: 'kg' }] },
        reason: 'crossed',
      },
    });
    await append(streamIds.seizure(id(3)), 1, { type: 'seizure.retracted', data: { seizureId: id(3), reason: 'x' } });
    await writer.close();
  });

  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  /** The views as a fold that keeps every row in memory gives them, from the same ledger rows. */
  async function reference() {
    // Read as the relay reads it for the distributor, not by the rebuild's COPY.
    const fold = new LedgerFold(REGIONAL_CENTRE, narrowed, SECRET);
    for await (const event of new LedgerReader(ds).readAll()) fold.add(event);
    return { contributions: contributions(fold.state), alerts: alertStates(fold.state), copies: fold.copies };
  }

  it('gives the reference views through the evicting fold’s fallback, pipelined and on one connection', async () => {
    const expected = await reference();
    expect(expected.contributions.find((c) => c.seizureId === id(1))?.items[0]?.substance).toBe('opium');
    expect(expected.contributions.some((c) => c.seizureId === id(3))).toBe(false);
    const single = await openDatabase({ url: db.url, schemas: [ledgerSchema, riskViewsSchema], poolSize: 1 });
    try {
      for (const source of [ds, single]) {
        const result = await rebuildViews(source, { secret: SECRET, directory: demoDirectory });
        expect(result.copies).toBe(expected.copies);
        const store = new RiskViewStore(source);
        expect(await store.contributions()).toEqual(expected.contributions);
        expect(await store.alerts()).toEqual(expected.alerts);
        expect(await store.checkpoint()).toBe(result.position);
      }
    } finally {
      await single.destroy();
    }
  });
});

describe('rebuildViews reading the ledger by binary COPY', () => {
  let db: TestDatabase;
  let ds: DataSource;
  // A time with microseconds: LedgerReader (and so the distributor) sees it to the millisecond, cut.
  const precise = '2025-03-10 08:00:00.123999+00';
  const seen = '2025-03-10T08:00:00.123Z';

  beforeAll(async () => {
    const ledger = await openLedger('rebuildcopy');
    ({ db, ds } = ledger);
    const { writer, append } = ledger;
    // occurredAt withheld: each seizure falls back to the time the ledger recorded it.
    await append(streamIds.policy('TJ-DCA'), 0, {
      type: 'policy.set',
      data: {
        agency: 'TJ-DCA',
        rules: [{ to: [REGIONAL_CENTRE], types: ['seizure.*'], fields: ['location', 'items'] }],
      },
    });
    for (let n = 1; n <= 5; n++) await append(streamIds.seizure(id(n)), 0, report(n));
    await append(streamIds.seizure(id(2)), 1, {
      type: 'seizure.amended',
      data: {
        seizureId: id(2),
        changes: { items: [{ category: 'narcotic', substance: 'опий', quantity: 9, unit: 'kg' }] },
        reason: 'r',
      },
    });
    await append(streamIds.seizure(id(4)), 1, { type: 'seizure.retracted', data: { seizureId: id(4), reason: 'x' } });
    await writer.close();
    // The writer records milliseconds only; a row with more (written by other means) must still be
    // read as LedgerReader reads it.
    const payload = { ...(report(6) as unknown as { data: Record<string, unknown> }).data };
    payload['location'] = { country: 'TJ', region: 'Хатлон "Khatlon" \\ \t district', locationType: 'land-border' };
    await ds.query(
      `INSERT INTO ledger_events (position, event_id, type, schema_version, stream_id, stream_version, originator,
         recorded_at, payload, hash)
       SELECT max(position) + 1, '00000000-0000-4000-8000-0000000000ff', 'seizure.reported', 1, $1, 1, 'TJ-DCA',
         $2::timestamptz, $3::jsonb, repeat('0', 64) FROM ledger_events`,
      [streamIds.seizure(id(6)), precise, JSON.stringify(payload)],
    );
  });

  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it('stores what a fold of LedgerReader’s events stores, recordedAt to the millisecond included', async () => {
    const fold = new LedgerFold(REGIONAL_CENTRE, narrowed, SECRET);
    for await (const event of new LedgerReader(ds).readAll()) fold.add(event);
    expect(fold.state.seizures.get(id(6))?.fallbackTime).toBe(seen);
    for (const fetchSize of [3, 100_000]) {
      const result = await rebuildViews(ds, { secret: SECRET, directory: demoDirectory, fetchSize });
      expect(result).toMatchObject({ events: 9, copies: 8 });
      // What a stored seizure keeps besides its contribution (its payload is rebuilt from that).
      const kept = (seizures: ReadonlyMap<string, SeizureRecord>) =>
        new Map([...seizures].map(([key, s]) => [key, [s.originator, s.fallbackTime, s.retracted]]));
      const stored = await new RiskViewStore(ds).loadState();
      expect(kept(stored.seizures)).toEqual(kept(fold.state.seizures));
      expect(await new RiskViewStore(ds).contributions()).toEqual(contributions(fold.state));
    }
  });
});

describe('the migration to json rows', () => {
  let db: TestDatabase;

  afterAll(async () => {
    await db?.drop();
  });

  it('keeps what a stored seizure folds into, so an amendment after it counts as it did before', async () => {
    db = await createTestDatabase('slimrows');
    const report1: SharedCopy = {
      eventId: '00000000-0000-4000-8000-000000000001',
      type: 'seizure.reported',
      schemaVersion: 1,
      streamId: streamIds.seizure(id(1)),
      streamVersion: 1,
      position: 1,
      originator: 'TJ-DCA',
      recordedAt: '2025-03-10T08:00:00.000Z',
      recipient: REGIONAL_CENTRE,
      policyVersion: 1,
      payload: (report(1) as unknown as { data: Record<string, unknown> }).data,
    };
    const amendment: SharedCopy = {
      ...report1,
      eventId: '00000000-0000-4000-8000-000000000002',
      type: 'seizure.amended',
      streamVersion: 2,
      position: 2,
      payload: { seizureId: id(1), changes: { location: { country: 'TJ', region: 'Khatlon' } }, reason: 'r' },
    };
    // Rows as the first migration's code wrote them: jsonb, with the payload in the record.
    const old = await openDatabase({
      url: db.url,
      schemas: [{ name: 'risk-views', migrations: [CreateRiskViews1764000000600] }],
      poolSize: 2,
    });
    const state = projectRiskState([report1]);
    const record = state.seizures.get(id(1))!;
    const contribution = contributions(state)[0]!;
    await old.query(
      `INSERT INTO risk_seizures (seizure_id, originator, record, contribution, country, crossing_point, week, position)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, 1)`,
      [
        id(1),
        'TJ-DCA',
        JSON.stringify(record),
        JSON.stringify(contribution),
        'TJ',
        'TJ-NIZHNY-PANJ',
        contribution.week,
      ],
    );
    await old.query("INSERT INTO risk_checkpoints (name, position, stream_sequence) VALUES ('aggregator', 1, 1)");
    await old.destroy();

    const ds = await openDatabase({ url: db.url, schemas: [riskViewsSchema], poolSize: 2 });
    try {
      const types = await ds.query<Array<{ column_name: string; data_type: string }>>(
        `SELECT column_name, data_type FROM information_schema.columns
          WHERE table_name = 'risk_seizures' AND column_name IN ('record', 'contribution') ORDER BY column_name`,
      );
      expect(types).toEqual([
        { column_name: 'contribution', data_type: 'json' },
        { column_name: 'record', data_type: 'json' },
      ]);
      const [migrated] = await ds.query<Array<{ record: Record<string, unknown> }>>('SELECT record FROM risk_seizures');
      expect(migrated?.record).toEqual({ originator: 'TJ-DCA', fallbackTime: record.fallbackTime, retracted: false });
      // The amendment keeps occurredAt, items and route from the stored row, as the old record had them.
      const store = new RiskViewStore(ds);
      await store.applyCopies([amendment], 2);
      const [after] = await store.contributions();
      expect(after).toEqual(contributions(projectRiskState([report1, amendment]))[0]);
      expect(after?.locationLevel).toBe('region');
    } finally {
      await ds.destroy();
    }
  });
});

describe('the migration to byte-order keys', () => {
  let db: TestDatabase;

  afterAll(async () => {
    await db?.drop();
  });

  it('gives the keys and filter columns COLLATE "C" and keeps the rows and what the filters select', async () => {
    db = await createTestDatabase('byteorder');
    const earlier = riskViewsSchema.migrations.filter((m) => m !== ByteOrderKeys1764000000630);
    const old = await openDatabase({
      url: db.url,
      schemas: [{ name: 'risk-views', migrations: earlier }],
      poolSize: 2,
    });
    // Weeks 2025-W09, W10 and W11.
    const occurred = ['2025-02-27T10:00:00.000Z', '2025-03-05T10:00:00.000Z', '2025-03-12T10:00:00.000Z'];
    const copies = [3, 1, 2].map((n): SharedCopy => ({
      eventId: `00000000-0000-4000-8000-00000000000${n}`,
      type: 'seizure.reported',
      schemaVersion: 1,
      streamId: streamIds.seizure(id(n)),
      streamVersion: 1,
      position: n,
      originator: 'TJ-DCA',
      recordedAt: '2025-03-10T08:00:00.000Z',
      occurredAt: occurred[n - 1]!,
      recipient: REGIONAL_CENTRE,
      policyVersion: 1,
      payload: {
        ...(report(n) as unknown as { data: Record<string, unknown> }).data,
        occurredAt: occurred[n - 1]!,
      },
    }));
    const filter = { country: 'TJ', fromWeek: '2025-W10', toWeek: '2025-W11' };
    let before: Awaited<ReturnType<RiskViewStore['contributions']>>;
    try {
      await new RiskViewStore(old).applyCopies(
        copies.sort((a, b) => a.position - b.position),
        3,
      );
      before = await new RiskViewStore(old).contributions(filter);
    } finally {
      await old.destroy();
    }
    const ds = await openDatabase({ url: db.url, schemas: [riskViewsSchema], poolSize: 2 });
    try {
      const collations = await ds.query<Array<{ table_name: string; column_name: string; collation_name: string }>>(
        `SELECT table_name, column_name, collation_name FROM information_schema.columns
          WHERE table_name IN ('risk_seizures', 'risk_alerts') AND collation_name IS NOT NULL
          ORDER BY table_name, column_name`,
      );
      expect(collations.filter((c) => c.collation_name === 'C').map((c) => `${c.table_name}.${c.column_name}`)).toEqual(
        ['risk_alerts.alert_id', 'risk_seizures.country', 'risk_seizures.seizure_id', 'risk_seizures.week'],
      );
      const after = await new RiskViewStore(ds).contributions(filter);
      expect(after).toEqual(before);
      expect(after.map((c) => [c.seizureId, c.week])).toEqual([
        [id(2), '2025-W10'],
        [id(3), '2025-W11'],
      ]);
    } finally {
      await ds.destroy();
    }
  });
});
