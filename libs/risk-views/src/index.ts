// @caravan/risk-views: the regional centre's risk views (SPEC §8) in PostgreSQL: the aggregator's
// exactly-once writes, the rebuild from the ledger, and the protected reads the gateway serves.
/** The views' tables, for openDatabase({ schemas }). */
export { riskViewsSchema } from './risk-views.schema.js';
/** The migration that creates them. */
export { CreateRiskViews1764000000600 } from './migrations/create-risk-views.migration.js';
/** The migration that makes their rows json and drops the payload from seizure records. */
export { SlimRiskRows1764000000610 } from './migrations/slim-risk-rows.migration.js';
/** The migration that adds the aggregator's leader epoch to its checkpoint. */
export { AggregatorLeadership1764000000620 } from './migrations/aggregator-leadership.migration.js';
/** The migration that gives the views' keys and filter columns byte order (COLLATE "C"). */
export { ByteOrderKeys1764000000630 } from './migrations/byte-order-keys.migration.js';
/** What one batch did, where the views stand, a new lead's term, and the filter of a contributions read. */
export type { BatchResult, Checkpoint, LeaderTerm, ContributionFilter } from './risk-view-store.js';
/** Batched exactly-once writes of shared copies, with checkpoint, and the raw reads of the views. */
export { RiskViewStore, AGGREGATOR_CHECKPOINT, readContributions, readAlerts } from './risk-view-store.js';
/** Refusal of a batch from an aggregator instance that no longer holds the lead. */
export { FencedOffError } from './risk-view-store.js';
/** Options and outcome of a rebuild. */
export type { RebuildOptions, RebuildResult } from './rebuild-views.js';
/** Drops the views and folds them again from the ledger through the centre's redaction. */
export { rebuildViews } from './rebuild-views.js';
/** A view's filters and page. */
export type { ViewQuery } from './view-query.js';
/** Parses a view's query string (400 field errors on anything unknown or malformed). */
export { parseViewQuery, VIEW_PAGE } from './view-query.js';
/** Protected view answers. */
export type {
  Page,
  Suppressed,
  Shown,
  CrossingItem,
  MarginItem,
  RiskItem,
  CrossingsAnswer,
  RouteItem,
  RoutesAnswer,
  TrendItem,
  TrendsAnswer,
  ActiveAlertItem,
} from './protected-views.js';
/** The views as a viewer may see them: filtered, small-cell protected, paged. */
export {
  filterContributions,
  crossingsAnswer,
  routesAnswer,
  trendsAnswer,
  activeAlertsAnswer,
  MAX_TREND_WEEKS,
} from './protected-views.js';
