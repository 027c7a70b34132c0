// Hit/no-hit (SPEC §5, §7): for each identifier, whether it appears in a seizure or alert of
// another agency that the caller may NOT see (no copy of it, or a copy without that identifier),
// answering only hit/no-hit and the agencies to contact. Each hit is notified to the originator on
// `caravan.share.<originator>.hit.notified`; identifiers asked per agency per UTC day are capped.
//
// Which aggregates hold an identifier comes from the identifier index (hit-index.ts), caught up to
// the ledger's head before each answer; only those aggregates' copies of the caller are then read.
// A follower catches the index up shortly after each ledger notification, so a query rarely has
// much work left.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CaravanError, subjects, type FieldError } from '@caravan/contracts';
import { currentPayload } from '@caravan/domain';
import { LedgerNotifier } from '@caravan/ledger-store';
import { describeError, publishToStream } from '@caravan/messaging';
import { hasControlChars } from '@caravan/validation';
import type { CallerIdentity } from '../auth/index.js';
import { GatewayContext } from '../gateway.context.js';
import { problem, ProblemError } from '../http/problem.js';
import { HitIndex, type IndexedHolder } from './hit-index.js';
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
export class HitsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly index: HitIndex;
  private readonly logger = new Logger('hits');
  private follower: { readonly stop: AbortController; readonly done: Promise<void> } | undefined;

  constructor(@Inject(GatewayContext) private readonly ctx: GatewayContext) {
    this.index = new HitIndex(ctx.db, ctx.ledger);
  }

  onApplicationBootstrap(): void {
    const stop = new AbortController();
    this.follower = { stop, done: this.follow(stop.signal) };
  }

  async onModuleDestroy(): Promise<void> {
    this.follower?.stop.abort();
    await this.follower?.done;
  }

  async query(caller: CallerIdentity, body: unknown): Promise<HitResult[]> {
    const queries = parseHitBody(body);
    await this.takeQuota(caller.agency, queries.length);

    // Everything committed before the question is in the answer, as when the ledger was scanned.
    await this.index.catchUp();
    const holders = new Map<string, IndexedHolder[]>();
    for (const holder of await this.index.holders(
      queries.map((q) => hitKey(q.kind, q.value)),
      caller.agency,
    )) {
      const list = holders.get(holder.key) ?? [];
      list.push(holder);
      holders.set(holder.key, list);
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

  /** Catches the index up whenever the ledger's head moves, until stopped; errors are retried. */
  private async follow(signal: AbortSignal): Promise<void> {
    let notifier: LedgerNotifier | undefined;
    try {
      while (!signal.aborted) {
        try {
          notifier ??= await LedgerNotifier.listen(this.ctx.db);
          const reached = await this.index.catchUp();
          await notifier.waitForHeadAfter(reached, { timeoutMs: 60_000, signal });
          // Under load the ledger commits a batch every few milliseconds: catching up on each one
          // would cost a transaction (and its WAL flush) per batch. A query never depends on this
          // pace, because it catches up itself before answering.
          await sleep(this.ctx.tuning.hitIndexFollowDelayMs, undefined, { signal }).catch(() => undefined);
        } catch (error) {
          if (signal.aborted) break;
          this.logger.warn({ msg: 'hit index catch-up failed; retrying', error: describeError(error) });
          await sleep(1_000, undefined, { signal }).catch(() => undefined);
        }
      }
    } finally {
      await notifier?.close().catch(() => undefined);
    }
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
