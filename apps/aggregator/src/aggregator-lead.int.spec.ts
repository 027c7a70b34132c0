import { jetstreamManager } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import {
  durableNames,
  REGIONAL_CENTRE,
  streamConfigs,
  subjects,
  type SharedCopy,
  type Topology,
} from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { alertStates, contributions, projectRiskState } from '@caravan/domain';
import { ensureStreams, publishToStream } from '@caravan/messaging';
import { FencedOffError, RiskViewStore, riskViewsSchema } from '@caravan/risk-views';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { startAggregator, type RunningApp } from './aggregator.app.js';

// Several aggregator instances on one hub: one leads and consumes, the others stand by without
// touching its durable, and a lead that is lost is taken over without a copy lost or counted twice.

async function waitFor(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await Promise.resolve(predicate()).catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reports of 240 seizures, then amendments of every fourth and retractions of every tenth, and two alerts. */
function centreCopies(): SharedCopy[] {
  const out: SharedCopy[] = [];
  const add = (type: SharedCopy['type'], streamId: string, streamVersion: number, payload: Record<string, unknown>) => {
    const position = out.length + 1;
    out.push({
      eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
      type,
      schemaVersion: 1,
      streamId,
      streamVersion,
      position,
      originator: position % 2 ? 'TJ-DCA' : 'UZ-BS',
      recordedAt: new Date(Date.UTC(2025, 2, 1) + position * 60_000).toISOString(),
      recipient: REGIONAL_CENTRE,
      policyVersion: 1,
      payload,
    });
  };
  const seizure = (i: number) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
  for (let i = 0; i < 240; i++) {
    add('seizure.reported', `seizure-${seizure(i)}`, 1, {
      seizureId: seizure(i),
      occurredAt: new Date(Date.UTC(2025, 0, 6) + i * 7 * 3_600_000).toISOString(),
      location: {
        country: 'TJ',
        crossingPoint: i % 3 ? 'TJ-NIZHNY-PANJ' : 'TJ-ISHKASHIM',
        locationType: 'land-border',
      },
      items: [{ category: 'narcotic', substance: i % 2 ? 'heroin' : 'opium', quantity: 100 + i, unit: 'g' }],
      route: { origin: 'AF', transit: ['TJ'], destination: 'KZ' },
    });
  }
  for (let i = 0; i < 240; i += 4) {
    add('seizure.amended', `seizure-${seizure(i)}`, 2, {
      seizureId: seizure(i),
      changes: { items: [{ category: 'narcotic', substance: 'heroin', quantity: i + 1, unit: 'kg' }] },
    });
  }
  for (let i = 1; i < 240; i += 10) add('seizure.retracted', `seizure-${seizure(i)}`, 2, { seizureId: seizure(i) });
  for (const [n, severity] of [
    [1, 3],
    [2, 5],
  ] as const) {
    add('threat.alert.issued', `alert-a${n}`, 1, {
      alertId: `a${n}`,
      severity,
      validFrom: '2025-01-01T00:00:00.000Z',
      validUntil: '2025-06-01T00:00:00.000Z',
      area: { countries: ['TJ'], crossingPoints: ['TJ-NIZHNY-PANJ'] },
    });
  }
  return out;
}

describe('aggregator instances sharing one hub', () => {
  let viewsDb: TestDatabase;
  let nats: TestNats;
  let ds: DataSource;
  let store: RiskViewStore;
  const copies = centreCopies();
  const expected = projectRiskState(copies);
  const running: RunningApp[] = [];

  const publish = async (topology: Topology, from: number, to: number) => {
    const s = subjects(topology);
    for (const c of copies.slice(from, to)) {
      await publishToStream(nats.nc, s.share(c.recipient, c.type), c, {
        msgId: `${c.eventId}:${c.recipient}`,
        position: c.position,
      });
    }
  };
  /** The aggregator durables on the share stream, by name, with when each was created. */
  const leadDurables = async (topology: Topology) => {
    const jsm = await jetstreamManager(nats.nc);
    const base = durableNames(topology).aggregator;
    const found: Array<{ name: string; created: string }> = [];
    for await (const info of jsm.consumers.list(streamConfigs(topology).share.name)) {
      if (info.name.startsWith(base)) found.push({ name: info.name, created: info.created });
    }
    return found;
  };
  const start = async (standbyRetryMs: number) => {
    const app = await startAggregator(
      { databaseUrl: viewsDb.url, natsServers: [nats.url], topology: nats.topology },
      { batchSize: 20, standbyRetryMs },
    );
    running.push(app);
    return app;
  };

  beforeAll(async () => {
    viewsDb = await createTestDatabase('aggregatorlead');
    nats = await createTestNats();
    await ensureStreams(await jetstreamManager(nats.nc), nats.topology);
    ds = await openDatabase({ url: viewsDb.url, schemas: [riskViewsSchema], poolSize: 2 });
    store = new RiskViewStore(ds);
  });

  afterAll(async () => {
    for (const app of running) await app.close();
    await nats?.cleanup();
    if (ds?.isInitialized) await ds.destroy();
    await viewsDb?.drop();
  });

  it('leaves the lead alone while standing by, takes over when its lock session dies, and ends as one uninterrupted run', async () => {
    const third = Math.floor(copies.length / 3);
    // Slow to retry once it has lost the lead, so that the takeover is the second instance's.
    const first = await start(60_000);
    expect(first.isActive()).toBe(true);
    await publish(nats.topology, 0, third);
    await waitFor('the lead to fold the first copies', async () => (await store.checkpoint()) > 0);
    const leadsDurable = await leadDurables(nats.topology);
    expect(leadsDurable).toHaveLength(1);

    // A second instance starting up must not reset the durable the lead reads.
    const second = await start(100);
    expect(second.isActive()).toBe(false);
    expect(await leadDurables(nats.topology)).toEqual(leadsDurable);
    await publish(nats.topology, third, 2 * third);
    await waitFor(
      'the lead to fold two thirds',
      async () => (await store.checkpoint()) >= copies[2 * third - 1]!.position,
    );
    expect(second.isActive()).toBe(false);

    // The lead's lock session dies (the lead's process itself goes on): the standby takes over.
    await ds.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'caravan-aggregator-lock' AND datname = current_database()`,
    );
    await waitFor('the standby to take the lead', () => second.isActive() && !first.isActive());
    await publish(nats.topology, 2 * third, copies.length);
    await waitFor('the new lead to fold every copy', async () => (await store.checkpoint()) === copies.length);

    expect(await store.contributions()).toEqual(contributions(expected));
    expect(await store.alerts()).toEqual(alertStates(expected));
    // Only the new lead's durable is left.
    const durables = await leadDurables(nats.topology);
    expect(durables).toHaveLength(1);
    expect(durables[0]!.name).not.toBe(leadsDurable[0]!.name);
    await first.close();
    await second.close();
  });

  it('refuses a batch from a lead another instance has taken over since, and writes nothing of it', async () => {
    const before = await store.checkpointRow();
    const old = await store.beginLeaderTerm();
    const taken = await store.beginLeaderTerm();
    expect(taken.epoch).toBe(old.epoch + 1);
    expect(taken.position).toBe(before.position);
    const late: SharedCopy = {
      ...copies[0]!,
      eventId: '00000000-0000-4000-8000-999999999999',
      position: copies.length + 1,
      payload: { ...copies[0]!.payload, seizureId: 'late' },
    };
    await expect(store.applyCopies([late], before.streamSequence + 1, old.epoch)).rejects.toBeInstanceOf(
      FencedOffError,
    );
    expect(await store.checkpointRow()).toEqual(before);
    expect((await store.contributions()).some((c) => c.seizureId === 'late')).toBe(false);
    await store.applyCopies([late], before.streamSequence + 1, taken.epoch);
    expect((await store.contributions()).some((c) => c.seizureId === 'late')).toBe(true);
  });
});
