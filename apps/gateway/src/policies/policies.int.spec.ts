// Policy endpoints over real HTTP and NATS. A responder on the command subjects stands in for
// apps/ledger (it records what the gateway sends); reading a policy back after a real policy.set is
// covered by flows.int.spec.ts.
import type { Subscription } from '@nats-io/nats-core';
import { subjects } from '@caravan/contracts';
import { seizureBody, startTestGateway, type TestGateway } from '../gateway.test-helpers.spec.js';

let gw: TestGateway;
let admin: string;
let publisher: string;
let sub: Subscription;
const received: { subject: string; body: Record<string, unknown> }[] = [];

const rules = [
  {
    to: ['KZ-BS'],
    types: ['seizure.*'],
    fields: ['occurredAt', 'location', 'items', 'conveyance.registration'],
    generalize: { location: 'country' },
    pseudonymize: ['conveyance.registration'],
  },
];

beforeAll(async () => {
  gw = await startTestGateway({ tuning: { rateLimit: { burst: 1000, perSecond: 1000 } } });
  for (const [code, country] of [
    ['TJ-DCA', 'TJ'],
    ['KZ-BS', 'KZ'],
    ['UZ-SCC', 'UZ'],
  ] as const) {
    await gw.call('PUT', `/v1/agencies/${code}`, {
      key: gw.adminKey,
      body: { name: code, country, kind: 'customs', groups: ['group:central-asia'] },
    });
  }
  admin = (await gw.call('POST', '/v1/keys', { key: gw.adminKey, body: { agency: 'TJ-DCA', roles: ['admin'] } })).body
    .key;
  publisher = (
    await gw.call('POST', '/v1/keys', { key: gw.adminKey, body: { agency: 'TJ-DCA', roles: ['publisher'] } })
  ).body.key;
  sub = gw.nats.nc.subscribe(`${gw.nats.topology.subjectRoot}.cmd.>`, {
    callback: (_err, msg) => {
      received.push({ subject: msg.subject, body: msg.json() });
      msg.respond(JSON.stringify({ ok: true, eventId: crypto.randomUUID(), position: 3, streamVersion: 2 }));
    },
  });
  await gw.nats.nc.flush();
});
afterAll(async () => {
  sub?.unsubscribe();
  await gw?.close();
});
beforeEach(() => {
  received.length = 0;
});

describe('GET /v1/policies/{agency}', () => {
  it('answers version 0 with no rules before the first policy.set', async () => {
    const answer = await gw.call('GET', '/v1/policies/TJ-DCA', { key: admin });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ agency: 'TJ-DCA', version: 0, rules: [] });
  });

  it("refuses another agency's policy (403) and a key without the admin role (403)", async () => {
    expect((await gw.call('GET', '/v1/policies/KZ-BS', { key: admin })).status).toBe(403);
    expect((await gw.call('PUT', '/v1/policies/KZ-BS', { key: admin, body: { rules } })).status).toBe(403);
    expect((await gw.call('POST', '/v1/policies/KZ-BS/preview', { key: admin, body: { rules } })).status).toBe(403);
    expect((await gw.call('GET', '/v1/policies/TJ-DCA', { key: publisher })).status).toBe(403);
    expect(received).toHaveLength(0);
  });
});

describe('PUT /v1/policies/{agency}', () => {
  it('sends policy.set as the caller and returns the new version', async () => {
    const answer = await gw.call('PUT', '/v1/policies/TJ-DCA', {
      key: admin,
      body: { rules },
      headers: { 'if-match': '1' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ agency: 'TJ-DCA', version: 2, eventId: expect.any(String), position: 3 });
    expect(received).toHaveLength(1);
    expect(received[0]!.subject).toBe(subjects(gw.nats.topology).command('TJ-DCA', 'policy.set'));
    expect(received[0]!.body).toEqual({ commandId: expect.any(String), expectedVersion: 1, rules });
  });

  it('refuses rules naming unknown agencies or fields, and a body naming another agency', async () => {
    const answer = await gw.call('PUT', '/v1/policies/TJ-DCA', {
      key: admin,
      body: { rules: [{ to: ['XX-NOBODY'], types: ['seizure.*'], fields: ['noSuchField'] }] },
    });
    expect(answer.status).toBe(400);
    expect((answer.body.errors as unknown[]).length).toBeGreaterThan(0);
    const cross = await gw.call('PUT', '/v1/policies/TJ-DCA', { key: admin, body: { agency: 'KZ-BS', rules } });
    expect(cross.status).toBe(403);
    expect(received).toHaveLength(0);
  });
});

describe('POST /v1/policies/{agency}/preview', () => {
  it('shows what each agency would get of a sample under the draft', async () => {
    const { commandId: _c, ...payload } = seizureBody();
    const answer = await gw.call('POST', '/v1/policies/TJ-DCA/preview', {
      key: admin,
      body: { rules, sample: { type: 'seizure.reported', payload } },
    });
    expect(answer.status).toBe(200);
    const byAgency = Object.fromEntries(
      (answer.body.recipients as { agency: string; delivered: boolean }[]).map((r) => [r.agency, r]),
    ) as Record<string, { delivered: boolean; payload?: Record<string, Record<string, unknown>> }>;
    expect(Object.keys(byAgency).sort()).toEqual(['KZ-BS', 'UZ-SCC']);
    expect(byAgency['UZ-SCC']!.delivered).toBe(false);
    const kz = byAgency['KZ-BS']!;
    expect(kz.delivered).toBe(true);
    expect(kz.payload!['location']).toEqual({ country: 'TJ' });
    expect(kz.payload!['conveyance']!['registration']).toMatch(/^psn_[a-z2-7]{26}$/);
    expect(kz.payload).not.toHaveProperty('suspects');
    expect(received).toHaveLength(0);
  });

  it('refuses a malformed sample with field errors', async () => {
    const answer = await gw.call('POST', '/v1/policies/TJ-DCA/preview', {
      key: admin,
      body: { rules, sample: { type: 'seizure.exploded', payload: {} }, extra: 1 },
    });
    expect(answer.status).toBe(400);
    expect((answer.body.errors as { path: string }[]).map((e) => e.path)).toEqual(
      expect.arrayContaining(['extra', 'sample.type']),
    );
  });
});
