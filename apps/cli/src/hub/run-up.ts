// The `caravan up` command: start the hub, say so one line per service, optionally run the demo
// against it, then wait for Ctrl-C and close everything (NATS drained, pools closed).
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, NATS_LOGIN_HINT } from '@caravan/config';
import { DatabaseUnavailableError } from '@caravan/database';
import { NatsAuthenticationError } from '@caravan/messaging';
import { CliError } from '../cli-error.js';
import type { CliContext } from '../cli-context.js';
import { GatewayClient } from '../http/gateway-client.js';
import { NatsUnreachableError, startHub, type RunningHub } from './compose.js';

export async function runUp(context: CliContext, options: { demo: boolean }): Promise<void> {
  const say = (line: string) => context.io.stdout.write(`caravan: ${line}\n`);
  let hub: RunningHub | undefined;
  let stopRequested = false;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolveStop) => (resolveStopped = resolveStop));
  // Installed before the apps start: the hub, not any one app, decides what a signal does.
  const stop = () => {
    // A second Ctrl-C, or one while an app is still starting (its start cannot be interrupted),
    // leaves at once; the first one on a running hub closes every app in order.
    if (stopRequested || !hub) {
      say('stopped before a clean close');
      process.exit(130);
    }
    stopRequested = true;
    say('stopping…');
    void hub.close().then(resolveStopped);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    try {
      hub = await startHub(context.io.env, (app) => say(`${app.name} ready${app.url ? ` at ${app.url}` : ''}`));
    } catch (error) {
      throw startFailure(error);
    }
    say(`hub up: gateway at ${hub.url} (API docs at ${hub.url}/docs); Ctrl-C stops it`);
    if (options.demo) await demo(context, hub, () => stopRequested);
    await stopped;
    say('stopped');
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function demo(context: CliContext, hub: RunningHub, stopRequested: () => boolean): Promise<void> {
  try {
    const { runDemo } = await import('../demo/run-demo.js');
    const stateDir = resolve(context.io.cwd, hub.config.stateDir);
    const adminKey = hub.config.adminKey ?? (await readFile(join(stateDir, 'admin-key'), 'utf8')).trim();
    const admin = new GatewayClient({ baseUrl: hub.url, apiKey: adminKey, fetch: context.io.fetch });
    await runDemo(admin, context.io.stdout, { stateDir });
    if (!stopRequested()) {
      context.io.stdout.write(`caravan: demo loaded; the hub keeps running at ${hub.url}; Ctrl-C stops it\n`);
    }
  } catch (error) {
    // Ctrl-C during the demo closes the hub under it: that is a stop, not a demo failure.
    if (stopRequested()) return;
    await hub.close();
    throw error instanceof CliError ? new CliError(`demo: ${error.message}`) : error;
  }
}

// One line that names what to set (SPEC §11).
function startFailure(error: unknown): CliError {
  if (error instanceof ConfigError) return new CliError(error.message);
  if (error instanceof DatabaseUnavailableError) return new CliError(`${error.message} (set CARAVAN_DATABASE_URL)`);
  if (error instanceof NatsUnreachableError) return new CliError(error.message);
  if (error instanceof NatsAuthenticationError) return new CliError(`${error.message} (${NATS_LOGIN_HINT})`);
  const message = error instanceof Error ? error.message : String(error);
  if (/nats|4222|CONNECTION_REFUSED/i.test(message)) {
    return new CliError(`cannot reach NATS: ${message} (set CARAVAN_NATS_URL)`);
  }
  return new CliError(`cannot start the hub: ${message}`);
}
