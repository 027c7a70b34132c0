// Bounds that SPEC §3 leaves open, chosen here so that every free string and every array is bounded.
// Changing one changes what the hub accepts: keep the README of this lib in step.

/** Maxima in Unicode code points for free strings, and maxima for arrays SPEC §3 leaves unbounded. */
export const LIMITS = {
  // §3 fixes these:
  caseReference: 64,
  narrative: 8000,
  summary: 500,
  indicatorValue: 256,
  items: 50,
  suspects: 50,
  indicators: 200,
  // Chosen here:
  reason: 1000,
  substance: 64,
  region: 128,
  conveyanceKind: 64,
  registration: 32,
  fullName: 200,
  documentNumber: 64,
  name: 200,
  releasableTo: 100,
  transit: 20,
  areaCountries: 60,
  areaCrossingPoints: 200,
  relatedSeizures: 200,
  policyRules: 100,
  ruleRecipients: 100,
  ruleTypes: 20,
  rulePaths: 200,
  pathLength: 200,
  groups: 50,
} as const;

/** The earliest `occurredAt` the hub accepts (SPEC §3.1). */
export const EARLIEST_OCCURRED_AT = '1990-01-01T00:00:00Z';
/** How far in the future an `occurredAt` may lie, for clock skew (SPEC §3.1). */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The longest an alert may be valid (SPEC §3.4). */
export const MAX_ALERT_DAYS = 365;
