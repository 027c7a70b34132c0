import type { DatabaseSchema } from '@caravan/database';
import { CreateSharing1764000000300 } from './migrations/create-sharing.migration.js';
import { DeliveriesCopyJson1764000000310 } from './migrations/deliveries-copy-json.migration.js';

/** The deliveries (disclosure record and feeds) and the distributor's checkpoint. */
export const sharingSchema: DatabaseSchema = {
  name: 'sharing',
  migrations: [CreateSharing1764000000300, DeliveriesCopyJson1764000000310],
};
