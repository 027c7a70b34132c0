// `caravan as-seen`: what a recipient had been shown of an event by a given time, rebuilt from the
// ledger, and whether it matches the recorded disclosure digest (SPEC §9). Auditor role.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { CliContext } from '../cli-context.js';
import { rfc3339 } from '../input.js';

export function registerAsSeen(program: Command, context: CliContext): void {
  program
    .command('as-seen')
    .description('rebuild what an agency was shown of an event, and check it against the disclosure record (auditor)')
    .requiredOption('--recipient <agency>', 'the recipient agency, e.g. KZ-BS')
    .requiredOption('--event <eventId>', 'the event id')
    .option('--at <time>', 'as of this RFC 3339 time (default: now)', rfc3339)
    .addHelpText('after', '\nExit status 1 when a rebuilt copy does not match its recorded digest.')
    .action(async (options: { recipient: string; event: string; at?: string }) => {
      const body = await context.client('agency').get<unknown>('/v1/audit/as-seen', {
        query: { recipient: options.recipient, eventId: options.event, at: options.at },
      });
      context.io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      if (hasMismatch(body)) throw new CliError('a rebuilt copy does not match its recorded disclosure digest');
    });
}

/** True when the answer says, anywhere, that a rebuilt copy does not match its digest. */
export function hasMismatch(body: unknown): boolean {
  if (Array.isArray(body)) return body.some(hasMismatch);
  if (typeof body !== 'object' || body === null) return false;
  const record = body as Record<string, unknown>;
  if (record.matches === false || record.digestMatches === false || record.match === false) return true;
  return Object.values(record).some((value) => typeof value === 'object' && hasMismatch(value));
}
