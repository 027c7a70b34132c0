// The publisher endpoints over real HTTP and real NATS. A responder subscribed on the caller's
// command subjects stands in for apps/ledger here, so these tests pin what the gateway itself
// owns: validation before sending, the subject (the caller's agency), the body sent (path id and
// If-Match folded in), and the mapping of every §6 reply to HTTP. The end-to-end flows with the
// real ledger are in flows.int.spec.ts.
import type { Subscription } from '@nats-io/nats-core';
import { subjects, type CommandReply } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { directorySchema, DirectoryRepository } from '@caravan/directory';
import { alertBody, seizureBody, startTestGateway, type TestGateway } from '../gateway.test-helpers.spec.js';

let gw: TestGateway;
let publisher: string;
let other: string;
let sub: Subscription;
const received: { subject: string; body: Record<string, unknown> }[] = [];
let nextReply: CommandReply = { ok: true, eventId: '', position: 0, streamVersion: 0 };

beforeAll(async () => {
  gw = await startTestGateway({ tuning: { rateLimit: { burst: 1000, perSecond: 1000 } } });
  for (const [code, country] of [
    ['TJ-DCA', 'TJ'],
    ['KZ-BS', 'KZ'],
  ] as const) {
    await gw.call('PUT', `/v1/agencies/${code}`, {
      key: gw.adminKey,
      body: { name: code, country, kind: 'border', groups: ['group:central-asia'] },
    });
  }
  await gw.call('PUT', '/v1/crossing-points/TJ-NIZHNY-PANJ', {
    key: gw.adminKey,
    body: { name: 'Nizhny Panj', country: 'TJ', facing: 'AF', lat: 37.2, lon: 68.6 },
  });
  publisher = (
    await gw.call('POST', '/v1/keys', { key: gw.adminKey, body: { agency: 'TJ-DCA', roles: ['publisher'] } })
  ).body.key;
  other = (await gw.call('POST', '/v1/keys', { key: gw.adminKey, body: { agency: 'KZ-BS', roles: ['recipient'] } }))
    .body.key;
  sub = gw.nats.nc.subscribe(`${gw.nats.topology.subjectRoot}.cmd.>`, {
    callback: (_err, msg) => {
      received.push({ subject: msg.subject, body: msg.json() });
      msg.respond(JSON.stringify(nextReply));
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
  nextReply = { ok: true, eventId: crypto.randomUUID(), position: 7, streamVersion: 1 };
});

const command = (name: string) => subjects(gw.nats.topology).command('TJ-DCA', name as never);

describe('POST /v1/seizures', () => {
  it('sends seizure.report on the caller agency subject and answers 201 with the ledger result', async () => {
    const body = seizureBody({ handling: { tlp: 'WHITE' } });
    const answer = await gw.call('POST', '/v1/seizures', { key: publisher, body });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ eventId: (nextReply as { eventId: string }).eventId, position: 7, streamVersion: 1 });
    expect(answer.headers.get('etag')).toBe('"1"');
    expect(received).toHaveLength(1);
    expect(received[0]!.subject).toBe(command('seizure.report'));
    // Sent as validated: WHITE read as CLEAR.
    expect(received[0]!.body).toEqual({ ...body, handling: { tlp: 'CLEAR' } });
  });

  it('answers 200 with the same result for a replayed commandId', async () => {
    nextReply = {
      ok: true,
      eventId: crypto.randomUUID(),
      position: 7,
      streamVersion: 1,
      replayed: true,
    };
    const answer = await gw.call('POST', '/v1/seizures', { key: publisher, body: seizureBody() });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ eventId: (nextReply as { eventId: string }).eventId, position: 7, streamVersion: 1 });
  });

  it('refuses an invalid body with field errors and sends nothing', async () => {
    const answer = await gw.call('POST', '/v1/seizures', {
      key: publisher,
      body: seizureBody({ items: [], direction: 'sideways', surprise: true }),
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect((answer.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'direction',
      'items',
      'surprise',
    ]);
    expect(received).toHaveLength(0);
  });

  it('refuses a crossing point that is not in the directory, or not in the location country', async () => {
    const unknown = await gw.call('POST', '/v1/seizures', {
      key: publisher,
      body: seizureBody({ location: { country: 'TJ', crossingPoint: 'TJ-NOWHERE', locationType: 'land-border' } }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: 'location.crossingPoint', message: expect.any(String) }]);
    const elsewhere = await gw.call('POST', '/v1/seizures', {
      key: publisher,
      body: seizureBody({ location: { country: 'UZ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border' } }),
    });
    expect(elsewhere.status).toBe(400);
    expect(received).toHaveLength(0);
  });

  it('knows a crossing point registered a moment before through another gateway', async () => {
    expect((await gw.call('POST', '/v1/seizures', { key: publisher, body: seizureBody() })).status).toBe(201);
    // Written as another gateway process would: this gateway's cached directory does not know it yet.
    const db = await openDatabase({ url: gw.db.url, schemas: [directorySchema] });
    try {
      await new DirectoryRepository(db).upsertCrossingPoint({
        code: 'TJ-SECOND-BRIDGE',
        name: 'Second bridge',
        country: 'TJ',
        facing: 'AF',
        lat: 37.1,
        lon: 68.9,
      });
    } finally {
      await db.destroy();
    }
    const location = { country: 'TJ', crossingPoint: 'TJ-SECOND-BRIDGE', locationType: 'land-border' };
    const answer = await gw.call('POST', '/v1/seizures', { key: publisher, body: seizureBody({ location }) });
    expect(answer.status).toBe(201);
    expect(received[1]!.body['location']).toEqual(location);
  });

  it('refuses a body naming another agency (403) and a key without the publisher role (403)', async () => {
    const cross = await gw.call('POST', '/v1/seizures', { key: publisher, body: seizureBody({ originator: 'KZ-BS' }) });
    expect(cross.status).toBe(403);
    const recipient = await gw.call('POST', '/v1/seizures', { key: other, body: seizureBody() });
    expect(recipient.status).toBe(403);
    expect(received).toHaveLength(0);
  });

  it('maps the ledger refusals of §6 to 409, 412, 403, 404 and 503 problems', async () => {
    const cases: [CommandReply, number][] = [
      [{ ok: false, error: { code: 'idempotency-conflict', message: 'commandId reused with another body' } }, 409],
      [{ ok: false, error: { code: 'conflict', message: 'already reported' } }, 409],
      [{ ok: false, error: { code: 'version-conflict', message: 'stale' } }, 412],
      [{ ok: false, error: { code: 'forbidden', message: 'not the originator' } }, 403],
      [{ ok: false, error: { code: 'not-found', message: 'no such seizure' } }, 404],
      [{ ok: false, error: { code: 'unavailable', message: 'later' } }, 503],
    ];
    for (const [reply, status] of cases) {
      nextReply = reply;
      const answer = await gw.call('POST', '/v1/seizures', { key: publisher, body: seizureBody() });
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe('PATCH and DELETE /v1/seizures/{id}', () => {
  const seizureId = crypto.randomUUID();
  const amendment = () => ({ commandId: crypto.randomUUID(), changes: { direction: 'transit' }, reason: 'corrected' });

  it('requires If-Match (428) and refuses a malformed one (400)', async () => {
    const missing = await gw.call('PATCH', `/v1/seizures/${seizureId}`, { key: publisher, body: amendment() });
    expect(missing.status).toBe(428);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    const malformed = await gw.call('PATCH', `/v1/seizures/${seizureId}`, {
      key: publisher,
      body: amendment(),
      headers: { 'if-match': 'yesterday' },
    });
    expect(malformed.status).toBe(400);
    expect(received).toHaveLength(0);
  });

  it('sends seizure.amend with the path id and If-Match version', async () => {
    nextReply = { ok: true, eventId: crypto.randomUUID(), position: 9, streamVersion: 3 };
    const body = amendment();
    const answer = await gw.call('PATCH', `/v1/seizures/${seizureId}`, {
      key: publisher,
      body,
      headers: { 'if-match': '"2"' },
    });
    expect(answer.status).toBe(201);
    expect(received[0]!.subject).toBe(command('seizure.amend'));
    expect(received[0]!.body).toEqual({ ...body, seizureId, expectedVersion: 2 });
  });

  it('refuses a body whose seizureId differs from the path', async () => {
    const answer = await gw.call('PATCH', `/v1/seizures/${seizureId}`, {
      key: publisher,
      body: { ...amendment(), seizureId: crypto.randomUUID() },
      headers: { 'if-match': '2' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ path: 'seizureId', message: 'must match the path' }]);
  });

  it('answers 404 for a path id that is not a UUID', async () => {
    const answer = await gw.call('PATCH', '/v1/seizures/not-an-id', {
      key: publisher,
      body: amendment(),
      headers: { 'if-match': '1' },
    });
    expect(answer.status).toBe(404);
  });

  it('sends seizure.retract with the reason, a generated commandId and the optional If-Match', async () => {
    const answer = await gw.call('DELETE', `/v1/seizures/${seizureId}`, {
      key: publisher,
      body: { reason: 'entered in error' },
      headers: { 'if-match': '3' },
    });
    expect(answer.status).toBe(201);
    expect(received[0]!.subject).toBe(command('seizure.retract'));
    expect(received[0]!.body).toEqual({
      reason: 'entered in error',
      seizureId,
      expectedVersion: 3,
      commandId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const noReason = await gw.call('DELETE', `/v1/seizures/${seizureId}`, { key: publisher });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([{ path: 'reason', message: expect.any(String) }]);
  });
});

describe('alerts', () => {
  it('issues, updates and withdraws on the alert subjects', async () => {
    const body = alertBody();
    expect((await gw.call('POST', '/v1/alerts', { key: publisher, body })).status).toBe(201);
    const alertId = body.alertId as string;
    const update = { commandId: crypto.randomUUID(), changes: { severity: 5 }, reason: 'escalated' };
    expect(
      (await gw.call('PATCH', `/v1/alerts/${alertId}`, { key: publisher, body: update, headers: { 'if-match': '1' } }))
        .status,
    ).toBe(201);
    expect(
      (await gw.call('DELETE', `/v1/alerts/${alertId}`, { key: publisher, body: { reason: 'over' } })).status,
    ).toBe(201);
    expect(received.map((r) => r.subject)).toEqual([
      command('alert.issue'),
      command('alert.update'),
      command('alert.withdraw'),
    ]);
    expect(received[1]!.body).toEqual({ ...update, alertId, expectedVersion: 1 });
  });

  it('refuses an alert whose validity window is inverted', async () => {
    const answer = await gw.call('POST', '/v1/alerts', {
      key: publisher,
      body: alertBody({ validFrom: '2026-06-01T00:00:00Z', validUntil: '2026-03-01T00:00:00Z' }),
    });
    expect(answer.status).toBe(400);
    expect((answer.body.errors as { path: string }[]).map((e) => e.path)).toContain('validUntil');
  });
});
