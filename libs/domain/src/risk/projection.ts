// The aggregator's projection of the regional centre's shared copies (SPEC §8), as a pure fold.
// A shared copy holds only what the originator released to the centre (SPEC §5): any payload field
// may be missing and the location may be generalised to region or country, so every read below
// tolerates absence instead of trusting the §3 types.
import type { AgencyCode, ItemCategory, SharedCopy, Unit } from '@caravan/contracts';
import { ITEM_CATEGORIES, UNITS } from '@caravan/contracts';
import { isoWeekOf, parseInstant } from './iso-week.js';
import { type NormalisedUnit, normaliseQuantity } from './units.js';

/** How precisely a contribution is located: a crossing point, else a region, else a country. */
export type LocationLevel = 'crossing-point' | 'region' | 'country';

/** One seized item in its normalised unit. */
export interface ContributionItem {
  readonly category: ItemCategory;
  readonly substance: string;
  readonly unit: NormalisedUnit;
  readonly quantity: number;
}

/** What one live (reported, not retracted) seizure adds to the views. */
export interface SeizureContribution {
  readonly seizureId: string;
  readonly originator: AgencyCode;
  /** Crossing point code, else `<country>/<region>`, else `<country>`; null when no location was shared. */
  readonly locationKey: string | null;
  readonly locationLevel: LocationLevel | null;
  readonly country: string | null;
  readonly region: string | null;
  readonly crossingPoint: string | null;
  /** RFC 3339 UTC instant (a generalised `occurredAt` reads as the start of its period). */
  readonly occurredAt: string;
  readonly week: string;
  readonly items: readonly ContributionItem[];
  readonly route: {
    readonly origin: string | null;
    readonly transit: readonly string[];
    readonly destination: string | null;
  } | null;
}

/** A threat alert as the centre knows it. */
export interface AlertState {
  readonly alertId: string;
  readonly originator: AgencyCode;
  readonly severity: number | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly countries: readonly string[];
  readonly crossingPoints: readonly string[];
  readonly withdrawn: boolean;
}

/**
 * What the projection keeps of one seizure: JSON-safe, so the aggregator can store it beside its
 * checkpoint and load it back into `RiskState.seizures` after a restart.
 */
export interface SeizureRecord {
  readonly originator: AgencyCode;
  /**
   * The payload as reported with every amendment's changes applied; in a record loaded back from
   * the views, an equivalent payload rebuilt from its contribution (see `seizureRecordOf`).
   */
  readonly payload: Readonly<Record<string, unknown>>;
  /** When nothing in the payload says when it happened: the envelope's occurredAt, else recordedAt. */
  readonly fallbackTime: string;
  readonly retracted: boolean;
}

/**
 * The projection's state: the current payload of every seizure and alert the centre has seen, and
 * the last position folded. Maps are updated in place by `applySharedCopy` (a rebuild folds
 * hundreds of thousands of copies; copying the maps per copy would make it quadratic).
 */
export interface RiskState {
  readonly seizures: Map<string, SeizureRecord>;
  readonly alerts: Map<string, AlertRecord>;
  position: number;
}

/**
 * What a stored seizure keeps besides its contribution. The projection reads nothing of a payload
 * but what its contribution holds (location, occurredAt, items, route), so `seizureRecordOf` can
 * rebuild an equivalent payload from the contribution instead of storing the payload twice.
 */
export interface StoredSeizure {
  readonly originator: AgencyCode;
  readonly fallbackTime: string;
  readonly retracted: boolean;
}

/** What the projection keeps of one alert (JSON-safe, like `SeizureRecord`). */
export interface AlertRecord {
  readonly state: AlertState;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** What one shared copy changed: the old and new contribution or alert, for the views to swap. */
export type RiskChange =
  | {
      readonly kind: 'seizure';
      readonly seizureId: string;
      readonly before: SeizureContribution | null;
      readonly after: SeizureContribution | null;
    }
  | {
      readonly kind: 'alert';
      readonly alertId: string;
      readonly before: AlertState | null;
      readonly after: AlertState;
    };

/** The state before any shared copy. */
export function initialRiskState(): RiskState {
  return { seizures: new Map(), alerts: new Map(), position: 0 };
}

/**
 * Folds one shared copy into `state` (in place) and says what changed, or null when nothing did:
 * a copy at or below the state's position (a redelivery), a policy event, an amendment after a
 * retraction, or a copy without its aggregate id.
 */
export function applySharedCopy(state: RiskState, copy: SharedCopy): RiskChange | null {
  if (copy.position <= state.position) return null;
  state.position = copy.position;
  const payload = copy.payload;
  switch (copy.type) {
    case 'seizure.reported':
    case 'seizure.amended':
    case 'seizure.retracted': {
      const id = str(payload['seizureId']);
      if (id === null) return null;
      const old = state.seizures.get(id);
      // SPEC §3.3: after a retraction nothing changes the seizure again.
      if (old?.retracted) return null;
      const before = old ? contributionFrom(id, old) : null;
      let next: SeizureRecord;
      if (copy.type === 'seizure.reported') {
        next = {
          originator: copy.originator,
          payload,
          fallbackTime: copy.occurredAt ?? copy.recordedAt,
          retracted: false,
        };
      } else if (copy.type === 'seizure.amended') {
        // An amendment can reach the centre without the report (the centre became eligible later,
        // SPEC §5): its changes are then all the centre knows of the seizure. Fields given replace
        // the old ones whole (SPEC §3.2), so a shallow merge is the rule, not a shortcut.
        next = {
          originator: copy.originator,
          payload: { ...(old?.payload ?? { seizureId: id }), ...record(payload['changes']) },
          fallbackTime: old?.fallbackTime ?? copy.occurredAt ?? copy.recordedAt,
          retracted: false,
        };
      } else {
        next = {
          originator: copy.originator,
          payload: old?.payload ?? { seizureId: id },
          fallbackTime: old?.fallbackTime ?? copy.recordedAt,
          retracted: true,
        };
      }
      state.seizures.set(id, next);
      return { kind: 'seizure', seizureId: id, before, after: next.retracted ? null : contributionFrom(id, next) };
    }
    case 'threat.alert.issued':
    case 'threat.alert.updated':
    case 'threat.alert.withdrawn': {
      const id = str(payload['alertId']);
      if (id === null) return null;
      const old = state.alerts.get(id);
      if (old?.state.withdrawn) return null;
      const merged =
        copy.type === 'threat.alert.issued'
          ? payload
          : copy.type === 'threat.alert.updated'
            ? { ...(old?.payload ?? { alertId: id }), ...record(payload['changes']) }
            : (old?.payload ?? { alertId: id });
      const after = alertFrom(id, copy.originator, merged, copy.type === 'threat.alert.withdrawn');
      state.alerts.set(id, { state: after, payload: merged });
      return { kind: 'alert', alertId: id, before: old?.state ?? null, after };
    }
    case 'policy.set':
      return null;
  }
}

/** Folds shared copies, in position order, into a new state. */
export function projectRiskState(copies: Iterable<SharedCopy>): RiskState {
  const state = initialRiskState();
  for (const copy of copies) applySharedCopy(state, copy);
  return state;
}

/** The contribution of one seizure of the state, or null if it is retracted. */
export function seizureContribution(state: RiskState, seizureId: string): SeizureContribution | null {
  const seizure = state.seizures.get(seizureId);
  if (!seizure || seizure.retracted) return null;
  return contributionFrom(seizureId, seizure);
}

/** The part of a seizure record that is stored beside its contribution. */
export function storedSeizure(seizure: SeizureRecord): StoredSeizure {
  return { originator: seizure.originator, fallbackTime: seizure.fallbackTime, retracted: seizure.retracted };
}

/**
 * A seizure record from what is stored of it: `contribution` is the seizure's contribution (null once
 * retracted). Its payload is rebuilt so that folding any later copy into it gives the same
 * contributions as folding it into the payload it was computed from: each part of a contribution
 * comes from one top-level payload field, and an amendment replaces top-level fields whole.
 */
export function seizureRecordOf(
  seizureId: string,
  stored: StoredSeizure,
  contribution: SeizureContribution | null,
): SeizureRecord {
  const payload: Record<string, unknown> = { seizureId };
  if (contribution) {
    const location: Record<string, string> = {};
    if (contribution.country !== null) location['country'] = contribution.country;
    if (contribution.region !== null) location['region'] = contribution.region;
    if (contribution.crossingPoint !== null) location['crossingPoint'] = contribution.crossingPoint;
    payload['location'] = location;
    payload['occurredAt'] = contribution.occurredAt;
    payload['items'] = contribution.items;
    if (contribution.route) payload['route'] = contribution.route;
  }
  return {
    originator: stored.originator,
    payload,
    fallbackTime: stored.fallbackTime,
    retracted: stored.retracted,
  };
}

/** Every live seizure's contribution, sorted by seizure id. */
export function contributions(state: RiskState): SeizureContribution[] {
  return [...state.seizures.keys()]
    .sort(compare)
    .map((id) => seizureContribution(state, id))
    .filter((c): c is SeizureContribution => c !== null);
}

/** Every alert the centre knows, withdrawn ones included, sorted by alert id. */
export function alertStates(state: RiskState): AlertState[] {
  return [...state.alerts.values()].map((a) => a.state).sort((a, b) => compare(a.alertId, b.alertId));
}

/** Whether an alert is in force at `at`: not withdrawn and `validFrom ≤ at < validUntil`. */
export function isAlertActive(alert: AlertState, at: Date): boolean {
  // An alert whose validity the originator withheld cannot be placed in time, so it is never
  // counted as active rather than counted forever.
  if (alert.withdrawn || alert.validFrom === null || alert.validUntil === null) return false;
  const t = at.getTime();
  return parseInstant(alert.validFrom).getTime() <= t && t < parseInstant(alert.validUntil).getTime();
}

function contributionFrom(seizureId: string, seizure: SeizureRecord): SeizureContribution {
  const p = seizure.payload;
  const location = record(p['location']);
  const country = str(location['country']);
  const region = str(location['region']);
  const crossingPoint = str(location['crossingPoint']);
  const [locationKey, locationLevel]: [string | null, LocationLevel | null] =
    crossingPoint !== null
      ? [crossingPoint, 'crossing-point']
      : country !== null && region !== null
        ? [`${country}/${region}`, 'region']
        : country !== null
          ? [country, 'country']
          : [null, null];
  const occurred = instantOr(str(p['occurredAt']), seizure.fallbackTime);
  const items: ContributionItem[] = [];
  const rawItems = p['items'];
  if (Array.isArray(rawItems)) {
    for (const raw of rawItems as unknown[]) {
      const item = record(raw);
      const category = item['category'];
      const substance = str(item['substance']);
      const unit = item['unit'];
      const quantity = item['quantity'];
      // An item missing any of these adds nothing to a total; the seizure still counts.
      if (!isCategory(category) || substance === null || !isUnit(unit) || typeof quantity !== 'number') continue;
      const normalised = normaliseQuantity(quantity, unit);
      items.push({ category, substance, quantity: normalised.quantity, unit: normalised.unit });
    }
  }
  const routeRaw = p['route'];
  let route: SeizureContribution['route'] = null;
  if (routeRaw !== undefined && routeRaw !== null) {
    const fields = record(routeRaw);
    const transit: string[] = [];
    if (Array.isArray(fields['transit'])) {
      for (const country of fields['transit'] as unknown[]) if (typeof country === 'string') transit.push(country);
    }
    route = { origin: str(fields['origin']), transit, destination: str(fields['destination']) };
  }
  return {
    seizureId,
    originator: seizure.originator,
    locationKey,
    locationLevel,
    country,
    region,
    crossingPoint,
    occurredAt: occurred.toISOString(),
    week: isoWeekOf(occurred),
    items,
    route,
  };
}

function alertFrom(
  alertId: string,
  originator: AgencyCode,
  p: Readonly<Record<string, unknown>>,
  withdrawn: boolean,
): AlertState {
  const area = record(p['area']);
  const list = (value: unknown) =>
    (Array.isArray(value) ? (value as unknown[]) : []).map(str).filter((x): x is string => x !== null);
  return {
    alertId,
    originator,
    severity: typeof p['severity'] === 'number' ? p['severity'] : null,
    validFrom: str(p['validFrom']),
    validUntil: str(p['validUntil']),
    countries: list(area['countries']),
    crossingPoints: list(area['crossingPoints']),
    withdrawn,
  };
}

// A malformed time must not stop the aggregator's consumer on one copy: the envelope time stands in.
function instantOr(value: string | null, fallback: string): Date {
  if (value !== null) {
    try {
      return parseInstant(value);
    } catch {
      // fall through to the envelope's time
    }
  }
  return parseInstant(fallback);
}

function record(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isCategory(value: unknown): value is ItemCategory {
  return (ITEM_CATEGORIES as readonly unknown[]).includes(value);
}

function isUnit(value: unknown): value is Unit {
  return (UNITS as readonly unknown[]).includes(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
