// Test support: a gateway on a free port against a private database and NATS topology, and a tiny
// HTTP client. Used by this app's *.int.spec.ts files only.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { generateApiKey } from './keys/api-key.js';
import type { GatewayTuning } from './gateway.config.js';
import { startGateway, type RunningApp } from './gateway.app.js';

/** An HTTP answer with its body parsed when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect answers freely
  readonly body: any;
  readonly text: string;
}

/** Options of one call; `body` is JSON-encoded unless `raw` is given. */
export interface CallOptions {
  readonly key?: string;
  readonly body?: unknown;
  readonly raw?: string | Uint8Array;
  readonly headers?: Record<string, string>;
}

export interface TestGateway {
  readonly url: string;
  readonly adminKey: string;
  readonly db: TestDatabase;
  readonly nats: TestNats;
  readonly ledgerPublicKeyPem: string;
  /** The matching private key, for starting apps/ledger beside this gateway. */
  readonly ledgerKeyPem: string;
  readonly pseudonymSecret: string;
  readonly gateway: RunningApp & { url: string };
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

/** Sends one request and reads the whole answer. */
export async function httpCall(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
  let body: string | Uint8Array | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = undefined;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Starts a gateway with its own database, topology and state dir. */
export async function startTestGateway(
  options: { tuning?: Partial<GatewayTuning>; db?: TestDatabase; nats?: TestNats } = {},
): Promise<TestGateway> {
  const db = options.db ?? (await createTestDatabase('gateway'));
  const nats = options.nats ?? (await createTestNats());
  const stateDir = await mkdtemp(join(tmpdir(), 'caravan-gateway-'));
  const adminKey = generateApiKey();
  const pair = generateKeyPairSync('ed25519');
  const ledgerKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const ledgerPublicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const pseudonymSecret = 'test-pseudonym-secret-0123456789abcdef';
  const gateway = await startGateway({
    databaseUrl: db.url,
    natsServers: [nats.url],
    topology: nats.topology,
    httpPort: 0,
    adminKey,
    stateDir,
    ledgerPublicKeyPem,
    pseudonymSecret,
    tuning: { httpHost: '127.0.0.1', ...options.tuning },
  });
  return {
    url: gateway.url,
    adminKey,
    db,
    nats,
    ledgerPublicKeyPem,
    ledgerKeyPem,
    pseudonymSecret,
    gateway,
    call: (method, path, callOptions) => httpCall(gateway.url, method, path, callOptions),
    close: async () => {
      await gateway.close();
      if (!options.nats) await nats.cleanup();
      if (!options.db) await db.drop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** A valid `POST /v1/seizures` body (§3.1 plus commandId). */
export function seizureBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    commandId: crypto.randomUUID(),
    seizureId: crypto.randomUUID(),
    occurredAt: '2026-03-01T08:30:00.000Z',
    location: {
      country: 'TJ',
      crossingPoint: 'TJ-NIZHNY-PANJ',
      region: 'Khatlon',
      lat: 37.2,
      lon: 68.6,
      locationType: 'land-border',
    },
    direction: 'import',
    items: [{ category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg', purityPercent: 60 }],
    transportMode: 'road',
    conveyance: { kind: 'truck', registration: '01 KG 123 ABC', country: 'KG' },
    concealment: 'vehicle-compartment',
    detectionMethod: 'x-ray',
    route: { origin: 'AF', transit: ['TJ'], destination: 'KZ' },
    suspects: [{ fullName: 'Ivan Petrov', nationality: 'KG', documentNumber: 'AC1234567', role: 'driver' }],
    caseReference: 'DCA-2026-0042',
    narrative: 'Found in a hidden compartment.',
    handling: { tlp: 'GREEN' },
    ...overrides,
  };
}

/** A valid `POST /v1/alerts` body (§3.4 plus commandId). */
export function alertBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    commandId: crypto.randomUUID(),
    alertId: crypto.randomUUID(),
    category: 'suspect-conveyance',
    severity: 4,
    confidence: 'high',
    validFrom: '2026-03-01T00:00:00.000Z',
    validUntil: '2026-06-01T00:00:00.000Z',
    area: { countries: ['TJ', 'KZ'] },
    indicators: [{ kind: 'vehicle-registration', value: '02 KG 777 XYZ' }],
    summary: 'Truck suspected of carrying heroin north.',
    narrative: 'Source reporting.',
    handling: { tlp: 'GREEN' },
    ...overrides,
  };
}

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value read. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One parsed Server-Sent Event. */
export interface SseEvent {
  readonly id: string;
  readonly event: string;
  readonly data: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect freely
}

/** Opens an SSE stream and collects events until `stop` returns true (or `timeoutMs`), then disconnects. */
export async function readSse(
  url: string,
  key: string,
  options: { lastEventId?: string; stop: (events: SseEvent[]) => boolean; timeoutMs?: number },
): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 20_000);
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'text/event-stream' };
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const events: SseEvent[] = [];
  const res = await fetch(url, { headers, signal: controller.signal });
  const contentType = res.headers.get('content-type');
  if (res.status !== 200 || !res.body) {
    clearTimeout(timer);
    return { status: res.status, contentType, events };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    while (!options.stop(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
        }
        if (fields['data'] !== undefined && fields['id'] !== undefined) {
          events.push({ id: fields['id'], event: fields['event'] ?? 'message', data: JSON.parse(fields['data']) });
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: res.status, contentType, events };
}
