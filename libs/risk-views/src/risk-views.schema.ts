import type { DatabaseSchema } from '@caravan/database';
import { CreateRiskViews1764000000600 } from './migrations/create-risk-views.migration.js';
import { SlimRiskRows1764000000610 } from './migrations/slim-risk-rows.migration.js';
import { AggregatorLeadership1764000000620 } from './migrations/aggregator-leadership.migration.js';
import { ByteOrderKeys1764000000630 } from './migrations/byte-order-keys.migration.js';

/** The risk views' tables, for openDatabase({ schemas: [riskViewsSchema, …] }). */
export const riskViewsSchema: DatabaseSchema = {
  name: 'risk-views',
  migrations: [
    CreateRiskViews1764000000600,
    SlimRiskRows1764000000610,
    AggregatorLeadership1764000000620,
    ByteOrderKeys1764000000630,
  ],
};
