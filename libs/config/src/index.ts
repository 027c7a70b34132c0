// @caravan/config: one typed, validated configuration per app from the environment (SPEC §11).
/** A configuration problem whose message names the variable to set. */
export { ConfigError } from './config-error.js';
/** The whole configuration, the environment it is read from, and where the ledger key and NATS login come from. */
export type { CaravanConfig, Env, LedgerKeySource, NatsAuthSource } from './load-config.js';
/** The hub's NATS user and password; printing or serialising it never shows the password. */
export { NatsCredentials } from './nats-credentials.js';
/** The variables a refused NATS login names (`set CARAVAN_NATS_USER and …`). */
export { NATS_LOGIN_HINT } from './nats-credentials.js';
/** Reads and validates the environment (pure); defaults are those of a local machine. */
export { loadConfig, parseLedgerKey, DEFAULTS, MIN_PSEUDONYM_SECRET_LENGTH } from './load-config.js';
/** A configuration with its secrets resolved. */
export type { ResolvedConfig } from './local-secrets.js';
/** Generates the ledger key and pseudonym secret on first local start, reuses them afterwards. */
export { ensureLocalSecrets, generateLedgerKeyPem, LEDGER_KEY_FILE, PSEUDONYM_SECRET_FILE } from './local-secrets.js';
/** Per-app configurations. */
export type {
  ServiceConnections,
  LedgerAppConfig,
  DistributorAppConfig,
  AggregatorAppConfig,
  AuditorAppConfig,
  GatewayAppConfig,
} from './app-configs.js';
/** Per-app selectors, and the ledger's public key as SPKI PEM. */
export {
  ledgerConfig,
  distributorConfig,
  aggregatorConfig,
  auditorConfig,
  gatewayConfig,
  ledgerPublicKeyPem,
} from './app-configs.js';
