// `caravan up`: every app of the hub in one process, each started through its own
// `start<App>(config)` exactly as its main.ts would (apps/README.md), in dependency order: the ledger
// first (it owns the ledger tables and the streams), the gateway last (it is the door). This module
// is loaded only by `caravan up`, so the other commands never load Nest, TypeORM or NATS.
import {
  aggregatorConfig,
  auditorConfig,
  distributorConfig,
  ensureLocalSecrets,
  gatewayConfig,
  ledgerConfig,
  loadConfig,
  type Env,
  type ResolvedConfig,
} from '@caravan/config';
import { connect } from 'node:net';
import { ensureDatabaseExists } from '@caravan/database';
import { startAggregator } from '../../../aggregator/src/aggregator.app.js';
import { startAuditor } from '../../../auditor/src/auditor.app.js';
import { startDistributor } from '../../../distributor/src/distributor.app.js';
import { startGateway } from '../../../gateway/src/gateway.app.js';
import { startLedger } from '../../../ledger/src/ledger.app.js';

/** What every app's start function returns (apps/README.md); the gateway adds its URL. */
export interface RunningApp {
  readonly name: string;
  readonly url?: string;
  close(): Promise<void>;
}

/** The apps in start order, each with its own start function and configuration selector. */
const APPS: readonly { readonly name: string; start(config: ResolvedConfig): Promise<RunningApp> }[] = [
  { name: 'ledger', start: (config) => startLedger(ledgerConfig(config)) },
  { name: 'distributor', start: (config) => startDistributor(distributorConfig(config)) },
  { name: 'aggregator', start: (config) => startAggregator(aggregatorConfig(config)) },
  { name: 'auditor', start: (config) => startAuditor(auditorConfig(config)) },
  { name: 'gateway', start: (config) => startGateway(gatewayConfig(config)) },
];

const HUB_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/** The running hub: its apps, the gateway's URL, and one close for all. */
export interface RunningHub {
  readonly apps: readonly RunningApp[];
  readonly url: string;
  readonly config: ResolvedConfig;
  close(): Promise<void>;
}

/**
 * Starts every app in order. On any failure, closes what already started and rethrows, so a
 * half-started hub never lingers. `onReady` hears one line per app.
 */
export async function startHub(env: Env, onReady: (app: RunningApp) => void): Promise<RunningHub> {
  const config = await ensureLocalSecrets(loadConfig(env));
  await ensureDatabaseExists(config.databaseUrl);
  // The apps' NATS connections retry forever (right for a running hub); at start an unreachable
  // server should be one clear line instead of a silent wait.
  await assertNatsReachable(config.natsServers);
  const started: RunningApp[] = [];
  const closeAll = async () => {
    // Reverse order: stop taking requests first, then the consumers, the ledger last.
    for (const app of [...started].reverse()) await app.close().catch(() => undefined);
  };
  const signalsBefore = new Map(HUB_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  try {
    for (const entry of APPS) {
      const app = await entry.start(config);
      started.push(app);
      onReady(app);
    }
  } catch (error) {
    await closeAll();
    throw error;
  } finally {
    // An app may install its own shutdown hooks (Nest's enableShutdownHooks closes that one app and
    // then re-raises the signal, killing the process before the others drain). In one process the
    // hub owns the signals: it closes every app, in order, and then exits.
    for (const [signal, before] of signalsBefore) {
      for (const listener of process.listeners(signal)) if (!before.has(listener)) process.off(signal, listener);
    }
  }
  const gateway = started.find((app) => app.name === 'gateway');
  let closing: Promise<void> | undefined;
  return {
    apps: started,
    url: gateway?.url ?? `http://127.0.0.1:${config.httpPort}`,
    config,
    close: () => (closing ??= closeAll()),
  };
}

/** Thrown when no NATS server of CARAVAN_NATS_URL accepts a TCP connection. */
export class NatsUnreachableError extends Error {
  constructor(servers: readonly string[]) {
    super(`cannot reach NATS at ${servers.join(', ')} (set CARAVAN_NATS_URL)`);
    this.name = 'NatsUnreachableError';
  }
}

async function assertNatsReachable(servers: readonly string[], timeoutMs = 5_000): Promise<void> {
  const results = await Promise.all(servers.map((server) => tcpReachable(server, timeoutMs)));
  if (!results.some(Boolean)) throw new NatsUnreachableError(servers);
}

function tcpReachable(server: string, timeoutMs: number): Promise<boolean> {
  const url = new URL(server);
  const port = Number(url.port || 4222);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
