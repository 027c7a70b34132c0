import type { DatabaseSchema } from '@caravan/database';
import { CreateRiskViews1764000000600 } from './migrations/create-risk-views.migration.js';
import { SlimRiskRows1764000000610 } from './migrations/slim-risk-rows.migration.js';

/** The risk views' tables, for openDatabase({ schemas: [riskViewsSchema, …] }). */
export const riskViewsSchema: DatabaseSchema = {
  name: 'risk-views',
  migrations: [CreateRiskViews1764000000600, SlimRiskRows1764000000610],
};
