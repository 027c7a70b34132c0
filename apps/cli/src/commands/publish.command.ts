// `caravan publish seizure|alert FILE|-`: report seizures or issue alerts as the key's agency.
import { randomUUID } from 'node:crypto';
import { Argument, type Command } from 'commander';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../cli-context.js';
import { parseJsonDocuments, readInput } from '../input.js';
import { cellText } from '../format/risk-views.js';

const PATHS = { seizure: '/v1/seizures', alert: '/v1/alerts' } as const;
const ID_FIELD = { seizure: 'seizureId', alert: 'alertId' } as const;

interface Accepted {
  readonly eventId: string;
  readonly position: number;
  readonly streamVersion: number;
}

export function registerPublish(program: Command, context: CliContext): void {
  program
    .command('publish')
    .description('publish a seizure report or a threat alert as the agency of CARAVAN_API_KEY')
    .addArgument(new Argument('<kind>', 'what FILE holds').choices(['seizure', 'alert']))
    .argument('<file>', 'a JSON payload (SPEC §3.1 / §3.4), an array or NDJSON of several; - reads stdin')
    .option('--json', 'print each answer as a JSON line')
    .addHelpText(
      'after',
      `
A commandId (the idempotency key) is added to each body that has none; publishing the same body
with the same commandId again returns the first answer. The agency comes from the key, never the body.

Example:
  CARAVAN_API_KEY=cvn_… caravan publish seizure seizure.json`,
    )
    .action(async (kind: 'seizure' | 'alert', file: string, options: { json?: boolean }) => {
      const source = file === '-' ? 'standard input' : file;
      const bodies = parseJsonDocuments(await readInput(context, file), source);
      bodies.forEach((body, index) => {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new UsageError(`${source}: document ${index + 1} is not a JSON object`);
        }
      });
      const client = context.client('agency');
      for (const body of bodies as Record<string, unknown>[]) {
        const withId = { commandId: randomUUID(), ...body };
        const answer = await client.json<Accepted>('POST', PATHS[kind], { body: withId });
        const id = cellText(body[ID_FIELD[kind]]);
        const replayed = answer.status === 200;
        context.io.stdout.write(
          options.json
            ? `${JSON.stringify({ [ID_FIELD[kind]]: id, ...answer.body, replayed })}\n`
            : `${kind} ${id} recorded as event ${answer.body.eventId} at position ${answer.body.position}` +
                ` (stream version ${answer.body.streamVersion})${replayed ? ', replayed: already recorded' : ''}\n`,
        );
      }
    });
}
