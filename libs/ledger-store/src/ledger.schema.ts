import type { DatabaseSchema } from '@caravan/database';
import { CreateLedger1764000000000 } from './migrations/create-ledger.migration.js';

/** The ledger's tables, for openDatabase({ schemas: [ledgerSchema, …] }). */
export const ledgerSchema: DatabaseSchema = {
  name: 'ledger',
  migrations: [CreateLedger1764000000000],
};
