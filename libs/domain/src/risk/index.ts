// Risk formulas and views of SPEC §8: pure functions the aggregator and the gateway call.
/** Units quantities are summed in. */
export type { NormalisedUnit, NormalisedQuantity } from './units.js';
/** g→kg and ml→l. */
export { normaliseQuantity } from './units.js';
/** ISO weeks (`YYYY-Www`, UTC) and generalised-time parsing. */
export { isoWeekOf, isoWeekStart, shiftIsoWeek, parseInstant } from './iso-week.js';
/** Inputs and outputs of the risk score. */
export type { RiskConfig, RiskItem, RiskSeizure, RiskAlert, RiskContributor, RiskScore } from './risk-score.js';
/** The SPEC §8 risk score, its decay and its defaults. */
export { DEFAULT_RISK_CONFIG, decayFactor, ageInDays, seizureRiskTerm, scoreFromRaw, riskScore } from './risk-score.js';
/** A week's total against its history. */
export type { TrendStatistics } from './trends.js';
/** z scores and anomalies, with the SPEC §8 thresholds. */
export { trendStatistics, TREND_WINDOW_WEEKS, TREND_MIN_HISTORY_WEEKS, TREND_ANOMALY_Z } from './trends.js';
/** Small-cell protection shapes. */
export type {
  CellSeizure,
  TableCell,
  PrimaryReason,
  CellVisibility,
  ProtectedCell,
  ProtectedTable,
} from './small-cell.js';
/** Primary and secondary small-cell suppression. */
export { SMALL_CELL_RULES, primaryReason, protectTable } from './small-cell.js';
/** The projection of the centre's shared copies. */
export type {
  LocationLevel,
  ContributionItem,
  SeizureContribution,
  AlertState,
  RiskState,
  RiskChange,
  SeizureRecord,
  StoredSeizure,
  AlertRecord,
} from './projection.js';
/** Folding shared copies into contributions and alert state; a seizure record to and from its stored form. */
export {
  initialRiskState,
  applySharedCopy,
  projectRiskState,
  seizureContribution,
  storedSeizure,
  seizureRecordOf,
  contributions,
  alertStates,
  isAlertActive,
} from './projection.js';
/** View rows. */
export type { CategoryTotal, SubstanceTotal, CrossingRow, RouteRow, RoutesView, TrendRow, RiskRow } from './views.js';
/** The SPEC §8 views over contributions. */
export {
  crossingsView,
  routesView,
  trendsView,
  riskView,
  activeAlertsView,
  cellSeizure,
  crossingCells,
  currentWeek,
} from './views.js';
