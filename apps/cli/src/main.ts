// Entry point of the `caravan` command (bin/caravan.js imports this file from dist/).
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const code = await runCli(process.argv.slice(2), processIo());
// Exit once stdout has drained: idle keep-alive sockets must not hold a finished command open,
// and a pipe must still get every line written before.
process.stdout.write('', () => process.exit(code));
