// Starts the hub the way a user does (`node bin/caravan.js up`) on a private database, NATS
// topology, port and state dir, and stops it with Ctrl-C. For *.int.spec.ts files only.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, createTestNats, freePort, type TestDatabase, type TestNats } from '@caravan/testing';
import { CARAVAN_BIN, REPO_ROOT } from './run-binary.test-support.js';

export interface HubProcess {
  readonly url: string;
  readonly adminKey: string;
  readonly stateDir: string;
  /** Everything the hub printed on stdout so far. */
  output(): string;
  /** Waits until stdout contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Ctrl-C, then the exit code. */
  stop(): Promise<number | null>;
  /** Stops the hub if still running and removes its database, streams and state dir. */
  cleanup(): Promise<void>;
}

export async function startHubProcess(args: readonly string[] = ['up']): Promise<HubProcess> {
  const db: TestDatabase = await createTestDatabase('cli');
  const nats: TestNats = await createTestNats();
  const stateDir = await mkdtemp(join(tmpdir(), 'caravan-hub-'));
  const port = await freePort();
  const adminKey = `cvn_${randomBytes(24).toString('base64url')}`;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('CARAVAN_') && name !== 'NODE_OPTIONS') env[name] = value;
  }
  Object.assign(env, {
    CARAVAN_DATABASE_URL: db.url,
    CARAVAN_NATS_URL: nats.url,
    // The namespace createTestNats chose, so its cleanup removes the hub's streams.
    CARAVAN_NAMESPACE: nats.topology.subjectRoot.split('.')[0]!,
    CARAVAN_HTTP_PORT: String(port),
    CARAVAN_STATE_DIR: stateDir,
    CARAVAN_ADMIN_KEY: adminKey,
  });
  const child: ChildProcess = spawn(process.execPath, [CARAVAN_BIN, ...args], { cwd: REPO_ROOT, env });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
    for (const wake of waiters) wake();
  });

  const waitFor = (text: string | RegExp, timeoutMs = 240_000) =>
    new Promise<void>((resolve, reject) => {
      const found = () => (typeof text === 'string' ? stdout.includes(text) : text.test(stdout));
      const timer = setTimeout(() => finish(new Error(`hub did not print ${String(text)} in time`)), timeoutMs);
      const check = () => {
        if (found()) finish();
        else if (!running)
          finish(new Error(`hub exited before printing ${String(text)}: ${stderr.trim().slice(-500)}`));
      };
      const finish = (error?: Error) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      waiters.add(check);
      check();
    });

  const stop = async () => {
    if (running) child.kill('SIGINT');
    return exited;
  };
  const hub: HubProcess = {
    url: `http://127.0.0.1:${port}`,
    adminKey,
    stateDir,
    output: () => stdout,
    waitFor,
    stop,
    cleanup: async () => {
      if (running) {
        child.kill('SIGINT');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(killer);
      }
      await nats.cleanup().catch(() => undefined);
      await db.drop().catch(() => undefined);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor('hub up: gateway at');
  } catch (error) {
    await hub.cleanup();
    throw error;
  }
  return hub;
}
