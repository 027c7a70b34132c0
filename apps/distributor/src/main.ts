// `npm run start:distributor`: the distributor alone.
import { ConfigError, distributorConfig, ensureLocalSecrets, loadConfig, NATS_LOGIN_HINT } from '@caravan/config';
import { DatabaseUnavailableError } from '@caravan/database';
import { NatsAuthenticationError } from '@caravan/messaging';
import { startDistributor } from './distributor.app.js';
import { faultsFromEnv } from './fault-hook.js';

try {
  const config = await ensureLocalSecrets(loadConfig(process.env));
  const distributor = await startDistributor(distributorConfig(config), { faults: faultsFromEnv(process.env) });
  const stop = (): void => {
    void distributor.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`caravan distributor: ${error.message}`);
  } else if (error instanceof DatabaseUnavailableError) {
    console.error(`caravan distributor: ${error.message} (set CARAVAN_DATABASE_URL)`);
  } else if (error instanceof NatsAuthenticationError) {
    console.error(`caravan distributor: ${error.message} (${NATS_LOGIN_HINT})`);
  } else {
    console.error(`caravan distributor: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
