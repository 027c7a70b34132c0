// Runs the real `caravan` binary (bin/caravan.js → dist/, built by `npm run build`, which
// `npm run test:e2e` runs first) and collects what it printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root: Jest runs from it. */
export const REPO_ROOT = resolve(process.cwd());
/**
 * Where the built hub lives: the repository itself, or CARAVAN_E2E_BUILD (a directory holding
 * `bin/caravan.js` and `dist/`), for running the suite against a build made elsewhere.
 */
export const BUILD_ROOT = resolve(process.env['CARAVAN_E2E_BUILD'] ?? REPO_ROOT);
export const CARAVAN_BIN = join(BUILD_ROOT, 'bin', 'caravan.js');

/** Fails loudly when the build the binary runs is missing. */
export function assertBuilt(): void {
  if (!existsSync(join(BUILD_ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'))) {
    throw new Error(`${BUILD_ROOT}/dist is missing: run \`npm run build\` first (npm run test:e2e does)`);
  }
}

/** This process's environment without any CARAVAN_* variable or Jest's NODE_OPTIONS. */
export function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('CARAVAN_') && name !== 'NODE_OPTIONS') env[name] = value;
  }
  return env;
}

export interface BinaryRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** `caravan <args>` to completion. */
export function runCaravan(args: readonly string[], options: RunOptions = {}): Promise<BinaryRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CARAVAN_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...childEnv(), ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Said in stderr, so that the failing expectation on {code, stderr} shows why.
      if (timedOut) stderr += `[the test killed caravan ${args.join(' ')} after ${timeoutMs} ms]\n`;
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** A long-running `caravan` command (feed --follow, up): read as it prints, stop with SIGINT. */
export interface RunningCommand {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches; rejects with what was printed after `timeoutMs`. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** SIGINT and wait for the exit. */
  interrupt(): Promise<BinaryRun>;
}

export function spawnCaravan(args: readonly string[], options: RunOptions = {}): RunningCommand {
  const child = spawn(process.execPath, [CARAVAN_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...childEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const l of [...listeners]) l();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolvePromise) => child.on('close', (code) => resolvePromise(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout: (pattern, timeoutMs) =>
      new Promise<void>((resolvePromise, reject) => {
        const check = () => {
          if (pattern.test(stdout)) finish();
        };
        const timer = setTimeout(
          () =>
            finish(
              new Error(
                `caravan ${args.join(' ')} did not print ${String(pattern)} in ${timeoutMs} ms:\n${stdout}\n${stderr}`,
              ),
            ),
          timeoutMs,
        );
        const finish = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolvePromise();
        };
        listeners.add(check);
        check();
      }),
    interrupt: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await closed;
      clearTimeout(timer);
      return { code, stdout, stderr };
    },
  };
}
