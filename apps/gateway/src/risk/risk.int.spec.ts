import type { DataSource } from 'typeorm';
import type { SharedCopy } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { demoDirectory, directorySchema, seedDirectory } from '@caravan/directory';
import { RiskViewStore, riskViewsSchema } from '@caravan/risk-views';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { startTestGateway, type TestGateway } from '../gateway.test-helpers.spec.js';

let position = 0;
function reported(originator: string, seizureId: string, occurredAt: string, kg: number): SharedCopy {
  position += 1;
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type: 'seizure.reported',
    schemaVersion: 1,
    streamId: `seizure-${seizureId}`,
    streamVersion: 1,
    position,
    originator,
    recordedAt: occurredAt,
    occurredAt,
    recipient: 'CARICC',
    policyVersion: 1,
    payload: {
      seizureId,
      occurredAt,
      location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border' },
      items: [{ category: 'narcotic', substance: 'heroin', quantity: kg, unit: 'kg' }],
      route: { origin: 'AF', transit: ['TJ'], destination: 'KZ' },
      handling: { tlp: 'GREEN' },
    },
  };
}

describe('GET /v1/risk/* and /v1/alerts/active (regional views for analysts)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let g: TestGateway;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase('gatewayrisk');
    ds = await openDatabase({ url: db.url, schemas: [directorySchema], poolSize: 2 });
    await seedDirectory(ds, demoDirectory);
    g = await startTestGateway({ db });
    for (const [name, agency, roles] of [
      ['centre', 'CARICC', ['analyst']],
      ['tajik', 'TJ-DCA', ['analyst']],
      ['publisher', 'TJ-DCA', ['publisher']],
    ] as const) {
      const created = await g.call('POST', '/v1/keys', { key: g.adminKey, body: { agency, roles } });
      expect(created.status).toBe(201);
      keys[name] = created.body.key as string;
    }
  });

  afterAll(async () => {
    await g?.close();
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it('answers empty views before the aggregator has folded anything, and needs the analyst role', async () => {
    const empty = await g.call('GET', '/v1/risk/crossings', { key: keys['centre'] });
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ items: [], total: 0, next: null });
    expect((await g.call('GET', '/v1/risk/crossings')).status).toBe(401);
    expect((await g.call('GET', '/v1/risk/routes', { key: keys['publisher'] })).status).toBe(403);
  });

  describe('with views', () => {
    beforeAll(async () => {
      const views = await openDatabase({ url: db.url, schemas: [riskViewsSchema], poolSize: 2 });
      const now = Date.now();
      try {
        await new RiskViewStore(views).applyCopies([
          reported('TJ-DCA', 's1', '2025-03-04T10:00:00.000Z', 10),
          reported('TJ-BS', 's2', '2025-03-05T10:00:00.000Z', 10),
          reported('TJ-DCA', 's3', '2025-03-06T10:00:00.000Z', 10),
          reported('TJ-DCA', 's4', '2025-03-12T10:00:00.000Z', 4),
          {
            ...reported('TJ-DCA', 'unused', '2025-03-12T10:00:00.000Z', 1),
            type: 'threat.alert.issued',
            streamId: 'alert-a1',
            payload: {
              alertId: 'a1',
              severity: 4,
              validFrom: new Date(now - 86_400_000).toISOString(),
              validUntil: new Date(now + 10 * 86_400_000).toISOString(),
              area: { countries: ['TJ'], crossingPoints: ['TJ-NIZHNY-PANJ'] },
              handling: { tlp: 'GREEN' },
            },
          },
        ]);
      } finally {
        await views.destroy();
      }
    });

    it('hides the one-seizure week from the centre and shows it to the agency that reported it', async () => {
      const centre = await g.call('GET', '/v1/risk/crossings', { key: keys['centre'] });
      expect(centre.status).toBe(200);
      const lone = centre.body.items.find((i: { week: string }) => i.week === '2025-W11');
      expect(lone).toEqual({
        locationKey: 'TJ-NIZHNY-PANJ',
        locationLevel: 'crossing-point',
        country: 'TJ',
        week: '2025-W11',
        suppressed: true,
        visibility: 'primary',
      });
      const own = await g.call('GET', '/v1/risk/crossings', { key: keys['tajik'] });
      expect(own.body.items.find((i: { week: string }) => i.week === '2025-W11')).toMatchObject({
        suppressed: false,
        visibility: 'own',
        seizures: 1,
        totals: [{ category: 'narcotic', substance: 'heroin', unit: 'kg', quantity: 4 }],
      });
    });

    it('filters by week range and country, and pages', async () => {
      const w10 = await g.call('GET', '/v1/risk/crossings?from=2025-W10&to=2025-W10', { key: keys['centre'] });
      expect(w10.body.items).toEqual([
        expect.objectContaining({ week: '2025-W10', suppressed: false, seizures: 3, activeAlerts: 0 }),
      ]);
      const uz = await g.call('GET', '/v1/risk/crossings?country=UZ', { key: keys['tajik'] });
      expect(uz.body.total).toBe(0);
      const page = await g.call('GET', '/v1/risk/crossings?limit=1', { key: keys['tajik'] });
      expect(page.body).toMatchObject({ total: 2, limit: 1, next: 1 });
      expect(page.body.items).toHaveLength(1);
    });

    it('refuses a malformed filter with a problem naming the parameter', async () => {
      const bad = await g.call('GET', '/v1/risk/trends?from=2025-W99&colour=red', { key: keys['centre'] });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['colour', 'from']);
    });

    it('serves routes and trends', async () => {
      const routes = await g.call('GET', '/v1/risk/routes', { key: keys['tajik'] });
      expect(routes.status).toBe(200);
      expect(routes.body.pairs.items).toEqual([
        // 4 seizures from 2 agencies, the largest two 20 of 34 kg: nothing to protect.
        expect.objectContaining({ origin: 'AF', destination: 'KZ', seizures: 4, visibility: 'visible' }),
      ]);
      const trends = await g.call('GET', '/v1/risk/trends?from=2025-W11&to=2025-W11', { key: keys['tajik'] });
      expect(trends.status).toBe(200);
      expect(trends.body.weeks).toEqual(['2025-W11']);
      expect(trends.body.items).toEqual([
        expect.objectContaining({ country: 'TJ', substance: 'heroin', total: 4, mean: 30, historyWeeks: 1 }),
      ]);
    });

    it('lists the alerts in force, filtered by country', async () => {
      const active = await g.call('GET', '/v1/alerts/active', { key: keys['centre'] });
      expect(active.status).toBe(200);
      expect(active.body.items).toEqual([expect.objectContaining({ alertId: 'a1', severity: 4 })]);
      const kz = await g.call('GET', '/v1/alerts/active?country=KZ', { key: keys['centre'] });
      expect(kz.body.items).toEqual([]);
    });
  });
});
