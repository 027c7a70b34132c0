// `npm run bench -- http`: accepted seizure reports per second and p99 latency through the gateway
// (API-key auth, rate limit, JSON reading, full §3.1 validation with the directory, NATS
// request/reply to the ledger, validation again there, append with hash chain and idempotency
// record, the outbox relay publishing to JetStream), beside a raw baseline measured the same way: a
// bare node:http server that reads and parses the same JSON body and answers 201. Issue 5 target:
// ≥ 3,000 reports/s on this machine.
//
// Every party runs in a process of its own, as in a deployment: the ledger, the gateway, the raw
// server and the load generator (autocannon). In one process the load generator would compete with
// the hub for one event loop and misstate both figures. This file is also the entry point of those
// child processes (`node dist/bench/http.js <role>`).
//
// CARAVAN_BENCH_HTTP_LAYOUT=one-process runs ledger and gateway in one process (as `caravan up`
// does) instead of two. CARAVAN_BENCH_PROFILE_DIR=<dir> writes a CPU profile of each hub process there.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Topology } from '@caravan/contracts';
import { startGateway } from '../apps/gateway/src/gateway.app.js';
import { startLedger } from '../apps/ledger/src/ledger.app.js';
import { benchDatabase, benchServices, benchTopology, median } from './support.js';

// autocannon ships no types; this is the part of its API used here.
interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  latency: { p99: number; p50: number };
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const CONNECTIONS = 64;
const SECONDS = 10;
const RUNS = 3;

type Role = 'ledger' | 'gateway' | 'hub' | 'raw' | 'load';

/** What a hub child needs to start (passed in CARAVAN_BENCH_HTTP_CHILD). */
interface HubSettings {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly topology: Topology;
  readonly ledgerKeyPem: string;
  readonly ledgerPublicKeyPem: string;
  readonly adminKey: string;
  readonly stateDir: string;
}

/** What the load generator is asked to do, and what it answers. */
interface LoadSettings {
  readonly url: string;
  readonly key: string | undefined;
}
interface LoadResult {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

type ChildMessage = { ready: true; url?: string } | { result: LoadResult } | { cpu: NodeJS.CpuUsage };

// One report body per request, each a new report (fresh commandId and seizureId, none a replay).
// Built from a template rather than JSON.stringify, so that the load generator spends its CPU on
// sending, not on serialising.
const [BEFORE_COMMAND, BEFORE_SEIZURE, AFTER_SEIZURE] = JSON.stringify({
  commandId: '%C',
  seizureId: '%S',
  occurredAt: '2026-03-01T06:30:00.000Z',
  location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', region: 'Khatlon', locationType: 'land-border' },
  direction: 'import',
  items: [{ category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg', purityPercent: 60 }],
  transportMode: 'road',
  conveyance: { kind: 'truck', registration: '01 KG 123 ABC', country: 'KG' },
  detectionMethod: 'x-ray',
  route: { origin: 'AF', transit: ['TJ'], destination: 'KZ' },
  suspects: [{ fullName: 'Ivan Petrov', nationality: 'KG', documentNumber: 'AC1234567', role: 'driver' }],
  handling: { tlp: 'AMBER', releasableTo: ['CARICC'] },
}).split(/%C|%S/) as [string, string, string];
const report = (): string => `${BEFORE_COMMAND}${randomUUID()}${BEFORE_SEIZURE}${randomUUID()}${AFTER_SEIZURE}`;

async function generateLoad({ url, key }: LoadSettings): Promise<LoadResult> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers['authorization'] = `Bearer ${key}`;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    pipelining: 1,
    requests: [{ method: 'POST', path: '/v1/seizures', headers, setupRequest: (req) => ({ ...req, body: report() }) }],
  });
  return {
    perSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

function rawServer(): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { seizureId: string };
      const answer = JSON.stringify({ eventId: body.seizureId, position: 1, streamVersion: 1 });
      res.writeHead(201, { 'content-type': 'application/json' }).end(answer);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/** Runs one role in this (child) process; a hub role stays up until the parent says `close`. */
async function child(role: Role): Promise<void> {
  const send = (message: ChildMessage) => process.send?.(message);
  const settings = JSON.parse(process.env['CARAVAN_BENCH_HTTP_CHILD'] ?? '{}') as HubSettings & LoadSettings;
  if (role === 'load') {
    send({ result: await generateLoad(settings) });
    process.disconnect?.();
    return;
  }
  if (role === 'raw') {
    send({ ready: true, url: await rawServer() });
    process.on('message', () => process.exit(0));
    return;
  }
  const common = { databaseUrl: settings.databaseUrl, natsServers: [settings.natsUrl], topology: settings.topology };
  const apps: { close(): Promise<void> }[] = [];
  let url: string | undefined;
  if (role === 'ledger' || role === 'hub')
    apps.push(await startLedger({ ...common, ledgerKeyPem: settings.ledgerKeyPem }));
  if (role === 'gateway' || role === 'hub') {
    const gateway = await startGateway({
      ...common,
      httpPort: 0,
      adminKey: settings.adminKey,
      stateDir: settings.stateDir,
      ledgerPublicKeyPem: settings.ledgerPublicKeyPem,
      pseudonymSecret: 'bench-pseudonym-secret-0123456789abcdef',
      tuning: { httpHost: '127.0.0.1', rateLimit: { burst: 1_000_000, perSecond: 1_000_000 } },
    });
    apps.unshift(gateway);
    url = gateway.url;
  }
  send({ ready: true, ...(url ? { url } : {}) });
  process.on('message', (message) => {
    if (message === 'cpu') {
      send({ cpu: process.cpuUsage() });
      return;
    }
    void (async () => {
      for (const app of apps) await app.close();
      process.exit(0);
    })();
  });
}

/** Starts `role` in a child process and resolves with it once it reports `ready` (or a result). */
function startChild(
  role: Role,
  settings: object,
  options: { profileDir?: string } = {},
): Promise<{ process: ChildProcess; message: ChildMessage }> {
  const execArgv = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const proc = fork(fileURLToPath(import.meta.url), [role], {
    env: { ...process.env, CARAVAN_BENCH_HTTP_CHILD: JSON.stringify(settings) },
    execArgv,
    // The hub logs a line per recorded command, as in production; here nobody reads them.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (message: ChildMessage) => resolve({ process: proc, message }));
    proc.once('exit', (code) => reject(new Error(`bench child ${role} exited with ${code} before answering`)));
  });
}

/** CPU time (user + system, µs) the child has used so far. */
function cpuOf(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: ChildMessage) => {
      if (!('cpu' in message)) return;
      proc.off('message', onMessage);
      resolve(message.cpu.user + message.cpu.system);
    };
    proc.on('message', onMessage);
    proc.send('cpu');
  });
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.send('close');
  await exited;
}

async function load(url: string, key: string | undefined): Promise<LoadResult> {
  const { message } = await startChild('load', { url, key });
  if (!('result' in message)) throw new Error('the load generator answered no result');
  return message.result;
}

export async function run(): Promise<void> {
  const layout = process.env['CARAVAN_BENCH_HTTP_LAYOUT'] === 'one-process' ? 'one-process' : 'separate';
  const profileDir = process.env['CARAVAN_BENCH_PROFILE_DIR'];
  const db = await benchDatabase('http');
  const stateDir = await mkdtemp(join(tmpdir(), 'caravan-bench-http-'));
  const pair = generateKeyPairSync('ed25519');
  const settings: HubSettings = {
    databaseUrl: db.url,
    natsUrl: benchServices.natsUrl,
    topology: benchTopology('http'),
    ledgerKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ledgerPublicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    adminKey: `cvn_${randomUUID().replace(/-/g, '')}bench`,
    stateDir,
  };
  const children: ChildProcess[] = [];
  const hub: { role: Role; process: ChildProcess }[] = [];
  const started = async (role: Role, options: { profileDir?: string } = {}): Promise<string | undefined> => {
    const { process: proc, message } = await startChild(role, settings, options);
    children.push(proc);
    if (role !== 'raw') hub.push({ role, process: proc });
    return 'url' in message ? message.url : undefined;
  };
  try {
    const roles: Role[] = layout === 'one-process' ? ['hub'] : ['ledger', 'gateway'];
    let gatewayUrl: string | undefined;
    for (const role of roles) gatewayUrl = await started(role, profileDir ? { profileDir } : {});
    const rawUrl = await started('raw');
    if (!gatewayUrl || !rawUrl) throw new Error('a bench child did not say where it listens');

    const call = (method: string, path: string, body: unknown) =>
      fetch(`${gatewayUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${settings.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((res) => res.json() as Promise<{ key?: string }>);
    await call('PUT', '/v1/agencies/TJ-DCA', { name: 'DCA', country: 'TJ', kind: 'drug-control', groups: [] });
    await call('PUT', '/v1/crossing-points/TJ-NIZHNY-PANJ', {
      name: 'Nizhny Panj',
      country: 'TJ',
      facing: 'AF',
      lat: 37.2,
      lon: 68.6,
    });
    const { key } = await call('POST', '/v1/keys', { agency: 'TJ-DCA', roles: ['publisher'] });
    if (!key) throw new Error('the gateway created no publisher key');

    const loadBefore = loadavg()[0]!;
    await load(gatewayUrl, key); // warm-up (JIT, pools, caches)
    const ours: LoadResult[] = [];
    const base: LoadResult[] = [];
    // CPU time of each hub process over the measured runs: a figure that the machine's other load
    // disturbs much less than a rate does.
    const cpu = hub.map(() => 0);
    for (let i = 0; i < RUNS; i++) {
      const before = await Promise.all(hub.map((h) => cpuOf(h.process)));
      ours.push(await load(gatewayUrl, key));
      const after = await Promise.all(hub.map((h) => cpuOf(h.process)));
      after.forEach((used, j) => (cpu[j]! += used - before[j]!));
      base.push(await load(rawUrl, undefined));
    }
    const reports = ours.reduce((n, r) => n + r.perSecond * SECONDS, 0);
    const fmt = (xs: readonly LoadResult[]) => xs.map((x) => x.perSecond.toFixed(0)).join('/');
    const oursPerSecond = median(ours.map((r) => r.perSecond));
    const basePerSecond = median(base.map((r) => r.perSecond));
    console.log(
      `accepted reports/s (auth + validation + ledger append): ${oursPerSecond.toFixed(0)} (runs ${fmt(ours)}), ` +
        `p50 ${median(ours.map((r) => r.p50)).toFixed(1)} ms, p99 ${median(ours.map((r) => r.p99)).toFixed(1)} ms, ` +
        `refused or failed ${ours.reduce((n, r) => n + r.failed, 0)}`,
    );
    console.log(
      `hub CPU per accepted report: ${hub.map((h, j) => `${h.role} ${(cpu[j]! / reports).toFixed(0)} µs`).join(', ')} ` +
        `(the load generator, PostgreSQL and NATS not counted)`,
    );
    console.log(
      `raw node:http JSON echo baseline: ${basePerSecond.toFixed(0)} req/s (runs ${fmt(base)}), ` +
        `p99 ${median(base.map((r) => r.p99)).toFixed(1)} ms`,
    );
    console.log(
      `ratio ${(oursPerSecond / basePerSecond).toFixed(2)} (hub: ${layout === 'one-process' ? 'ledger and gateway in one process' : 'ledger and gateway in two processes'}; ` +
        `load generator in its own process; ${CONNECTIONS} connections, ${SECONDS} s per run, medians of ${RUNS}; ` +
        `1-min load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after); target ≥ 3000 reports/s`,
    );
  } finally {
    for (const proc of children.reverse()) await stopChild(proc);
    await db.drop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const role = process.argv[2] as Role | undefined;
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && role) {
  await child(role).catch((error: unknown) => {
    console.error(`bench child ${role}:`, error);
    process.exit(1);
  });
}
