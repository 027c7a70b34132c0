// `caravan demo`: seeds the demo directory, creates a key per agency, sets the policies, publishes the
// scenario through the gateway and prints the regional summary as CARICC sees it (SPEC §11).
// Everything goes through the public HTTP API, exactly as the agencies themselves would.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { REGIONAL_CENTRE, type Directory } from '@caravan/contracts';
import { demoDirectory } from '@caravan/directory';
import type { TextSink } from '../cli-io.js';
import { cellText, renderRoutes, renderTrends, rowsOf, totalsText } from '../format/risk-views.js';
import { renderTable } from '../format/table.js';
import { GatewayError, type GatewayClient } from '../http/gateway-client.js';
import { DEMO_POLICIES } from './demo-policies.js';
import { DEMO_SEED, generateScenario, type DemoScenario, type DemoStep } from './demo-scenario.js';
import { aggregateOf, demoRoles, requestFor } from './demo-steps.js';

/** The demo's oversight body: holds the auditor key, belongs to no group, so receives no events. */
export const OVERSIGHT_BODY = {
  code: 'AUDIT',
  name: 'Oversight body of the hub (demo auditor)',
  kind: 'international',
  groups: [],
} as const;

export interface DemoOptions {
  readonly now?: Date;
  readonly seed?: number;
  /** Where demo-keys.json is written (the state dir); nothing is written when unset. */
  readonly stateDir?: string;
  /** How long to wait for the regional views to settle. */
  readonly settleTimeoutMs?: number;
  readonly concurrency?: number;
}

export interface DemoResult {
  readonly keys: Readonly<Record<string, string>>;
  readonly published: number;
  readonly skipped: boolean;
  readonly scenario: DemoScenario;
}

export async function runDemo(admin: GatewayClient, out: TextSink, options: DemoOptions = {}): Promise<DemoResult> {
  const directory = demoDirectory;
  const say = (line: string) => out.write(`${line}\n`);

  await seedDirectory(admin, directory);
  // The auditor's key needs an agency of the directory: an oversight body that receives no events.
  const { code: auditorAgency, ...oversight } = OVERSIGHT_BODY;
  await admin.put(`/v1/agencies/${auditorAgency}`, oversight);
  say(
    `demo: directory seeded: ${directory.agencies.length} agencies, ${directory.crossingPoints.length} crossing points`,
  );

  const keys = await createKeys(admin, directory);
  const auditor = await admin.post<{ keyId: string; key: string }>('/v1/keys', {
    agency: auditorAgency,
    roles: ['auditor'],
  });
  say('demo: API keys (shown once; also saved in demo-keys.json of the state dir):');
  out.write(
    renderTable(
      [
        ...Object.entries(keys).map(([agency, key]) => ({ agency, key })),
        { agency: `${auditorAgency} (auditor)`, key: auditor.key },
      ],
      [
        { header: 'AGENCY', value: (r) => r.agency },
        { header: 'KEY', value: (r) => r.key },
      ],
    ),
  );
  if (options.stateDir) await saveKeys(options.stateDir, { ...keys, [auditorAgency]: auditor.key });

  for (const [agency, rules] of Object.entries(DEMO_POLICIES)) {
    const key = keys[agency];
    if (!key) continue;
    await admin.withKey(key).put(`/v1/policies/${agency}`, { commandId: randomUUID(), rules });
  }
  say(`demo: sharing policies set for ${Object.keys(DEMO_POLICIES).length} agencies`);

  const scenario = generateScenario(directory, { now: options.now ?? new Date(), seed: options.seed ?? DEMO_SEED });
  const { published, skipped } = await publishScenario(admin, keys, scenario.steps, options.concurrency ?? 8, say);
  say(
    skipped
      ? 'demo: the scenario is already in this hub; not publishing it again'
      : `demo: published ${published} seizures, alerts, amendments, retractions and withdrawals (${scenario.from.slice(0, 10)} to ${scenario.to.slice(0, 10)})`,
  );

  const analyst = admin.withKey(keys[REGIONAL_CENTRE] ?? '');
  const views = await settleViews(analyst, options.settleTimeoutMs ?? 120_000);
  out.write(`\n${regionalSummary(views)}`);
  return { keys, published, skipped, scenario };
}

async function seedDirectory(admin: GatewayClient, directory: Directory): Promise<void> {
  for (const { code, ...agency } of directory.agencies) await admin.put(`/v1/agencies/${code}`, agency);
  for (const { code, ...point } of directory.crossingPoints) await admin.put(`/v1/crossing-points/${code}`, point);
}

async function createKeys(admin: GatewayClient, directory: Directory): Promise<Record<string, string>> {
  const keys: Record<string, string> = {};
  for (const agency of directory.agencies) {
    const created = await admin.post<{ keyId: string; key: string }>('/v1/keys', {
      agency: agency.code,
      roles: demoRoles(agency),
    });
    keys[agency.code] = created.key;
  }
  return keys;
}

async function saveKeys(stateDir: string, keys: Record<string, string>): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFile(join(stateDir, 'demo-keys.json'), `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Sends the steps with up to `concurrency` requests in flight, each aggregate's steps in order.
 * A conflict on the very first report means this hub already holds the scenario: nothing is sent.
 */
export async function publishScenario(
  admin: GatewayClient,
  keys: Readonly<Record<string, string>>,
  steps: readonly DemoStep[],
  concurrency: number,
  say: (line: string) => void,
): Promise<{ published: number; skipped: boolean }> {
  const [first, ...rest] = steps;
  if (!first) return { published: 0, skipped: false };
  // The scenario is already in this hub when its first command is answered as a replay (same
  // commandId and body) or refused with 409 (the same commandId or seizure, with times anchored to
  // a different `now`).
  try {
    // 200, not 201: the gateway's answer to a replayed commandId (SPEC §7).
    if ((await send(admin, keys, first)).status === 200) return { published: 0, skipped: true };
  } catch (error) {
    if (error instanceof GatewayError && error.status === 409) return { published: 0, skipped: true };
    throw error;
  }
  const tails = new Map<string, Promise<void>>();
  let published = 1;
  let next = 0;
  const worker = async () => {
    while (next < rest.length) {
      const step = rest[next++]!;
      const aggregate = aggregateOf(step);
      const before = tails.get(aggregate);
      const done = (async () => {
        await before;
        await send(admin, keys, step);
      })();
      tails.set(aggregate, done);
      await done;
      published += 1;
      if (published % 100 === 0) say(`demo: ${published}/${steps.length} published`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { published, skipped: false };
}

async function send(
  admin: GatewayClient,
  keys: Readonly<Record<string, string>>,
  step: DemoStep,
): Promise<{ readonly status: number }> {
  const key = keys[step.agency];
  if (!key) throw new Error(`no demo key for ${step.agency}`);
  const client = admin.withKey(key);
  const request = requestFor(step);
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.json(request.method, request.path, { body: request.body, headers: request.headers });
    } catch (error) {
      // Rate limits and a ledger catching up are waited out; anything else is a real failure.
      const retriable = error instanceof GatewayError && (error.status === 429 || error.status === 503);
      if (!retriable || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** Math.min(attempt, 4))));
    }
  }
}

/** The three views as CARICC sees them. */
export interface RegionalViews {
  readonly crossings: unknown;
  readonly routes: unknown;
  readonly trends: unknown;
}

/** The largest page the views serve. */
const VIEW_PAGE = 1000;

// The aggregator works asynchronously: poll until three reads in a row agree and show seizures.
async function settleViews(analyst: GatewayClient, timeoutMs: number): Promise<RegionalViews> {
  const deadline = Date.now() + timeoutMs;
  let previous = '';
  let stable = 0;
  let views: RegionalViews | undefined;
  while (Date.now() < deadline) {
    views = {
      crossings: await analyst.get<unknown>('/v1/risk/crossings', { query: { limit: VIEW_PAGE } }),
      routes: await analyst.get<unknown>('/v1/risk/routes', { query: { limit: VIEW_PAGE } }),
      trends: await analyst.get<unknown>('/v1/risk/trends', { query: { limit: VIEW_PAGE } }),
    };
    const text = fingerprint(views);
    stable = text === previous && rowsOf(views.crossings).length > 0 ? stable + 1 : 0;
    if (stable >= 2) return views;
    previous = text;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  if (!views) throw new Error('the regional views did not answer');
  return views;
}

// What must stop changing once the aggregator has caught up: the counts and totals, not the query
// time or the risk scores, which decay with the clock.
function fingerprint(views: RegionalViews): string {
  const { at: _at, riskScores: _scores, ...crossings } = (views.crossings ?? {}) as Record<string, unknown>;
  return JSON.stringify([crossings, views.routes, views.trends]);
}

/** Top crossing points (location margins, with their risk scores), top routes and anomalies. */
export function regionalSummary(views: RegionalViews, top = 10): string {
  const record = (views.crossings ?? {}) as { locations?: unknown; riskScores?: unknown };
  const scores = new Map(
    rowsOf(record.riskScores).map((r) => [
      cellText(r.crossingPoint),
      typeof r.score === 'number' ? r.score : undefined,
    ]),
  );
  // The view's location margins sum every week; a suppressed margin is left out, never guessed.
  const locations = rowsOf(record.locations)
    .filter((r) => r.suppressed !== true && typeof r.seizures === 'number')
    .sort((a, b) => (b.seizures as number) - (a.seizures as number))
    .slice(0, top);
  const crossingTable =
    locations.length === 0
      ? 'no crossing point has enough seizures to show (small-cell protection)\n'
      : renderTable(locations, [
          { header: 'CROSSING POINT', value: (r) => cellText(r.key) },
          { header: 'SEIZURES', value: (r) => cellText(r.seizures), align: 'right' },
          {
            header: 'RISK',
            value: (r) => {
              const score = scores.get(cellText(r.key));
              return score === undefined ? '-' : score.toFixed(1);
            },
            align: 'right',
          },
          { header: 'TOP TOTALS', value: (r) => totalsText(r) },
        ]);
  return [
    'Top crossing points (as CARICC sees them; risk score 0..100)',
    crossingTable,
    'Top routes',
    renderRoutes(views.routes, 8),
    'Anomalies (z >= 3 against the previous 8 weeks)',
    renderTrends(views.trends, { anomaliesOnly: true, limit: 10 }),
  ].join('\n');
}
