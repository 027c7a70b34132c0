import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import { generateLedgerKeyPem } from '@caravan/config';
import { isolatedTopology, REGIONAL_CENTRE, streamConfigs, type Topology } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { demoDirectory, directorySchema, seedDirectory } from '@caravan/directory';
import {
  activeAlertsView,
  crossingsView,
  riskView,
  routesView,
  trendsView,
  type AlertState,
  type SeizureContribution,
} from '@caravan/domain';
import { LedgerWriter, ledgerSchema } from '@caravan/ledger-store';
import { ensureStreams } from '@caravan/messaging';
import { rebuildViews, RiskViewStore, riskViewsSchema } from '@caravan/risk-views';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { startAggregator, type RunningApp } from './aggregator.app.js';
import {
  appendSteps,
  expectedViews,
  generateSteps,
  isoWeek,
  ShareFeeder,
  SILENT,
  WITHHOLDER,
  type ExpectedViews,
} from './aggregator.fixtures.spec.js';

const SECRET = 'aggregator-int-test-pseudonym-secret-0123456789';
const AT = new Date('2025-03-01T12:00:00Z');

async function waitFor(what: string, predicate: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every view of SPEC §8 from the stored rows, unprotected, at a fixed time. */
async function snapshot(store: RiskViewStore) {
  const contributions = await store.contributions();
  const alerts = await store.alerts();
  const weeks = [...new Set(contributions.map((c) => c.week))].sort();
  return {
    contributions,
    alerts,
    crossings: crossingsView(contributions, alerts),
    routes: routesView(contributions),
    trends: weeks.map((w) => trendsView(contributions, w)),
    risk: riskView(contributions, alerts, AT),
    active: activeAlertsView(alerts, AT),
  };
}

function totalsByKey(totals: readonly { category?: string; substance: string; unit: string; quantity: number }[]) {
  return new Map(totals.map((t) => [`${t.category ?? ''}/${t.substance}/${t.unit}`, t.quantity]));
}

function expectSameTotals(actual: Map<string, number>, expected: Map<string, number>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, quantity] of expected) expect(actual.get(key)).toBeCloseTo(quantity, 6);
}

/** Compares the views with totals computed in the test from the generated data. */
function compareWithModel(
  views: { contributions: SeizureContribution[]; alerts: AlertState[] },
  model: ExpectedViews,
): void {
  const { contributions, alerts } = views;
  expect(contributions.map((c) => c.seizureId).sort()).toEqual(model.seizures.map((s) => s.seizureId).sort());

  // crossings: per location and ISO week, seizures and totals per (category, substance, unit)
  const expectedCells = new Map<string, { seizures: number; totals: Map<string, number> }>();
  for (const s of model.seizures) {
    const key = `${s.locationKey}|${s.week}`;
    const cell = expectedCells.get(key) ?? { seizures: 0, totals: new Map<string, number>() };
    cell.seizures += 1;
    for (const [k, q] of s.totals) cell.totals.set(k, (cell.totals.get(k) ?? 0) + q);
    expectedCells.set(key, cell);
  }
  const rows = crossingsView(contributions, alerts);
  expect(rows.map((r) => `${r.locationKey}|${r.week}`).sort()).toEqual([...expectedCells.keys()].sort());
  for (const row of rows) {
    const cell = expectedCells.get(`${row.locationKey}|${row.week}`)!;
    expect(row.seizures).toBe(cell.seizures);
    expectSameTotals(totalsByKey(row.totals), cell.totals);
  }

  // routes: per (origin, destination), seizures and totals per (substance, unit)
  const expectedPairs = new Map<string, { seizures: number; totals: Map<string, number> }>();
  for (const s of model.seizures) {
    if (!s.route) continue;
    const key = `${s.route.origin}>${s.route.destination}`;
    const pair = expectedPairs.get(key) ?? { seizures: 0, totals: new Map<string, number>() };
    pair.seizures += 1;
    for (const [k, q] of s.totals) {
      const [, substance, unit] = k.split('/');
      const sk = `/${substance}/${unit}`;
      pair.totals.set(sk, (pair.totals.get(sk) ?? 0) + q);
    }
    expectedPairs.set(key, pair);
  }
  const pairs = routesView(contributions).pairs;
  expect(pairs.map((p) => `${p.origin}>${p.destination}`).sort()).toEqual([...expectedPairs.keys()].sort());
  for (const p of pairs) {
    const pair = expectedPairs.get(`${p.origin}>${p.destination}`)!;
    expect(p.seizures).toBe(pair.seizures);
    expectSameTotals(totalsByKey(p.totals), pair.totals);
  }

  // trends: each week's total per (country, substance, unit)
  const weeks = [...new Set(model.seizures.map((s) => s.week))].sort();
  for (const week of weeks) {
    const expected = new Map<string, number>();
    for (const s of model.seizures.filter((x) => x.week === week)) {
      for (const [k, q] of s.totals) {
        const [, substance, unit] = k.split('/');
        const tk = `${s.country}/${substance}/${unit}`;
        expected.set(tk, (expected.get(tk) ?? 0) + q);
      }
    }
    const actual = new Map(
      trendsView(contributions, week)
        .filter((r) => r.total !== 0)
        .map((r) => [`${r.country}/${r.substance}/${r.unit}`, r.total]),
    );
    expectSameTotals(actual, expected);
  }

  // active alerts at AT
  const active = [...model.alerts.entries()]
    .filter(
      ([, a]) => !a.withdrawn && Date.parse(a.validFrom) <= AT.getTime() && AT.getTime() < Date.parse(a.validUntil),
    )
    .map(([id, a]) => [id, a.severity]);
  expect(
    activeAlertsView(alerts, AT)
      .map((a) => [a.alertId, a.severity])
      .sort(),
  ).toEqual(active.sort());
}

describe('aggregator: the regional centre’s views from its shared feed (SPEC §8)', () => {
  let db: TestDatabase;
  let viewsDb: TestDatabase;
  let nats: TestNats;
  let ds: DataSource;
  let store: RiskViewStore;
  let feeder: ShareFeeder;
  let model: ExpectedViews;
  let lastCentrePosition: number;
  let aggregator: RunningApp | undefined;
  let live: Awaited<ReturnType<typeof snapshot>>;
  const extraTopologies: Topology[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('aggregator');
    viewsDb = await createTestDatabase('aggregatorkill');
    nats = await createTestNats();
    ds = await openDatabase({ url: db.url, schemas: [ledgerSchema, directorySchema, riskViewsSchema], poolSize: 4 });
    await seedDirectory(ds, demoDirectory);
    const writer = new LedgerWriter(ds, { signingKeyPem: generateLedgerKeyPem() });
    const steps = generateSteps();
    await appendSteps(writer, steps);
    await writer.close();
    model = expectedViews(steps);
    feeder = new ShareFeeder(ds, SECRET);
    await feeder.decideAll();
    lastCentrePosition = feeder.centreCopies().at(-1)!.position;
    store = new RiskViewStore(ds);

    aggregator = await startAggregator(
      { databaseUrl: db.url, natsServers: [nats.url], topology: nats.topology },
      { batchSize: 50 },
    );
    await feeder.publish(nats.nc, nats.topology);
    await waitFor(
      'the aggregator to reach the last copy',
      async () => (await store.checkpoint()) >= lastCentrePosition,
    );
    live = await snapshot(store);
  });

  afterAll(async () => {
    await aggregator?.close();
    const jsm = await jetstreamManager(nats.nc);
    for (const t of extraTopologies) {
      for (const config of Object.values(streamConfigs(t))) await jsm.streams.delete(config.name).catch(() => false);
    }
    await nats?.cleanup();
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
    await viewsDb?.drop();
  });

  it('generated a few hundred events, and the centre received most but not all of them', () => {
    expect(feeder.centreCopies().length).toBeGreaterThan(250);
    expect(model.seizures.length).toBeGreaterThan(100);
    expect(feeder.copies.some((c) => c.recipient !== REGIONAL_CENTRE)).toBe(true);
  });

  it('matches totals computed independently from the generated data, in every view', () => {
    compareWithModel(live, model);
    expect(live.risk.length).toBeGreaterThan(0);
  });

  it('counts an originator that withholds the crossing point at region level, never at a crossing point', () => {
    const withheld = live.contributions.filter((c) => c.originator === WITHHOLDER);
    expect(withheld.length).toBeGreaterThan(5);
    for (const c of withheld) {
      expect(c.crossingPoint).toBeNull();
      expect(c.locationLevel === 'region' || c.locationLevel === 'country').toBe(true);
    }
    expect(withheld.some((c) => c.locationKey === 'TJ/Khatlon')).toBe(true);
    for (const row of live.crossings.filter((r) => r.locationLevel === 'crossing-point')) {
      expect(row.originators).not.toContain(WITHHOLDER);
    }
    expect(live.crossings.find((r) => r.locationKey === 'TJ/Khatlon')?.originators).toContain(WITHHOLDER);
    expect(live.contributions.some((c) => c.originator === SILENT)).toBe(false);
  });

  it('skips a redelivered batch: a crash between COMMIT and ack doubles nothing', async () => {
    const copies = feeder.centreCopies();
    const again = await store.applyCopies(copies.slice(0, 40));
    expect(again).toEqual({ applied: 0, skipped: 40, position: await store.checkpoint() });
    expect(await snapshot(store)).toEqual(live);
  });

  it('a rebuild from the ledger gives identical views', async () => {
    const liveRows = await storedRows(ds);
    const result = await rebuildViews(ds, { secret: SECRET });
    expect(result.copies).toBe(feeder.centreCopies().length);
    const rebuilt = await snapshot(store);
    expect(rebuilt).toEqual(live);
    // Row for row and byte for byte: the upserts and the COPY write the same text, multi-byte
    // characters and JSON escapes included.
    expect(await storedRows(ds)).toEqual(liveRows);
    const regions = new Set(live.contributions.map((c) => c.region));
    expect(regions).toContain('Лебап');
    expect(regions).toContain('Almaty "Alatau" \\ district');
    expect(liveRows.seizures.length).toBe(result.seizures);
    // The stored records, not only the views, are the same.
    const liveRecords = await store.loadState();
    expect(liveRecords.seizures.size).toBe(model.seizures.length + countRetracted(liveRecords));
  });

  it('SIGKILLed mid-stream and restarted (as a child process from dist), the views equal the uninterrupted run', async () => {
    const main = resolve(process.env['CARAVAN_TEST_DIST'] ?? 'dist', 'apps/aggregator/src/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm run test:int does)`);
    const namespace = `k${randomBytes(4).toString('hex')}`;
    const topology = isolatedTopology(namespace);
    extraTopologies.push(topology);
    const stateDir = mkdtempSync(join(tmpdir(), 'caravan-aggregator-'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith('CARAVAN_') && k !== 'NODE_OPTIONS') env[k] = v;
    }
    Object.assign(env, {
      CARAVAN_DATABASE_URL: viewsDb.url,
      CARAVAN_NATS_URL: nats.url,
      CARAVAN_NAMESPACE: namespace,
      CARAVAN_STATE_DIR: stateDir,
      CARAVAN_PSEUDONYM_SECRET: SECRET,
    });
    const start = (): ChildProcess => spawn(process.execPath, [main], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    // Provisioned here as the ledger app would, so copies can be published before the child is up.
    await ensureStreams(await jetstreamManager(nats.nc), topology);
    const viewsDs = await openDatabase({ url: viewsDb.url, schemas: [riskViewsSchema], poolSize: 2 });
    const killedStore = new RiskViewStore(viewsDs);
    let child = start();
    try {
      // Copies keep arriving while the first process works through them; it dies part-way, before
      // the last third has even been published.
      const total = feeder.copies.length;
      const third = Math.floor(total / 3);
      await feeder.publish(nats.nc, topology, 0, third);
      await waitFor('the first process to fold part of the feed', async () => (await killedStore.checkpoint()) > 0);
      const publishing = feeder.publish(nats.nc, topology, third, 2 * third);
      await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(await killedStore.checkpoint()).toBeLessThan(lastCentrePosition);
      await publishing;
      await feeder.publish(nats.nc, topology, 2 * third, total);
      child = start();
      await waitFor(
        'the restarted process to finish',
        async () => (await killedStore.checkpoint()) >= lastCentrePosition,
      );
      expect(await snapshot(killedStore)).toEqual(live);
    } finally {
      child.kill('SIGKILL');
      await viewsDs.destroy();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('files every seizure under the ISO week of its occurredAt', () => {
    for (const c of live.contributions) expect(c.week).toBe(isoWeek(c.occurredAt));
  });
});

/** Every stored row of the views as PostgreSQL holds it, JSON columns as their text. */
async function storedRows(db: DataSource) {
  return {
    seizures: await db.query<unknown[]>(
      `SELECT seizure_id, originator, record::text, contribution::text, country, crossing_point, week, position
         FROM risk_seizures ORDER BY seizure_id COLLATE "C"`,
    ),
    alerts: await db.query<unknown[]>(
      'SELECT alert_id, originator, record::text, withdrawn, position FROM risk_alerts ORDER BY alert_id COLLATE "C"',
    ),
  };
}

function countRetracted(state: { seizures: ReadonlyMap<string, { retracted: boolean }> }): number {
  return [...state.seizures.values()].filter((s) => s.retracted).length;
}
