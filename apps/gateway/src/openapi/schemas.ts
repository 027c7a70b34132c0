// OpenAPI schemas of the request and response bodies, built from the contracts' enumerations so the
// document follows the code. Validation itself is @caravan/validation's; these only describe.
import type { SchemaObject } from '@nestjs/swagger';
import {
  AGENCY_KINDS,
  ALERT_CATEGORIES,
  CONCEALMENTS,
  CONFIDENCE_LEVELS,
  DETECTION_METHODS,
  DIRECTIONS,
  EVENT_TYPES,
  HANDLING_CODES,
  INDICATOR_KINDS,
  INFORMATION_ACCURACY,
  ITEM_CATEGORIES,
  LOCATION_TYPES,
  ROLES,
  SOURCE_RELIABILITY,
  SUSPECT_ROLES,
  TLP_LEVELS,
  TRANSPORT_MODES,
  UNITS,
} from '@caravan/contracts';

const str = (extra: SchemaObject = {}): SchemaObject => ({ type: 'string', ...extra });
const uuid: SchemaObject = { type: 'string', format: 'uuid' };
const time: SchemaObject = { type: 'string', format: 'date-time' };
const iso2: SchemaObject = { type: 'string', pattern: '^[A-Z]{2}$' };
const agencyCode: SchemaObject = { type: 'string', pattern: '^[A-Z]{2,8}(-[A-Z0-9]{2,10})?$' };
const enumOf = (values: readonly (string | number)[]): SchemaObject => ({
  type: typeof values[0] === 'number' ? 'integer' : 'string',
  enum: [...values],
});
const obj = (properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(required.length > 0 ? { required } : {}),
});

/** RFC 9457 problem details. */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: str({ format: 'uri' }),
    title: str(),
    status: { type: 'integer' },
    detail: str(),
    errors: {
      type: 'array',
      items: obj({ path: str({ example: 'items[0].quantity' }), message: str() }, ['path', 'message']),
    },
  },
};

const HANDLING = obj(
  {
    tlp: enumOf([...TLP_LEVELS, 'WHITE']),
    releasableTo: { type: 'array', items: agencyCode },
    handlingCode: enumOf(HANDLING_CODES),
    sourceReliability: enumOf(SOURCE_RELIABILITY),
    informationAccuracy: enumOf(INFORMATION_ACCURACY),
  },
  ['tlp'],
);

const SEIZURE_FIELDS: Record<string, SchemaObject> = {
  occurredAt: time,
  location: obj(
    {
      country: iso2,
      crossingPoint: str({ pattern: '^[A-Z]{2}-[A-Z0-9-]{2,24}$' }),
      region: str(),
      lat: { type: 'number', minimum: -90, maximum: 90 },
      lon: { type: 'number', minimum: -180, maximum: 180 },
      locationType: enumOf(LOCATION_TYPES),
    },
    ['country', 'locationType'],
  ),
  direction: enumOf(DIRECTIONS),
  items: {
    type: 'array',
    minItems: 1,
    maxItems: 50,
    items: obj(
      {
        category: enumOf(ITEM_CATEGORIES),
        substance: str({ pattern: '^[a-z0-9][a-z0-9 -]*$' }),
        quantity: { type: 'number', minimum: 0, exclusiveMinimum: true },
        unit: enumOf(UNITS),
        purityPercent: { type: 'number', minimum: 0, maximum: 100 },
        estimatedValueUsd: { type: 'number', minimum: 0 },
      },
      ['category', 'substance', 'quantity', 'unit'],
    ),
  },
  transportMode: enumOf(TRANSPORT_MODES),
  conveyance: obj({ kind: str(), registration: str(), country: iso2 }, ['kind']),
  concealment: enumOf(CONCEALMENTS),
  detectionMethod: enumOf(DETECTION_METHODS),
  route: obj({ origin: iso2, transit: { type: 'array', items: iso2 }, destination: iso2 }),
  suspects: {
    type: 'array',
    maxItems: 50,
    items: obj({
      fullName: str(),
      nationality: iso2,
      birthDate: str({ format: 'date' }),
      documentNumber: str(),
      role: enumOf(SUSPECT_ROLES),
    }),
  },
  caseReference: str({ maxLength: 64 }),
  narrative: str({ maxLength: 8000 }),
  handling: HANDLING,
};

/** POST /v1/seizures: the §3.1 payload plus commandId. */
export const REPORT_SEIZURE_SCHEMA = obj({ commandId: uuid, seizureId: uuid, ...SEIZURE_FIELDS }, [
  'commandId',
  'seizureId',
  'occurredAt',
  'location',
  'direction',
  'items',
  'transportMode',
  'detectionMethod',
  'handling',
]);

/** PATCH /v1/seizures/{id}. */
export const AMEND_SEIZURE_SCHEMA = obj(
  { commandId: uuid, changes: obj(SEIZURE_FIELDS), reason: str({ maxLength: 1000 }) },
  ['commandId', 'changes', 'reason'],
);

const ALERT_FIELDS: Record<string, SchemaObject> = {
  category: enumOf(ALERT_CATEGORIES),
  severity: { type: 'integer', minimum: 1, maximum: 5 },
  confidence: enumOf(CONFIDENCE_LEVELS),
  validFrom: time,
  validUntil: time,
  area: obj(
    { countries: { type: 'array', minItems: 1, items: iso2 }, crossingPoints: { type: 'array', items: str() } },
    ['countries'],
  ),
  indicators: {
    type: 'array',
    maxItems: 200,
    items: obj({ kind: enumOf(INDICATOR_KINDS), value: str({ maxLength: 256 }) }, ['kind', 'value']),
  },
  relatedSeizures: { type: 'array', items: uuid },
  summary: str({ maxLength: 500 }),
  narrative: str({ maxLength: 8000 }),
  handling: HANDLING,
};

/** POST /v1/alerts: the §3.4 payload plus commandId. */
export const ISSUE_ALERT_SCHEMA = obj({ commandId: uuid, alertId: uuid, ...ALERT_FIELDS }, [
  'commandId',
  'alertId',
  'category',
  'severity',
  'confidence',
  'validFrom',
  'validUntil',
  'area',
  'summary',
  'handling',
]);

/** PATCH /v1/alerts/{id}. */
export const UPDATE_ALERT_SCHEMA = obj(
  { commandId: uuid, changes: obj(ALERT_FIELDS), reason: str({ maxLength: 1000 }) },
  ['commandId', 'changes', 'reason'],
);

/** DELETE /v1/seizures/{id}, DELETE /v1/alerts/{id}. */
export const REASON_SCHEMA = obj({ commandId: uuid, reason: str({ maxLength: 1000 }) }, ['reason']);

/** 201/200 answer of a command. */
export const COMMAND_ACCEPTED_SCHEMA = obj(
  { eventId: uuid, position: { type: 'integer' }, streamVersion: { type: 'integer' } },
  ['eventId', 'position', 'streamVersion'],
);

/** A recipient's redacted copy. */
export const SHARED_COPY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['eventId', 'type', 'position', 'originator', 'recipient', 'policyVersion', 'payload'],
  properties: {
    eventId: uuid,
    type: enumOf(EVENT_TYPES),
    schemaVersion: { type: 'integer' },
    streamId: str(),
    streamVersion: { type: 'integer' },
    position: { type: 'integer' },
    originator: agencyCode,
    recordedAt: time,
    occurredAt: time,
    recipient: agencyCode,
    policyVersion: { type: 'integer' },
    payload: { type: 'object', additionalProperties: true },
  },
};

/** GET /v1/feed. */
export const FEED_PAGE_SCHEMA = obj(
  { events: { type: 'array', items: SHARED_COPY_SCHEMA }, next: { type: 'integer', nullable: true } },
  ['events', 'next'],
);

/** GET /v1/seizures/{id}, GET /v1/alerts/{id}. */
export const CURRENT_STATE_SCHEMA = obj(
  {
    id: uuid,
    originator: agencyCode,
    streamVersion: { type: 'integer' },
    lastPosition: { type: 'integer' },
    ended: { type: 'boolean', description: 'retracted or withdrawn' },
    endReason: str(),
    payload: { type: 'object', additionalProperties: true },
  },
  ['id', 'originator', 'streamVersion', 'lastPosition', 'ended', 'payload'],
);

/** POST /v1/hits. */
export const HITS_REQUEST_SCHEMA = obj(
  {
    identifiers: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: obj(
        {
          kind: enumOf(INDICATOR_KINDS),
          value: str({ maxLength: 256 }),
        },
        ['kind', 'value'],
      ),
    },
  },
  ['identifiers'],
);

/** POST /v1/hits answer. */
export const HITS_RESPONSE_SCHEMA = obj(
  {
    results: {
      type: 'array',
      items: obj({
        kind: str(),
        value: str(),
        hit: { type: 'boolean' },
        contact: { type: 'array', items: agencyCode },
      }),
    },
  },
  ['results'],
);

const RULE_SCHEMA = obj(
  {
    to: { type: 'array', items: str() },
    types: { type: 'array', items: str() },
    fields: { type: 'array', items: str() },
    drop: { type: 'array', items: str() },
    generalize: obj({ location: enumOf(['country', 'region']), occurredAt: enumOf(['day', 'week', 'month']) }),
    pseudonymize: { type: 'array', items: str() },
  },
  ['to', 'types', 'fields'],
);

/** PUT /v1/policies/{agency}. */
export const SET_POLICY_SCHEMA = obj(
  { commandId: uuid, expectedVersion: { type: 'integer' }, rules: { type: 'array', items: RULE_SCHEMA } },
  ['rules'],
);

/** GET /v1/policies/{agency}. */
export const POLICY_SCHEMA = obj(
  { agency: agencyCode, version: { type: 'integer' }, rules: { type: 'array', items: RULE_SCHEMA } },
  ['agency', 'version', 'rules'],
);

/** POST /v1/policies/{agency}/preview. */
export const POLICY_PREVIEW_REQUEST_SCHEMA = obj(
  {
    rules: { type: 'array', items: RULE_SCHEMA },
    sample: obj({ type: enumOf(EVENT_TYPES.filter((t) => t !== 'policy.set')), payload: { type: 'object' } }, [
      'type',
      'payload',
    ]),
  },
  ['rules', 'sample'],
);

/** PUT /v1/agencies/{code}. */
export const AGENCY_SCHEMA = obj(
  { name: str(), country: iso2, kind: enumOf(AGENCY_KINDS), groups: { type: 'array', items: str() } },
  ['name', 'kind', 'groups'],
);

/** PUT /v1/crossing-points/{code}. */
export const CROSSING_POINT_SCHEMA = obj(
  {
    name: str(),
    country: iso2,
    facing: iso2,
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
  },
  ['name', 'country', 'facing', 'lat', 'lon'],
);

/** POST /v1/keys. */
export const KEY_CREATION_SCHEMA = obj(
  { agency: agencyCode, roles: { type: 'array', minItems: 1, items: enumOf(ROLES) } },
  ['agency', 'roles'],
);

/** POST /v1/keys answer: the only time the key is shown. */
export const CREATED_KEY_SCHEMA = obj(
  { keyId: uuid, key: str({ pattern: '^cvn_' }), agency: agencyCode, roles: { type: 'array', items: enumOf(ROLES) } },
  ['keyId', 'key', 'agency', 'roles'],
);
