// Rebuild (SPEC §8, §9): drop the views and fold them again from the ledger, through the same
// redaction the distributor applies for the regional centre, so the result equals the live views.
//
// The distributor decides each event with evaluateSharing: the originator's policy in force at the
// event's position, the aggregate's handling with the event applied, and, for follow-ups, every
// agency that already holds a copy of the aggregate with the policy version of its first copy
// (SharingStore.recipientsOf). Reading the ledger once in position order gives all three without a
// query per event: the latest policy.set seen so far is the one in force, the handling is folded per
// stream, and the centre's first copy per aggregate is remembered. Only the centre's copy is
// computed: a rule reaches a recipient through that recipient's own directory entry, so a directory
// narrowed to the centre decides exactly as the full one does.
import { performance } from 'node:perf_hooks';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import type { DataSource } from 'typeorm';
import {
  REGIONAL_CENTRE,
  type AgencyCode,
  type Directory,
  type Handling,
  type RecordedEvent,
  type SharingRule,
} from '@caravan/contracts';
import { DirectoryRepository } from '@caravan/directory';
import { applySharedCopy, evaluateSharing, initialRiskState, toSharedCopy, type SharingPolicy } from '@caravan/domain';
import { copyRows } from './copy-rows.js';
import { lockCheckpoint, setCheckpoint, writeState, type ChangedIds } from './risk-view-store.js';

/** What a rebuild needs besides the database. */
export interface RebuildOptions {
  /** The hub pseudonym secret (CARAVAN_PSEUDONYM_SECRET): pseudonyms must match the live copies. */
  readonly secret: string;
  /** The directory to decide with; loaded from the directory tables when omitted. */
  readonly directory?: Directory;
  /** Whose feed the views are built from; the regional centre (CARICC) by default. */
  readonly recipient?: AgencyCode;
  /** Rows fetched per cursor round trip. */
  readonly fetchSize?: number;
}

/** What a rebuild did. */
export interface RebuildResult {
  /** Ledger events read. */
  readonly events: number;
  /** Copies the centre would have received, folded into the views. */
  readonly copies: number;
  /** The ledger position the views now stand at (their checkpoint). */
  readonly position: number;
  readonly seizures: number;
  readonly alerts: number;
  /** Milliseconds spent reading and folding the ledger, then writing the views. */
  readonly timings: { readonly foldMs: number; readonly writeMs: number };
}

interface LedgerRow {
  position: string;
  event_id: string;
  type: string;
  schema_version: number;
  stream_id: string;
  stream_version: number;
  originator: string;
  recorded_at: string;
  payload: Record<string, unknown>;
}

// The same columns and time format as LedgerReader, so every envelope is byte-for-byte what the
// relay published and the distributor redacted.
const LEDGER_SQL = `SELECT position, event_id, type, schema_version, stream_id, stream_version, originator,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, payload
  FROM ledger_events WHERE position <= $1 ORDER BY position`;

// Rows written per flush while the ledger is still being read. A row goes in by COPY the first time
// and by the aggregator's upsert when a later event (an amendment, a retraction) changed it again.
const FLUSH_ROWS = 5_000;

/**
 * Replaces the views with a fold of the whole ledger, in one transaction that holds the aggregator's
 * checkpoint lock: the live aggregator waits, then skips every copy the rebuild already covered.
 *
 * The ledger is read on a second connection while the folded rows are written on the first, so
 * PostgreSQL parses the rows' jsonb while this process folds the next events; with a one-connection
 * pool it reads first and writes afterwards.
 */
export async function rebuildViews(dataSource: DataSource, options: RebuildOptions): Promise<RebuildResult> {
  const recipient = options.recipient ?? REGIONAL_CENTRE;
  const directory = options.directory ?? (await new DirectoryRepository(dataSource).loadDirectory());
  const narrowed: Directory = {
    agencies: directory.agencies.filter((a) => a.code === recipient),
    crossingPoints: directory.crossingPoints,
  };
  const pipelined = poolSizeOf(dataSource) >= 2;
  const runner = dataSource.createQueryRunner();
  const reader = pipelined ? dataSource.createQueryRunner() : runner;
  let flushing: Promise<void> | undefined;
  try {
    const writer = (await runner.connect()) as PoolClient;
    await runner.startTransaction();
    await lockCheckpoint(runner);
    // Every copy the live aggregator has folded comes from an event committed before this point.
    const head = Number(
      (
        (await runner.query('SELECT coalesce(max(position), 0) AS head FROM ledger_events')) as Array<{ head: string }>
      )[0]?.head ?? 0,
    );
    // TRUNCATE rather than DELETE: no dead rows to vacuum after every rebuild. Readers of the views
    // wait for the rebuild's COMMIT instead of seeing the old rows meanwhile.
    await runner.query('TRUNCATE risk_seizures, risk_alerts');
    const started = performance.now();
    const fold = new LedgerFold(recipient, narrowed, options.secret);
    const inTables: ChangedIds = { seizures: new Map(), alerts: new Map() };
    const flush = async (pending: ChangedIds): Promise<void> => {
      const fresh: ChangedIds = { seizures: new Map(), alerts: new Map() };
      const again: ChangedIds = { seizures: new Map(), alerts: new Map() };
      for (const kind of ['seizures', 'alerts'] as const) {
        for (const [id, position] of pending[kind]) {
          (inTables[kind].has(id) ? again : fresh)[kind].set(id, position);
          inTables[kind].set(id, position);
        }
      }
      await copyRows(writer, fold.state, fresh);
      await writeState(runner, fold.state, again);
    };
    let failure: { error: unknown } | undefined;
    const client = (await reader.connect()) as PoolClient;
    const stream = client.query(new QueryStream(LEDGER_SQL, [head], { batchSize: options.fetchSize ?? 10_000 }));
    for await (const row of stream as AsyncIterable<LedgerRow>) {
      fold.add(row);
      if (failure) throw failure.error;
      if (pipelined && !flushing && fold.pendingRows >= FLUSH_ROWS) {
        flushing = flush(fold.takePending()).then(
          () => void (flushing = undefined),
          (error: unknown) => void (failure = { error }),
        );
      }
    }
    await flushing;
    if (failure) throw failure.error;
    const folded = performance.now();
    await flush(fold.takePending());
    await setCheckpoint(runner, head);
    await runner.commitTransaction();
    const written = performance.now();
    return {
      events: fold.events,
      copies: fold.copies,
      position: head,
      seizures: fold.changed.seizures.size,
      alerts: fold.changed.alerts.size,
      timings: { foldMs: Math.round(folded - started), writeMs: Math.round(written - folded) },
    };
  } catch (error) {
    // A flush still running would otherwise race the ROLLBACK on the same connection.
    await flushing?.catch(() => undefined);
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    if (reader !== runner) await reader.release();
    await runner.release();
  }
}

function poolSizeOf(dataSource: DataSource): number {
  const size = (dataSource.options as { poolSize?: number }).poolSize;
  // node-postgres' default pool holds ten connections.
  return size ?? 10;
}

/** The per-event state of a rebuild; exported for the rebuild's unit test. */
export class LedgerFold {
  readonly state = initialRiskState();
  readonly changed: ChangedIds = { seizures: new Map(), alerts: new Map() };
  /** What changed since the last `takePending`: the rows still to write. */
  private pending: ChangedIds = { seizures: new Map(), alerts: new Map() };
  events = 0;
  copies = 0;
  private readonly policies = new Map<AgencyCode, SharingPolicy>();
  private readonly policyVersions = new Map<AgencyCode, Map<number, readonly SharingRule[]>>();
  private readonly handling = new Map<string, Handling>();
  /** streamId → the policy version of the centre's first copy of that aggregate. */
  private readonly received = new Map<string, number>();

  constructor(
    private readonly recipient: AgencyCode,
    private readonly directory: Directory,
    private readonly secret: string,
  ) {}

  add(row: LedgerRow): void {
    this.events++;
    const event = toEvent(row);
    const payload = row.payload;
    if (event.type === 'policy.set') {
      const rules = (payload['rules'] ?? []) as readonly SharingRule[];
      this.policies.set(event.originator, { version: event.streamVersion, rules });
      const versions = this.policyVersions.get(event.originator) ?? new Map<number, readonly SharingRule[]>();
      versions.set(event.streamVersion, rules);
      this.policyVersions.set(event.originator, versions);
      return;
    }
    const handling = this.foldHandling(event.type, event.streamId, payload);
    if (!handling) return;
    const version = this.received.get(event.streamId);
    const deliveries = evaluateSharing({
      event,
      aggregate: { handling },
      policy: this.policies.get(event.originator),
      directory: this.directory,
      secret: this.secret,
      ...(version !== undefined ? { previousRecipients: new Map([[this.recipient, version]]) } : {}),
      rulesOfVersion: (v) => this.policyVersions.get(event.originator)?.get(v),
      skipPaths: true,
    });
    for (const delivery of deliveries) {
      if (delivery.recipient !== this.recipient) continue;
      if (version === undefined) this.received.set(event.streamId, delivery.policyVersion);
      this.copies++;
      const change = applySharedCopy(this.state, toSharedCopy(event, delivery));
      if (change?.kind === 'seizure') {
        this.changed.seizures.set(change.seizureId, event.position);
        this.pending.seizures.set(change.seizureId, event.position);
      } else if (change?.kind === 'alert') {
        this.changed.alerts.set(change.alertId, event.position);
        this.pending.alerts.set(change.alertId, event.position);
      }
    }
  }

  /** How many rows are waiting to be written. */
  get pendingRows(): number {
    return this.pending.seizures.size + this.pending.alerts.size;
  }

  /** The rows changed since the last call; each is written with its current state. */
  takePending(): ChangedIds {
    const taken = this.pending;
    this.pending = { seizures: new Map(), alerts: new Map() };
    return taken;
  }

  /** The aggregate's handling with this event applied (an amendment's `handling` replaces it whole). */
  private foldHandling(type: string, streamId: string, payload: Record<string, unknown>): Handling | undefined {
    if (type === 'seizure.reported' || type === 'threat.alert.issued') {
      const handling = payload['handling'] as Handling | undefined;
      if (handling && !this.handling.has(streamId)) this.handling.set(streamId, handling);
    } else if (type === 'seizure.amended' || type === 'threat.alert.updated') {
      const changes = payload['changes'] as Record<string, unknown> | undefined;
      const handling = changes?.['handling'] as Handling | undefined;
      if (handling && this.handling.has(streamId)) this.handling.set(streamId, handling);
    }
    return this.handling.get(streamId);
  }
}

function toEvent(row: LedgerRow): RecordedEvent {
  const occurredAt = row.payload['occurredAt'];
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    position: Number(row.position),
    originator: row.originator,
    recordedAt: row.recorded_at,
    ...(typeof occurredAt === 'string' ? { occurredAt } : {}),
    payload: row.payload,
  } as unknown as RecordedEvent;
}
