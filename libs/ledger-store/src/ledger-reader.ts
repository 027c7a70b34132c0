// Reads of the ledger. Everything that can be long is an async iterator over keyset pages
// (`position > last ORDER BY position LIMIT n`), so no read holds the whole table, a transaction or
// a cursor open between pages. Paging by position is safe because commit order = position order
// (see ledger-writer.ts): a page never shows N+1 while N is still to come.
import type { DataSource } from 'typeorm';
import type { ChainedEvent, EventType, RecordedEvent } from '@caravan/contracts';
import { GENESIS_HASH, type Checkpoint } from '@caravan/domain';
import { copyEventRange } from './ledger-copy.js';
import { CHECKPOINT_COLUMNS, EVENT_COLUMNS } from './ledger-sql.js';

/** The last link of the chain: position 0 and the genesis hash for an empty ledger. */
export interface LedgerHead {
  readonly position: number;
  readonly hash: string;
}

/** Which events to read, in position order. Every bound is optional. */
export interface LedgerFilter {
  /** Read positions strictly after this one (default 0: from the start). */
  readonly after?: number;
  /** Read positions up to and including this one. */
  readonly upTo?: number;
  readonly streamId?: string;
  readonly types?: readonly string[];
  readonly originator?: string;
  /** recordedAt at or after this instant (RFC 3339). */
  readonly recordedFrom?: string;
  /** recordedAt strictly before this instant (RFC 3339). */
  readonly recordedBefore?: string;
}

/** A command as the ledger first recorded it (its idempotency record). */
export interface RecordedCommand {
  readonly agency: string;
  readonly name: string;
  readonly bodyHash: string;
  readonly eventId: string;
  readonly position: number;
  readonly streamVersion: number;
}

/** A policy.set event as recorded, with its hash. */
export type PolicyEventRecord = RecordedEvent<'policy.set'> & { readonly hash: string };

interface EventRow {
  position: string;
  event_id: string;
  type: string;
  schema_version: number;
  stream_id: string;
  stream_version: number;
  originator: string;
  recorded_at: string;
  payload: Record<string, unknown>;
  hash: string;
}

interface CheckpointRow {
  position: string;
  hash: string;
  signature: string;
  signed_at: string;
}

/** Read access to the ledger; needs no key and writes nothing. */
export class LedgerReader {
  private readonly pageSize: number;

  constructor(
    private readonly dataSource: DataSource,
    options: { readonly pageSize?: number } = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
  }

  /** The last position and its hash. */
  async head(): Promise<LedgerHead> {
    const rows: Array<{ position: string; hash: string }> = await this.dataSource.query(
      'SELECT position, hash FROM ledger_events ORDER BY position DESC LIMIT 1',
    );
    const row = rows[0];
    return row ? { position: Number(row.position), hash: row.hash } : { position: 0, hash: GENESIS_HASH };
  }

  /** One page of events matching the filter, at most `limit` of them. */
  async readPage(filter: LedgerFilter, limit: number = this.pageSize): Promise<ChainedEvent[]> {
    const where = ['position > $1'];
    const params: unknown[] = [filter.after ?? 0];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.upTo !== undefined) add('position <= ?', filter.upTo);
    if (filter.streamId !== undefined) add('stream_id = ?', filter.streamId);
    if (filter.types !== undefined) add('type = ANY(?::text[])', filter.types);
    if (filter.originator !== undefined) add('originator = ?', filter.originator);
    if (filter.recordedFrom !== undefined) add('recorded_at >= ?::timestamptz', filter.recordedFrom);
    if (filter.recordedBefore !== undefined) add('recorded_at < ?::timestamptz', filter.recordedBefore);
    params.push(limit);
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events WHERE ${where.join(' AND ')} ORDER BY position LIMIT $${params.length}`,
      params,
    );
    return rows.map(toEvent);
  }

  /** Every event matching the filter, in position order, one page in memory at a time. */
  async *readAll(filter: LedgerFilter = {}): AsyncGenerator<ChainedEvent> {
    let after = filter.after ?? 0;
    for (;;) {
      const page = await this.readPage({ ...filter, after });
      yield* page;
      const last = page[page.length - 1];
      if (!last || page.length < this.pageSize) return;
      after = last.position;
    }
  }

  /** The events of one stream in stream order. */
  readStream(streamId: string, options: { readonly after?: number } = {}): AsyncGenerator<ChainedEvent> {
    return this.readAll({ streamId, ...(options.after !== undefined ? { after: options.after } : {}) });
  }

  /** One stream, loaded whole (streams are aggregates: short), with its current version. */
  async loadStream(streamId: string): Promise<{ readonly events: ChainedEvent[]; readonly version: number }> {
    const events: ChainedEvent[] = [];
    for await (const event of this.readStream(streamId)) events.push(event);
    return { events, version: events[events.length - 1]?.streamVersion ?? 0 };
  }

  /** The event with this id, if any. */
  async findEvent(eventId: string): Promise<ChainedEvent | undefined> {
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events WHERE event_id = $1::uuid`,
      [eventId],
    );
    return rows[0] ? toEvent(rows[0]) : undefined;
  }

  /**
   * The first answer recorded for a commandId, if any. The ledger app looks it up before deciding:
   * a retried `seizure.report` would otherwise be refused by the decider ("already reported")
   * before the writer's own idempotency check is reached.
   */
  async findCommand(commandId: string): Promise<RecordedCommand | undefined> {
    const rows: Array<{
      agency: string;
      command_name: string;
      body_sha256: string;
      event_id: string;
      position: string;
      stream_version: number;
    }> = await this.dataSource.query(
      `SELECT agency, command_name, body_sha256, event_id, position, stream_version
         FROM ledger_commands WHERE command_id = $1::uuid`,
      [commandId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      agency: row.agency,
      name: row.command_name,
      bodyHash: row.body_sha256,
      eventId: row.event_id,
      position: Number(row.position),
      streamVersion: row.stream_version,
    };
  }

  /**
   * The agency's sharing policy in force at `position`: its latest `policy.set` at or before it.
   * Its streamVersion is the policy version (SPEC §5, disclosure record).
   */
  async policyAt(agency: string, position: number): Promise<PolicyEventRecord | undefined> {
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events
        WHERE stream_id = $1 AND type = 'policy.set' AND position <= $2
        ORDER BY stream_version DESC LIMIT 1`,
      [`policy-${agency}`, position],
    );
    return rows[0] ? (toEvent(rows[0]) as PolicyEventRecord) : undefined;
  }

  /** Signed checkpoints in position order. */
  async *readCheckpoints(filter: { readonly after?: number; readonly upTo?: number } = {}): AsyncGenerator<Checkpoint> {
    let after = filter.after ?? 0;
    for (;;) {
      const rows: CheckpointRow[] = await this.dataSource.query(
        `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints
          WHERE position > $1 AND ($2::bigint IS NULL OR position <= $2) ORDER BY position LIMIT $3`,
        [after, filter.upTo ?? null, this.pageSize],
      );
      yield* rows.map(toCheckpoint);
      const last = rows[rows.length - 1];
      if (!last || rows.length < this.pageSize) return;
      after = Number(last.position);
    }
  }

  /** The events of after..upTo as binary COPY chunks (see ledger-copy.ts), for bulk verification. */
  copyEvents(range: { readonly after: number; readonly upTo: number }): AsyncGenerator<Buffer> {
    return copyEventRange(this.dataSource, range);
  }

  /** The most recent signed checkpoint, if any. */
  async latestCheckpoint(): Promise<Checkpoint | undefined> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints ORDER BY position DESC LIMIT 1`,
    );
    return rows[0] ? toCheckpoint(rows[0]) : undefined;
  }
}

function toEvent(row: EventRow): ChainedEvent {
  const occurredAt = row.payload['occurredAt'];
  return {
    eventId: row.event_id,
    type: row.type as EventType,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    position: Number(row.position),
    originator: row.originator,
    recordedAt: row.recorded_at,
    ...(typeof occurredAt === 'string' ? { occurredAt } : {}),
    payload: row.payload,
    hash: row.hash,
  } as unknown as ChainedEvent;
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return { position: Number(row.position), hash: row.hash, signature: row.signature, signedAt: row.signed_at };
}
