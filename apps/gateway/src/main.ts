// `npm run start:gateway`: the gateway alone.
import { ConfigError, ensureLocalSecrets, gatewayConfig, loadConfig, NATS_LOGIN_HINT } from '@caravan/config';
import { DatabaseUnavailableError } from '@caravan/database';
import { NatsAuthenticationError } from '@caravan/messaging';
import { startGateway } from './gateway.app.js';

try {
  const config = await ensureLocalSecrets(loadConfig(process.env));
  const gateway = await startGateway(gatewayConfig(config));
  const stop = (): void => {
    void gateway.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`caravan gateway: ${error.message}`);
  } else if (error instanceof DatabaseUnavailableError) {
    console.error(`caravan gateway: ${error.message} (set CARAVAN_DATABASE_URL)`);
  } else if (error instanceof NatsAuthenticationError) {
    console.error(`caravan gateway: ${error.message} (${NATS_LOGIN_HINT})`);
  } else {
    console.error(`caravan gateway: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
