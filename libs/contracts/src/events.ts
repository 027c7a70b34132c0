// The events of SPEC §3 as plain, readonly, JSON-safe data. Times are RFC 3339 strings.
// Renaming a type or a field is a schema change: bump its schema version and add an upcaster.

export type Iso2 = string;
export type AgencyCode = string;
export type CrossingPointCode = string;
export type Uuid = string;
export type Rfc3339 = string;

export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];
export const HANDLING_CODES = ['H0', 'H1', 'H2', 'H3'] as const;
export const SOURCE_RELIABILITY = ['A', 'B', 'C', 'X'] as const;
export const INFORMATION_ACCURACY = [1, 2, 3, 4] as const;

export interface Handling {
  readonly tlp: Tlp;
  readonly releasableTo?: readonly AgencyCode[];
  readonly handlingCode?: (typeof HANDLING_CODES)[number];
  readonly sourceReliability?: (typeof SOURCE_RELIABILITY)[number];
  readonly informationAccuracy?: (typeof INFORMATION_ACCURACY)[number];
}

export const LOCATION_TYPES = ['land-border', 'airport', 'seaport', 'river-port', 'rail', 'inland', 'postal'] as const;
export type LocationType = (typeof LOCATION_TYPES)[number];

export interface SeizureLocation {
  readonly country: Iso2;
  readonly crossingPoint?: CrossingPointCode;
  readonly region?: string;
  readonly lat?: number;
  readonly lon?: number;
  readonly locationType: LocationType;
}

export const DIRECTIONS = ['import', 'export', 'transit', 'inland'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const ITEM_CATEGORIES = [
  'narcotic',
  'psychotropic',
  'precursor',
  'weapon',
  'ammunition',
  'explosive',
  'currency',
  'persons',
  'wildlife',
  'other',
] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

export const UNITS = ['kg', 'g', 'l', 'ml', 'tablets', 'units', 'persons'] as const;
export type Unit = (typeof UNITS)[number];

export interface SeizedItem {
  readonly category: ItemCategory;
  readonly substance: string;
  readonly quantity: number;
  readonly unit: Unit;
  readonly purityPercent?: number;
  readonly estimatedValueUsd?: number;
}

export const TRANSPORT_MODES = [
  'road',
  'rail',
  'air',
  'sea',
  'river',
  'foot',
  'pack-animal',
  'postal',
  'pipeline',
  'unknown',
] as const;
export type TransportMode = (typeof TRANSPORT_MODES)[number];

export const CONCEALMENTS = [
  'natural-cavities',
  'body',
  'luggage',
  'vehicle-compartment',
  'cargo',
  'parcel',
  'other',
  'unknown',
] as const;
export type Concealment = (typeof CONCEALMENTS)[number];

export const DETECTION_METHODS = [
  'intelligence',
  'risk-profiling',
  'canine',
  'x-ray',
  'random-check',
  'joint-operation',
  'tip-off',
  'other',
] as const;
export type DetectionMethod = (typeof DETECTION_METHODS)[number];

export const SUSPECT_ROLES = ['courier', 'driver', 'organiser', 'recipient', 'other'] as const;
export type SuspectRole = (typeof SUSPECT_ROLES)[number];

export interface Suspect {
  readonly fullName?: string;
  readonly nationality?: Iso2;
  readonly birthDate?: string;
  readonly documentNumber?: string;
  readonly role?: SuspectRole;
}

export interface Conveyance {
  readonly kind: string;
  readonly registration?: string;
  readonly country?: Iso2;
}

export interface Route {
  readonly origin?: Iso2;
  readonly transit?: readonly Iso2[];
  readonly destination?: Iso2;
}

/** SPEC §3.1: the payload of `seizure.reported`. */
export interface SeizureReport {
  readonly seizureId: Uuid;
  readonly occurredAt: Rfc3339;
  readonly location: SeizureLocation;
  readonly direction: Direction;
  readonly items: readonly SeizedItem[];
  readonly transportMode: TransportMode;
  readonly conveyance?: Conveyance;
  readonly concealment?: Concealment;
  readonly detectionMethod: DetectionMethod;
  readonly route?: Route;
  readonly suspects?: readonly Suspect[];
  readonly caseReference?: string;
  readonly narrative?: string;
  readonly handling: Handling;
}

/** The fields of a seizure that an amendment may replace (everything but its id). */
export type SeizureChanges = Partial<Omit<SeizureReport, 'seizureId'>>;

/** SPEC §3.2 */
export interface SeizureAmended {
  readonly seizureId: Uuid;
  readonly changes: SeizureChanges;
  readonly reason: string;
}

/** SPEC §3.3 */
export interface SeizureRetracted {
  readonly seizureId: Uuid;
  readonly reason: string;
}

export const ALERT_CATEGORIES = [
  'trafficking-route',
  'suspect-conveyance',
  'person-of-interest',
  'modus-operandi',
  'precursor-diversion',
  'weapons',
  'terrorism',
  'human-trafficking',
  'other',
] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

export const CONFIDENCE_LEVELS = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCE_LEVELS)[number];

export const INDICATOR_KINDS = [
  'vehicle-registration',
  'document-number',
  'phone',
  'name',
  'route',
  'modus',
  'other',
] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

export interface Indicator {
  readonly kind: IndicatorKind;
  readonly value: string;
}

export interface AlertArea {
  readonly countries: readonly Iso2[];
  readonly crossingPoints?: readonly CrossingPointCode[];
}

/** SPEC §3.4: the payload of `threat.alert.issued`. */
export interface ThreatAlert {
  readonly alertId: Uuid;
  readonly category: AlertCategory;
  readonly severity: 1 | 2 | 3 | 4 | 5;
  readonly confidence: Confidence;
  readonly validFrom: Rfc3339;
  readonly validUntil: Rfc3339;
  readonly area: AlertArea;
  readonly indicators: readonly Indicator[];
  readonly relatedSeizures?: readonly Uuid[];
  readonly summary: string;
  readonly narrative?: string;
  readonly handling: Handling;
}

export type AlertChanges = Partial<Omit<ThreatAlert, 'alertId'>>;

/** SPEC §3.5 */
export interface ThreatAlertUpdated {
  readonly alertId: Uuid;
  readonly changes: AlertChanges;
  readonly reason: string;
}

/** SPEC §3.5 */
export interface ThreatAlertWithdrawn {
  readonly alertId: Uuid;
  readonly reason: string;
}

export const GENERALIZE_LOCATION = ['country', 'region'] as const;
export const GENERALIZE_OCCURRED_AT = ['day', 'week', 'month'] as const;

/** One rule of an agency's outbound sharing policy (SPEC §5). */
export interface SharingRule {
  readonly to: readonly string[];
  readonly types: readonly string[];
  readonly fields: readonly string[];
  readonly drop?: readonly string[];
  readonly generalize?: {
    readonly location?: (typeof GENERALIZE_LOCATION)[number];
    readonly occurredAt?: (typeof GENERALIZE_OCCURRED_AT)[number];
  };
  readonly pseudonymize?: readonly string[];
}

/** SPEC §3.6: the payload of `policy.set`. */
export interface PolicySet {
  readonly agency: AgencyCode;
  readonly rules: readonly SharingRule[];
}

/** Payload type by event type: the single source of truth for event names. */
export interface EventPayloads {
  'seizure.reported': SeizureReport;
  'seizure.amended': SeizureAmended;
  'seizure.retracted': SeizureRetracted;
  'threat.alert.issued': ThreatAlert;
  'threat.alert.updated': ThreatAlertUpdated;
  'threat.alert.withdrawn': ThreatAlertWithdrawn;
  'policy.set': PolicySet;
}

export type EventType = keyof EventPayloads;

export const EVENT_TYPES = [
  'seizure.reported',
  'seizure.amended',
  'seizure.retracted',
  'threat.alert.issued',
  'threat.alert.updated',
  'threat.alert.withdrawn',
  'policy.set',
] as const satisfies readonly EventType[];

/** Current schema version of each event type; older versions are upcast on read. */
export const SCHEMA_VERSIONS: { readonly [T in EventType]: number } = {
  'seizure.reported': 1,
  'seizure.amended': 1,
  'seizure.retracted': 1,
  'threat.alert.issued': 1,
  'threat.alert.updated': 1,
  'threat.alert.withdrawn': 1,
  'policy.set': 1,
};

/** An event before the ledger has given it an envelope: what a decider returns. */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { readonly type: K; readonly data: EventPayloads[K] };
}[T];

export type SeizureEvent = DomainEvent<'seizure.reported' | 'seizure.amended' | 'seizure.retracted'>;
export type AlertEvent = DomainEvent<'threat.alert.issued' | 'threat.alert.updated' | 'threat.alert.withdrawn'>;
export type PolicyEvent = DomainEvent<'policy.set'>;

/** The envelope the hub assigns to every recorded event (SPEC §3). */
export interface Envelope {
  readonly eventId: Uuid;
  readonly type: EventType;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly position: number;
  readonly originator: AgencyCode;
  readonly recordedAt: Rfc3339;
  readonly occurredAt?: Rfc3339;
}

/** An event as the ledger recorded it. */
export type RecordedEvent<T extends EventType = EventType> = {
  [K in T]: Envelope & { readonly type: K; readonly payload: EventPayloads[K] };
}[T];

/** A recorded event together with its link in the hash chain (SPEC §4). */
export type ChainedEvent = RecordedEvent & { readonly hash: string };

export const streamIds = {
  seizure: (seizureId: Uuid) => `seizure-${seizureId}`,
  alert: (alertId: Uuid) => `alert-${alertId}`,
  policy: (agency: AgencyCode) => `policy-${agency}`,
} as const;

/**
 * A recipient's redacted copy of an event, as published on `caravan.share.<recipient>.<type>` and
 * served by the feed: the whole envelope, the payload reduced to what the originator's policy
 * releases to this recipient, and the policy version that decided it.
 */
export type SharedCopy = Envelope & {
  readonly recipient: AgencyCode;
  readonly policyVersion: number;
  readonly payload: Readonly<Record<string, unknown>>;
};
