// Reads and writes of the deliveries table. Every delivery the distributor makes is one row: the
// copy as delivered, the paths it carries, its digest and the policy version that decided it. The
// same rows serve the recipients' feeds (gateway), the follow-up routing (distributor) and the
// disclosure record (auditors), so what a recipient can read and what the record says it was shown
// can never disagree.
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { CaravanError, type AgencyCode, type SharedCopy } from '@caravan/contracts';
import { copyField, copyJsonField, copyTextArrayField, pooledSession } from '@caravan/database';
import { globToLike } from './type-globs.js';

/** LISTEN/NOTIFY channel of new deliveries; the payload is `{"recipient":"KZ-BS","position":42}`. */
export const DELIVERIES_CHANNEL = 'caravan_deliveries';

/** One delivery to record: the copy as published, its leaf paths and the SHA-256 of its JCS form. */
export interface DeliveryRecord {
  readonly copy: SharedCopy;
  readonly paths: readonly string[];
  readonly digest: string;
  /** The copy's JSON text when the caller already has it (its JCS form): stored without serialising `copy` again. */
  readonly copyJson?: string;
}

/** What else `record` may move with the checkpoint. */
export interface RecordOptions {
  /** Every delivery up to here is on NATS: the `published` mark moves there too (never past the checkpoint). */
  readonly published?: number;
}

/** A recorded delivery, as the distributor republishes it after a crash. */
export interface StoredDelivery extends DeliveryRecord {
  readonly deliveredAt: string;
}

/** One line of the disclosure record (SPEC §5): who was shown which paths of which event, when, under which policy. */
export interface Disclosure {
  readonly eventId: string;
  readonly recipient: AgencyCode;
  readonly position: number;
  readonly type: string;
  /** The aggregate's stream id (`seizure-<seizureId>`, `alert-<alertId>`). */
  readonly aggregateId: string;
  readonly originator: AgencyCode;
  readonly policyVersion: number;
  readonly paths: readonly string[];
  readonly digest: string;
  readonly deliveredAt: string;
}

/** Filters of the disclosure record; every one is optional and they combine with AND. */
export interface DisclosureQuery {
  readonly eventId?: string;
  readonly recipient?: AgencyCode;
  /**
   * A field path as policies write it (`suspects[].documentNumber`, `location`): matches deliveries
   * that carried it or anything below it, in an original or inside a follow-up's `changes`.
   */
  readonly path?: string;
  /** delivered_at at or after (RFC 3339). */
  readonly from?: string;
  /** delivered_at strictly before (RFC 3339). */
  readonly to?: string;
  /** Keyset cursor: rows after this (position, recipient). */
  readonly after?: { readonly position: number; readonly recipient: AgencyCode };
  /** 1..10,000; 1,000 by default. */
  readonly limit?: number;
}

/** A consumer's marks: positions recorded (the checkpoint) and positions confirmed published. */
export interface Progress {
  readonly recorded: number;
  readonly published: number;
}

/** A page of a recipient's feed and the cursor to pass as `after` next time. */
export interface FeedPage {
  readonly copies: readonly SharedCopy[];
  /** The position of the last copy returned, or `after` when the page is empty. */
  readonly next: number;
}

/** How to read a feed page. */
export interface FeedQuery {
  /** Copies strictly after this position (0: from the start). */
  readonly after?: number;
  /** 1..1000; 100 by default. */
  readonly limit?: number;
  /** Type globs (`seizure.*`, `threat.alert.issued`, `*`); none: every type. */
  readonly types?: readonly string[];
}

interface DisclosureRow {
  event_id: string;
  recipient: string;
  position: string;
  type: string;
  aggregate_id: string;
  originator: string;
  policy_version: number;
  paths: string[];
  digest: string;
  delivered_at: string;
}

const DELIVERED_AT = `to_char(delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS delivered_at`;
const DISCLOSURE_COLUMNS = `event_id, recipient, position, type, aggregate_id, originator, policy_version, paths, digest, ${DELIVERED_AT}`;

/** The sharing store over one DataSource; stateless, so any number may share a database. */
export class SharingStore {
  constructor(private readonly dataSource: DataSource) {}

  /** The last ledger position the named consumer has fully recorded (0 when it never ran). */
  async checkpoint(name: string): Promise<number> {
    const rows: Array<{ position: string }> = await this.dataSource.query(
      'SELECT position FROM sharing_checkpoints WHERE name = $1',
      [name],
    );
    return rows[0] ? Number(rows[0].position) : 0;
  }

  /** How far the named consumer has recorded and how far it has confirmed publishing. */
  async progress(name: string): Promise<Progress> {
    const rows: Array<{ position: string; published: string }> = await this.dataSource.query(
      'SELECT position, published FROM sharing_checkpoints WHERE name = $1',
      [name],
    );
    return { recorded: Number(rows[0]?.position ?? 0), published: Number(rows[0]?.published ?? 0) };
  }

  /** Notes that every delivery up to `position` is on NATS (PubAcks received); never moves back. */
  async markPublished(name: string, position: number): Promise<void> {
    await this.dataSource.query(
      'UPDATE sharing_checkpoints SET published = GREATEST(published, LEAST($2::bigint, position)) WHERE name = $1',
      [name, position],
    );
  }

  /**
   * Deliveries recorded but not confirmed published, by position then recipient: what a consumer
   * must publish again, before anything new, after a crash or a failed publish. (The deliveries
   * table of a database belongs to one distributor, as its feeds do.)
   */
  async unpublished(name: string): Promise<StoredDelivery[]> {
    const rows: Array<{ copy: SharedCopy; paths: string[]; digest: string; delivered_at: string }> =
      await this.dataSource.query(
        `SELECT d.copy, d.paths, d.digest, ${DELIVERED_AT}
           FROM sharing_deliveries d JOIN sharing_checkpoints c ON c.name = $1
          WHERE d.position > c.published AND d.position <= c.position
          ORDER BY d.position, d.recipient`,
        [name],
      );
    return rows.map((r) => ({ copy: r.copy, paths: r.paths, digest: r.digest, deliveredAt: r.delivered_at }));
  }

  /**
   * Records the deliveries of the events up to `upTo` and moves the named checkpoint there (and the
   * `published` mark to `options.published`, if given) in ONE transaction, and notifies followers on
   * commit. Refuses (`conflict`) when the checkpoint is already at or past a
   * position being recorded: that work was done, and doing it again would deliver twice.
   * `deliveries` may be empty (events nobody receives still move the checkpoint).
   */
  async record(
    name: string,
    upTo: number,
    deliveries: readonly DeliveryRecord[],
    options: RecordOptions = {},
  ): Promise<void> {
    const first = Math.min(upTo, ...deliveries.map((d) => d.copy.position));
    const published = options.published ?? 0;
    for (const n of [upTo, first, published]) {
      if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`not a ledger position: ${n}`);
    }
    for (let attempt = 0; ; attempt++) {
      if (await this.recordOnce(name, upTo, first, published, deliveries)) return;
      // Nothing moved: either the checkpoint is new (created, then tried once more) or it is past `first`.
      const created: unknown[] = await this.dataSource.query(
        'INSERT INTO sharing_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING RETURNING name',
        [name],
      );
      if (created.length === 0 || attempt > 0) {
        const current = await this.checkpoint(name);
        throw new CaravanError('conflict', `${name} has already recorded position ${current} (asked from ${first})`);
      }
    }
  }

  /**
   * One transaction in three round trips: the checkpoint moves (only if it is still before `first`:
   * a concurrent instance's UPDATE is waited for and re-checked, READ COMMITTED, and the row stays
   * locked until COMMIT), the rows go in by COPY, the notices and COMMIT go together. COPY because
   * PostgreSQL takes its text format far more cheaply than a JSON recordset or parameter arrays; the
   * columns come from the copy itself, so they cannot disagree with what was delivered.
   */
  private async recordOnce(
    name: string,
    upTo: number,
    first: number,
    published: number,
    deliveries: readonly DeliveryRecord[],
  ): Promise<boolean> {
    const { client, release } = await pooledSession(this.dataSource);
    let broken: unknown;
    try {
      // Simple-query protocol (several statements, no parameters): the integers are checked by the
      // caller, the name is quoted by the driver.
      const results = (await client.query(
        `BEGIN; UPDATE sharing_checkpoints
            SET position = ${upTo}, published = GREATEST(published, LEAST(${published}, ${upTo})), updated_at = now()
          WHERE name = ${client.escapeLiteral(name)} AND position < ${first} RETURNING position`,
      )) as unknown as pg.QueryResult[];
      if (results[1]?.rowCount !== 1) {
        await client.query('ROLLBACK');
        return false;
      }
      if (deliveries.length > 0) {
        const copy = client.query(copyStreams.from(COPY_DELIVERIES));
        copy.end(deliveries.map(deliveryCopyLine).join(''));
        await finished(copy);
      }
      await client.query(`${notifySql(client, deliveries)}COMMIT`);
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: unknown) => (broken = rollback));
      throw error;
    } finally {
      release(broken);
    }
  }

  /** Every recorded delivery of one event, by recipient: what to republish after a crash. */
  async deliveriesOf(eventId: string): Promise<StoredDelivery[]> {
    const rows: Array<{ copy: SharedCopy; paths: string[]; digest: string; delivered_at: string }> =
      await this.dataSource.query(
        `SELECT copy, paths, digest, ${DELIVERED_AT} FROM sharing_deliveries WHERE event_id = $1::uuid ORDER BY recipient`,
        [eventId],
      );
    return rows.map((r) => ({ copy: r.copy, paths: r.paths, digest: r.digest, deliveredAt: r.delivered_at }));
  }

  /**
   * Every agency that has received any copy of the aggregate, with the policy version of its first
   * copy (the original's, for whoever got the original). Follow-ups go to all of them under that
   * version (SPEC §5), so nobody's copy silently goes stale.
   */
  async recipientsOf(aggregateId: string): Promise<Map<AgencyCode, number>> {
    return (await this.recipientsOfAll([aggregateId])).get(aggregateId) ?? new Map<AgencyCode, number>();
  }

  /** `recipientsOf` for several aggregates in one query; an aggregate nobody received is absent. */
  async recipientsOfAll(aggregateIds: readonly string[]): Promise<Map<string, Map<AgencyCode, number>>> {
    const rows: Array<{ aggregate_id: string; recipient: string; policy_version: number }> =
      await this.dataSource.query(
        `SELECT DISTINCT ON (aggregate_id, recipient) aggregate_id, recipient, policy_version FROM sharing_deliveries
        WHERE aggregate_id = ANY($1::text[]) ORDER BY aggregate_id, recipient, position`,
        [aggregateIds],
      );
    const byAggregate = new Map<string, Map<AgencyCode, number>>();
    for (const row of rows) {
      let recipients = byAggregate.get(row.aggregate_id);
      if (!recipients) byAggregate.set(row.aggregate_id, (recipients = new Map()));
      recipients.set(row.recipient, row.policy_version);
    }
    return byAggregate;
  }

  /** A recipient's copies in position order (SPEC §7 `GET /v1/feed`). */
  async feed(recipient: AgencyCode, query: FeedQuery = {}): Promise<FeedPage> {
    const after = query.after ?? 0;
    const limit = clamp(query.limit ?? 100, 1, 1000);
    const types = query.types && query.types.length > 0 ? query.types.map(globToLike) : null;
    const rows: Array<{ copy: SharedCopy }> = await this.dataSource.query(
      `SELECT copy FROM sharing_deliveries
        WHERE recipient = $1 AND position > $2 AND ($3::text[] IS NULL OR type LIKE ANY($3::text[]))
        ORDER BY position LIMIT $4`,
      [recipient, after, types, limit],
    );
    const copies = rows.map((r) => r.copy);
    return { copies, next: copies.at(-1)?.position ?? after };
  }

  /** A recipient's copies of one aggregate (`streamIds.seizure(id)` / `streamIds.alert(id)`), in order. */
  async aggregateCopies(recipient: AgencyCode, aggregateId: string): Promise<SharedCopy[]> {
    const rows: Array<{ copy: SharedCopy }> = await this.dataSource.query(
      `SELECT copy FROM sharing_deliveries WHERE recipient = $1 AND aggregate_id = $2 ORDER BY position`,
      [recipient, aggregateId],
    );
    return rows.map((r) => r.copy);
  }

  /** The disclosure record (SPEC §5, `GET /v1/audit/disclosures`), by position then recipient. */
  async disclosures(query: DisclosureQuery = {}): Promise<Disclosure[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      let text = sql;
      for (const value of values) {
        params.push(value);
        text = text.replace('?', `$${params.length}`);
      }
      where.push(text);
    };
    if (query.eventId !== undefined) add('event_id = ?::uuid', query.eventId);
    if (query.recipient !== undefined) add('recipient = ?', query.recipient);
    if (query.from !== undefined) add('delivered_at >= ?::timestamptz', query.from);
    if (query.to !== undefined) add('delivered_at < ?::timestamptz', query.to);
    if (query.after !== undefined)
      add('(position, recipient) > (?::bigint, ?::text)', query.after.position, query.after.recipient);
    if (query.path !== undefined) {
      // starts_with rather than LIKE: paths contain `[]`, and nothing needs escaping.
      add(
        `EXISTS (SELECT 1 FROM unnest(paths) AS p, unnest(ARRAY[?::text, 'changes.' || ?::text]) AS q
                 WHERE p = q OR starts_with(p, q || '.') OR starts_with(p, q || '[]'))`,
        query.path,
        query.path,
      );
    }
    params.push(clamp(query.limit ?? 1000, 1, 10_000));
    const rows: DisclosureRow[] = await this.dataSource.query(
      `SELECT ${DISCLOSURE_COLUMNS} FROM sharing_deliveries
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY position, recipient LIMIT $${params.length}`,
      params,
    );
    return rows.map(toDisclosure);
  }
}

const COPY_DELIVERIES =
  'COPY sharing_deliveries (recipient, position, event_id, type, aggregate_id, originator, policy_version, paths, digest, copy) FROM STDIN';

/** One delivery as a line of COPY text; the copy's JSON as the caller serialised it, when it did. */
function deliveryCopyLine(d: DeliveryRecord): string {
  const c = d.copy;
  return (
    `${copyField(c.recipient)}\t${copyField(c.position)}\t${copyField(c.eventId)}\t${copyField(c.type)}\t` +
    `${copyField(c.streamId)}\t${copyField(c.originator)}\t${copyField(c.policyVersion)}\t` +
    `${copyTextArrayField(d.paths)}\t${copyField(d.digest)}\t${copyJsonField(d.copyJson ?? JSON.stringify(c))}\n`
  );
}

/** One notice per recipient with its highest new position: followers re-read from their own cursor. */
function notifySql(client: pg.PoolClient, deliveries: readonly DeliveryRecord[]): string {
  const latest = new Map<string, number>();
  for (const { copy } of deliveries)
    latest.set(copy.recipient, Math.max(latest.get(copy.recipient) ?? 0, copy.position));
  if (latest.size === 0) return '';
  const notices = [...latest].map(([recipient, position]) =>
    client.escapeLiteral(JSON.stringify({ recipient, position })),
  );
  return `SELECT pg_notify(${client.escapeLiteral(DELIVERIES_CHANNEL)}, n) FROM unnest(ARRAY[${notices.join(',')}]) AS n; `;
}

function toDisclosure(row: DisclosureRow): Disclosure {
  return {
    eventId: row.event_id,
    recipient: row.recipient,
    position: Number(row.position),
    type: row.type,
    aggregateId: row.aggregate_id,
    originator: row.originator,
    policyVersion: row.policy_version,
    paths: row.paths,
    digest: row.digest,
    deliveredAt: row.delivered_at,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.trunc(value)));
}
