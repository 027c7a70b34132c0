// `npm run start:auditor`: the auditor alone.
import { auditorConfig, ConfigError, ensureLocalSecrets, loadConfig } from '@caravan/config';
import { DatabaseUnavailableError } from '@caravan/database';
import { startAuditor } from './auditor.app.js';

try {
  const config = await ensureLocalSecrets(loadConfig(process.env));
  const auditor = await startAuditor(auditorConfig(config));
  const stop = (): void => {
    void auditor.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`caravan auditor: ${error.message}`);
  } else if (error instanceof DatabaseUnavailableError) {
    console.error(`caravan auditor: ${error.message} (set CARAVAN_DATABASE_URL)`);
  } else {
    console.error(`caravan auditor: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
