// `npm run bench -- http`: accepted seizure reports per second and p99 latency through the gateway
// (API-key auth, rate limit, JSON reading, full §3.1 validation with the directory, NATS
// request/reply to the ledger, append with hash chain and idempotency record), beside a raw
// baseline measured in the same run: a bare node:http server that reads and parses the same JSON
// body and answers 201. Issue 5 target: ≥ 3,000 reports/s on this machine.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONNECTIONS = 64;
const SECONDS = 10;
const RUNS = 3;

function report(): string {
  return JSON.stringify({
    commandId: randomUUID(),
    seizureId: randomUUID(),
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
  });
}

async function load(url: string, key: string | undefined): Promise<{ perSecond: number; p99: number; failed: number }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers['authorization'] = `Bearer ${key}`;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        path: '/v1/seizures',
        headers,
        // A fresh commandId and seizureId per request: every one is a new report, none a replay.
        setupRequest: (req) => ({ ...req, body: report() }),
      },
    ],
  });
  return { perSecond: result['2xx'] / result.duration, p99: result.latency.p99, failed: result.non2xx + result.errors };
}

function rawServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { seizureId: string };
      const answer = JSON.stringify({ eventId: body.seizureId, position: 1, streamVersion: 1 });
      res.writeHead(201, { 'content-type': 'application/json' }).end(answer);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function run(): Promise<void> {
  const db = await benchDatabase('http');
  const topology = benchTopology('http');
  const stateDir = await mkdtemp(join(tmpdir(), 'caravan-bench-http-'));
  const pair = generateKeyPairSync('ed25519');
  const ledgerKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const ledgerPublicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const adminKey = `cvn_${randomUUID().replace(/-/g, '')}bench`;
  const common = { databaseUrl: db.url, natsServers: [benchServices.natsUrl], topology };
  const ledger = await startLedger({ ...common, ledgerKeyPem });
  const gateway = await startGateway({
    ...common,
    httpPort: 0,
    adminKey,
    stateDir,
    ledgerPublicKeyPem,
    pseudonymSecret: 'bench-pseudonym-secret-0123456789abcdef',
    tuning: { httpHost: '127.0.0.1', rateLimit: { burst: 1_000_000, perSecond: 1_000_000 } },
  });
  const raw = await rawServer();
  try {
    const call = (method: string, path: string, body: unknown) =>
      fetch(`${gateway.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
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
    const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;

    await load(gateway.url, key); // warm-up (JIT, pools, caches)
    const ours: { perSecond: number; p99: number; failed: number }[] = [];
    const base: { perSecond: number; p99: number; failed: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(await load(gateway.url, key));
      base.push(await load(rawUrl, undefined));
    }
    const fmt = (xs: { perSecond: number }[]) => xs.map((x) => x.perSecond.toFixed(0)).join('/');
    console.log(
      `accepted reports/s (auth + validation + ledger append): ${median(ours.map((r) => r.perSecond)).toFixed(0)} ` +
        `(runs ${fmt(ours)}), p99 ${median(ours.map((r) => r.p99)).toFixed(1)} ms, refused ${ours.reduce((n, r) => n + r.failed, 0)}`,
    );
    console.log(
      `raw node:http JSON echo baseline: ${median(base.map((r) => r.perSecond)).toFixed(0)} req/s (runs ${fmt(base)}), ` +
        `p99 ${median(base.map((r) => r.p99)).toFixed(1)} ms`,
    );
    console.log(
      `ratio ${(median(ours.map((r) => r.perSecond)) / median(base.map((r) => r.perSecond))).toFixed(2)} ` +
        `(${CONNECTIONS} connections, ${SECONDS} s per run, medians of ${RUNS}); target ≥ 3000 reports/s`,
    );
  } finally {
    await new Promise((resolve) => raw.close(resolve));
    await gateway.close();
    await ledger.close();
    await db.drop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
