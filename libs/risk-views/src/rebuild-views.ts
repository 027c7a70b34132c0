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
import { evaluateSharing, initialRiskState, toSharedCopy, type SharingPolicy } from '@caravan/domain';
import { foldCopies, lockCheckpoint, setCheckpoint, writeState, type ChangedIds } from './risk-view-store.js';

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

/**
 * Replaces the views with a fold of the whole ledger, in one transaction that holds the aggregator's
 * checkpoint lock: the live aggregator waits, then skips every copy the rebuild already covered.
 */
export async function rebuildViews(dataSource: DataSource, options: RebuildOptions): Promise<RebuildResult> {
  const recipient = options.recipient ?? REGIONAL_CENTRE;
  const directory = options.directory ?? (await new DirectoryRepository(dataSource).loadDirectory());
  const narrowed: Directory = {
    agencies: directory.agencies.filter((a) => a.code === recipient),
    crossingPoints: directory.crossingPoints,
  };
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  await runner.startTransaction();
  try {
    await lockCheckpoint(runner);
    // Every copy the live aggregator has folded comes from an event committed before this point.
    const head = Number(
      (
        (await runner.query('SELECT coalesce(max(position), 0) AS head FROM ledger_events')) as Array<{ head: string }>
      )[0]?.head ?? 0,
    );
    const started = performance.now();
    const fold = new LedgerFold(recipient, narrowed, options.secret);
    const stream = client.query(new QueryStream(LEDGER_SQL, [head], { batchSize: options.fetchSize ?? 5_000 }));
    for await (const row of stream as AsyncIterable<LedgerRow>) fold.add(row);
    const folded = performance.now();
    // TRUNCATE rather than DELETE: no dead rows to vacuum after every rebuild. Readers of the views
    // wait for the rebuild's COMMIT instead of seeing the old rows meanwhile.
    await runner.query('TRUNCATE risk_seizures, risk_alerts');
    await writeState(runner, fold.state, fold.changed);
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
    await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}

/** The per-event state of a rebuild; exported for the rebuild's unit test. */
export class LedgerFold {
  readonly state = initialRiskState();
  readonly changed: ChangedIds = { seizures: new Map(), alerts: new Map() };
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
    });
    for (const delivery of deliveries) {
      if (delivery.recipient !== this.recipient) continue;
      if (version === undefined) this.received.set(event.streamId, delivery.policyVersion);
      this.copies++;
      foldCopies(this.state, [toSharedCopy(event, delivery)], this.changed);
    }
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
