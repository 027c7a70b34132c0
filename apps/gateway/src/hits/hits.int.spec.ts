// POST /v1/hits refusals and the daily quota, over real HTTP and PostgreSQL (the hit answers
// themselves need the ledger and distributor: flows.int.spec.ts).
import { startTestGateway, type TestGateway } from '../gateway.test-helpers.spec.js';

let gw: TestGateway;
let recipient: string;

beforeAll(async () => {
  gw = await startTestGateway({ tuning: { hitQuotaPerDay: 3 } });
  await gw.call('PUT', '/v1/agencies/KZ-BS', {
    key: gw.adminKey,
    body: { name: 'KZ', country: 'KZ', kind: 'border', groups: [] },
  });
  recipient = (await gw.call('POST', '/v1/keys', { key: gw.adminKey, body: { agency: 'KZ-BS', roles: ['recipient'] } }))
    .body.key;
});
afterAll(async () => {
  await gw?.close();
});

it('refuses malformed queries with field errors, without using quota', async () => {
  const answer = await gw.call('POST', '/v1/hits', {
    key: recipient,
    body: {
      identifiers: [
        { kind: 'shoe-size', value: '' },
        { kind: 'name', value: 'a\u0007b', extra: 1 },
      ],
      more: 1,
    },
  });
  expect(answer.status).toBe(400);
  expect((answer.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
    'identifiers[0].kind',
    'identifiers[0].value',
    'identifiers[1].extra',
    'identifiers[1].value',
    'more',
  ]);
  expect((await gw.call('POST', '/v1/hits', { key: recipient, body: { identifiers: [] } })).status).toBe(400);
});

it('answers no-hit on an empty hub, and 429 with Retry-After once the daily quota is used', async () => {
  const two = [
    { kind: 'phone', value: '+996 555 000 111' },
    { kind: 'name', value: 'Ivan Petrov' },
  ];
  const first = await gw.call('POST', '/v1/hits', { key: recipient, body: { identifiers: two } });
  expect(first.status).toBe(200);
  expect(first.body.results).toEqual(two.map((q) => ({ ...q, hit: false, contact: [] })));
  const over = await gw.call('POST', '/v1/hits', { key: recipient, body: { identifiers: two } });
  expect(over.status).toBe(429);
  expect(over.headers.get('content-type')).toContain('application/problem+json');
  expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  // One identifier still fits (3 of 3), then nothing does.
  expect((await gw.call('POST', '/v1/hits', { key: recipient, body: { identifiers: [two[0]] } })).status).toBe(200);
  expect((await gw.call('POST', '/v1/hits', { key: recipient, body: { identifiers: [two[0]] } })).status).toBe(429);
});
