// `caravan verify FILE [--key PEM]`: offline verification of an export (SPEC §4) with the auditor's
// verifier (@caravan/audit). Reads nothing but the file and the key: no gateway, no database, no
// NATS, no configuration.
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, UsageError } from '../cli-error.js';
import type { CliContext } from '../cli-context.js';

export function registerVerify(program: Command, context: CliContext): void {
  program
    .command('verify')
    .description('verify an export offline: the hash chain of every event and every checkpoint signature')
    .argument('<file>', 'an export written by caravan replay --out (events, checkpoints, public key)')
    .option('--key <pem>', 'the ledger public key as a PEM file (or PEM text); default: the key in the export')
    .addHelpText(
      'after',
      `
Prints one line: how many events and checkpoints verified, or the first position where the chain
breaks and why. Exit status 0 when everything verifies, 1 on a break. Needs no hub, database or NATS.

Get the key independently of the export with \`caravan keys ledger > ledger.pem\`, then:
  caravan verify export.ndjson --key ledger.pem`,
    )
    .action(async (file: string, options: { key?: string }) => {
      const path = context.path(file);
      await access(path).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
      });
      const publicKeyPem = options.key === undefined ? undefined : await readKey(context, options.key);
      // Loaded here so that the other commands do not pay for it.
      const { verifyExport, describeVerification } = await import('@caravan/audit');
      let result;
      try {
        result = await verifyExport(createReadStream(path), publicKeyPem === undefined ? {} : { publicKeyPem });
      } catch (error) {
        if (publicKeyPem !== undefined && !(error instanceof CliError)) {
          throw new UsageError(`--key ${options.key}: ${(error as Error).message}`);
        }
        throw error;
      }
      const line = describeVerification(result);
      if (!result.ok) throw new CliError(line);
      context.io.stdout.write(`${line}\n`);
    });
}

async function readKey(context: CliContext, value: string): Promise<string> {
  if (value.includes('-----BEGIN')) return value;
  try {
    return await readFile(context.path(value), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read key ${value}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
