// Every `caravan` subcommand of SPEC §10 run as the real binary against a running hub (`caravan up`
// itself is the harness): keys, policy, publish, feed (paged and --follow), risk, replay. `verify`
// and `as-seen` on a real export are in story.e2e.spec.ts, `demo` and `up --demo` in
// demo.e2e.spec.ts. Each answer is checked against what the HTTP API says, so a command that printed
// nothing, or the wrong thing, fails.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Api, eventually } from './support/api.js';
import { assertBuilt, runCaravan, spawnCaravan, type BinaryRun } from './support/binary.js';
import { startHub, expectCleanExit, type HubProcess } from './support/hub-process.js';
import {
  AGENCIES,
  CROSSING,
  feedOf,
  PUBLISHER_POLICY,
  SECOND_POLICY,
  seizure,
  setPolicy,
  setUpDirectory,
  type Copy,
  type StoryKeys,
} from './support/story.js';

let hub: HubProcess;
let keys: StoryKeys;
let dir: string;

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'caravan-e2e-cli-'));
  hub = await startHub({ label: 'cli' });
  keys = await setUpDirectory(hub.url, hub.adminKey);
  await setPolicy(hub.url, keys.second, AGENCIES.second, SECOND_POLICY);
}, 90_000);

afterAll(async () => {
  const exit = await hub?.stop();
  await rm(dir, { recursive: true, force: true });
  if (exit?.wasRunning) {
    expectCleanExit(hub, exit);
    expect(hub.stdout()).toMatch(/caravan: stopped\s*$/);
  }
});

const caravan = (args: string[], key?: string, stdin?: string) =>
  runCaravan(args, { env: hub.clientEnv(key), ...(stdin !== undefined ? { stdin } : {}) });
const file = async (name: string, content: unknown) => {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
/** Exit 0 and nothing on stderr, or a failure that shows what the command said. */
const ok = (run: BinaryRun) => expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

describe('caravan up', () => {
  it('logs one line per service when ready, then the gateway URL', () => {
    const lines = hub.stdout().split('\n');
    for (const app of ['ledger', 'distributor', 'aggregator', 'auditor']) {
      expect(lines).toContain(`caravan: ${app} ready`);
    }
    expect(lines).toContain(`caravan: gateway ready at ${hub.url}`);
    expect(hub.stdout()).toContain(`caravan: hub up: gateway at ${hub.url}`);
  });
});

describe('caravan keys', () => {
  it('create prints a working key once; revoke stops it at once', async () => {
    const created = await caravan(['keys', 'create', '--agency', AGENCIES.unmatched, '--roles', 'recipient', '--json']);
    ok(created);
    const { keyId, key } = JSON.parse(created.stdout) as { keyId: string; key: string };
    expect(key).toMatch(/^cvn_/);
    expect((await new Api(hub.url, key).get('/v1/feed')).status).toBe(200);

    const revoked = await caravan(['keys', 'revoke', keyId]);
    ok(revoked);
    expect(revoked.stdout).toContain(keyId);
    expect((await new Api(hub.url, key).get('/v1/feed')).status).toBe(401);

    // Only a hub-admin creates keys: an agency key is refused (exit 1, one line).
    const refused = await runCaravan(['keys', 'create', '--agency', AGENCIES.unmatched, '--roles', 'recipient'], {
      env: { CARAVAN_URL: hub.url, CARAVAN_ADMIN_KEY: keys.partner },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('ledger prints the public key the gateway serves, as PEM or hex', async () => {
    const served = await new Api(hub.url).expect<{ pem: string; hex: string }>(200, 'GET', '/v1/audit/keys');
    const pem = await caravan(['keys', 'ledger']);
    ok(pem);
    expect(pem.stdout.trim()).toBe(served.pem.trim());
    expect(pem.stdout).toContain('-----BEGIN PUBLIC KEY-----');
    const hex = await caravan(['keys', 'ledger', '--hex']);
    ok(hex);
    expect(hex.stdout.trim()).toBe(served.hex);
  });
});

describe('caravan policy', () => {
  it('set records the policy, get reads it back with its version', async () => {
    const set = await caravan(
      ['policy', 'set', AGENCIES.publisher, await file('policy.json', PUBLISHER_POLICY)],
      keys.publisher,
    );
    ok(set);
    expect(set.stdout).toMatch(/policy of TJ-DCA set: version 1/);

    const got = await caravan(['policy', 'get', AGENCIES.publisher], keys.publisher);
    ok(got);
    expect(JSON.parse(got.stdout)).toMatchObject({
      agency: AGENCIES.publisher,
      version: 1,
      rules: PUBLISHER_POLICY.rules,
    });

    // Another agency's policy is its own admin's business (exit 1, one line).
    const foreign = await caravan(['policy', 'get', AGENCIES.publisher], keys.partner);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/403|forbidden/i);
  });

  it('preview shows what each agency would get of a sample, recording nothing', async () => {
    const draft = {
      rules: [{ to: ['KZ-BS'], types: ['seizure.*'], fields: ['items', 'location.country'] }],
      sample: { type: 'seizure.reported', payload: (({ commandId: _c, ...p }) => p)(seizure()) },
    };
    const preview = await caravan(
      ['policy', 'preview', AGENCIES.publisher, await file('draft.json', draft)],
      keys.publisher,
    );
    ok(preview);
    const answer = JSON.parse(preview.stdout) as {
      recipients: { agency: string; delivered: boolean; payload?: object }[];
    };
    const byAgency = new Map(answer.recipients.map((r) => [r.agency, r]));
    expect(byAgency.get('KZ-BS')).toMatchObject({
      delivered: true,
      payload: { location: { country: 'TJ' }, items: draft.sample.payload.items },
    });
    expect(Object.keys(byAgency.get('KZ-BS')!.payload!).sort()).toEqual(['handling', 'items', 'location', 'seizureId']);
    expect(byAgency.get('UZ-SCC')).toEqual({ agency: 'UZ-SCC', delivered: false });
    // The policy in force did not change.
    const got = await caravan(['policy', 'get', AGENCIES.publisher], keys.publisher);
    expect(JSON.parse(got.stdout)).toMatchObject({ version: 1 });
  });
});

const published: { seizureId: string; eventId: string; position: number }[] = [];

describe('caravan publish', () => {
  it('publishes a seizure from a file, answering with its event id and position', async () => {
    const body = seizure({ quantity: 10 });
    const run = await caravan(['publish', 'seizure', await file('seizure.json', body)], keys.publisher);
    ok(run);
    const match = /^seizure (\S+) recorded as event (\S+) at position (\d+) \(stream version 1\)$/m.exec(run.stdout);
    expect(match?.[1]).toBe(body.seizureId);
    published.push({ seizureId: body.seizureId, eventId: match![2]!, position: Number(match![3]) });

    // The same file again is the same command: the first answer, marked as a replay.
    const again = await caravan(['publish', 'seizure', join(dir, 'seizure.json')], keys.publisher);
    ok(again);
    expect(again.stdout).toContain(`recorded as event ${match![2]} at position ${match![3]}`);
    expect(again.stdout).toContain('replayed');
  });

  it('is idempotent over HTTP too: the same commandId and body answer 200 with the first answer (SPEC §7)', async () => {
    const body = seizure({ quantity: 1, hour: 40 });
    const api = new Api(hub.url, keys.unmatched);
    // UZ-SCC has no publisher role here; use a publisher key of its own for a report that counts nowhere.
    const publisher = (
      await caravan(['keys', 'create', '--agency', AGENCIES.unmatched, '--roles', 'publisher', '--json'])
    ).stdout;
    const own = api.withKey((JSON.parse(publisher) as { key: string }).key);
    const uzBody = { ...body, location: { country: 'UZ', locationType: 'inland' } };
    const first = await own.request('POST', '/v1/seizures', uzBody);
    expect(first.status).toBe(201);
    const again = await own.request('POST', '/v1/seizures', uzBody);
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: first.body });
  });

  it('publishes several seizures from standard input as NDJSON, with --json answers', async () => {
    const bodies = [seizure({ quantity: 12, hour: 1 }), seizure({ quantity: 11, hour: 2 })];
    const run = await caravan(
      ['publish', 'seizure', '-', '--json'],
      keys.second,
      bodies.map((b) => JSON.stringify(b)).join('\n'),
    );
    ok(run);
    const answers = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seizureId: string; eventId: string; position: number; replayed: boolean });
    expect(answers.map((a) => a.seizureId)).toEqual(bodies.map((b) => b.seizureId));
    expect(answers.every((a) => a.replayed === false && a.position > 0)).toBe(true);
    published.push(...answers);
  });

  it('issues a threat alert', async () => {
    const now = Date.now();
    const alert = {
      alertId: randomUUID(),
      category: 'trafficking-route',
      severity: 4,
      confidence: 'medium',
      validFrom: new Date(now - 86_400_000).toISOString(),
      validUntil: new Date(now + 30 * 86_400_000).toISOString(),
      area: { countries: ['TJ'], crossingPoints: [CROSSING] },
      indicators: [{ kind: 'vehicle-registration', value: '01 123 ABC' }],
      summary: 'Heroin moved in trucks across the Panj',
      handling: { tlp: 'GREEN' },
    };
    const run = await caravan(['publish', 'alert', await file('alert.json', alert)], keys.publisher);
    ok(run);
    expect(run.stdout).toMatch(new RegExp(`^alert ${alert.alertId} recorded as event \\S+ at position \\d+`, 'm'));
  });

  it('refuses an invalid payload with exit 1 and one line naming the field', async () => {
    const { direction: _missing, ...body } = seizure();
    const run = await caravan(['publish', 'seizure', '-'], keys.publisher, JSON.stringify(body));
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('direction');
  });
});

describe('caravan feed', () => {
  let partnerCopies: Copy[];

  it("prints the caller's copies, one JSON line each, exactly as the HTTP feed holds them", async () => {
    partnerCopies = await eventually('the partner copy of the first report', async () => {
      const copies = await feedOf(hub.url, keys.partner);
      return copies.some((c) => c.eventId === published[0]!.eventId) ? copies : undefined;
    });
    const run = await caravan(['feed'], keys.partner);
    ok(run);
    const lines = run.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Copy);
    expect(lines).toEqual(partnerCopies);
    expect(lines.length).toBeGreaterThan(0);

    const filtered = await caravan(['feed', '--types', 'threat.alert.*'], keys.partner);
    ok(filtered);
    expect(filtered.stdout.trim()).toBe('');
  });

  it('--follow prints what is already there, then new copies as they are distributed, until Ctrl-C', async () => {
    const follow = spawnCaravan(['feed', '--follow'], { env: hub.clientEnv(keys.partner) });
    let live: string;
    try {
      await follow.waitForStdout(new RegExp(published[0]!.eventId), 20_000);
      const body = seizure({ quantity: 9, hour: 3 });
      const accepted = await new Api(hub.url, keys.publisher).expect<{ eventId: string; position: number }>(
        201,
        'POST',
        '/v1/seizures',
        body,
      );
      published.push({ seizureId: body.seizureId, ...accepted });
      live = accepted.eventId;
      await follow.waitForStdout(new RegExp(live), 20_000);
    } catch (error) {
      await follow.interrupt();
      throw error;
    }
    const run = await follow.interrupt();
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const ids = run.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as Copy).eventId);
    // The backlog first, the live copy last, nothing twice.
    expect(ids).toEqual([...partnerCopies.map((c) => c.eventId), live]);
  });
});

/** A view without its query time and page size (the CLI asks for its own), decaying scores rounded. */
function timeless(view: unknown): unknown {
  return JSON.parse(
    JSON.stringify(view, (key, value: unknown) =>
      key === 'at' || key === 'limit'
        ? undefined
        : (key === 'raw' || key === 'contribution') && typeof value === 'number'
          ? value.toFixed(4)
          : value,
    ),
  );
}

describe('caravan risk', () => {
  // Four seizures of two agencies at one crossing point in one week: a cell the centre may see.
  beforeAll(async () => {
    await eventually(
      'the crossings cell of four seizures',
      async () => {
        const view = await new Api(hub.url, keys.centre).expect<{
          items: { locationKey: string; seizures?: number }[];
        }>(200, 'GET', '/v1/risk/crossings');
        return view.items.some((i) => i.locationKey === CROSSING && i.seizures === 4) ? true : undefined;
      },
      30_000,
    );
  });

  it.each(['crossings', 'routes', 'trends'] as const)('%s --json prints the view the gateway serves', async (view) => {
    const served = await new Api(hub.url, keys.centre).expect<unknown>(200, 'GET', `/v1/risk/${view}`);
    const run = await caravan(['risk', view, '--json'], keys.centre);
    ok(run);
    // `at` is the time of the query and risk scores decay with it; everything else is the same view.
    expect(timeless(JSON.parse(run.stdout))).toEqual(timeless(served));
  });

  it('crossings prints a table with the crossing point, its seizures and totals', async () => {
    const run = await caravan(['risk', 'crossings'], keys.centre);
    ok(run);
    const row = run.stdout.split('\n').find((l) => l.includes(CROSSING));
    expect(row).toBeDefined();
    expect(row).toMatch(/\b4\b/);
    expect(row).toMatch(/heroin 42 kg/);
  });

  it('routes prints the origin → destination pair of the seizures', async () => {
    const run = await caravan(['risk', 'routes'], keys.centre);
    ok(run);
    expect(run.stdout).toMatch(/AF\b.*\bKZ\b/);
    expect(run.stdout).toMatch(/\b4\b/);
  });

  it('trends prints the country and substance', async () => {
    const run = await caravan(['risk', 'trends'], keys.centre);
    ok(run);
    expect(run.stdout).toMatch(/\bTJ\b.*\bheroin\b/);
  });

  it('is refused to a key without the analyst role (exit 1, one line)', async () => {
    const run = await caravan(['risk', 'crossings'], keys.partner);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('caravan replay', () => {
  it('streams the full ledger as NDJSON in position order, and a range with --from/--to', async () => {
    const head = Math.max(...published.map((p) => p.position));
    const all = await caravan(['replay'], keys.auditor);
    ok(all);
    const events = all.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => typeof l.position === 'number');
    expect(events.map((e) => e.position)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    // Full events: the narrative no recipient got is there, with the hash.
    const first = events.find((e) => e.eventId === published[0]!.eventId)!;
    expect(first).toMatchObject({ type: 'seizure.reported', payload: { narrative: expect.any(String) } });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);

    const range = await caravan(['replay', '--from', '2', '--to', '3'], keys.auditor);
    ok(range);
    const positions = range.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => typeof l.position === 'number')
      .map((l) => l.position);
    expect(positions).toEqual([2, 3]);

    // Full data is for auditors only.
    const refused = await caravan(['replay'], keys.centre);
    expect(refused.code).toBe(1);
  });
});
