// "Fails if any one stage is left out" (issue 8): for each app `caravan up` composes, the real hub is
// started without it (test/support/without-stage.mjs stands in for its start function) and the check
// of test/story.e2e.spec.ts that depends on that stage is shown to fail, explicitly and within a
// short, bounded wait. Each check here passes in the story, against the whole hub, well within the
// same bound.
import { randomUUID } from 'node:crypto';
import { Api, eventually, sampleFor } from './support/api.js';
import { assertBuilt, runCaravan } from './support/binary.js';
import { startHub, expectCleanExit, type HubProcess, type Stage } from './support/hub-process.js';
import {
  AGENCIES,
  crossingCell,
  feedOf,
  PUBLISHER_POLICY,
  SECOND_POLICY,
  seizure,
  setPolicy,
  setUpDirectory,
  setUpStory,
  verifiedPositions,
} from './support/story.js';

beforeAll(() => assertBuilt());

/** Runs `body` against a hub without `stage`, then stops it and checks it still closed cleanly. */
async function withoutStage(stage: Stage, body: (hub: HubProcess) => Promise<void>): Promise<void> {
  const hub = await startHub({ without: [stage], label: `no${stage}` });
  try {
    // The stand-in really ran in place of the app, and the app itself did not start.
    expect(hub.output()).toContain(`caravan-e2e: ${stage} left out`);
    await body(hub);
  } finally {
    expectCleanExit(hub, await hub.stop());
  }
}

const SHORT_MS = 3_000;

it('without the ledger, no report or policy is recorded: the gateway answers 503', async () => {
  await withoutStage('ledger', async (hub) => {
    const keys = await setUpDirectory(hub.url, hub.adminKey);
    const report = await new Api(hub.url, keys.publisher).request('POST', '/v1/seizures', seizure());
    expect(report.status).toBe(503);
    expect(report.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await expect(setPolicy(hub.url, keys.publisher, AGENCIES.publisher, PUBLISHER_POLICY)).rejects.toThrow(
      /answered 503/,
    );
  });
});

it('without the distributor, a recorded report reaches no recipient', async () => {
  await withoutStage('distributor', async (hub) => {
    const keys = await setUpStory(hub.url, hub.adminKey);
    await new Api(hub.url, keys.publisher).expect(201, 'POST', '/v1/seizures', seizure());
    await expect(
      eventually(
        'the partner copy',
        async () => ((await feedOf(hub.url, keys.partner)).length > 0 ? true : undefined),
        SHORT_MS,
      ),
    ).rejects.toThrow(/the partner copy: not within/);
    expect(await feedOf(hub.url, keys.centre)).toEqual([]);
  });
});

it('without the aggregator, the centre receives the reports but the regional view never moves', async () => {
  await withoutStage('aggregator', async (hub) => {
    const keys = await setUpDirectory(hub.url, hub.adminKey);
    await setPolicy(hub.url, keys.publisher, AGENCIES.publisher, PUBLISHER_POLICY);
    await setPolicy(hub.url, keys.second, AGENCIES.second, SECOND_POLICY);
    for (const [key, quantity] of [
      [keys.publisher, 10],
      [keys.publisher, 12],
      [keys.second, 11],
      [keys.second, 9],
    ] as const) {
      await new Api(hub.url, key).expect(201, 'POST', '/v1/seizures', seizure({ quantity, hour: quantity }));
    }
    // Distribution works: the centre's own feed has all four copies the views are built from…
    await eventually('the centre copies', async () =>
      (await feedOf(hub.url, keys.centre)).length === 4 ? true : undefined,
    );
    // …but no crossing cell ever appears.
    const seen = await sampleFor(() => crossingCell(hub.url, keys.centre), SHORT_MS);
    expect(seen.filter((cell) => cell !== undefined)).toEqual([]);
  });
});

it('without the auditor, the hub never reports the ledger as verified', async () => {
  await withoutStage('auditor', async (hub) => {
    const keys = await setUpStory(hub.url, hub.adminKey);
    await new Api(hub.url, keys.publisher).expect(201, 'POST', '/v1/seizures', seizure());
    await expect(
      eventually(
        'a ledger verified line',
        async () => (verifiedPositions(hub.output()).length > 0 ? true : undefined),
        SHORT_MS,
      ),
    ).rejects.toThrow(/a ledger verified line: not within/);
  });
});

it('without the gateway, nothing answers over HTTP and the CLI fails in one line', async () => {
  await withoutStage('gateway', async (hub) => {
    await expect(fetch(`${hub.url}/readyz`, { signal: AbortSignal.timeout(SHORT_MS) })).rejects.toThrow();
    const run = await runCaravan(['publish', 'seizure', '-'], {
      env: hub.clientEnv(`cvn_${randomUUID().replace(/-/g, '')}`),
      stdin: JSON.stringify(seizure()),
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
