// Starts the hub the way a user does: a child process `node bin/caravan.js up`, configured only through
// its environment (SPEC §11), with a private database, NATS namespace, HTTP port, state directory and
// hub-admin key, so that e2e files never see each other's data. Its output is kept for failure messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { isolatedTopology, streamConfigs } from '@caravan/contracts';
import { createTestDatabase, freePort, testServices, type TestDatabase } from '@caravan/testing';
import { CARAVAN_BIN, REPO_ROOT, childEnv } from './binary.js';

/** The apps `caravan up` composes (apps/cli/src/hub/compose.ts), in start order. */
export const STAGES = ['ledger', 'distributor', 'aggregator', 'auditor', 'gateway'] as const;
export type Stage = (typeof STAGES)[number];

export interface HubOptions {
  /** Stages to leave out (test/support/without-stage.mjs replaces each one's start function). */
  readonly without?: readonly Stage[];
  /** `caravan up --demo`. */
  readonly demo?: boolean;
  /** A NATS server other than the shared test one (e.g. a private one with agency users). */
  readonly natsUrl?: string;
  /** Extra environment (wins over the harness's own). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for GET /readyz; 60 s by default. */
  readonly readyTimeoutMs?: number;
  /** A label for the database name and the error messages. */
  readonly label?: string;
  /** CARAVAN_NAMESPACE; a fresh random one by default. */
  readonly namespace?: string;
}

export interface HubExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly wasRunning: boolean;
}

export interface HubProcess {
  /** The gateway, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly adminKey: string;
  /** The CARAVAN_NAMESPACE of this hub: its subjects are `<namespace>.caravan.…`. */
  readonly namespace: string;
  readonly stateDir: string;
  readonly database: TestDatabase;
  /** Everything the process wrote so far (stdout and stderr interleaved). */
  output(): string;
  /** stdout only. */
  stdout(): string;
  /** The environment a `caravan` client command needs to reach this hub as `apiKey`. */
  clientEnv(apiKey?: string): Record<string, string>;
  /** Resolves once the output matches `pattern` (rejects with the output after `timeoutMs`). */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /**
   * SIGINT, then waits for the exit; resolves to how it exited and whether it was still running
   * (a hub that had already died is not interrupted). Drops the database afterwards.
   */
  stop(): Promise<HubExit>;
}

// A Jest worker that dies mid-file must not leave hubs running: kill whatever is still up on exit.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const WITHOUT_STAGE_LOADER = join(REPO_ROOT, 'test', 'support', 'without-stage.mjs');

/** A fresh CARAVAN_NAMESPACE: the hub's subjects become `<namespace>.caravan.…`. */
export function newNamespace(): string {
  return `e2e${randomBytes(5).toString('hex')}`;
}

/** A key of the shape CARAVAN_ADMIN_KEY requires. */
export function randomKey(): string {
  return `cvn_${randomBytes(24).toString('base64url')}`;
}

export async function startHub(options: HubOptions = {}): Promise<HubProcess> {
  const label = options.label ?? 'e2e';
  const database = await createTestDatabase(label);
  const stateDir = await mkdtemp(join(tmpdir(), 'caravan-e2e-state-'));
  const port = await freePort();
  const namespace = options.namespace ?? newNamespace();
  const adminKey = randomKey();
  const natsUrl = options.natsUrl ?? (await testServices()).natsUrl;
  const url = `http://127.0.0.1:${port}`;
  const without = options.without ?? [];
  const env: Record<string, string> = {
    ...childEnv(),
    CARAVAN_DATABASE_URL: database.url,
    CARAVAN_NATS_URL: natsUrl,
    CARAVAN_HTTP_PORT: String(port),
    CARAVAN_NAMESPACE: namespace,
    CARAVAN_STATE_DIR: stateDir,
    CARAVAN_ADMIN_KEY: adminKey,
    ...(without.length > 0 ? { CARAVAN_E2E_WITHOUT: without.join(',') } : {}),
    ...options.env,
  };
  const nodeArgs = without.length > 0 ? ['--import', WITHOUT_STAGE_LOADER] : [];
  const args = [...nodeArgs, CARAVAN_BIN, 'up', ...(options.demo ? ['--demo'] : [])];
  const child = spawn(process.execPath, args, { cwd: stateDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  let stdout = '';
  const listeners = new Set<() => void>();
  const append = (chunk: string, isStdout: boolean) => {
    // Bounded: a hub that logs in a loop must not exhaust the test's memory.
    if (output.length < 4_000_000) output += chunk;
    if (isStdout && stdout.length < 4_000_000) stdout += chunk;
    for (const listener of [...listeners]) listener();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => append(chunk, true));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => append(chunk, false));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const listener of [...listeners]) listener();
      resolve({ code, signal });
    }),
  );

  const hub: HubProcess = {
    url,
    adminKey,
    namespace,
    stateDir,
    database,
    output: () => output,
    stdout: () => stdout,
    clientEnv: (apiKey) => ({
      CARAVAN_URL: url,
      CARAVAN_ADMIN_KEY: adminKey,
      CARAVAN_STATE_DIR: stateDir,
      ...(apiKey ? { CARAVAN_API_KEY: apiKey } : {}),
    }),
    waitForOutput: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) done();
          else if (child.exitCode !== null || child.signalCode !== null) {
            done(
              new Error(`the hub exited (${child.exitCode ?? child.signalCode}) before printing ${String(pattern)}`),
            );
          }
        };
        const timer = setTimeout(
          () => done(new Error(`the hub did not print ${String(pattern)} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const done = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(new Error(`${error.message}\n--- hub output (tail) ---\n${tail(output)}`));
          else resolve();
        };
        listeners.add(check);
        check();
      }),
    stop: async () => {
      const wasRunning = child.exitCode === null && child.signalCode === null;
      const result = wasRunning ? await interrupt(child, exited) : await exited;
      await database.drop().catch(() => undefined);
      await rm(stateDir, { recursive: true, force: true });
      // A private server goes with its owner; on the shared one, this hub's streams go now.
      if (options.natsUrl === undefined) await deleteStreams(natsUrl, namespace).catch(() => undefined);
      return { ...result, wasRunning };
    },
  };

  if (without.includes('gateway')) {
    // No door to knock on: readiness is the last composed app's line instead.
    await hub.waitForOutput(/caravan: hub up/, options.readyTimeoutMs ?? 60_000).catch(async (error: Error) => {
      await hub.stop();
      throw error;
    });
    return hub;
  }
  try {
    await waitUntilReady(url, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await hub.stop();
    throw new Error(`${(error as Error).message}\n--- hub output (tail) ---\n${tail(output)}`);
  }
  return hub;
}

async function deleteStreams(natsUrl: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for (const config of Object.values(streamConfigs(isolatedTopology(namespace)))) {
      await jsm.streams.delete(config.name).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}

async function interrupt(
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  child.kill('SIGINT');
  // A hub that does not close within 20 s is a failure the caller sees as signal SIGKILL.
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`caravan up exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`GET ${url}/readyz did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/**
 * `caravan up` closes cleanly on Ctrl-C (issue 8 item 1): exit code 0, no signal. A hub that had
 * already died has failed some earlier test, which says why; it is not reported twice.
 */
export function expectCleanExit(hub: HubProcess, exit: HubExit): void {
  if (!exit.wasRunning) return;
  expect({ code: exit.code, signal: exit.signal, tail: exit.code === 0 ? '' : tail(hub.output()) }).toEqual({
    code: 0,
    signal: null,
    tail: '',
  });
}

/** The last lines of a log, for a failure message. */
export function tail(text: string, lines = 60): string {
  return text.split('\n').slice(-lines).join('\n');
}
