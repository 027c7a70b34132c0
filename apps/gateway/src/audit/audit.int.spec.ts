// The audit endpoints over real HTTP, PostgreSQL and a ledger written beside the gateway: the
// export verifies offline, reads are recorded, roles and query checks hold, as-seen matches.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ChainedEvent, DomainEvent } from '@caravan/contracts';
import { verifyExport } from '@caravan/audit';
import { openDatabase } from '@caravan/database';
import { DirectoryRepository } from '@caravan/directory';
import { copyDigest, evaluateSharing, ledgerPublicKey, toSharedCopy } from '@caravan/domain';
import { LedgerReader, LedgerWriter, ledgerSchema } from '@caravan/ledger-store';
import { SharingStore, sharingSchema } from '@caravan/sharing-store';
import { startAuditor } from '../../../auditor/src/auditor.app.js';
import { startTestGateway, type TestGateway } from '../gateway.test-helpers.spec.js';

let gw: TestGateway;
let ds: DataSource;
let auditorKey: string;
let recipientKey: string;
let seizureEventId: string;

async function key(agency: string, roles: string[]): Promise<string> {
  const created = await gw.call('POST', '/v1/keys', { key: gw.adminKey, body: { agency, roles } });
  expect(created.status).toBe(201);
  return created.body.key as string;
}

beforeAll(async () => {
  gw = await startTestGateway({ tuning: { rateLimit: { burst: 1000, perSecond: 1000 } } });
  for (const [code, body] of [
    ['TJ-DCA', { name: 'Drug Control Agency', country: 'TJ', kind: 'drug-control', groups: [] }],
    ['CARICC', { name: 'CARICC', kind: 'regional-centre', groups: [] }],
    ['KZ-BS', { name: 'Border Service', country: 'KZ', kind: 'border', groups: [] }],
    ['EUAUDIT', { name: 'Oversight body', kind: 'international', groups: [] }],
  ] as const) {
    expect((await gw.call('PUT', `/v1/agencies/${code}`, { key: gw.adminKey, body })).status).toBe(200);
  }
  auditorKey = await key('EUAUDIT', ['auditor']);
  recipientKey = await key('KZ-BS', ['recipient']);

  ds = await openDatabase({ url: gw.db.url, schemas: [ledgerSchema, sharingSchema], poolSize: 2 });
  const writer = new LedgerWriter(ds, { signingKeyPem: gw.ledgerKeyPem, checkpointEvery: 3 });
  const append = async (streamId: string, event: DomainEvent) =>
    (await writer.append({ streamId, expectedVersion: 'any', originator: 'TJ-DCA', events: [event] })).events[0]!;
  const policy = await append('policy-TJ-DCA', {
    type: 'policy.set',
    data: { agency: 'TJ-DCA', rules: [{ to: ['CARICC'], types: ['seizure.*'], fields: ['*'], drop: ['narrative'] }] },
  });
  const seizureId = randomUUID();
  const seizure = await append(`seizure-${seizureId}`, {
    type: 'seizure.reported',
    data: {
      seizureId,
      occurredAt: '2026-03-01T06:30:00.000Z',
      location: { country: 'TJ', locationType: 'land-border' },
      direction: 'import',
      items: [{ category: 'narcotic', substance: 'opium', quantity: 40, unit: 'kg' }],
      transportMode: 'road',
      detectionMethod: 'canine',
      narrative: 'not for CARICC',
      handling: { tlp: 'GREEN' },
    },
  });
  seizureEventId = seizure.eventId;
  for (let i = 0; i < 4; i++) {
    const id = randomUUID();
    await append(`seizure-${id}`, { type: 'seizure.retracted', data: { seizureId: id, reason: `r${i}` } });
  }
  await writer.checkpointNow();
  await writer.close();
  // The seizure's deliveries, recorded as the distributor records them.
  const deliveries = evaluateSharing({
    event: seizure,
    policy: { version: policy.streamVersion, rules: (policy as ChainedEvent & { type: 'policy.set' }).payload.rules },
    directory: await new DirectoryRepository(ds).loadDirectory(),
    secret: gw.pseudonymSecret,
  });
  expect(deliveries.map((d) => d.recipient)).toEqual(['CARICC']);
  await new SharingStore(ds).record(
    'distributor',
    seizure.position,
    deliveries.map((d) => {
      const copy = toSharedCopy(seizure, d);
      return { copy, paths: d.paths, digest: copyDigest(copy) };
    }),
  );
  expect((await new LedgerReader(ds).head()).position).toBe(6);
});

afterAll(async () => {
  await ds?.destroy();
  await gw?.close();
});

describe('audit endpoints (SPEC §7)', () => {
  it('serves the ledger public key to anyone, as PEM and raw hex', async () => {
    const answer = await gw.call('GET', '/v1/audit/keys');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ algorithm: 'Ed25519', ...pick(ledgerPublicKey(gw.ledgerPublicKeyPem)) });
  });

  it('streams a verifiable export, and records the read for other auditors', async () => {
    const answer = await ndjson('/v1/audit/events?export=true');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/x-ndjson');
    expect(answer.headers.get('caravan-last-position')).toBe('6');
    const result = await verifyExport([answer.text], { publicKeyPem: gw.ledgerPublicKeyPem });
    expect(result).toMatchObject({ ok: true, events: 6, signedUpTo: 6, complete: true, key: { exportKey: 'same' } });

    const accesses = await gw.call('GET', '/v1/audit/accesses?action=events', { key: auditorKey });
    expect(accesses.status).toBe(200);
    expect(accesses.body.accesses).toEqual([
      expect.objectContaining({
        agency: 'EUAUDIT',
        action: 'events',
        fromPosition: 1,
        toPosition: 6,
        detail: { export: true },
      }),
    ]);
    expect(answer.headers.get('caravan-audit-access')).toBe(String(accesses.body.accesses[0].id));
  });

  it('filters by type and range, starting with the chainStart line', async () => {
    const answer = await ndjson('/v1/audit/events?from=3&to=5&type=seizure.retracted');
    const lines = answer.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toEqual({
      chainStart: {
        afterPosition: 2,
        prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        filter: { types: ['seizure.retracted'] },
      },
    });
    expect(lines.slice(1).map((event) => event['position'])).toEqual([3, 4, 5]);
  });

  it('refuses a key without the auditor role, unknown parameters and a filtered export', async () => {
    expect((await gw.call('GET', '/v1/audit/events', { key: recipientKey })).status).toBe(403);
    expect((await gw.call('GET', '/v1/audit/verify', { key: recipientKey })).status).toBe(403);
    expect((await gw.call('GET', '/v1/audit/events')).status).toBe(401);
    const unknown = await gw.call('GET', '/v1/audit/events?form=1', { key: auditorKey });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: 'form', message: 'unknown query parameter' }]);
    const filtered = await gw.call('GET', '/v1/audit/events?export=true&type=policy.set', { key: auditorKey });
    expect(filtered.status).toBe(400);
    expect(filtered.body.errors[0].path).toBe('export');
    expect((await gw.call('GET', '/v1/audit/as-seen?recipient=CARICC', { key: auditorKey })).body.errors).toEqual([
      { path: 'eventId', message: 'is required' },
    ]);
  });

  it('verifies the stored chain and checkpoints', async () => {
    const answer = await gw.call('GET', '/v1/audit/verify', { key: auditorKey });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, verifiedUpTo: 6, head: 6, signedUpTo: 6 });
    expect(answer.body.checkpoints).toBeGreaterThanOrEqual(2);
  });

  it('answers who received an event and which field', async () => {
    const byEvent = await gw.call('GET', `/v1/audit/disclosures?eventId=${seizureEventId}`, { key: auditorKey });
    expect(byEvent.status).toBe(200);
    expect(byEvent.body.disclosures).toEqual([
      expect.objectContaining({ recipient: 'CARICC', policyVersion: 1, position: 2, digest: expect.any(String) }),
    ]);
    expect(byEvent.body.disclosures[0].paths).toContain('items[].quantity');
    expect(byEvent.body.disclosures[0].paths).not.toContain('narrative');
    const byPath = await gw.call('GET', '/v1/audit/disclosures?path=narrative', { key: auditorKey });
    expect(byPath.body.disclosures).toEqual([]);
    const byItems = await gw.call('GET', '/v1/audit/disclosures?path=items[].substance', { key: auditorKey });
    expect(byItems.body.disclosures).toHaveLength(1);
  });

  it('rebuilds as-seen copies that match their digests, and says when nothing was received', async () => {
    const seen = await gw.call('GET', `/v1/audit/as-seen?recipient=CARICC&eventId=${seizureEventId}`, {
      key: auditorKey,
    });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ received: true, allMatch: true, copies: [{ match: true, policyVersion: 1 }] });
    expect(seen.body.copies[0].copy.payload.narrative).toBeUndefined();
    const nothing = await gw.call('GET', `/v1/audit/as-seen?recipient=KZ-BS&eventId=${seizureEventId}`, {
      key: auditorKey,
    });
    expect(nothing.body).toMatchObject({ received: false, copies: [] });
    const missing = await gw.call('GET', `/v1/audit/as-seen?recipient=KZ-BS&eventId=${randomUUID()}`, {
      key: auditorKey,
    });
    expect(missing.status).toBe(404);
  });

  it("serves the continuous auditor's last report, 404 until one has reported", async () => {
    const none = await gw.call('GET', '/v1/audit/status', { key: auditorKey });
    expect(none.status).toBe(404);
    expect(none.body.detail).toMatch(/no auditor has reported yet/);
    expect((await gw.call('GET', '/v1/audit/status', { key: recipientKey })).status).toBe(403);
    const unknown = await gw.call('GET', '/v1/audit/status?verbose=1', { key: auditorKey });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: 'verbose', message: 'unknown query parameter' }]);

    // The real auditor, on the gateway's database: it verifies the ledger and reports to its table.
    const auditor = await startAuditor({
      databaseUrl: gw.db.url,
      natsServers: [gw.nats.url],
      topology: gw.nats.topology,
      ledgerPublicKeyPem: gw.ledgerPublicKeyPem,
      pseudonymSecret: gw.pseudonymSecret,
      tuning: { idleCheckMs: 600_000, fullPassEveryMs: 600_000, logEveryMs: 600_000, reportEveryMs: 0 },
    });
    try {
      expect(await auditor.waitForVerified(6)).toMatchObject({ ok: true, verifiedUpTo: 6 });
      let answer = await gw.call('GET', '/v1/audit/status', { key: auditorKey });
      for (const deadline = Date.now() + 10_000; answer.status !== 200 && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await gw.call('GET', '/v1/audit/status', { key: auditorKey });
      }
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        auditor: 'auditor',
        ok: true,
        verifiedUpTo: 6,
        head: 6,
        signedUpTo: 6,
        ledgerHead: 6,
        lastHash: (await new LedgerReader(ds).head()).hash,
        passes: expect.any(Number),
        reportedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        checkedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
      expect(answer.body.checkpoints).toBeGreaterThanOrEqual(2);
      expect(answer.body.firstBreak).toBeUndefined();
    } finally {
      await auditor.close();
    }

    const doc = await gw.call('GET', '/docs/openapi.json');
    const status = (doc.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[
      '/v1/audit/status'
    ];
    expect(Object.keys(status ?? {})).toEqual(['get']);
    expect(status!['get']!.responses).toHaveProperty('200');
    expect(status!['get']!.responses).toHaveProperty('404');
  });
});

// The shared test client parses any *json type whole; NDJSON is read as text here.
async function ndjson(path: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${auditorKey}` } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function pick(key: { pem: string; rawHex: string }): { pem: string; hex: string } {
  return { pem: key.pem, hex: key.rawHex };
}
