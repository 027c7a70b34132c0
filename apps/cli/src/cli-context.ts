// What every command gets: the process surroundings and a gateway client built from the environment
// (CARAVAN_URL, CARAVAN_API_KEY; CARAVAN_ADMIN_KEY or the state dir's admin key for hub-admin work).
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UsageError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { DEFAULT_GATEWAY_URL, GatewayClient } from './http/gateway-client.js';

/** Which credential a command acts with. */
export type KeyKind = 'agency' | 'admin' | 'none';

/** The file the gateway keeps a generated first hub-admin key in (SPEC §2). */
export const ADMIN_KEY_FILE = 'admin-key';

export interface CliContext {
  readonly io: CliIo;
  /** A client for CARAVAN_URL acting with the credential `kind` names; throws a usage error if unset. */
  client(kind?: KeyKind): GatewayClient;
  /** Resolves a path given on the command line against the working directory. */
  path(file: string): string;
}

export function createContext(io: CliIo): CliContext {
  const path = (file: string) => (isAbsolute(file) ? file : join(io.cwd, file));
  return {
    io,
    path,
    client(kind: KeyKind = 'agency') {
      const baseUrl = gatewayUrl(io.env);
      const apiKey = kind === 'none' ? undefined : kind === 'admin' ? adminKey(io.env, path) : agencyKey(io.env);
      return new GatewayClient({ baseUrl, apiKey, fetch: io.fetch });
    },
  };
}

/** CARAVAN_URL, checked, or the local default. */
export function gatewayUrl(env: CliIo['env']): string {
  const value = env.CARAVAN_URL?.trim() || DEFAULT_GATEWAY_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`CARAVAN_URL must be an http(s) URL such as ${DEFAULT_GATEWAY_URL} (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`CARAVAN_URL must be an http(s) URL such as ${DEFAULT_GATEWAY_URL} (got "${value}")`);
  }
  return value;
}

function agencyKey(env: CliIo['env']): string {
  const key = env.CARAVAN_API_KEY?.trim();
  if (!key) throw new UsageError('CARAVAN_API_KEY is not set: set it to your agency API key (cvn_…)');
  return key;
}

// A hub-admin key: the configured one, else the one a local hub generated into its state dir, else
// whatever CARAVAN_API_KEY holds (an operator may keep the admin key there).
function adminKey(env: CliIo['env'], path: (file: string) => string): string {
  const configured = env.CARAVAN_ADMIN_KEY?.trim();
  if (configured) return configured;
  const stored = readStateKey(path(join(env.CARAVAN_STATE_DIR?.trim() || '.caravan', ADMIN_KEY_FILE)));
  if (stored) return stored;
  const apiKey = env.CARAVAN_API_KEY?.trim();
  if (apiKey) return apiKey;
  throw new UsageError(
    'no hub-admin key: set CARAVAN_ADMIN_KEY (a local hub keeps a generated one in .caravan/admin-key)',
  );
}

function readStateKey(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
