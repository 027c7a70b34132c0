// `caravan up` started as a user starts it, then every HTTP command of SPEC §10 run as the real
// binary against it: keys, policy, publish, feed (paged and followed), risk, replay and verify,
// as-seen, revoke; and Ctrl-C closes the hub cleanly.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ledgerPublicKey } from '@caravan/domain';
import { startHubProcess, type HubProcess } from './hub-process.test-support.js';
import { assertBuilt, runCaravan, type BinaryRun } from './run-binary.test-support.js';

let hub: HubProcess;
const keys: Record<string, { keyId: string; key: string }> = {};
const seizureId = randomUUID();
let eventId = '';

function as(agency: string, args: string[]): Promise<BinaryRun> {
  return runCaravan(args, { env: { CARAVAN_URL: hub.url, CARAVAN_API_KEY: keys[agency]!.key } });
}

function seizure(): Record<string, unknown> {
  return {
    seizureId,
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', region: 'Khatlon', locationType: 'land-border' },
    direction: 'import',
    items: [{ category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg' }],
    transportMode: 'road',
    detectionMethod: 'x-ray',
    suspects: [{ fullName: 'Test Courier', nationality: 'AF', role: 'courier' }],
    narrative: 'Found behind a false panel.',
    handling: { tlp: 'GREEN' },
  };
}

async function admin(method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

async function eventually(run: () => Promise<BinaryRun>, done: (r: BinaryRun) => boolean): Promise<BinaryRun> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const result = await run();
    if (done(result) || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  assertBuilt();
  hub = await startHubProcess();
  for (const [code, agency] of Object.entries({
    'TJ-DCA': { name: 'Drug Control Agency', country: 'TJ', kind: 'drug-control', groups: ['group:central-asia'] },
    'KZ-BS': { name: 'Border Service', country: 'KZ', kind: 'border', groups: ['group:central-asia'] },
    CARICC: { name: 'CARICC', kind: 'regional-centre', groups: [] },
    AUDIT: { name: 'Oversight body', kind: 'international', groups: [] },
  })) {
    await admin('PUT', `/v1/agencies/${code}`, agency);
  }
  await admin('PUT', '/v1/crossing-points/TJ-NIZHNY-PANJ', {
    name: 'Nizhny Panj',
    country: 'TJ',
    facing: 'AF',
    lat: 37.21,
    lon: 68.61,
  });
}, 300_000);

afterAll(async () => {
  await hub?.cleanup();
});

describe('caravan against a running hub', () => {
  it('caravan up said one line per service, in order, with the gateway URL', () => {
    const lines = hub
      .output()
      .split('\n')
      .filter((l) => /^caravan: \S+ ready/.test(l));
    expect(lines).toEqual([
      'caravan: ledger ready',
      'caravan: distributor ready',
      'caravan: aggregator ready',
      'caravan: auditor ready',
      `caravan: gateway ready at ${hub.url}`,
    ]);
  });

  it('keys create prints each key once, acting as hub-admin', async () => {
    const roles = {
      'TJ-DCA': 'publisher,recipient,admin',
      'KZ-BS': 'recipient',
      CARICC: 'recipient,analyst',
      AUDIT: 'auditor',
    };
    for (const [agency, list] of Object.entries(roles)) {
      const run = await runCaravan(['keys', 'create', '--agency', agency, '--roles', list, '--json'], {
        env: { CARAVAN_URL: hub.url, CARAVAN_ADMIN_KEY: hub.adminKey },
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      keys[agency] = JSON.parse(run.stdout) as { keyId: string; key: string };
      expect(keys[agency].key).toMatch(/^cvn_/);
    }
  });

  it('keys ledger prints the public half of the hub ledger key', async () => {
    const run = await runCaravan(['keys', 'ledger'], { env: { CARAVAN_URL: hub.url } });
    expect(run.code).toBe(0);
    const privatePem = await readFile(join(hub.stateDir, 'ledger-key.pem'), 'utf8');
    expect(run.stdout.trim()).toBe(ledgerPublicKey(privatePem).pem.trim());
  });

  it('policy set, then get, as the agency admin', async () => {
    const file = join(hub.stateDir, 'policy.json');
    await writeFile(
      file,
      JSON.stringify({
        rules: [
          { to: ['KZ-BS'], types: ['seizure.*'], fields: ['occurredAt', 'location', 'items'] },
          { to: ['CARICC'], types: ['*'], fields: ['*'], drop: ['narrative'] },
        ],
      }),
    );
    const set = await as('TJ-DCA', ['policy', 'set', 'TJ-DCA', file]);
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe('policy of TJ-DCA set: version 1\n');
    const get = await as('TJ-DCA', ['policy', 'get', 'TJ-DCA']);
    expect(JSON.parse(get.stdout)).toMatchObject({ version: 1, rules: [{ to: ['KZ-BS'] }, { to: ['CARICC'] }] });
    const other = await as('KZ-BS', ['policy', 'get', 'TJ-DCA']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^caravan: 403 /);
  });

  it('policy preview shows what each agency would get of a sample', async () => {
    const file = join(hub.stateDir, 'preview.json');
    const { seizureId: _id, ...payload } = seizure();
    await writeFile(
      file,
      JSON.stringify({
        rules: [{ to: ['KZ-BS'], types: ['seizure.*'], fields: ['items'] }],
        sample: { type: 'seizure.reported', payload: { seizureId: randomUUID(), ...payload } },
      }),
    );
    const run = await as('TJ-DCA', ['policy', 'preview', 'TJ-DCA', file]);
    expect(run.stderr).toBe('');
    const body = JSON.parse(run.stdout) as { recipients: { agency: string; delivered: boolean }[] };
    expect(body.recipients).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ agency: 'KZ-BS', delivered: true }),
        expect.objectContaining({ agency: 'CARICC', delivered: false }),
      ]),
    );
  });

  it('publish seizure records it; a refused payload is one line and exit 1', async () => {
    const run = await runCaravan(['publish', 'seizure', '-'], {
      env: { CARAVAN_URL: hub.url, CARAVAN_API_KEY: keys['TJ-DCA']!.key },
      stdin: JSON.stringify(seizure()),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const match = /recorded as event (\S+) at position (\d+)/.exec(run.stdout);
    expect(match).not.toBeNull();
    eventId = match![1]!;

    const bad = await runCaravan(['publish', 'seizure', '-'], {
      env: { CARAVAN_URL: hub.url, CARAVAN_API_KEY: keys['TJ-DCA']!.key },
      stdin: JSON.stringify({ ...seizure(), seizureId: randomUUID(), items: [] }),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^caravan: 400 .*items/);
  });

  it("feed shows the recipient only what the originator's policy releases", async () => {
    const run = await eventually(
      () => as('KZ-BS', ['feed']),
      (r) => r.stdout.includes(seizureId),
    );
    expect(run.code).toBe(0);
    const copy = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { payload: Record<string, unknown> };
    expect(copy.payload).toMatchObject({ seizureId, items: [{ substance: 'heroin' }] });
    expect(copy.payload.suspects).toBeUndefined();
    expect(copy.payload.narrative).toBeUndefined();
  });

  it('feed --follow streams the same copy over SSE', async () => {
    const run = await as('KZ-BS', ['feed', '--follow', '--limit', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(seizureId);
  });

  it('risk needs the analyst role, and shows the regional centre its view', async () => {
    const refused = await as('KZ-BS', ['risk', 'crossings']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^caravan: 403 /);
    const run = await as('CARICC', ['risk', 'crossings', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('replay --out writes an export that verify checks offline with the ledger key', async () => {
    const pemFile = join(hub.stateDir, 'ledger.pem');
    await writeFile(pemFile, (await runCaravan(['keys', 'ledger'], { env: { CARAVAN_URL: hub.url } })).stdout);
    const out = join(hub.stateDir, 'export.ndjson');
    const replay = await as('AUDIT', ['replay', '--out', out]);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    const verify = await runCaravan(['verify', out, '--key', pemFile]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^verified [2-9]\d* events/);
  });

  it('replay --out --resume finishes an export cut short anywhere, and the result verifies offline', async () => {
    // A few more events, so that the file can be cut between two of them and inside one.
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${hub.url}/v1/seizures`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys['TJ-DCA']!.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...seizure(), seizureId: randomUUID(), commandId: randomUUID() }),
      });
      expect(response.status).toBe(201);
    }
    const pemFile = join(hub.stateDir, 'ledger-resume.pem');
    await writeFile(pemFile, (await runCaravan(['keys', 'ledger'], { env: { CARAVAN_URL: hub.url } })).stdout);
    const verified = async (file: string) => {
      const run = await runCaravan(['verify', file, '--key', pemFile]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return run.stdout;
    };
    const full = join(hub.stateDir, 'resume-full.ndjson');
    expect((await as('AUDIT', ['replay', '--out', full])).code).toBe(0);
    const whole = await verified(full);
    const events = Number(/^verified (\d+) events/.exec(whole)![1]);
    expect(events).toBeGreaterThanOrEqual(5);
    const bytes = await readFile(full);
    // Byte offset of the end of the n-th line.
    const endOfLine = (n: number) => {
      let at = 0;
      for (let i = 0; i < n; i++) at = bytes.indexOf(10, at) + 1;
      return at;
    };

    for (const [cut, lastWhole] of [
      [0, 0],
      [endOfLine(2), 2],
      [endOfLine(3) + 25, 3],
      [endOfLine(events) - 1, events - 1],
    ] as const) {
      const file = join(hub.stateDir, `resume-${cut}.ndjson`);
      await writeFile(file, bytes.subarray(0, cut));
      const resumed = await as('AUDIT', ['replay', '--out', file, '--resume']);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(
        new RegExp(`^resumed .* after position ${lastWhole}: wrote ${events - lastWhole} events, \\d+ checkpoints`),
      );
      // The same events; checkpoints the hub signed meanwhile may have been added.
      expect(await verified(file)).toMatch(new RegExp(`^verified ${events} events \\(positions 1\\.\\.${events}\\)`));
    }

    // An export that began after position 1 resumes from its own chainStart.
    const partial = join(hub.stateDir, 'resume-from.ndjson');
    expect((await as('AUDIT', ['replay', '--from', '3', '--out', partial])).code).toBe(0);
    const partialBytes = await readFile(partial);
    await writeFile(partial, partialBytes.subarray(0, partialBytes.indexOf(10, partialBytes.indexOf(10) + 1) + 9));
    expect((await as('AUDIT', ['replay', '--out', partial, '--resume'])).stdout).toMatch(/after position 3: /);
    expect(await verified(partial)).toMatch(
      new RegExp(`^verified ${events - 2} events \\(positions 3\\.\\.${events}\\)`),
    );

    const complete = await as('AUDIT', ['replay', '--out', full, '--resume']);
    expect(complete.code).toBe(2);
    expect(complete.stderr).toMatch(
      /resume-full\.ndjson is complete \(its checkpoints are written\): nothing to resume/,
    );

    // A file whose last event the hub does not hold with the same hash is not continued.
    const foreign = join(hub.stateDir, 'resume-foreign.ndjson');
    const lines = bytes.subarray(0, endOfLine(2)).toString().split('\n');
    lines[1] = lines[1]!.replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${'e'.repeat(64)}"`);
    await writeFile(foreign, lines.join('\n'));
    const refused = await as('AUDIT', ['replay', '--out', foreign, '--resume']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /resume-foreign\.ndjson does not continue this ledger: it ends at position 2 with hash e{64}/,
    );
  });

  it('as-seen rebuilds what the recipient was shown', async () => {
    const run = await as('AUDIT', ['as-seen', '--recipient', 'KZ-BS', '--event', eventId]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(seizureId);
  });

  it('keys revoke stops a key at once', async () => {
    const run = await runCaravan(['keys', 'revoke', keys['KZ-BS']!.keyId], {
      env: { CARAVAN_URL: hub.url, CARAVAN_ADMIN_KEY: hub.adminKey },
    });
    expect(run.code).toBe(0);
    const after = await as('KZ-BS', ['feed']);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^caravan: 401 /);
  });

  it('Ctrl-C closes every service and exits 0', async () => {
    const code = await hub.stop();
    expect(hub.output()).toMatch(/caravan: stopping…\n(.|\n)*caravan: stopped\n/);
    expect(code).toBe(0);
  });
});
