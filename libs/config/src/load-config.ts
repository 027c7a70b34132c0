// The one place that reads Caravan's environment (SPEC §11). Pure: it takes the environment as an
// argument, so tests pass a plain object; reading key files and generating secrets is
// ensureLocalSecrets' job.
import { createPrivateKey } from 'node:crypto';
import { isolatedTopology, PRODUCTION_TOPOLOGY, type Topology } from '@caravan/contracts';
import { ConfigError } from './config-error.js';
import { NatsCredentials } from './nats-credentials.js';

export const DEFAULTS = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/caravan',
  natsUrl: 'nats://127.0.0.1:4222',
  httpPort: 8080,
  stateDir: '.caravan',
} as const;

/** Where the ledger's Ed25519 private key comes from; `undefined` means generate one locally. */
export type LedgerKeySource =
  { readonly kind: 'pem'; readonly pem: string } | { readonly kind: 'file'; readonly path: string };

/**
 * Where the hub's NATS login comes from; `undefined` means none (a server without authorization).
 * A password file is read at start (ensureLocalSecrets), so the password need not sit in the
 * environment, where it is visible to every process of the same user and to crash reporters.
 */
export type NatsAuthSource =
  | { readonly kind: 'password'; readonly credentials: NatsCredentials }
  | { readonly kind: 'file'; readonly user: string; readonly path: string };

export interface CaravanConfig {
  readonly databaseUrl: string;
  /** One or more servers (comma-separated in the variable). */
  readonly natsServers: readonly string[];
  readonly natsAuth: NatsAuthSource | undefined;
  readonly httpPort: number;
  readonly pseudonymSecret: string | undefined;
  readonly ledgerKey: LedgerKeySource | undefined;
  readonly adminKey: string | undefined;
  readonly stateDir: string;
  /** Set only when CARAVAN_NAMESPACE is: a private subject and stream prefix for tests and benchmarks. */
  readonly namespace: string | undefined;
  readonly topology: Topology;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Shortest pseudonym secret accepted: HMAC keys shorter than this are guessable offline. */
export const MIN_PSEUDONYM_SECRET_LENGTH = 32;

export function loadConfig(env: Env): CaravanConfig {
  const ledgerKeyPem = read(env, 'CARAVAN_LEDGER_KEY');
  const ledgerKeyFile = read(env, 'CARAVAN_LEDGER_KEY_FILE');
  if (ledgerKeyPem !== undefined && ledgerKeyFile !== undefined) {
    throw new ConfigError('CARAVAN_LEDGER_KEY', 'and CARAVAN_LEDGER_KEY_FILE are both set: set only one');
  }
  const namespace = read(env, 'CARAVAN_NAMESPACE');
  if (namespace !== undefined && !/^[A-Za-z0-9]{1,32}$/.test(namespace)) {
    throw new ConfigError('CARAVAN_NAMESPACE', `must be 1 to 32 letters or digits (got "${namespace}")`);
  }
  return {
    databaseUrl: databaseUrl(read(env, 'CARAVAN_DATABASE_URL') ?? DEFAULTS.databaseUrl),
    natsServers: natsServers(read(env, 'CARAVAN_NATS_URL') ?? DEFAULTS.natsUrl),
    natsAuth: natsAuth(env),
    httpPort: httpPort(read(env, 'CARAVAN_HTTP_PORT')),
    pseudonymSecret: pseudonymSecret(read(env, 'CARAVAN_PSEUDONYM_SECRET')),
    ledgerKey:
      ledgerKeyPem !== undefined
        ? { kind: 'pem', pem: parseLedgerKey(ledgerKeyPem, 'CARAVAN_LEDGER_KEY') }
        : ledgerKeyFile !== undefined
          ? { kind: 'file', path: ledgerKeyFile }
          : undefined,
    adminKey: adminKey(read(env, 'CARAVAN_ADMIN_KEY')),
    stateDir: read(env, 'CARAVAN_STATE_DIR') ?? DEFAULTS.stateDir,
    namespace,
    topology: namespace === undefined ? PRODUCTION_TOPOLOGY : isolatedTopology(namespace),
  };
}

/**
 * Checks that `text` is an Ed25519 private key in PEM and returns it normalised. Accepts `\n`
 * written literally, as PEM pasted into one-line environment files usually is.
 */
export function parseLedgerKey(text: string, variable: string): string {
  const pem = text.includes('\\n') ? text.replace(/\\n/g, '\n') : text;
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    throw new ConfigError(variable, 'is not a PEM private key');
  }
  if (type !== 'ed25519') throw new ConfigError(variable, `must be an Ed25519 private key (got ${type ?? 'unknown'})`);
  return pem.trim() + '\n';
}

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function databaseUrl(value: string): string {
  const url = tryUrl(value);
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || !url.hostname) {
    throw new ConfigError(
      'CARAVAN_DATABASE_URL',
      `must be a postgres://user@host:port/database URL (got "${redact(value)}")`,
    );
  }
  if (url.pathname.length <= 1) throw new ConfigError('CARAVAN_DATABASE_URL', 'must name a database (…:5432/caravan)');
  return value;
}

function natsServers(value: string): string[] {
  const servers = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const server of servers) {
    const url = tryUrl(server);
    if (!url || !['nats:', 'tls:', 'ws:', 'wss:'].includes(url.protocol) || !url.hostname) {
      throw new ConfigError(
        'CARAVAN_NATS_URL',
        `must be nats://host:port, comma-separated for several (got "${redact(server)}")`,
      );
    }
    // nats.js 3 ignores `user:pass@` in a server URL: accepting it would connect anonymously.
    if (url.username || url.password) {
      throw new ConfigError(
        'CARAVAN_NATS_URL',
        'must not carry credentials (the NATS client ignores them): set CARAVAN_NATS_USER and CARAVAN_NATS_PASSWORD',
      );
    }
  }
  return servers;
}

function natsAuth(env: Env): NatsAuthSource | undefined {
  const user = read(env, 'CARAVAN_NATS_USER');
  const password = read(env, 'CARAVAN_NATS_PASSWORD');
  const passwordFile = read(env, 'CARAVAN_NATS_PASSWORD_FILE');
  if (password !== undefined && passwordFile !== undefined) {
    throw new ConfigError('CARAVAN_NATS_PASSWORD', 'and CARAVAN_NATS_PASSWORD_FILE are both set: set only one');
  }
  if (user === undefined) {
    if (password === undefined && passwordFile === undefined) return undefined;
    throw new ConfigError(
      'CARAVAN_NATS_USER',
      `is unset: ${password !== undefined ? 'CARAVAN_NATS_PASSWORD' : 'CARAVAN_NATS_PASSWORD_FILE'} needs the user it belongs to (caravan-hub in deploy/nats)`,
    );
  }
  if (!/^[^\s\p{Cc}"'\\]{1,128}$/u.test(user)) {
    throw new ConfigError('CARAVAN_NATS_USER', 'must be a user name of 1 to 128 characters without spaces or quotes');
  }
  if (passwordFile !== undefined) return { kind: 'file', user, path: passwordFile };
  if (password === undefined) {
    throw new ConfigError(
      'CARAVAN_NATS_PASSWORD',
      'is unset: CARAVAN_NATS_USER needs it, or CARAVAN_NATS_PASSWORD_FILE',
    );
  }
  return { kind: 'password', credentials: natsCredentials(user, password, 'CARAVAN_NATS_PASSWORD') };
}

/** The hub's NATS login, checked; the password is never part of an error message. */
export function natsCredentials(user: string, password: string, variable: string): NatsCredentials {
  if (password === '') throw new ConfigError(variable, 'is empty');
  if (/\p{Cc}/u.test(password)) throw new ConfigError(variable, 'must not contain control characters (a newline?)');
  return new NatsCredentials(user, password);
}

function httpPort(value: string | undefined): number {
  if (value === undefined) return DEFAULTS.httpPort;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ConfigError('CARAVAN_HTTP_PORT', `must be a port number 0..65535 (got "${value}")`);
  }
  return port;
}

function pseudonymSecret(value: string | undefined): string | undefined {
  if (value !== undefined && value.length < MIN_PSEUDONYM_SECRET_LENGTH) {
    throw new ConfigError('CARAVAN_PSEUDONYM_SECRET', `must be at least ${MIN_PSEUDONYM_SECRET_LENGTH} characters`);
  }
  return value;
}

function adminKey(value: string | undefined): string | undefined {
  if (value !== undefined && !/^cvn_[A-Za-z0-9_-]{24,}$/.test(value)) {
    throw new ConfigError('CARAVAN_ADMIN_KEY', 'must look like cvn_ followed by at least 24 letters, digits, _ or -');
  }
  return value;
}

function tryUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

// Error lines end up in logs: never echo a password.
function redact(value: string): string {
  return value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
