// `caravan up [--demo]` and `caravan demo`. Both load their heavy modules (Nest, TypeORM, NATS) only
// when run, so the other commands, `verify` above all, start fast and need no service configuration.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { CliContext } from '../cli-context.js';
import { positiveInteger } from '../input.js';

export function registerHub(program: Command, context: CliContext): void {
  program
    .command('up')
    .description("run every service of the hub in one process (the hub's main job); Ctrl-C stops it cleanly")
    .option('--demo', 'then seed the demo directory and scenario and print the regional summary')
    .addHelpText(
      'after',
      `
Creates the database, tables and streams if missing; with no CARAVAN_LEDGER_KEY(_FILE),
CARAVAN_PSEUDONYM_SECRET or CARAVAN_ADMIN_KEY, generates them into .caravan/ on the first start.
Reads CARAVAN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/caravan),
CARAVAN_NATS_URL (default nats://127.0.0.1:4222) and CARAVAN_HTTP_PORT (default 8080); against a
NATS server with users (deploy/nats), CARAVAN_NATS_USER and CARAVAN_NATS_PASSWORD or
CARAVAN_NATS_PASSWORD_FILE.`,
    )
    .action(async (options: { demo?: boolean }) => {
      const { runUp } = await import('../hub/run-up.js');
      await runUp(context, { demo: options.demo === true });
    });

  program
    .command('demo')
    .description('seed the demo directory, keys, policies and scenario into a running hub; print the regional summary')
    .option('--seed <n>', 'another scenario (default: the standard one)', positiveInteger)
    .addHelpText(
      'after',
      `
Talks to the gateway at CARAVAN_URL as hub-admin (CARAVAN_ADMIN_KEY, or the key a local hub keeps in
.caravan/admin-key). Prints an API key per demo agency and saves them in .caravan/demo-keys.json.
Running it again on the same hub publishes nothing twice.`,
    )
    .action(async (options: { seed?: number }) => {
      const { runDemo } = await import('../demo/run-demo.js');
      const stateDir = context.path(context.io.env.CARAVAN_STATE_DIR?.trim() || '.caravan');
      try {
        await runDemo(context.client('admin'), context.io.stdout, { seed: options.seed, stateDir });
      } catch (error) {
        if (error instanceof CliError) throw new CliError(`demo: ${error.message}`, error.exitCode);
        throw error;
      }
    });
}
