// `caravan keys create|revoke|ledger`: API keys (hub-admin) and the ledger's public key (anyone).
import { ROLES } from '@caravan/contracts';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { commaList } from '../input.js';

interface LedgerKey {
  readonly pem?: string;
  readonly hex?: string;
}

export function registerKeys(program: Command, context: CliContext): void {
  const keys = program
    .command('keys')
    .description('create or revoke API keys (hub-admin), or print the ledger public key');

  keys
    .command('create')
    .description('create an API key for an agency; the key is printed once and never shown again')
    .requiredOption('--agency <code>', 'the agency the key acts as, e.g. TJ-DCA')
    .requiredOption('--roles <roles>', `comma-separated roles: ${ROLES.join(', ')}`, roleList)
    .option('--json', 'print {keyId, key} as JSON')
    .addHelpText(
      'after',
      `
Acts with CARAVAN_ADMIN_KEY, else the admin key a local hub keeps in .caravan/admin-key, else CARAVAN_API_KEY.

Example:
  caravan keys create --agency TJ-DCA --roles publisher,recipient,admin`,
    )
    .action(async (options: { agency: string; roles: string[]; json?: boolean }) => {
      const answer = await context
        .client('admin')
        .post<{ keyId: string; key: string }>('/v1/keys', { agency: options.agency, roles: options.roles });
      context.io.stdout.write(
        options.json
          ? `${JSON.stringify(answer)}\n`
          : `key ${answer.keyId} for ${options.agency} (${options.roles.join(',')}):\n${answer.key}\n`,
      );
    });

  keys
    .command('revoke')
    .description('revoke an API key by its id; it stops working at once')
    .argument('<keyId>', 'the keyId printed by keys create')
    .action(async (keyId: string) => {
      await context.client('admin').delete<unknown>(`/v1/keys/${encodeURIComponent(keyId)}`);
      context.io.stdout.write(`key ${keyId} revoked\n`);
    });

  keys
    .command('ledger')
    .description('print the ledger public key (PEM), to verify exports and checkpoints with')
    .option('--hex', 'print the raw 32-byte key in hex instead')
    .action(async (options: { hex?: boolean }) => {
      const body = await context.client('none').get<LedgerKey>('/v1/audit/keys');
      const text = options.hex ? body.hex : body.pem;
      if (!text) throw new Error('the gateway answered without a ledger key');
      context.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });
}

function roleList(value: string): string[] {
  const roles = commaList(value);
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0)
    throw new InvalidArgumentError(`unknown role ${unknown.join(', ')} (roles: ${ROLES.join(', ')})`);
  return roles;
}
