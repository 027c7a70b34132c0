import type { DatabaseSchema } from '@caravan/database';
import { CreateDirectory1764000000100 } from './migrations/create-directory.migration.js';

/** Tables of the agency directory: pass to `openDatabase` in every app that reads or writes it. */
export const directorySchema: DatabaseSchema = {
  name: 'directory',
  migrations: [CreateDirectory1764000000100],
};
