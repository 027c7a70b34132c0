// Starts a private nats-server from a given configuration on free loopback ports with a temporary
// store directory, the way nats.js's own test launcher does. For topologies the shared server cannot
// give: agency permissions, a stopped-and-restarted server, a cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops the server (SIGTERM, then SIGKILL) but keeps its store for a restart. */
  stop(): Promise<void>;
  /** Starts the same server again on the same port and store. */
  restart(): Promise<void>;
  /** Stops the server and removes its files. */
  dispose(): Promise<void>;
}

export interface NatsServerOptions {
  /** Extra configuration text (accounts, authorization, …) appended to the generated config. */
  readonly config?: string;
  readonly jetstream?: boolean;
  /** Path of the nats-server binary: NATS_SERVER_BIN, else `nats-server` on PATH. */
  readonly binary?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-nats-'));
  const storeDir = join(dir, 'store');
  const port = await freePort();
  const configFile = join(dir, 'nats.conf');
  const jetstream = options.jetstream ?? true;
  writeFileSync(
    configFile,
    [
      `listen: "127.0.0.1:${port}"`,
      jetstream ? `jetstream { store_dir: ${JSON.stringify(storeDir)} }` : '',
      options.config ?? '',
    ].join('\n'),
  );
  const binary = options.binary ?? process.env['NATS_SERVER_BIN'] ?? 'nats-server';
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitUntilReady(child, binary);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function waitUntilReady(child: ChildProcess, binary: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const settle = (error?: Error) => {
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      child.removeListener('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onExit = (code: number | null) => settle(new Error(`nats-server exited with ${code}:\n${log}`));
    const onError = (error: Error) =>
      settle(new Error(`cannot run ${binary} (set NATS_SERVER_BIN or install nats-server): ${error.message}`));
    const timer = setTimeout(() => settle(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000);
    child.once('exit', onExit);
    child.once('error', onError);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (log.length < 64_000) log += chunk.toString();
      if (log.includes('Server is ready')) settle();
    });
  });
}
