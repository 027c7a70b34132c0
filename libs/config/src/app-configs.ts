// What each app needs, and nothing more: an app is handed only the secrets it uses.
import { createPublicKey } from 'node:crypto';
import type { Topology } from '@caravan/contracts';
import type { ResolvedConfig } from './local-secrets.js';
import type { NatsCredentials } from './nats-credentials.js';

export interface ServiceConnections {
  readonly databaseUrl: string;
  readonly natsServers: readonly string[];
  /** The hub's NATS login; absent for a server without authorization. */
  readonly natsCredentials?: NatsCredentials;
  readonly topology: Topology;
}

export interface LedgerAppConfig extends ServiceConnections {
  /** Signs checkpoints (SPEC §4). */
  readonly ledgerKeyPem: string;
}

export interface DistributorAppConfig extends ServiceConnections {
  /** Keys the pseudonyms of SPEC §5. */
  readonly pseudonymSecret: string;
}

export type AggregatorAppConfig = ServiceConnections;

export interface AuditorAppConfig extends ServiceConnections {
  /** Verifies checkpoints. */
  readonly ledgerPublicKeyPem: string;
  /** Rebuilds redacted copies for as-seen. */
  readonly pseudonymSecret: string;
}

export interface GatewayAppConfig extends ServiceConnections {
  readonly httpPort: number;
  /** The first hub-admin key; when unset the gateway generates one into `stateDir` and prints it once. */
  readonly adminKey: string | undefined;
  readonly stateDir: string;
  /** Served at GET /v1/audit/keys. */
  readonly ledgerPublicKeyPem: string;
  /** Hit/no-hit queries compare pseudonymised identifiers. */
  readonly pseudonymSecret: string;
}

export function ledgerConfig(config: ResolvedConfig): LedgerAppConfig {
  return { ...connections(config), ledgerKeyPem: config.ledgerKeyPem };
}

export function distributorConfig(config: ResolvedConfig): DistributorAppConfig {
  return { ...connections(config), pseudonymSecret: config.pseudonymSecret };
}

export function aggregatorConfig(config: ResolvedConfig): AggregatorAppConfig {
  return connections(config);
}

export function auditorConfig(config: ResolvedConfig): AuditorAppConfig {
  // The auditor reads only PostgreSQL: it is not handed the NATS password.
  const { natsCredentials: _unused, ...rest } = connections(config);
  return {
    ...rest,
    ledgerPublicKeyPem: ledgerPublicKeyPem(config.ledgerKeyPem),
    pseudonymSecret: config.pseudonymSecret,
  };
}

export function gatewayConfig(config: ResolvedConfig): GatewayAppConfig {
  return {
    ...connections(config),
    httpPort: config.httpPort,
    adminKey: config.adminKey,
    stateDir: config.stateDir,
    ledgerPublicKeyPem: ledgerPublicKeyPem(config.ledgerKeyPem),
    pseudonymSecret: config.pseudonymSecret,
  };
}

/** The SPKI PEM public half of the ledger's private key. */
export function ledgerPublicKeyPem(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}

function connections(config: ResolvedConfig): ServiceConnections {
  return {
    databaseUrl: config.databaseUrl,
    natsServers: config.natsServers,
    ...(config.natsCredentials ? { natsCredentials: config.natsCredentials } : {}),
    topology: config.topology,
  };
}
