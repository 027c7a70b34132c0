// Runs the real `caravan` binary (bin/caravan.js → dist/, built by `npm run build`, which the int
// tier runs first) as a user would, and collects what it printed. For *.int.spec.ts files only.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (tests run from it). */
export const REPO_ROOT = resolve(process.cwd());
export const CARAVAN_BIN = join(REPO_ROOT, 'bin', 'caravan.js');

/** What one run of the binary printed and how it exited. */
export interface BinaryRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Replaces the environment's CARAVAN_* variables (the rest of the environment is kept). */
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** Fails loudly when the build the binary runs is missing, rather than asserting on its message. */
export function assertBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:int does)');
  }
}

export function runCaravan(args: readonly string[], options: RunOptions = {}): Promise<BinaryRun> {
  return runNodeScript(CARAVAN_BIN, args, options);
}

/** Any built entry point (`dist/apps/<app>/src/main.js`, what `npm run start:<app>` runs) to completion. */
export function runNodeScript(script: string, args: readonly string[], options: RunOptions = {}): Promise<BinaryRun> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('CARAVAN_') && name !== 'NODE_OPTIONS') env[name] = value;
  }
  Object.assign(env, options.env);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd ?? REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
