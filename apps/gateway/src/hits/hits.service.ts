// Hit/no-hit (SPEC §5, §7): for each identifier, whether it appears in a seizure or alert of
// another agency that the caller may NOT see (no copy of it, or a copy without that identifier),
// answering only hit/no-hit and the agencies to contact. Each hit is notified to the originator on
// `caravan.share.<originator>.hit.notified`; identifiers asked per agency per UTC day are capped.
//
// The scan folds every seizure and alert stream of other originators from the ledger per query:
// simple and exact, linear in the ledger's size; an identifier index is the next step when it grows.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CaravanError, subjects, type FieldError, type RecordedEvent } from '@caravan/contracts';
import { currentAlert, currentPayload, currentSeizure } from '@caravan/domain';
import { publishToStream } from '@caravan/messaging';
import { hasControlChars } from '@caravan/validation';
import type { CallerIdentity } from '../auth/index.js';
import { GatewayContext } from '../gateway.context.js';
import { problem, ProblemError } from '../http/problem.js';
import { HIT_KINDS, hitKey, identifierKeys } from './identifiers.js';

/** One identifier asked about. */
export interface HitQuery {
  readonly kind: string;
  readonly value: string;
}

/** The answer for one identifier: never content, only whether and whom to contact. */
export interface HitResult {
  readonly kind: string;
  readonly value: string;
  readonly hit: boolean;
  readonly contact: readonly string[];
}

/** The message on `caravan.share.<originator>.hit.notified`. */
export interface HitNotification {
  readonly type: 'hit.notified';
  readonly queryId: string;
  readonly requester: string;
  readonly kinds: readonly string[];
  /** The originator's own objects that matched (stream ids). */
  readonly matched: readonly string[];
  readonly at: string;
}

export const MAX_IDENTIFIERS = 100;
const MAX_VALUE = 256;
const SCANNED_TYPES = [
  'seizure.reported',
  'seizure.amended',
  'seizure.retracted',
  'threat.alert.issued',
  'threat.alert.updated',
  'threat.alert.withdrawn',
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks `{identifiers: [{kind, value}]}` strictly, with one error per offending field. */
export function parseHitBody(body: unknown): HitQuery[] {
  const errors: FieldError[] = [];
  if (!isRecord(body))
    throw new CaravanError('invalid', 'the request is invalid; see errors', [
      { path: '', message: 'must be a JSON object' },
    ]);
  for (const key of Object.keys(body)) if (key !== 'identifiers') errors.push({ path: key, message: 'unknown field' });
  const list = body['identifiers'];
  const queries: HitQuery[] = [];
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_IDENTIFIERS) {
    errors.push({ path: 'identifiers', message: `must be an array of 1 to ${MAX_IDENTIFIERS} {kind, value}` });
  } else {
    list.forEach((item, i) => {
      const path = `identifiers[${i}]`;
      if (!isRecord(item)) {
        errors.push({ path, message: 'must be {kind, value}' });
        return;
      }
      for (const key of Object.keys(item)) {
        if (key !== 'kind' && key !== 'value') errors.push({ path: `${path}.${key}`, message: 'unknown field' });
      }
      const { kind, value } = item;
      if (typeof kind !== 'string' || !(HIT_KINDS as readonly string[]).includes(kind)) {
        errors.push({ path: `${path}.kind`, message: `must be one of ${HIT_KINDS.join(', ')}` });
      }
      if (typeof value !== 'string' || value.trim() === '' || [...value].length > MAX_VALUE) {
        errors.push({
          path: `${path}.value`,
          message: `must be a non-empty string of at most ${MAX_VALUE} characters`,
        });
      } else if (hasControlChars(value)) {
        errors.push({ path: `${path}.value`, message: 'must not contain control characters' });
      }
      if (typeof kind === 'string' && typeof value === 'string') queries.push({ kind, value });
    });
  }
  if (errors.length > 0) throw new CaravanError('invalid', 'the request is invalid; see errors', errors);
  return queries;
}

@Injectable()
export class HitsService {
  constructor(@Inject(GatewayContext) private readonly ctx: GatewayContext) {}

  async query(caller: CallerIdentity, body: unknown): Promise<HitResult[]> {
    const queries = parseHitBody(body);
    await this.takeQuota(caller.agency, queries.length);

    // Current full payload of every live seizure/alert of other agencies, and its identifiers.
    const byStream = new Map<string, RecordedEvent[]>();
    for await (const event of this.ctx.ledger.readAll({ types: SCANNED_TYPES })) {
      if (event.originator === caller.agency) continue;
      const events = byStream.get(event.streamId) ?? [];
      events.push(event);
      byStream.set(event.streamId, events);
    }
    const wanted = new Map(queries.map((q) => [hitKey(q.kind, q.value), q]));
    // key → stream ids holding it
    const holders = new Map<string, { streamId: string; originator: string }[]>();
    for (const [streamId, events] of byStream) {
      const view = streamId.startsWith('seizure-') ? currentSeizure(events) : currentAlert(events);
      if (!view) continue;
      if ('retracted' in view ? view.retracted : view.withdrawn) continue;
      for (const key of identifierKeys(view.payload as unknown as Record<string, unknown>)) {
        if (!wanted.has(key)) continue;
        const list = holders.get(key) ?? [];
        list.push({ streamId, originator: view.originator });
        holders.set(key, list);
      }
    }

    // Drop the objects whose identifier the caller can already see in its own copies.
    const visible = new Map<string, Set<string>>();
    const visibleKeys = async (streamId: string): Promise<Set<string>> => {
      let keys = visible.get(streamId);
      if (!keys) {
        const folded = currentPayload(await this.ctx.feed.copiesOfStream(caller.agency, streamId));
        keys = folded ? identifierKeys(folded.payload) : new Set();
        visible.set(streamId, keys);
      }
      return keys;
    };
    const notices = new Map<string, { kinds: Set<string>; matched: Set<string> }>();
    const results: HitResult[] = [];
    for (const q of queries) {
      const key = hitKey(q.kind, q.value);
      const contact = new Set<string>();
      for (const holder of holders.get(key) ?? []) {
        if ((await visibleKeys(holder.streamId)).has(key)) continue;
        contact.add(holder.originator);
        const notice = notices.get(holder.originator) ?? { kinds: new Set(), matched: new Set() };
        notice.kinds.add(q.kind);
        notice.matched.add(holder.streamId);
        notices.set(holder.originator, notice);
      }
      results.push({ kind: q.kind, value: q.value, hit: contact.size > 0, contact: [...contact].sort() });
    }
    await this.notify(caller.agency, notices);
    return results;
  }

  private async notify(
    requester: string,
    notices: Map<string, { kinds: Set<string>; matched: Set<string> }>,
  ): Promise<void> {
    const queryId = randomUUID();
    const at = new Date().toISOString();
    const s = subjects(this.ctx.config.topology);
    for (const [originator, notice] of notices) {
      const message: HitNotification = {
        type: 'hit.notified',
        queryId,
        requester,
        kinds: [...notice.kinds].sort(),
        matched: [...notice.matched].sort(),
        at,
      };
      await publishToStream(
        this.ctx.nc,
        s.hitNotified(originator),
        message,
        { msgId: `hit:${queryId}:${originator}`, type: 'hit.notified' },
        { retryForMs: 5_000 },
      );
    }
  }

  /** Counts the identifiers against the agency's daily quota, atomically; 429 when it would pass it. */
  private async takeQuota(agency: string, count: number): Promise<void> {
    const quota = this.ctx.tuning.hitQuotaPerDay;
    const rows: unknown[] = await this.ctx.db.query(
      `INSERT INTO gateway_hit_quota (agency, day, used) VALUES ($1, (now() AT TIME ZONE 'UTC')::date, $2)
       ON CONFLICT (agency, day) DO UPDATE SET used = gateway_hit_quota.used + EXCLUDED.used
         WHERE gateway_hit_quota.used + EXCLUDED.used <= $3
       RETURNING used`,
      [agency, count, quota],
    );
    if (count > quota || rows.length === 0) {
      const now = new Date();
      const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      throw new ProblemError(
        problem(429, 'quota-exceeded', `the daily hit-query quota of ${quota} identifiers is used up`),
        { 'retry-after': String(Math.max(1, Math.ceil((midnight - now.getTime()) / 1000))) },
      );
    }
  }
}
