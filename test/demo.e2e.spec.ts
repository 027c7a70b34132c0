// The hub's main job, bounded (issue 8 "Done when"): `caravan up --demo` as a child process seeds the
// demo directory and scenario through the gateway, prints the regional summary and keeps the hub
// running until Ctrl-C; `caravan demo` run again against it publishes nothing twice.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Api } from './support/api.js';
import { assertBuilt, runCaravan } from './support/binary.js';
import { startHub, expectCleanExit, type HubProcess } from './support/hub-process.js';

let hub: HubProcess;

beforeAll(async () => {
  assertBuilt();
  hub = await startHub({ demo: true, label: 'demo' });
}, 90_000);

afterAll(async () => {
  if (!hub) return;
  expectCleanExit(hub, await hub.stop());
});

/** The summary, from its first heading to the end of the anomalies table. */
function summaryOf(stdout: string): string {
  const start = stdout.indexOf('Top crossing points');
  return start < 0 ? '' : stdout.slice(start);
}

it('`caravan up --demo` prints the keys and the regional summary, then keeps serving', async () => {
  // Publishing the scenario takes about 25 s on an idle 2-core machine; the bound leaves room for a
  // busy one and for the views to settle.
  await hub.waitForOutput(/demo loaded; the hub keeps running/, 150_000);
  const stdout = hub.stdout();
  expect(stdout).toMatch(/demo: directory seeded: \d+ agencies, \d+ crossing points/);
  const published = /demo: published (\d+) /.exec(stdout);
  expect(Number(published?.[1])).toBeGreaterThanOrEqual(100);

  const summary = summaryOf(stdout);
  expect(summary).toMatch(/Top crossing points/);
  expect(summary).toMatch(/Top routes/);
  expect(summary).toMatch(/Anomalies/);
  // Real rows, not only headings: a northern-route crossing point with its seizures and totals.
  expect(summary).toMatch(/\b(TJ|UZ|KG|KZ|TM)-[A-Z0-9-]+\s+\d+/);
  expect(summary).toMatch(/\b(heroin|hashish|opium)\b/);
  expect(summary).not.toMatch(/no crossing point has enough seizures/);

  // Still up after the demo: the regional centre's key printed and saved by the demo reads the views.
  const saved = JSON.parse(await readFile(join(hub.stateDir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
  const centre = saved['CARICC'];
  expect(centre).toMatch(/^cvn_/);
  expect(stdout).toContain(centre);
  const view = await new Api(hub.url, centre).expect<{ items: unknown[] }>(200, 'GET', '/v1/risk/crossings');
  expect(view.items.length).toBeGreaterThan(0);
}, 160_000);

it('`caravan demo` against the running hub publishes nothing twice and prints the summary again', async () => {
  const run = await runCaravan(['demo'], { env: hub.clientEnv(), timeoutMs: 60_000 });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/already in this hub; not publishing it again/);
  expect(summaryOf(run.stdout)).toMatch(/Top crossing points[\s\S]*Top routes[\s\S]*Anomalies/);
}, 70_000);
