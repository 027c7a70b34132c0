// Query parameters of GET /v1/feed and /v1/feed/stream, checked strictly (400 with field errors).
import { CaravanError, type FieldError } from '@caravan/contracts';
import { TYPE_GLOB } from './feed-source.js';

export const MAX_FEED_LIMIT = 1000;
export const DEFAULT_FEED_LIMIT = 100;

function position(raw: string | undefined, path: string, errors: FieldError[]): number {
  if (raw === undefined || raw === '') return 0;
  if (!/^\d{1,15}$/.test(raw)) {
    errors.push({ path, message: 'must be a ledger position (a whole number ≥ 0)' });
    return 0;
  }
  return Number(raw);
}

function types(raw: string | undefined, errors: FieldError[]): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const globs = raw.split(',').map((t) => t.trim());
  if (globs.length > 20) errors.push({ path: 'types', message: 'at most 20 type patterns' });
  globs.forEach((glob, i) => {
    if (!TYPE_GLOB.test(glob))
      errors.push({ path: `types[${i}]`, message: 'must be an event type or a glob such as seizure.*' });
  });
  return globs;
}

function throwIf(errors: FieldError[]): void {
  if (errors.length > 0) throw new CaravanError('invalid', 'the query is invalid; see errors', errors);
}

/** `after`, `limit` (1..1000), `types`. */
export function feedParams(query: Record<string, unknown>): { after: number; limit: number; types?: string[] } {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (!['after', 'limit', 'types'].includes(key)) errors.push({ path: key, message: 'unknown query parameter' });
    else if (typeof value !== 'string') errors.push({ path: key, message: 'must be given once' });
  }
  const after = position(query['after'] as string | undefined, 'after', errors);
  let limit = DEFAULT_FEED_LIMIT;
  const rawLimit = query['limit'];
  if (typeof rawLimit === 'string') {
    limit = /^\d{1,4}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= MAX_FEED_LIMIT))
      errors.push({ path: 'limit', message: `must be 1..${MAX_FEED_LIMIT}` });
  }
  const globs = types(query['types'] as string | undefined, errors);
  throwIf(errors);
  return { after, limit, ...(globs ? { types: globs } : {}) };
}

/** `types` and where to resume: Last-Event-ID, else `after`. */
export function streamParams(
  query: Record<string, unknown>,
  lastEventId: string | undefined,
): { after: number; types?: string[] } {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (!['after', 'types'].includes(key)) errors.push({ path: key, message: 'unknown query parameter' });
    else if (typeof value !== 'string') errors.push({ path: key, message: 'must be given once' });
  }
  const after =
    lastEventId !== undefined
      ? position(lastEventId.trim(), 'Last-Event-ID', errors)
      : position(query['after'] as string | undefined, 'after', errors);
  const globs = types(query['types'] as string | undefined, errors);
  throwIf(errors);
  return { after, ...(globs ? { types: globs } : {}) };
}
