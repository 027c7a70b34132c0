// The `caravan` command tree (SPEC §10). Commands are thin: parse options, make one call through the
// gateway client (or the offline verifier), format the answer.
import { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { registerAsSeen } from './commands/as-seen.command.js';
import { registerFeed } from './commands/feed.command.js';
import { registerKeys } from './commands/keys.command.js';
import { registerPolicy } from './commands/policy.command.js';
import { registerPublish } from './commands/publish.command.js';
import { registerReplay } from './commands/replay.command.js';
import { registerRisk } from './commands/risk.command.js';
import { registerHub } from './commands/hub.command.js';
import { registerVerify } from './commands/verify.command.js';

const ENVIRONMENT = `
Environment:
  CARAVAN_URL        the gateway (default http://127.0.0.1:8080)
  CARAVAN_API_KEY    your agency's API key (cvn_…); the agency always comes from the key
  CARAVAN_ADMIN_KEY  a hub-admin key, for keys create/revoke and the demo
                     (default: the one a local hub keeps in .caravan/admin-key)
  caravan up also reads CARAVAN_DATABASE_URL, CARAVAN_NATS_URL, CARAVAN_HTTP_PORT, CARAVAN_LEDGER_KEY(_FILE),
  CARAVAN_PSEUDONYM_SECRET and CARAVAN_STATE_DIR.

Exit status: 0 success, 1 the operation failed, 2 usage error. Errors are one line on stderr.

Start here:
  caravan up --demo                                run the hub locally with demo data
  caravan keys create --agency TJ-DCA --roles publisher,recipient
  CARAVAN_API_KEY=cvn_… caravan publish seizure seizure.json
  caravan verify export.ndjson --key ledger.pem    check an export offline`;

/** Builds the command tree; `context` supplies the process surroundings. */
export function buildProgram(context: CliContext): Command {
  const program = new Command('caravan')
    .description(
      'Caravan: the regional intelligence-sharing hub for Central Asian border, customs and drug-control agencies',
    )
    .version('0.1.0', '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
      outputError: (text, write) => write(`caravan: ${text.replace(/^error: /, '')}`),
    })
    .addHelpText('after', ENVIRONMENT);
  registerHub(program, context);
  registerPublish(program, context);
  registerFeed(program, context);
  registerRisk(program, context);
  registerPolicy(program, context);
  registerKeys(program, context);
  registerReplay(program, context);
  registerVerify(program, context);
  registerAsSeen(program, context);
  return program;
}
