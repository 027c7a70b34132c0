// The flows of issue 5 "Done when", over real HTTP against the gateway, with apps/ledger and
// apps/distributor running beside it on the same real PostgreSQL and NATS (private topology).
import { startDistributor, type RunningDistributor } from '../../distributor/src/distributor.app.js';
import { startLedger, type RunningApp } from '../../ledger/src/ledger.app.js';
import { subjects } from '@caravan/contracts';
import type { HitNotification } from './hits/hits.service.js';
import {
  eventually,
  readSse,
  seizureBody,
  startTestGateway,
  type Answer,
  type TestGateway,
} from './gateway.test-helpers.spec.js';

let gw: TestGateway;
let ledger: RunningApp;
let distributor: RunningDistributor;
const keys: Record<string, string> = {};

const AGENCIES = [
  ['TJ-DCA', 'TJ', 'drug-control'],
  ['KZ-BS', 'KZ', 'border'],
  ['UZ-SCC', 'UZ', 'customs'],
  ['KG-BS', 'KG', 'border'],
] as const;

// TJ-DCA shares seizures with KZ-BS narrowly (generalised, pseudonymised) and with UZ-SCC nearly
// whole; KG-BS matches no rule and gets nothing.
const TJ_POLICY = [
  {
    to: ['KZ-BS'],
    types: ['seizure.*'],
    fields: ['occurredAt', 'location', 'items', 'conveyance.registration', 'direction'],
    generalize: { location: 'country' },
    pseudonymize: ['conveyance.registration'],
  },
  { to: ['UZ-SCC'], types: ['seizure.*'], fields: ['*'], drop: ['suspects', 'narrative'] },
];

beforeAll(async () => {
  gw = await startTestGateway({ tuning: { rateLimit: { burst: 5000, perSecond: 5000 }, sseHeartbeatMs: 1_000 } });
  const common = { databaseUrl: gw.db.url, natsServers: [gw.nats.url], topology: gw.nats.topology };
  ledger = await startLedger({ ...common, ledgerKeyPem: gw.ledgerKeyPem });
  distributor = await startDistributor({ ...common, pseudonymSecret: gw.pseudonymSecret }, { logs: false });
  for (const [code, country, kind] of AGENCIES) {
    const put = await gw.call('PUT', `/v1/agencies/${code}`, {
      key: gw.adminKey,
      body: { name: code, country, kind, groups: ['group:central-asia'] },
    });
    expect(put.status).toBe(200);
  }
  await gw.call('PUT', '/v1/crossing-points/TJ-NIZHNY-PANJ', {
    key: gw.adminKey,
    body: { name: 'Nizhny Panj', country: 'TJ', facing: 'AF', lat: 37.2, lon: 68.6 },
  });
  const create = async (agency: string, roles: string[]) =>
    (await gw.call('POST', '/v1/keys', { key: gw.adminKey, body: { agency, roles } })).body.key as string;
  keys['tj'] = await create('TJ-DCA', ['publisher', 'admin', 'recipient']);
  keys['kz'] = await create('KZ-BS', ['recipient', 'publisher', 'admin']);
  keys['uz'] = await create('UZ-SCC', ['recipient']);
  keys['kg'] = await create('KG-BS', ['recipient']);
  const policy = await gw.call('PUT', '/v1/policies/TJ-DCA', { key: keys['tj'], body: { rules: TJ_POLICY } });
  expect(policy.status).toBe(200);
  expect(policy.body.version).toBe(1);
});

afterAll(async () => {
  await distributor?.close();
  await ledger?.close();
  await gw?.close();
});

const feedOf = (key: string, after = 0) => gw.call('GET', `/v1/feed?after=${after}&limit=1000`, { key });
const typesIn = (answer: Answer) => (answer.body.events as { type: string }[]).map((e) => e.type);

describe('publisher flow', () => {
  const body = seizureBody();
  const seizureId = body.seizureId as string;
  let first: Answer;

  it('reports a seizure (201) and answers a replayed commandId with the first answer (200)', async () => {
    first = await gw.call('POST', '/v1/seizures', { key: keys['tj'], body });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ eventId: expect.any(String), position: expect.any(Number), streamVersion: 1 });
    const again = await gw.call('POST', '/v1/seizures', { key: keys['tj'], body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const conflicting = await gw.call('POST', '/v1/seizures', {
      key: keys['tj'],
      body: { ...body, direction: 'export' },
    });
    expect(conflicting.status).toBe(409);
  });

  it('amends with a fresh If-Match, refuses a stale one with 412, then accepts the fresh one', async () => {
    const amend = (version: number, changes: Record<string, unknown>) =>
      gw.call('PATCH', `/v1/seizures/${seizureId}`, {
        key: keys['tj'],
        body: { commandId: crypto.randomUUID(), changes, reason: 'weighed again' },
        headers: { 'if-match': `"${version}"` },
      });
    const ok = await amend(1, { items: [{ category: 'narcotic', substance: 'heroin', quantity: 13, unit: 'kg' }] });
    expect(ok.status).toBe(201);
    expect(ok.body.streamVersion).toBe(2);
    const stale = await amend(1, { direction: 'transit' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    const fresh = await amend(2, { direction: 'transit' });
    expect(fresh.status).toBe(201);
    expect(fresh.body.streamVersion).toBe(3);
  });

  it('lets no other agency amend it', async () => {
    const answer = await gw.call('PATCH', `/v1/seizures/${seizureId}`, {
      key: keys['kz'],
      body: { commandId: crypto.randomUUID(), changes: { direction: 'export' }, reason: 'mine now' },
      headers: { 'if-match': '3' },
    });
    expect([403, 404]).toContain(answer.status);
  });

  it('gives two recipients exactly their fields by feed and by GET, and a third nothing (404)', async () => {
    const kz = await eventually(
      () => feedOf(keys['kz']!),
      (a) => a.body.events.length >= 3,
    );
    const uz = await eventually(
      () => feedOf(keys['uz']!),
      (a) => a.body.events.length >= 3,
    );
    expect(typesIn(kz)).toEqual(['seizure.reported', 'seizure.amended', 'seizure.amended']);
    expect(typesIn(uz)).toEqual(['seizure.reported', 'seizure.amended', 'seizure.amended']);
    const kzReport = kz.body.events[0].payload;
    expect(kzReport.location).toEqual({ country: 'TJ' });
    expect(kzReport.conveyance.registration).toMatch(/^psn_/);
    expect(kzReport).not.toHaveProperty('suspects');
    expect(kzReport).not.toHaveProperty('transportMode');
    const uzReport = uz.body.events[0].payload;
    expect(uzReport.location.crossingPoint).toBe('TJ-NIZHNY-PANJ');
    expect(uzReport.transportMode).toBe('road');
    expect(uzReport).not.toHaveProperty('suspects');
    expect(uzReport).not.toHaveProperty('narrative');
    expect(kz.body.next).toBe(kz.body.events[2].position);

    const kzNow = await gw.call('GET', `/v1/seizures/${seizureId}`, { key: keys['kz'] });
    expect(kzNow.status).toBe(200);
    expect(kzNow.body.payload.items[0].quantity).toBe(13);
    expect(kzNow.body.payload.direction).toBe('transit');
    expect(kzNow.body.payload).not.toHaveProperty('transportMode');
    expect(kzNow.body.streamVersion).toBe(3);
    const uzNow = await gw.call('GET', `/v1/seizures/${seizureId}`, { key: keys['uz'] });
    expect(uzNow.body.payload.transportMode).toBe('road');
    expect(uzNow.body.payload).not.toHaveProperty('suspects');

    const kgFeed = await feedOf(keys['kg']!);
    expect(kgFeed.body.events).toEqual([]);
    const hidden = await gw.call('GET', `/v1/seizures/${seizureId}`, { key: keys['kg'] });
    const nonexistent = await gw.call('GET', `/v1/seizures/${crypto.randomUUID()}`, { key: keys['kg'] });
    expect(hidden.status).toBe(404);
    expect(hidden.text).toBe(nonexistent.text);
  });

  it('filters the feed by type globs and pages with next', async () => {
    const amended = await gw.call('GET', '/v1/feed?types=seizure.amended', { key: keys['uz'] });
    expect(typesIn(amended)).toEqual(['seizure.amended', 'seizure.amended']);
    const firstPage = await gw.call('GET', '/v1/feed?limit=1', { key: keys['uz'] });
    expect(firstPage.body.events).toHaveLength(1);
    const secondPage = await gw.call('GET', `/v1/feed?limit=1&after=${firstPage.body.next as number}`, {
      key: keys['uz'],
    });
    expect(secondPage.body.events[0].position).toBeGreaterThan(firstPage.body.next);
    const bad = await gw.call('GET', '/v1/feed?limit=0&types=DROP%20TABLE', { key: keys['uz'] });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path)).toEqual(['limit', 'types[0]']);
  });

  it('streams by SSE and resumes after a disconnect with Last-Event-ID, each later event once', async () => {
    const url = `${gw.url}/v1/feed/stream`;
    const start = await readSse(url, keys['uz']!, { stop: (events) => events.length >= 1 });
    expect(start.status).toBe(200);
    expect(start.contentType).toContain('text/event-stream');
    const seen = start.events[0]!;
    expect(seen.event).toBe('seizure.reported');
    expect(seen.id).toBe(String(seen.data.position));

    // While disconnected: two more seizures and a retraction.
    const more = [seizureBody(), seizureBody()];
    for (const b of more)
      expect((await gw.call('POST', '/v1/seizures', { key: keys['tj'], body: b })).status).toBe(201);
    const retract = await gw.call('DELETE', `/v1/seizures/${seizureId}`, {
      key: keys['tj'],
      body: { reason: 'duplicate report' },
    });
    expect(retract.status).toBe(201);

    const feed = await eventually(
      () => feedOf(keys['uz']!),
      (a) => a.body.events.length >= 6,
    );
    const expected = (feed.body.events as { position: number }[])
      .map((e) => String(e.position))
      .filter((id) => Number(id) > Number(seen.id));
    expect(expected).toHaveLength(5);
    const resumed = await readSse(url, keys['uz']!, {
      lastEventId: seen.id,
      stop: (events) => events.length >= expected.length,
    });
    expect(resumed.events.map((e) => e.id)).toEqual(expected);
    expect(resumed.events.at(-1)!.event).toBe('seizure.retracted');
  });

  it('wakes a connected SSE client for a new delivery (no reconnect)', async () => {
    const feed = await feedOf(keys['uz']!);
    const last = String(feed.body.next);
    const next = seizureBody();
    const reading = readSse(`${gw.url}/v1/feed/stream`, keys['uz']!, {
      lastEventId: last,
      stop: (events) => events.length >= 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await gw.call('POST', '/v1/seizures', { key: keys['tj'], body: next })).status).toBe(201);
    const { events } = await reading;
    expect(events[0]!.data.payload.seizureId).toBe(next.seizureId);
  });

  it('shows the retraction in the current state and refuses further amendments (409)', async () => {
    const now = await gw.call('GET', `/v1/seizures/${seizureId}`, { key: keys['uz'] });
    expect(now.body.ended).toBe(true);
    const own = await gw.call('GET', `/v1/seizures/${seizureId}`, { key: keys['tj'] });
    expect(own.status).toBe(200);
    expect(own.body.payload.suspects).toHaveLength(1);
    expect(own.body.ended).toBe(true);
    expect(own.body.endReason).toBe('duplicate report');
    const late = await gw.call('PATCH', `/v1/seizures/${seizureId}`, {
      key: keys['tj'],
      body: { commandId: crypto.randomUUID(), changes: { direction: 'export' }, reason: 'too late' },
      headers: { 'if-match': '4' },
    });
    expect(late.status).toBe(409);
  });
});

describe('hit/no-hit', () => {
  it('answers hits only for identifiers the caller may not see, names the originator, and notifies it', async () => {
    const notified: HitNotification[] = [];
    const sub = gw.nats.nc.subscribe(subjects(gw.nats.topology).hitNotified('TJ-DCA'), {
      callback: (_err, msg) => {
        notified.push(msg.json());
      },
    });
    await gw.nats.nc.flush();
    const identifiers = [
      { kind: 'document-number', value: 'ac1234567' },
      { kind: 'vehicle-registration', value: '01 KG 123 ABC' },
      { kind: 'name', value: 'Nobody Known' },
    ];
    const kz = await gw.call('POST', '/v1/hits', { key: keys['kz'], body: { identifiers } });
    expect(kz.status).toBe(200);
    // KZ-BS sees no suspects and only a pseudonym of the registration: both are hits.
    expect(kz.body.results).toEqual([
      { ...identifiers[0], hit: true, contact: ['TJ-DCA'] },
      { ...identifiers[1], hit: true, contact: ['TJ-DCA'] },
      { ...identifiers[2], hit: false, contact: [] },
    ]);
    expect(kz.text).not.toContain('heroin');
    // UZ-SCC sees the registration in clear in its own copies: no hit for it.
    const uz = await gw.call('POST', '/v1/hits', { key: keys['uz'], body: { identifiers } });
    expect((uz.body.results as { hit: boolean }[]).map((r) => r.hit)).toEqual([true, false, false]);
    // The originator asking about its own data learns nothing from a hit.
    const own = await gw.call('POST', '/v1/hits', { key: keys['tj'], body: { identifiers } });
    expect((own.body.results as { hit: boolean }[]).map((r) => r.hit)).toEqual([false, false, false]);

    const seen = await eventually(
      async () => notified.length,
      (n) => n >= 2,
    );
    sub.unsubscribe();
    expect(seen).toBe(2);
    expect(notified.map((n) => n.requester).sort()).toEqual(['KZ-BS', 'UZ-SCC']);
    const fromKz = notified.find((n) => n.requester === 'KZ-BS')!;
    expect(fromKz.kinds).toEqual(['document-number', 'vehicle-registration']);
    expect(fromKz.matched.every((id) => id.startsWith('seizure-'))).toBe(true);
    expect(JSON.stringify(notified)).not.toContain('AC1234567');
  });
});

describe('policies through the ledger', () => {
  it("reads back the agency's policy version and rules, and refuses another agency's", async () => {
    const own = await gw.call('GET', '/v1/policies/TJ-DCA', { key: keys['tj'] });
    expect(own.body).toEqual({ agency: 'TJ-DCA', version: 1, rules: TJ_POLICY });
    expect((await gw.call('GET', '/v1/policies/TJ-DCA', { key: keys['kz'] })).status).toBe(403);
  });
});
