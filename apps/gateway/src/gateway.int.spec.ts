// The HTTP edge over real HTTP: problem+json for every refusal, keys and roles, rate limit, docs
// and health, against real PostgreSQL and NATS.
import { startTestGateway, type Answer, type TestGateway } from './gateway.test-helpers.spec.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ tuning: { rateLimit: { burst: 1000, perSecond: 1000 } } });
  const agency = await gw.call('PUT', '/v1/agencies/KZ-BS', {
    key: gw.adminKey,
    body: { name: 'Border Service of Kazakhstan', country: 'KZ', kind: 'border', groups: ['group:central-asia'] },
  });
  expect(agency.status).toBe(200);
});
afterAll(async () => {
  await gw?.close();
});

function expectProblem(answer: Answer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(answer.body).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
  expect(answer.text).not.toMatch(/\bat \S+ \(|SELECT|INSERT|node_modules/);
}

describe('health, readiness, metrics and docs', () => {
  it('answers healthz and readyz without a key', async () => {
    expect((await gw.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await gw.call('GET', '/readyz')).body).toEqual({ status: 'ready', database: 'ok', nats: 'ok' });
  });

  it('exposes request counts by route and status and the ledger head in Prometheus text', async () => {
    await gw.call('GET', '/v1/agencies');
    const metrics = await gw.call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toMatch(/caravan_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(metrics.text).toMatch(/caravan_http_request_duration_seconds_bucket\{[^}]*route="\/healthz"/);
    expect(metrics.text).toContain('caravan_ledger_head_position 0');
  });

  it('serves the OpenAPI document with the endpoints and their problem answers', async () => {
    const doc = await gw.call('GET', '/docs/openapi.json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/v1/seizures',
        '/v1/seizures/{seizureId}',
        '/v1/alerts',
        '/v1/alerts/{alertId}',
        '/v1/alerts/active',
        '/v1/feed',
        '/v1/feed/stream',
        '/v1/hits',
        '/v1/policies/{agency}',
        '/v1/policies/{agency}/preview',
        '/v1/risk/crossings',
        '/v1/risk/routes',
        '/v1/risk/trends',
        '/v1/audit/keys',
        '/v1/agencies/{code}',
        '/v1/agencies',
        '/v1/crossing-points/{code}',
        '/v1/crossing-points',
        '/v1/keys',
        '/v1/keys/{keyId}',
      ]),
    );
    expect(Object.keys(paths['/v1/seizures/{seizureId}']!).sort()).toEqual(['delete', 'get', 'patch']);
    expect(paths['/v1/seizures/{seizureId}']!['patch']!.responses).toHaveProperty('412');
    expect(paths['/v1/seizures/{seizureId}']!['patch']!.responses).toHaveProperty('428');
    expect(doc.body.components.securitySchemes).toHaveProperty('bearer');
    expect(paths['/v1/keys']!['post']!.responses).toHaveProperty('401');
    const ui = await gw.call('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('serves the ledger public key without a key', async () => {
    const keys = await gw.call('GET', '/v1/audit/keys');
    expect(keys.status).toBe(200);
    expect(keys.body.pem).toBe(gw.ledgerPublicKeyPem);
    expect(keys.body.hex).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('authentication and roles', () => {
  it('refuses a missing, malformed or unknown key with 401', async () => {
    expectProblem(await gw.call('GET', '/v1/agencies'), 401);
    expectProblem(await gw.call('GET', '/v1/agencies', { headers: { authorization: 'Basic abc' } }), 401);
    expectProblem(await gw.call('GET', '/v1/agencies', { key: 'cvn_unknownunknownunknownunknown' }), 401);
    const answer = await gw.call('GET', '/v1/agencies', { key: 'cvn_unknownunknownunknownunknown' });
    expect(answer.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('creates a key shown once, lets it act with its roles only, and revokes it', async () => {
    const created = await gw.call('POST', '/v1/keys', {
      key: gw.adminKey,
      body: { agency: 'KZ-BS', roles: ['recipient'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      keyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.stringMatching(/^cvn_[A-Za-z0-9_-]{43}$/),
      agency: 'KZ-BS',
      roles: ['recipient'],
    });
    const key = created.body.key as string;
    // The secret is stored only as a hash.
    const stored = await gw.call('GET', '/v1/agencies', { key });
    expect(stored.status).not.toBe(401);
    // A recipient is not a hub-admin.
    expectProblem(await gw.call('POST', '/v1/keys', { key, body: { agency: 'KZ-BS', roles: ['admin'] } }), 403);
    expectProblem(await gw.call('DELETE', `/v1/keys/${created.body.keyId as string}`, { key }), 403);

    expect((await gw.call('DELETE', `/v1/keys/${created.body.keyId as string}`, { key: gw.adminKey })).status).toBe(
      204,
    );
    expectProblem(await gw.call('GET', '/v1/agencies', { key }), 401);
    expectProblem(await gw.call('DELETE', `/v1/keys/${created.body.keyId as string}`, { key: gw.adminKey }), 404);
    expectProblem(await gw.call('DELETE', '/v1/keys/not-a-uuid', { key: gw.adminKey }), 404);
  });

  it('refuses an invalid key creation with field errors', async () => {
    const answer = await gw.call('POST', '/v1/keys', {
      key: gw.adminKey,
      body: { agency: 'nope', roles: ['overlord'], extra: 1 },
    });
    expectProblem(answer, 400);
    const paths = (answer.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['agency', 'extra']));
    expect(paths.some((p) => p.startsWith('roles'))).toBe(true);
  });
});

describe('directory', () => {
  it('registers and lists agencies (hub-admin writes, any key reads)', async () => {
    const put = await gw.call('PUT', '/v1/agencies/TJ-DCA', {
      key: gw.adminKey,
      body: { name: 'Drug Control Agency', country: 'TJ', kind: 'drug-control', groups: ['group:central-asia'] },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      code: 'TJ-DCA',
      name: 'Drug Control Agency',
      country: 'TJ',
      kind: 'drug-control',
      groups: ['group:central-asia'],
    });
    const reader = await gw.call('POST', '/v1/keys', {
      key: gw.adminKey,
      body: { agency: 'TJ-DCA', roles: ['recipient'] },
    });
    const list = await gw.call('GET', '/v1/agencies', { key: reader.body.key });
    expect(list.status).toBe(200);
    expect((list.body.agencies as { code: string }[]).map((a) => a.code)).toEqual(
      expect.arrayContaining(['KZ-BS', 'TJ-DCA']),
    );
    expectProblem(
      await gw.call('PUT', '/v1/agencies/TJ-DCA', {
        key: reader.body.key,
        body: { name: 'x', country: 'TJ', kind: 'drug-control', groups: [] },
      }),
      403,
    );
  });

  it('refuses an agency whose country does not match its code, with field errors', async () => {
    const answer = await gw.call('PUT', '/v1/agencies/UZ-SCC', {
      key: gw.adminKey,
      body: { name: 'Customs', country: 'KZ', kind: 'customs', groups: ['central-asia'] },
    });
    expectProblem(answer, 400);
    expect((answer.body.errors as { path: string }[]).map((e) => e.path)).toEqual(
      expect.arrayContaining(['country', 'groups[0]']),
    );
  });

  it('registers and lists crossing points, refusing one outside its country', async () => {
    const put = await gw.call('PUT', '/v1/crossing-points/TJ-NIZHNY-PANJ', {
      key: gw.adminKey,
      body: { name: 'Nizhny Panj', country: 'TJ', facing: 'AF', lat: 37.2, lon: 68.6 },
    });
    expect(put.status).toBe(200);
    const bad = await gw.call('PUT', '/v1/crossing-points/UZ-TERMEZ', {
      key: gw.adminKey,
      body: { name: 'Termez', country: 'TJ', facing: 'AF', lat: 37.2, lon: 67.3 },
    });
    expectProblem(bad, 400);
    const list = await gw.call('GET', '/v1/crossing-points', { key: gw.adminKey });
    expect(list.body.crossingPoints).toEqual([
      { code: 'TJ-NIZHNY-PANJ', name: 'Nizhny Panj', country: 'TJ', facing: 'AF', lat: 37.2, lon: 68.6 },
    ]);
  });

  it('refuses a key for an agency that is not in the directory', async () => {
    const answer = await gw.call('POST', '/v1/keys', {
      key: gw.adminKey,
      body: { agency: 'XX-NONE', roles: ['recipient'] },
    });
    expectProblem(answer, 400);
    expect(answer.body.errors).toEqual([{ path: 'agency', message: 'is not an agency of the directory' }]);
  });
});

describe('request edge', () => {
  it('answers an unknown route with a 404 problem', async () => {
    expectProblem(await gw.call('GET', '/v1/nowhere', { key: gw.adminKey }), 404);
  });

  it('refuses malformed JSON, invalid UTF-8 and over-deep nesting with 400', async () => {
    const headers = { 'content-type': 'application/json' };
    expectProblem(await gw.call('POST', '/v1/keys', { key: gw.adminKey, raw: '{"agency":', headers }), 400);
    const invalidUtf8 = Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
    expectProblem(await gw.call('POST', '/v1/keys', { key: gw.adminKey, raw: invalidUtf8, headers }), 400);
    const deep = '['.repeat(100) + ']'.repeat(100);
    expectProblem(await gw.call('POST', '/v1/keys', { key: gw.adminKey, raw: deep, headers }), 400);
  });

  it('refuses a body that is not JSON with 415', async () => {
    expectProblem(
      await gw.call('POST', '/v1/keys', {
        key: gw.adminKey,
        raw: 'agency=KZ-BS',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
    );
    expectProblem(
      await gw.call('POST', '/v1/keys', {
        key: gw.adminKey,
        raw: '{}',
        headers: { 'content-type': 'application/json; charset=latin1' },
      }),
      415,
    );
  });

  it('refuses a body over 256 KiB with 413', async () => {
    const big = JSON.stringify({ agency: 'KZ-BS', roles: ['recipient'], pad: 'x'.repeat(300 * 1024) });
    expectProblem(
      await gw.call('POST', '/v1/keys', {
        key: gw.adminKey,
        raw: big,
        headers: { 'content-type': 'application/json' },
      }),
      413,
    );
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a key has used its burst', async () => {
    const limited = await startTestGateway({ tuning: { rateLimit: { burst: 3, perSecond: 0.01 } } });
    try {
      const statuses: number[] = [];
      let last: Answer | undefined;
      for (let i = 0; i < 5; i++) {
        last = await limited.call('GET', '/v1/agencies', { key: limited.adminKey });
        statuses.push(last.status);
      }
      expect(statuses.slice(3)).toEqual([429, 429]);
      expect(statuses.slice(0, 3)).not.toContain(429);
      expectProblem(last!, 429);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});
