// `npm run start:aggregator`: the aggregator alone.
import { aggregatorConfig, ConfigError, ensureLocalSecrets, loadConfig, NATS_LOGIN_HINT } from '@caravan/config';
import { DatabaseUnavailableError } from '@caravan/database';
import { NatsAuthenticationError } from '@caravan/messaging';
import { startAggregator } from './aggregator.app.js';

try {
  const config = await ensureLocalSecrets(loadConfig(process.env));
  const aggregator = await startAggregator(aggregatorConfig(config));
  const stop = (): void => {
    void aggregator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`caravan aggregator: ${error.message}`);
  } else if (error instanceof DatabaseUnavailableError) {
    console.error(`caravan aggregator: ${error.message} (set CARAVAN_DATABASE_URL)`);
  } else if (error instanceof NatsAuthenticationError) {
    console.error(`caravan aggregator: ${error.message} (${NATS_LOGIN_HINT})`);
  } else {
    console.error(`caravan aggregator: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
