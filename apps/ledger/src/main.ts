// `npm run start:ledger`: the ledger alone.
import { ConfigError, ensureLocalSecrets, ledgerConfig, loadConfig, NATS_LOGIN_HINT } from '@caravan/config';
import { DatabaseUnavailableError } from '@caravan/database';
import { NatsAuthenticationError } from '@caravan/messaging';
import { faultTuningFromEnv } from './ledger.config.js';
import { startLedger } from './ledger.app.js';

try {
  const config = await ensureLocalSecrets(loadConfig(process.env));
  // TEST ONLY: fault injection from the environment (see faultTuningFromEnv); empty in a deployment.
  const ledger = await startLedger({ ...ledgerConfig(config), tuning: faultTuningFromEnv(process.env) });
  const stop = (): void => {
    void ledger.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`caravan ledger: ${error.message}`);
  } else if (error instanceof DatabaseUnavailableError) {
    console.error(`caravan ledger: ${error.message} (set CARAVAN_DATABASE_URL)`);
  } else if (error instanceof NatsAuthenticationError) {
    console.error(`caravan ledger: ${error.message} (${NATS_LOGIN_HINT})`);
  } else {
    console.error(`caravan ledger: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
