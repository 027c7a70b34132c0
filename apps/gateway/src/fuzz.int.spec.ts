// Hostile input: more than 2,000 malformed or hostile requests against every body-taking endpoint,
// with the real ledger running behind the gateway. Every one must be refused with a 4xx
// problem+json, none may be a 5xx, and the ledger must not move.
import { startLedger, type RunningApp } from '../../ledger/src/ledger.app.js';
import { alertBody, httpCall, seizureBody, startTestGateway, type TestGateway } from './gateway.test-helpers.spec.js';

let gw: TestGateway;
let ledger: RunningApp;
let publisher: string;
let admin: string;

// A small seeded PRNG so a failure can be replayed.
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20261123);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const HOSTILE_STRINGS = [
  "'; DROP TABLE ledger_events; --",
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '${process.exit(1)}',
  '{{7*7}}',
  '../../etc/passwd',
  '\u0000',
  'a\u0007b',
  '\u202eevil',
  '\ud800',
  'x'.repeat(10_000),
  '',
  ' ',
];
const WRONG_VALUES: unknown[] = [
  42,
  -1,
  1e308,
  true,
  [],
  [1, 2, 3],
  {},
  { $gt: '' },
  { __proto__: { admin: true } },
  ...HOSTILE_STRINGS,
];
const SEIZURE_REQUIRED = [
  'commandId',
  'seizureId',
  'occurredAt',
  'location',
  'direction',
  'items',
  'transportMode',
  'detectionMethod',
  'handling',
];
const ALERT_REQUIRED = [
  'commandId',
  'alertId',
  'category',
  'severity',
  'confidence',
  'validFrom',
  'validUntil',
  'area',
  'summary',
  'handling',
];

function deep(levels: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

type Probe = {
  method: string;
  path: string;
  raw?: string | Uint8Array;
  body?: unknown;
  headers?: Record<string, string>;
  key?: string;
};

function mutate(valid: Record<string, unknown>, required: string[]): unknown {
  const body: Record<string, unknown> = structuredClone(valid);
  switch (Math.floor(random() * 9)) {
    case 0: {
      const field = pick(required);
      const wrong = pick(WRONG_VALUES);
      // Only a value of another JSON type (or a hostile string in a non-string field) is certainly invalid.
      body[field] = typeof wrong === typeof body[field] && typeof wrong !== 'string' ? [wrong] : wrong;
      if (
        typeof body[field] === 'string' &&
        typeof valid[field] === 'string' &&
        ![
          'commandId',
          'seizureId',
          'alertId',
          'occurredAt',
          'validFrom',
          'validUntil',
          'direction',
          'transportMode',
          'detectionMethod',
          'category',
          'confidence',
        ].includes(field)
      ) {
        body[field] = 42;
      }
      return body;
    }
    case 1:
      delete body[pick(required)];
      return body;
    case 2:
      // defineProperty: an assignment to `__proto__` would set the prototype, not add a key.
      Object.defineProperty(
        body,
        pick(['__proto__', 'constructor', 'prototype', 'originatorX', 'position', 'hash', 'extra']),
        {
          value: pick(WRONG_VALUES),
          enumerable: true,
        },
      );
      return body;
    case 3:
      (body as { items?: unknown }).items = Array.from({ length: 51 + Math.floor(random() * 500) }, () => ({
        category: 'narcotic',
        substance: 'heroin',
        quantity: 1,
        unit: 'kg',
      }));
      (body as { indicators?: unknown }).indicators = Array.from({ length: 201 + Math.floor(random() * 300) }, () => ({
        kind: 'phone',
        value: '1',
      }));
      return body;
    case 4:
      body['narrative'] = 'n'.repeat(8001 + Math.floor(random() * 100_000));
      return body;
    case 5:
      body['handling'] = { tlp: pick(['PURPLE', 'amber', "'; DROP TABLE x;--", 42]) };
      return body;
    case 6:
      body['location'] = { country: pick(['tj', 'XX', '<b>', "' OR 1=1"]), locationType: 'land-border' };
      body['area'] = { countries: [pick(['tj', 'XX', '<b>'])] };
      return body;
    case 7:
      body['occurredAt'] = pick(['2999-01-01T00:00:00Z', '1900-01-01T00:00:00Z', 'yesterday', '2026-13-45T99:99:99Z']);
      body['validFrom'] = '2026-06-01T00:00:00Z';
      body['validUntil'] = '2026-01-01T00:00:00Z';
      return body;
    default:
      return deep(40 + Math.floor(random() * 60));
  }
}

function probes(): Probe[] {
  const list: Probe[] = [];
  const sid = crypto.randomUUID();
  const aid = crypto.randomUUID();
  for (let i = 0; i < 500; i++)
    list.push({ method: 'POST', path: '/v1/seizures', body: mutate(seizureBody(), SEIZURE_REQUIRED) });
  for (let i = 0; i < 400; i++)
    list.push({ method: 'POST', path: '/v1/alerts', body: mutate(alertBody(), ALERT_REQUIRED) });
  for (let i = 0; i < 200; i++) {
    list.push({
      method: 'PATCH',
      path: `/v1/seizures/${sid}`,
      headers: { 'if-match': '1' },
      body: mutate({ commandId: crypto.randomUUID(), changes: { direction: 'transit' }, reason: 'r' }, [
        'commandId',
        'changes',
        'reason',
      ]),
    });
  }
  for (let i = 0; i < 100; i++) {
    list.push({
      method: 'PATCH',
      path: `/v1/alerts/${aid}`,
      headers: { 'if-match': '1' },
      body: {
        commandId: crypto.randomUUID(),
        changes: pick([{}, { severity: 9 }, { summary: 'x'.repeat(501) }, { alertId: crypto.randomUUID() }]),
        reason: 'r',
      },
    });
  }
  for (let i = 0; i < 100; i++) {
    list.push({
      method: 'DELETE',
      path: `/v1/seizures/${sid}`,
      body: pick([
        {},
        { reason: pick(WRONG_VALUES.filter((v) => typeof v !== 'string')) },
        { reason: 'x'.repeat(1001) },
        { reason: 'a\u0000b' },
        [],
      ]),
    });
  }
  for (let i = 0; i < 150; i++) {
    list.push({
      method: 'PUT',
      path: '/v1/policies/TJ-DCA',
      key: admin,
      body: pick([
        { rules: pick(WRONG_VALUES.filter((v) => !Array.isArray(v))) },
        { rules: [{ to: [pick(HOSTILE_STRINGS)], types: ['*'], fields: ['*'] }] },
        { rules: [{ to: ['*'], types: ['seizure.*'], fields: [pick(HOSTILE_STRINGS)] }] },
        { rules: [], extra: 1 },
        { rules: [{ to: ['*'], types: ['*'], fields: ['*'], generalize: { location: 'planet' } }] },
      ]),
    });
  }
  for (let i = 0; i < 150; i++) {
    list.push({
      method: 'POST',
      path: '/v1/hits',
      key: admin,
      body: pick([
        { identifiers: pick(WRONG_VALUES) },
        { identifiers: [{ kind: pick(HOSTILE_STRINGS), value: 'x' }] },
        { identifiers: Array.from({ length: 101 }, () => ({ kind: 'name', value: 'x' })) },
      ]),
    });
  }
  for (let i = 0; i < 100; i++) {
    list.push({
      method: 'PUT',
      path: `/v1/agencies/${pick(['KZ-BS', 'lower', 'X'])}`,
      key: 'hub',
      body: {
        name: pick(HOSTILE_STRINGS.filter((s) => s.trim() === '' || s.length > 200 || /[\u0000-\u001f]/.test(s))),
        country: pick(['KZ', 'kz', 42]),
        kind: pick(['border', 'army']),
        groups: [pick(HOSTILE_STRINGS)],
      },
    });
  }
  // Not JSON objects, not JSON, not UTF-8, wrong content types, oversize.
  const rawBodies = [
    '[]',
    '"text"',
    '42',
    'null',
    'true',
    '{',
    '{"a":}',
    "{'a':1}",
    '{"a":1}{"b":2}',
    'NaN',
    '\u0000',
    '['.repeat(5000),
  ];
  for (let i = 0; i < 150; i++) {
    list.push({
      method: pick(['POST', 'PATCH', 'DELETE']),
      path: pick(['/v1/seizures', `/v1/seizures/${sid}`, '/v1/alerts']),
      raw: pick(rawBodies),
      headers: { 'content-type': 'application/json', 'if-match': '1' },
    });
  }
  for (let i = 0; i < 100; i++) {
    const bytes = new TextEncoder().encode(JSON.stringify(seizureBody()));
    const broken = new Uint8Array(bytes.length + 2);
    broken.set(bytes.subarray(0, 20));
    broken.set([pick([0xc3, 0xff, 0xed, 0xf8]), pick([0x28, 0xa0, 0xfe])], 20);
    broken.set(bytes.subarray(20), 22);
    list.push({ method: 'POST', path: '/v1/seizures', raw: broken, headers: { 'content-type': 'application/json' } });
  }
  for (let i = 0; i < 100; i++) {
    list.push({
      method: 'POST',
      path: pick(['/v1/seizures', '/v1/alerts', '/v1/hits']),
      raw: JSON.stringify(seizureBody()),
      headers: {
        'content-type': pick([
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/json; charset=utf-16',
          'text/json',
        ]),
      },
    });
  }
  for (let i = 0; i < 30; i++) {
    list.push({
      method: 'POST',
      path: '/v1/seizures',
      raw: JSON.stringify({ ...seizureBody(), narrative: 'x'.repeat(262_144 + Math.floor(random() * 200_000)) }),
      headers: { 'content-type': 'application/json' },
    });
  }
  return list;
}

beforeAll(async () => {
  gw = await startTestGateway({
    tuning: { rateLimit: { burst: 100_000, perSecond: 100_000 }, hitQuotaPerDay: 1_000_000 },
  });
  ledger = await startLedger({
    databaseUrl: gw.db.url,
    natsServers: [gw.nats.url],
    topology: gw.nats.topology,
    ledgerKeyPem: gw.ledgerKeyPem,
  });
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
  admin = (
    await gw.call('POST', '/v1/keys', { key: gw.adminKey, body: { agency: 'TJ-DCA', roles: ['admin', 'recipient'] } })
  ).body.key;
});
afterAll(async () => {
  await ledger?.close();
  await gw?.close();
});

async function ledgerHead(): Promise<number> {
  const metrics = await gw.call('GET', '/metrics');
  return Number(/^caravan_ledger_head_position (\d+)$/m.exec(metrics.text)?.[1]);
}

it('refuses every one of more than 2,000 hostile requests with a 4xx problem and leaves the ledger unchanged', async () => {
  // The valid fixture is accepted: the refusals below are the mutations', not the setup's.
  const control = await gw.call('POST', '/v1/seizures', { key: publisher, body: seizureBody() });
  expect(control.status).toBe(201);
  const before = await ledgerHead();
  expect(before).toBe(control.body.position);

  const all = probes();
  expect(all.length).toBeGreaterThanOrEqual(2000);
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < all.length) {
      const probe = all[next++]!;
      const key = probe.key === 'hub' ? gw.adminKey : (probe.key ?? publisher);
      const answer = await httpCall(gw.url, probe.method, probe.path, {
        key,
        ...(probe.raw !== undefined ? { raw: probe.raw } : { body: probe.body }),
        ...(probe.headers ? { headers: probe.headers } : {}),
      }).catch((error: Error) => ({ status: 0, headers: new Headers(), body: undefined, text: error.message }));
      const problemJson = answer.headers.get('content-type')?.includes('application/problem+json') ?? false;
      if (answer.status < 400 || answer.status >= 500 || !problemJson || typeof answer.body?.status !== 'number') {
        failures.push(
          `${probe.method} ${probe.path} → ${answer.status} ${answer.text.slice(0, 120)} for ${JSON.stringify(probe.body ?? '(raw)').slice(0, 300)}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  expect(failures).toEqual([]);
  expect(await ledgerHead()).toBe(before);
});
