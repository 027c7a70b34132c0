// The hub's main job as a newcomer runs it: `caravan up --demo` seeds the demo directory, keys,
// policies and scenario through the gateway and prints the regional summary as CARICC sees it.
// Then `caravan demo` against the same hub publishes nothing twice, and Ctrl-C stops it cleanly.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoDirectory } from '@caravan/directory';
import { startHubProcess, type HubProcess } from './hub-process.test-support.js';
import { assertBuilt, runCaravan } from './run-binary.test-support.js';

let hub: HubProcess;

beforeAll(async () => {
  assertBuilt();
  hub = await startHubProcess(['up', '--demo']);
  await hub.waitFor('caravan: demo loaded', 600_000);
}, 900_000);

afterAll(async () => {
  await hub?.cleanup();
});

describe('caravan up --demo', () => {
  it('prints a key for every demo agency and keeps them in the state dir', async () => {
    const saved = JSON.parse(await readFile(join(hub.stateDir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
    for (const agency of demoDirectory.agencies) {
      expect(saved[agency.code]).toMatch(/^cvn_/);
      expect(hub.output()).toContain(saved[agency.code]);
    }
  });

  it('publishes the scenario and prints top crossing points, routes and the planted anomaly', () => {
    const output = hub.output();
    expect(output).toMatch(/demo: published \d{3} seizures, alerts/);
    const summary = output.slice(output.indexOf('Top crossing points'));
    const crossings = summary.slice(0, summary.indexOf('Top routes'));
    expect(crossings).toMatch(/TJ-NIZHNY-PANJ|UZ-TERMEZ|KG-KYZYL-ART|KZ-KORDAY|KZ-ZHIBEK-ZHOLY/);
    expect(summary.slice(summary.indexOf('Top routes'))).toContain('AF → ');
    expect(summary).toMatch(/^KZ\s+methamphetamine \(kg\).*ANOMALY$/m);
  });

  it('caravan demo on the same hub publishes nothing twice', async () => {
    const run = await runCaravan(['demo'], {
      env: { CARAVAN_URL: hub.url, CARAVAN_ADMIN_KEY: hub.adminKey, CARAVAN_STATE_DIR: hub.stateDir },
      timeoutMs: 300_000,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('demo: the scenario is already in this hub; not publishing it again');
  }, 300_000);

  it('Ctrl-C stops the hub and exits 0', async () => {
    expect(await hub.stop()).toBe(0);
    expect(hub.output()).toContain('caravan: stopped\n');
  });
});
