import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import {
  durableNames,
  streamConfigs,
  streamIds,
  subjects,
  type ChainedEvent,
  type SharedCopy,
  type SharingRule,
  type ThreatAlert,
  type Topology,
} from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { DirectoryRepository, directorySchema } from '@caravan/directory';
import { copyDigest, pseudonymize } from '@caravan/domain';
import { ledgerSchema } from '@caravan/ledger-store';
import { sharingSchema, SharingStore } from '@caravan/sharing-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { startDistributor, type RunningDistributor } from './distributor.app.js';
import {
  AGENCIES,
  readShare,
  SECRET,
  seedAgencies,
  seizure,
  TestLedger,
  waitFor,
  type ShareMessage,
} from './distributor-fixtures.spec.js';

const TJ_V1: SharingRule[] = [
  {
    to: ['KZ-BS'],
    types: ['seizure.*'],
    fields: ['occurredAt', 'location', 'items', 'suspects[].documentNumber', 'narrative'],
    pseudonymize: ['suspects[].documentNumber'],
  },
  {
    to: ['group:central-asia'],
    types: ['seizure.*'],
    fields: ['items[].substance', 'items[].quantity', 'items[].unit', 'location', 'occurredAt'],
    generalize: { location: 'country', occurredAt: 'month' },
  },
];
const TJ_V2: SharingRule[] = [
  { to: ['KZ-BS'], types: ['seizure.*'], fields: ['items'] },
  TJ_V1[1]!,
  { to: ['KG-BS'], types: ['seizure.*'], fields: ['items[].substance'] },
];
const KZ_V1: SharingRule[] = [{ to: ['*'], types: ['seizure.reported'], fields: ['items'] }];
const UZ_V1: SharingRule[] = [
  { to: ['TJ-DCA'], types: ['threat.alert.*'], fields: ['*'], drop: ['narrative', 'indicators'] },
];

function alert(): ThreatAlert {
  return {
    alertId: randomUUID(),
    category: 'suspect-conveyance',
    severity: 4,
    confidence: 'high',
    validFrom: '2026-03-01T00:00:00.000Z',
    validUntil: '2026-06-01T00:00:00.000Z',
    area: { countries: ['UZ', 'TJ'] },
    indicators: [{ kind: 'vehicle-registration', value: '01 TJ 4455 AA' }],
    summary: 'Truck with a modified fuel tank',
    narrative: 'Source: informant.',
    handling: { tlp: 'GREEN' },
  };
}

/** The envelope part of a recipient's copy. */
function envelope(event: ChainedEvent, recipient: string, policyVersion: number, occurredAt?: string) {
  return {
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    position: event.position,
    originator: event.originator,
    recordedAt: event.recordedAt,
    ...(occurredAt !== undefined ? { occurredAt } : {}),
    recipient,
    policyVersion,
  };
}

describe('distributor (real PostgreSQL and NATS)', () => {
  let database: TestDatabase;
  let nats: TestNats;
  let topology: Topology;
  let db: DataSource;
  let ledger: TestLedger;
  let store: SharingStore;
  let distributor: RunningDistributor;
  const config = () => ({ databaseUrl: database.url, natsServers: [nats.url], topology, pseudonymSecret: SECRET });

  /** Waits until every event up to `position` is recorded and every recorded delivery is on CARAVAN_SHARE. */
  const settled = async (position: number): Promise<ShareMessage[]> => {
    let messages: ShareMessage[] = [];
    await waitFor(`position ${position} distributed`, async () => {
      if ((await store.checkpoint(durableNames(topology).distributor)) < position) return false;
      messages = await readShare(nats.nc, topology);
      return messages.length === (await store.disclosures({ limit: 10_000 })).length;
    });
    return messages;
  };
  const copiesOf = (messages: readonly ShareMessage[], event: ChainedEvent): Record<string, SharedCopy> =>
    Object.fromEntries(messages.filter((m) => m.copy.eventId === event.eventId).map((m) => [m.copy.recipient, m.copy]));

  beforeAll(async () => {
    database = await createTestDatabase('distributor');
    nats = await createTestNats();
    topology = nats.topology;
    db = await openDatabase({ url: database.url, schemas: [ledgerSchema, directorySchema, sharingSchema] });
    await seedAgencies(db);
    ledger = new TestLedger(db, nats.nc, topology);
    store = new SharingStore(db);
    distributor = await startDistributor(config(), { logs: false, batchSize: 20, chunkSize: 7 });
  });

  afterAll(async () => {
    await distributor?.close();
    await ledger?.close();
    await db?.destroy();
    await nats?.cleanup();
    await database?.drop();
  });

  it('gives each recipient exactly the fields its rule releases, nothing to an unmatched agency, and records each delivery', async () => {
    await ledger.record('TJ-DCA', streamIds.policy('TJ-DCA'), ledger.setPolicy('TJ-DCA', TJ_V1));
    await ledger.record('KZ-BS', streamIds.policy('KZ-BS'), ledger.setPolicy('KZ-BS', KZ_V1));
    await ledger.record('UZ-SCC', streamIds.policy('UZ-SCC'), ledger.setPolicy('UZ-SCC', UZ_V1));
    const s1 = seizure();
    const fromTj = await ledger.record('TJ-DCA', streamIds.seizure(s1.seizureId), {
      type: 'seizure.reported',
      data: s1,
    });
    const s2 = seizure({ location: { country: 'KZ', locationType: 'rail' }, handling: { tlp: 'CLEAR' } });
    const fromKz = await ledger.record('KZ-BS', streamIds.seizure(s2.seizureId), {
      type: 'seizure.reported',
      data: s2,
    });
    const a1 = alert();
    const fromUz = await ledger.record('UZ-SCC', streamIds.alert(a1.alertId), {
      type: 'threat.alert.issued',
      data: a1,
    });

    const messages = await settled(fromUz.position);

    expect(copiesOf(messages, fromTj)).toEqual({
      'KZ-BS': {
        ...envelope(fromTj, 'KZ-BS', 1, s1.occurredAt),
        payload: {
          seizureId: s1.seizureId,
          occurredAt: s1.occurredAt,
          location: s1.location,
          items: s1.items,
          suspects: [{ documentNumber: pseudonymize('A1234567', SECRET) }],
          narrative: s1.narrative,
          handling: { tlp: 'GREEN' },
        },
      },
      'UZ-SCC': {
        ...envelope(fromTj, 'UZ-SCC', 1, '2026-03'),
        payload: {
          seizureId: s1.seizureId,
          occurredAt: '2026-03',
          location: { country: 'TJ' },
          items: [{ substance: 'heroin', quantity: 12.5, unit: 'kg' }],
          handling: { tlp: 'GREEN' },
        },
      },
    });
    const kzPayload = { seizureId: s2.seizureId, items: s2.items, handling: { tlp: 'CLEAR' } };
    expect(copiesOf(messages, fromKz)).toEqual({
      'KG-BS': { ...envelope(fromKz, 'KG-BS', 1), payload: kzPayload },
      'TJ-DCA': { ...envelope(fromKz, 'TJ-DCA', 1), payload: kzPayload },
      'UZ-SCC': { ...envelope(fromKz, 'UZ-SCC', 1), payload: kzPayload },
    });
    const { narrative: _n, indicators: _i, ...released } = a1;
    expect(copiesOf(messages, fromUz)).toEqual({
      'TJ-DCA': { ...envelope(fromUz, 'TJ-DCA', 1), payload: released },
    });
    // Nothing at all on the unmatched agency's subjects for those two events, and no policy.set copies.
    expect(
      messages.filter((m) => m.subject.startsWith(`${topology.subjectRoot}.share.KG-BS.`)).map((m) => m.copy.eventId),
    ).toEqual([fromKz.eventId]);
    expect(messages.some((m) => m.copy.type === 'policy.set')).toBe(false);

    // Subjects and headers of SPEC §6.
    const toKz = messages.find((m) => m.copy.eventId === fromTj.eventId && m.copy.recipient === 'KZ-BS')!;
    expect(toKz.subject).toBe(subjects(topology).share('KZ-BS', 'seizure.reported'));
    expect(toKz.headers).toMatchObject({
      'Nats-Msg-Id': `${fromTj.eventId}:KZ-BS`,
      'Caravan-Position': String(fromTj.position),
      'Caravan-Type': 'seizure.reported',
      'Caravan-Schema-Version': '1',
      'Caravan-Policy-Version': '1',
    });

    // The disclosure record lists each delivery, with the digest of exactly what was published.
    const record = await store.disclosures({ eventId: fromTj.eventId });
    expect(record.map((d) => [d.recipient, d.policyVersion, d.digest])).toEqual([
      ['KZ-BS', 1, copyDigest(copiesOf(messages, fromTj)['KZ-BS']!)],
      ['UZ-SCC', 1, copyDigest(copiesOf(messages, fromTj)['UZ-SCC']!)],
    ]);
    expect(record[1]!.paths).toEqual([
      'handling.tlp',
      'items[].quantity',
      'items[].substance',
      'items[].unit',
      'location.country',
      'occurredAt',
      'seizureId',
    ]);
    expect((await store.disclosures({ path: 'suspects[].documentNumber' })).map((d) => d.recipient)).toEqual(['KZ-BS']);

    // Every directory agency has its durable share consumer, filtered on its own copies.
    const jsm = await jetstreamManager(nats.nc);
    for (const { code } of AGENCIES) {
      const info = await jsm.consumers.info(streamConfigs(topology).share.name, durableNames(topology).agency(code));
      expect(info.config.filter_subject).toBe(subjects(topology).shareFor(code));
    }
  });

  it('sends an amendment and a retraction to every recipient of the original, under the TLP caps', async () => {
    const s = seizure();
    const reported = await ledger.record('TJ-DCA', streamIds.seizure(s.seizureId), {
      type: 'seizure.reported',
      data: s,
    });
    const newItems = [{ category: 'narcotic' as const, substance: 'heroin', quantity: 13.1, unit: 'kg' as const }];
    const amended = await ledger.record('TJ-DCA', streamIds.seizure(s.seizureId), {
      type: 'seizure.amended',
      data: { seizureId: s.seizureId, changes: { items: newItems, handling: { tlp: 'AMBER' } }, reason: 'reweighed' },
    });
    const retracted = await ledger.record('TJ-DCA', streamIds.seizure(s.seizureId), {
      type: 'seizure.retracted',
      data: { seizureId: s.seizureId, reason: 'duplicate report' },
    });
    const amber = seizure({ handling: { tlp: 'AMBER' } });
    const amberReported = await ledger.record('TJ-DCA', streamIds.seizure(amber.seizureId), {
      type: 'seizure.reported',
      data: amber,
    });

    const messages = await settled(amberReported.position);
    expect(Object.keys(copiesOf(messages, reported))).toEqual(['KZ-BS', 'UZ-SCC']);
    // KZ-BS is named by code, so AMBER still lets its rule through; UZ-SCC came in by group, so it
    // learns only that the seizure changed, its new TLP, and that it ended.
    expect(copiesOf(messages, amended)).toEqual({
      'KZ-BS': {
        ...envelope(amended, 'KZ-BS', 1),
        payload: {
          seizureId: s.seizureId,
          changes: { items: newItems, handling: { tlp: 'AMBER' } },
          reason: 'reweighed',
        },
      },
      'UZ-SCC': {
        ...envelope(amended, 'UZ-SCC', 1),
        payload: { seizureId: s.seizureId, changes: { handling: { tlp: 'AMBER' } } },
      },
    });
    expect(copiesOf(messages, retracted)).toEqual({
      'KZ-BS': { ...envelope(retracted, 'KZ-BS', 1), payload: { seizureId: s.seizureId, reason: 'duplicate report' } },
      'UZ-SCC': { ...envelope(retracted, 'UZ-SCC', 1), payload: { seizureId: s.seizureId } },
    });
    // An AMBER original reaches only the agency a rule names by code.
    expect(Object.keys(copiesOf(messages, amberReported))).toEqual(['KZ-BS']);
    // The recipient's copies of the aggregate, as the gateway reads them.
    expect((await store.aggregateCopies('UZ-SCC', reported.streamId)).map((c) => c.type)).toEqual([
      'seizure.reported',
      'seizure.amended',
      'seizure.retracted',
    ]);
  });

  it('applies a policy change only to events recorded after it, and follow-ups keep the original version', async () => {
    const before = seizure();
    const after = seizure();
    // Recorded first and published afterwards: the distributor sees v2 in the ledger while it handles
    // `before`, and must still use v1, the version in force at its position.
    const beforeReported = await ledger.append('TJ-DCA', streamIds.seizure(before.seizureId), {
      type: 'seizure.reported',
      data: before,
    });
    const policy = await ledger.append('TJ-DCA', streamIds.policy('TJ-DCA'), ledger.setPolicy('TJ-DCA', TJ_V2));
    const afterReported = await ledger.append('TJ-DCA', streamIds.seizure(after.seizureId), {
      type: 'seizure.reported',
      data: after,
    });
    const beforeAmended = await ledger.append('TJ-DCA', streamIds.seizure(before.seizureId), {
      type: 'seizure.amended',
      data: { seizureId: before.seizureId, changes: { narrative: 'Second compartment found.' }, reason: 'detail' },
    });
    const earlier = await store.disclosures({ limit: 10_000 });
    // A fresh instance, as after a restart with a backlog: it knows nothing but what the ledger holds.
    await distributor.close();
    distributor = await startDistributor(config(), { logs: false, batchSize: 20, chunkSize: 7 });
    await ledger.publish(beforeReported, policy, afterReported, beforeAmended);

    const messages = await settled(beforeAmended.position);
    const versions = (event: ChainedEvent) =>
      Object.fromEntries(Object.entries(copiesOf(messages, event)).map(([r, c]) => [r, c.policyVersion]));
    expect(versions(beforeReported)).toEqual({ 'KZ-BS': 1, 'UZ-SCC': 1 });
    expect(copiesOf(messages, beforeReported)['KZ-BS']!.payload['narrative']).toBe(before.narrative);
    expect(versions(afterReported)).toEqual({ 'KG-BS': 2, 'KZ-BS': 2, 'UZ-SCC': 2 });
    expect(copiesOf(messages, afterReported)['KZ-BS']!.payload).toEqual({
      seizureId: after.seizureId,
      items: after.items,
      handling: { tlp: 'GREEN' },
    });
    expect(copiesOf(messages, afterReported)['KG-BS']!.payload).toEqual({
      seizureId: after.seizureId,
      items: [{ substance: 'heroin' }],
      handling: { tlp: 'GREEN' },
    });
    // The earlier recipients follow under v1 (KZ-BS's v1 rule releases the narrative; v2's would not);
    // KG-BS is newly eligible under v2.
    expect(versions(beforeAmended)).toEqual({ 'KG-BS': 2, 'KZ-BS': 1, 'UZ-SCC': 1 });
    expect(copiesOf(messages, beforeAmended)['KZ-BS']!.payload).toEqual({
      seizureId: before.seizureId,
      changes: { narrative: 'Second compartment found.' },
      reason: 'detail',
    });
    // What was delivered before the change is untouched.
    const stillThere = await store.disclosures({ limit: 10_000 });
    expect(stillThere.filter((d) => d.position <= earlier.at(-1)!.position)).toEqual(earlier);
  });

  it("decides a follow-up while its original's statement is still running, with the original's recipients", async () => {
    // In force for the report (the recipients the amendment must follow), then narrowed before the amendment.
    const v1 = await ledger.append('TJ-DCA', streamIds.policy('TJ-DCA'), ledger.setPolicy('TJ-DCA', TJ_V1));
    await ledger.publish(v1);
    await settled(v1.position);
    const held = seizure();
    const reported = await ledger.append('TJ-DCA', streamIds.seizure(held.seizureId), {
      type: 'seizure.reported',
      data: held,
    });
    const narrowed = await ledger.append('TJ-DCA', streamIds.policy('TJ-DCA'), ledger.setPolicy('TJ-DCA', TJ_V2));
    // Both waiting when the distributor starts, so they make one batch.
    await distributor.close();
    await ledger.publish(reported, narrowed);
    // The distributor's checkpoint row, locked here: its statement for that batch waits until this COMMIT.
    const lock = db.createQueryRunner();
    await lock.connect();
    try {
      await lock.startTransaction();
      await lock.query('SELECT position FROM sharing_checkpoints WHERE name = $1 FOR UPDATE', [
        durableNames(topology).distributor,
      ]);
      distributor = await startDistributor(config(), { logs: false, batchSize: 20, chunkSize: 7 });
      await waitFor('the report statement waiting for the lock', async () => {
        const waiting: unknown[] = await db.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'caravan-distributor' AND wait_event_type = 'Lock'
            AND query LIKE '%SET position =%'`,
        );
        return waiting.length > 0;
      });
      const amended = await ledger.append('TJ-DCA', streamIds.seizure(held.seizureId), {
        type: 'seizure.amended',
        data: { seizureId: held.seizureId, changes: { narrative: 'A third compartment.' }, reason: 'detail' },
      });
      await ledger.publish(amended);
      // The next batch is handed over meanwhile and decided from the report's uncommitted decisions;
      // nothing here can see that happen, so it is given time to.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await lock.commitTransaction();

      const messages = await settled(amended.position);
      const versions = (event: ChainedEvent) =>
        Object.fromEntries(Object.entries(copiesOf(messages, event)).map(([r, c]) => [r, c.policyVersion]));
      expect(versions(reported)).toEqual({ 'KZ-BS': v1.streamVersion, 'UZ-SCC': v1.streamVersion });
      // The report's recipients under the report's version; KG-BS newly eligible under the narrowed one.
      expect(versions(amended)).toEqual({
        'KG-BS': narrowed.streamVersion,
        'KZ-BS': v1.streamVersion,
        'UZ-SCC': v1.streamVersion,
      });
    } finally {
      if (lock.isTransactionActive) await lock.rollbackTransaction();
      await lock.release();
    }
  });

  it('lets a standby take over when the active instance stops, without delivering anything twice', async () => {
    const standby = await startDistributor(config(), { logs: false, standbyRetryMs: 100 });
    try {
      expect(standby.isActive()).toBe(false);
      await distributor.close();
      await waitFor('the standby to take over', () => standby.isActive());
      const s = seizure();
      const reported = await ledger.record('TJ-DCA', streamIds.seizure(s.seizureId), {
        type: 'seizure.reported',
        data: s,
      });
      const messages = await settled(reported.position);
      expect(Object.keys(copiesOf(messages, reported))).toEqual(['KG-BS', 'KZ-BS', 'UZ-SCC']);
      const ids = messages.map((m) => m.msgId);
      expect(new Set(ids).size).toBe(ids.length);
      // Each recipient's copies arrive in position order.
      for (const { code } of AGENCIES) {
        const positions = messages.filter((m) => m.copy.recipient === code).map((m) => m.copy.position);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }
    } finally {
      await standby.close();
    }
  });

  it('decides later events with a directory change committed meanwhile: a new member, a member gone', async () => {
    distributor = await startDistributor(config(), { logs: false, batchSize: 20, chunkSize: 7 });
    const directory = new DirectoryRepository(db);
    const before = seizure();
    const reportedBefore = await ledger.record('TJ-DCA', streamIds.seizure(before.seizureId), {
      type: 'seizure.reported',
      data: before,
    });
    expect(Object.keys(copiesOf(await settled(reportedBefore.position), reportedBefore))).toEqual([
      'KG-BS',
      'KZ-BS',
      'UZ-SCC',
    ]);
    // A new member of group:central-asia, and UZ-SCC leaving it.
    await directory.upsertAgency({
      code: 'TM-BS',
      name: 'Border Service of Turkmenistan',
      country: 'TM',
      kind: 'border',
      groups: ['group:central-asia'],
    });
    await directory.upsertAgency({ ...AGENCIES.find((a) => a.code === 'UZ-SCC')!, groups: ['group:customs'] });
    const after = seizure();
    const reportedAfter = await ledger.record('TJ-DCA', streamIds.seizure(after.seizureId), {
      type: 'seizure.reported',
      data: after,
    });
    expect(Object.keys(copiesOf(await settled(reportedAfter.position), reportedAfter))).toEqual([
      'KG-BS',
      'KZ-BS',
      'TM-BS',
    ]);
    // The newcomer got its durable share consumer when it first appeared.
    const jsm = await jetstreamManager(nats.nc);
    const info = await jsm.consumers.info(streamConfigs(topology).share.name, durableNames(topology).agency('TM-BS'));
    expect(info.config.filter_subject).toBe(subjects(topology).shareFor('TM-BS'));
  });
  it('decides with the policy another instance recorded while it stood by, when it leads again', async () => {
    // `distributor` leads and has TJ-DCA's policy history cached from the tests above.
    const other = await startDistributor(config(), { logs: false, standbyRetryMs: 100 });
    let v3: ChainedEvent;
    try {
      expect(other.isActive()).toBe(false);
      // The lead's lock session dies (its process goes on): it stands by, the other one leads.
      await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'caravan-distributor-lock' AND datname = current_database()`,
      );
      await waitFor('the other instance to lead', () => other.isActive() && !distributor.isActive());
      v3 = await ledger.record(
        'TJ-DCA',
        streamIds.policy('TJ-DCA'),
        ledger.setPolicy('TJ-DCA', [{ to: ['KG-BS'], types: ['seizure.*'], fields: ['items[].substance'] }]),
      );
      const during = seizure();
      const reportedDuring = await ledger.record('TJ-DCA', streamIds.seizure(during.seizureId), {
        type: 'seizure.reported',
        data: during,
      });
      await settled(reportedDuring.position);
    } finally {
      await other.close();
    }
    await waitFor('the first instance to lead again', () => distributor.isActive());
    const after = seizure();
    const reportedAfter = await ledger.record('TJ-DCA', streamIds.seizure(after.seizureId), {
      type: 'seizure.reported',
      data: after,
    });
    const copies = copiesOf(await settled(reportedAfter.position), reportedAfter);
    // Under the version recorded while it stood by, not the one it had cached.
    expect(Object.keys(copies)).toEqual(['KG-BS']);
    expect(copies['KG-BS']!.policyVersion).toBe(v3.streamVersion);
    expect(copies['KG-BS']!.payload).toEqual({
      seizureId: after.seizureId,
      items: after.items.map((item) => ({ substance: item.substance })),
      handling: { tlp: after.handling.tlp },
    });
  });
});
