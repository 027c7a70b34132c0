// `caravan policy get|set|preview AGENCY [FILE]`: an agency administrator's outbound sharing policy (SPEC §5).
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../cli-context.js';
import { nonNegativeInteger, readJsonObject } from '../input.js';
import { cellText } from '../format/risk-views.js';

export function registerPolicy(program: Command, context: CliContext): void {
  const policy = program
    .command('policy')
    .description("read, replace or try out an agency's outbound sharing policy (admin role of that agency)");

  policy
    .command('get')
    .description('print the current policy and its version')
    .argument('<agency>', 'agency code, e.g. TJ-DCA')
    .action(async (agency: string) => {
      const body = await context.client('agency').get<unknown>(`/v1/policies/${encodeURIComponent(agency)}`);
      context.io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    });

  policy
    .command('set')
    .description('replace the policy with the one in FILE ({"rules": [...]}); applies to events recorded after it')
    .argument('<agency>', 'agency code, e.g. TJ-DCA')
    .argument('<file>', 'policy JSON (SPEC §5), - reads stdin')
    .option('--if-match <version>', 'refuse (412) unless the current policy version is this one', nonNegativeInteger)
    .action(async (agency: string, file: string, options: { ifMatch?: number }) => {
      const document = await readJsonObject(context, file);
      if (!Array.isArray(document.rules)) throw new UsageError(`${file} must hold {"rules": [...]}`);
      const body = { commandId: randomUUID(), ...document };
      const headers = options.ifMatch === undefined ? undefined : { 'if-match': String(options.ifMatch) };
      const answer = await context
        .client('agency')
        .put<Record<string, unknown>>(`/v1/policies/${encodeURIComponent(agency)}`, body, { headers });
      const version = answer?.version ?? answer?.streamVersion;
      context.io.stdout.write(
        `policy of ${agency} set${version === undefined ? '' : `: version ${cellText(version)}`}\n`,
      );
    });

  policy
    .command('preview')
    .description('show what each agency would receive of a sample event under a draft policy')
    .argument('<agency>', 'agency code, e.g. TJ-DCA')
    .argument('<file>', 'JSON with the draft policy and a sample event, - reads stdin')
    .addHelpText(
      'after',
      `
FILE holds {"rules": [...], "sample": {"type": "seizure.reported", "payload": {...}}}: nothing is
recorded, the answer lists each recipient and the fields it would get.`,
    )
    .action(async (agency: string, file: string) => {
      const document = await readJsonObject(context, file);
      const body = await context
        .client('agency')
        .post<unknown>(`/v1/policies/${encodeURIComponent(agency)}/preview`, document);
      context.io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    });
}
