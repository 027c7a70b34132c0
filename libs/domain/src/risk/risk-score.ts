// SPEC §8 risk score of a crossing point:
//   raw   = Σ_items w(category) · log10(1 + q) · 0.5^(age / halfLife) + Σ_active alerts naming it 2 · severity
//   score = round(100 · raw / (raw + 10), 1)
// The SPEC sums "over seizures" with a per-category weight; a seizure carries up to 50 items of
// different categories, so each item adds its own term and a seizure's contribution is the sum of
// its items' terms (a one-item seizure gives exactly the SPEC's formula).
import type { ItemCategory } from '@caravan/contracts';

const DAY_MS = 86_400_000;

/** Tunable inputs of the risk score; `DEFAULT_RISK_CONFIG` holds the SPEC §8 defaults. */
export interface RiskConfig {
  readonly weights: { readonly [C in ItemCategory]: number };
  readonly halfLifeDays: number;
  readonly alertFactor: number;
  readonly topContributors: number;
}

/** The SPEC §8 defaults: weights, a 30-day half-life, 2·severity per alert, five top contributors. */
export const DEFAULT_RISK_CONFIG: RiskConfig = {
  weights: {
    narcotic: 1.0,
    psychotropic: 0.8,
    precursor: 0.6,
    weapon: 1.0,
    ammunition: 1.0,
    explosive: 1.0,
    persons: 1.5,
    currency: 0.3,
    wildlife: 0.3,
    other: 0.3,
  },
  halfLifeDays: 30,
  alertFactor: 2,
  topContributors: 5,
};

/** One seized item as the score sees it: its category and its quantity in the normalised unit. */
export interface RiskItem {
  readonly category: ItemCategory;
  readonly quantity: number;
}

/** A seizure counted at a crossing point. */
export interface RiskSeizure {
  readonly seizureId: string;
  readonly occurredAt: string;
  readonly items: readonly RiskItem[];
}

/** An alert active at the query time that names the crossing point. */
export interface RiskAlert {
  readonly alertId: string;
  readonly severity: number;
}

/** One event's share of the raw score. */
export interface RiskContributor {
  readonly kind: 'seizure' | 'alert';
  readonly id: string;
  readonly contribution: number;
}

/** A crossing point's score in 0..100, its raw sum, and the events contributing most. */
export interface RiskScore {
  readonly score: number;
  readonly raw: number;
  readonly top: readonly RiskContributor[];
}

/** `0.5^(age / halfLife)`, with age in days; ages below zero (clock skew) count as zero. */
export function decayFactor(ageDays: number, halfLifeDays: number = DEFAULT_RISK_CONFIG.halfLifeDays): number {
  return Math.pow(0.5, Math.max(0, ageDays) / halfLifeDays);
}

/** Whole and fractional days from `occurredAt` to `at`. */
export function ageInDays(occurredAt: Date, at: Date): number {
  return (at.getTime() - occurredAt.getTime()) / DAY_MS;
}

/** One seizure's term of the raw score at `at`. */
export function seizureRiskTerm(seizure: RiskSeizure, at: Date, config: RiskConfig = DEFAULT_RISK_CONFIG): number {
  const decay = decayFactor(ageInDays(new Date(seizure.occurredAt), at), config.halfLifeDays);
  let sum = 0;
  for (const item of seizure.items) sum += config.weights[item.category] * Math.log10(1 + item.quantity) * decay;
  return sum;
}

/** `round(100 · raw / (raw + 10), 1)`; half-way values round up. */
export function scoreFromRaw(raw: number): number {
  const scaled = (100 * raw) / (raw + 10);
  // The epsilon keeps 12.35 (stored as 12.3499…) rounding to 12.4 as written by hand.
  return Math.round(scaled * 10 * (1 + Number.EPSILON)) / 10;
}

/** The risk score of one crossing point at time `at` (SPEC §8). */
export function riskScore(
  seizures: readonly RiskSeizure[],
  alerts: readonly RiskAlert[],
  at: Date,
  config: RiskConfig = DEFAULT_RISK_CONFIG,
): RiskScore {
  const contributors: RiskContributor[] = [
    ...seizures.map((s) => ({
      kind: 'seizure' as const,
      id: s.seizureId,
      contribution: seizureRiskTerm(s, at, config),
    })),
    ...alerts.map((a) => ({ kind: 'alert' as const, id: a.alertId, contribution: config.alertFactor * a.severity })),
  ];
  // Summing in a fixed order keeps the float result identical between a live run and a rebuild.
  contributors.sort((a, b) => b.contribution - a.contribution || compare(a.kind, b.kind) || compare(a.id, b.id));
  const raw = contributors.reduce((sum, c) => sum + c.contribution, 0);
  return {
    score: scoreFromRaw(raw),
    raw,
    top: contributors.filter((c) => c.contribution > 0).slice(0, config.topContributors),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
