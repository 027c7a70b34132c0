// The query parameters of the regional views (SPEC §7, §8): filters and pagination, checked once.
import { CaravanError, CROSSING_POINT_CODE, isCountryCode, type FieldError } from '@caravan/contracts';
import { isoWeekStart } from '@caravan/domain';

/** Filters and a page of a regional view. Weeks are ISO weeks (`2025-W14`), both bounds inclusive. */
export interface ViewQuery {
  readonly country?: string;
  readonly crossingPoint?: string;
  readonly substance?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly offset: number;
}

/** Page size bounds. */
export const VIEW_PAGE = { defaultLimit: 100, maxLimit: 1_000 } as const;

const SUBSTANCE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ISO_WEEK = /^\d{4}-W\d{2}$/;
const KNOWN = ['country', 'crossingPoint', 'substance', 'from', 'to', 'limit', 'offset'];

/** Reads a view's query string, refusing unknown or malformed parameters field by field. */
export function parseViewQuery(raw: Readonly<Record<string, unknown>>): ViewQuery {
  const errors: FieldError[] = [];
  const text = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') {
      errors.push({ path: name, message: 'must be given once' });
      return undefined;
    }
    return value;
  };
  for (const name of Object.keys(raw)) {
    if (!KNOWN.includes(name)) errors.push({ path: name, message: 'is not a parameter of this view' });
  }
  const country = text('country');
  if (country !== undefined && !isCountryCode(country)) {
    errors.push({ path: 'country', message: 'must be an ISO 3166-1 alpha-2 code (KZ, TJ, …)' });
  }
  const crossingPoint = text('crossingPoint');
  if (crossingPoint !== undefined && !CROSSING_POINT_CODE.test(crossingPoint)) {
    errors.push({ path: 'crossingPoint', message: 'must be a crossing point code (TJ-NIZHNY-PANJ, …)' });
  }
  const substance = text('substance');
  if (substance !== undefined && !SUBSTANCE.test(substance)) {
    errors.push({ path: 'substance', message: 'must be a lower-case substance name (heroin, acetic-anhydride, …)' });
  }
  const week = (name: 'from' | 'to'): string | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    try {
      if (!ISO_WEEK.test(value)) throw new Error();
      isoWeekStart(value);
      return value;
    } catch {
      errors.push({ path: name, message: 'must be an ISO week (YYYY-Www)' });
      return undefined;
    }
  };
  const from = week('from');
  const to = week('to');
  if (from !== undefined && to !== undefined && from > to) errors.push({ path: 'from', message: 'is after `to`' });
  const integer = (name: string, min: number, max: number, fallback: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) {
      errors.push({ path: name, message: `must be an integer from ${min} to ${max}` });
      return fallback;
    }
    return n;
  };
  const limit = integer('limit', 1, VIEW_PAGE.maxLimit, VIEW_PAGE.defaultLimit);
  const offset = integer('offset', 0, 1_000_000_000, 0);
  if (errors.length > 0) throw new CaravanError('invalid', 'invalid view query', errors);
  return {
    ...(country !== undefined ? { country } : {}),
    ...(crossingPoint !== undefined ? { crossingPoint } : {}),
    ...(substance !== undefined ? { substance } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    limit,
    offset,
  };
}
