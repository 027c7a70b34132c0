// Query parameters of the audit endpoints, checked strictly: unknown or repeated parameters and
// malformed values are refused with 400 and field errors.
import { AGENCY_CODE, CaravanError, type FieldError } from '@caravan/contracts';

type Query = Record<string, unknown>;

const POSITION = /^\d{1,15}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const EVENT_TYPE = /^[a-z]+(\.[a-z]+)*$/;
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9]*(\[\])?(\.[A-Za-z][A-Za-z0-9]*(\[\])?)*$/;

class Reader {
  readonly errors: FieldError[] = [];

  constructor(
    private readonly query: Query,
    allowed: readonly string[],
  ) {
    for (const [key, value] of Object.entries(query)) {
      if (!allowed.includes(key)) this.errors.push({ path: key, message: 'unknown query parameter' });
      else if (typeof value !== 'string') this.errors.push({ path: key, message: 'must be given once' });
    }
  }

  text(key: string): string | undefined {
    const value = this.query[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  position(key: string, min = 0): number | undefined {
    const raw = this.text(key);
    if (raw === undefined) return undefined;
    if (!POSITION.test(raw) || Number(raw) < min) {
      this.errors.push({ path: key, message: `must be a ledger position (a whole number ≥ ${min})` });
      return undefined;
    }
    return Number(raw);
  }

  matching(key: string, pattern: RegExp, message: string): string | undefined {
    const raw = this.text(key);
    if (raw !== undefined && !pattern.test(raw)) this.errors.push({ path: key, message });
    return raw !== undefined && pattern.test(raw) ? raw : undefined;
  }

  time(key: string): string | undefined {
    const raw = this.matching(key, RFC3339, 'must be an RFC 3339 time, e.g. 2026-03-01T00:00:00Z');
    if (raw !== undefined && Number.isNaN(Date.parse(raw))) {
      this.errors.push({ path: key, message: 'is not a valid time' });
      return undefined;
    }
    return raw;
  }

  agency(key: string): string | undefined {
    return this.matching(key, AGENCY_CODE, 'must be an agency code, e.g. KZ-BS');
  }

  uuid(key: string): string | undefined {
    return this.matching(key, UUID, 'must be a UUID');
  }

  limit(key: string, max: number, fallback: number): number {
    const raw = this.text(key);
    if (raw === undefined) return fallback;
    const value = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= 1 && value <= max)) {
      this.errors.push({ path: key, message: `must be 1..${max}` });
      return fallback;
    }
    return value;
  }

  require(key: string, value: unknown): void {
    if (value === undefined && this.text(key) === undefined) this.errors.push({ path: key, message: 'is required' });
  }

  done(): void {
    if (this.errors.length > 0) throw new CaravanError('invalid', 'the query is invalid; see errors', this.errors);
  }
}

/** GET /v1/audit/events */
export interface EventsParams {
  /** First position to include (default 1). */
  readonly from: number;
  /** Last position to include (default: the head when the read starts). */
  readonly to?: number;
  readonly streamId?: string;
  readonly types?: string[];
  readonly originator?: string;
  readonly recordedFrom?: string;
  readonly recordedBefore?: string;
  /** Append the checkpoints of the range and the key line: a verifiable export (SPEC §4). */
  readonly export: boolean;
}

export function eventsParams(query: Query): EventsParams {
  const r = new Reader(query, [
    'from',
    'to',
    'stream',
    'type',
    'originator',
    'recordedFrom',
    'recordedBefore',
    'export',
  ]);
  const from = r.position('from', 1) ?? 1;
  const to = r.position('to', 1);
  if (to !== undefined && to < from) r.errors.push({ path: 'to', message: 'must not be below from' });
  const streamId = r.matching('stream', /^(seizure|alert|policy)-[A-Za-z0-9-]{1,80}$/, 'must be a stream id');
  const rawTypes = r.text('type');
  const types = rawTypes?.split(',').map((t) => t.trim());
  types?.forEach((type, i) => {
    if (!EVENT_TYPE.test(type)) r.errors.push({ path: `type[${i}]`, message: 'must be an event type' });
  });
  const originator = r.agency('originator');
  const recordedFrom = r.time('recordedFrom');
  const recordedBefore = r.time('recordedBefore');
  const rawExport = r.text('export');
  if (rawExport !== undefined && rawExport !== 'true' && rawExport !== 'false') {
    r.errors.push({ path: 'export', message: 'must be true or false' });
  }
  const asExport = rawExport === 'true';
  if (asExport && (streamId ?? types ?? originator ?? recordedFrom ?? recordedBefore) !== undefined) {
    r.errors.push({ path: 'export', message: 'an export must be an unfiltered range (from/to only), or it has gaps' });
  }
  r.done();
  return {
    from,
    export: asExport,
    ...(to !== undefined ? { to } : {}),
    ...(streamId ? { streamId } : {}),
    ...(types ? { types } : {}),
    ...(originator ? { originator } : {}),
    ...(recordedFrom ? { recordedFrom } : {}),
    ...(recordedBefore ? { recordedBefore } : {}),
  };
}

/** GET /v1/audit/checkpoints */
export function checkpointsParams(query: Query): { from: number; to?: number } {
  const r = new Reader(query, ['from', 'to']);
  const from = r.position('from', 1) ?? 1;
  const to = r.position('to', 1);
  r.done();
  return { from, ...(to !== undefined ? { to } : {}) };
}

/** GET /v1/audit/status: no parameters, and an unknown one is refused like everywhere else. */
export function statusParams(query: Query): void {
  new Reader(query, []).done();
}

/** GET /v1/audit/disclosures */
export interface DisclosuresParams {
  readonly eventId?: string;
  readonly recipient?: string;
  readonly path?: string;
  readonly from?: string;
  readonly to?: string;
  readonly after?: { readonly position: number; readonly recipient: string };
  readonly limit: number;
}

export function disclosuresParams(query: Query): DisclosuresParams {
  const r = new Reader(query, ['eventId', 'recipient', 'path', 'from', 'to', 'after', 'limit']);
  const eventId = r.uuid('eventId');
  const recipient = r.agency('recipient');
  const path = r.matching('path', FIELD_PATH, 'must be a field path such as suspects[].documentNumber');
  const from = r.time('from');
  const to = r.time('to');
  const rawAfter = r.text('after');
  let after: { position: number; recipient: string } | undefined;
  if (rawAfter !== undefined) {
    const match = /^(\d{1,15}):(.+)$/.exec(rawAfter);
    if (match && AGENCY_CODE.test(match[2]!)) after = { position: Number(match[1]), recipient: match[2]! };
    else r.errors.push({ path: 'after', message: 'must be the `next` cursor of a previous page' });
  }
  const limit = r.limit('limit', 10_000, 1000);
  r.done();
  return {
    limit,
    ...(eventId ? { eventId } : {}),
    ...(recipient ? { recipient } : {}),
    ...(path ? { path } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(after ? { after } : {}),
  };
}

/** GET /v1/audit/as-seen */
export function asSeenParams(query: Query): { recipient: string; eventId: string; at?: string } {
  const r = new Reader(query, ['recipient', 'eventId', 'at']);
  const recipient = r.agency('recipient');
  const eventId = r.uuid('eventId');
  const at = r.time('at');
  r.require('recipient', recipient);
  r.require('eventId', eventId);
  r.done();
  return { recipient: recipient!, eventId: eventId!, ...(at ? { at } : {}) };
}

/** GET /v1/audit/accesses */
export function accessesParams(query: Query): {
  agency?: string;
  action?: string;
  from?: string;
  to?: string;
  afterId?: number;
  limit: number;
} {
  const r = new Reader(query, ['agency', 'action', 'from', 'to', 'after', 'limit']);
  const agency = r.agency('agency');
  const action = r.matching('action', /^[a-z-]{1,32}$/, 'must be an action name such as events');
  const from = r.time('from');
  const to = r.time('to');
  const afterId = r.position('after');
  const limit = r.limit('limit', 1000, 100);
  r.done();
  return {
    limit,
    ...(agency ? { agency } : {}),
    ...(action ? { action } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(afterId !== undefined ? { afterId } : {}),
  };
}
