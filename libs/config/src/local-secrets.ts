// First local start: with no ledger key or pseudonym secret configured, generate them into the
// state directory and reuse them on every later start (SPEC §11). Production sets both explicitly.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { MIN_PSEUDONYM_SECRET_LENGTH, natsCredentials, parseLedgerKey, type CaravanConfig } from './load-config.js';
import type { NatsCredentials } from './nats-credentials.js';

export const LEDGER_KEY_FILE = 'ledger-key.pem';
export const PSEUDONYM_SECRET_FILE = 'pseudonym-secret';

/** A configuration whose secrets are known: what the apps run with. */
export interface ResolvedConfig extends CaravanConfig {
  /** The ledger's Ed25519 private key, PKCS#8 PEM. */
  readonly ledgerKeyPem: string;
  readonly pseudonymSecret: string;
  /** The hub's NATS login, when CARAVAN_NATS_USER is set. */
  readonly natsCredentials: NatsCredentials | undefined;
  /** Files this call created, so the caller can say so once in its start-up log. */
  readonly generated: readonly string[];
}

export async function ensureLocalSecrets(config: CaravanConfig): Promise<ResolvedConfig> {
  const dir = resolve(config.stateDir);
  const generated: string[] = [];

  let ledgerKeyPem: string;
  if (config.ledgerKey?.kind === 'pem') {
    ledgerKeyPem = config.ledgerKey.pem;
  } else if (config.ledgerKey?.kind === 'file') {
    const text = await readFile(config.ledgerKey.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError('CARAVAN_LEDGER_KEY_FILE', `cannot be read (${error.code ?? error.message})`);
    });
    ledgerKeyPem = parseLedgerKey(text, 'CARAVAN_LEDGER_KEY_FILE');
  } else {
    const path = join(dir, LEDGER_KEY_FILE);
    const text = await readOrCreate(dir, path, generateLedgerKeyPem, generated);
    ledgerKeyPem = parseLedgerKey(text, 'CARAVAN_LEDGER_KEY');
  }

  let pseudonymSecret = config.pseudonymSecret;
  if (pseudonymSecret === undefined) {
    const path = join(dir, PSEUDONYM_SECRET_FILE);
    pseudonymSecret = (await readOrCreate(dir, path, () => randomBytes(32).toString('base64url'), generated)).trim();
    if (pseudonymSecret.length < MIN_PSEUDONYM_SECRET_LENGTH) {
      throw new ConfigError('CARAVAN_PSEUDONYM_SECRET', `is unset and ${path} holds a secret that is too short`);
    }
  }

  let credentials: NatsCredentials | undefined;
  if (config.natsAuth?.kind === 'password') {
    credentials = config.natsAuth.credentials;
  } else if (config.natsAuth?.kind === 'file') {
    const text = await readFile(config.natsAuth.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError('CARAVAN_NATS_PASSWORD_FILE', `cannot be read (${error.code ?? error.message})`);
    });
    // Trimmed like every variable: a file written by `echo` ends with a newline.
    credentials = natsCredentials(config.natsAuth.user, text.trim(), 'CARAVAN_NATS_PASSWORD_FILE');
  }

  return { ...config, ledgerKeyPem, pseudonymSecret, natsCredentials: credentials, generated };
}

/** A fresh Ed25519 private key as PKCS#8 PEM. */
export function generateLedgerKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

// Several apps may start at once against the same state directory: the secret is written to a
// private temporary file and linked into place, which fails if another process got there first, so
// every process ends up with the same, complete file.
async function readOrCreate(dir: string, path: string, make: () => string, generated: string[]): Promise<string> {
  const existing = await readIfExists(path);
  if (existing !== undefined) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, make(), { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
    generated.push(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp);
  }
  return readFile(path, 'utf8');
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
