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
//
// Every row is written once, by COPY, as soon as its stream's last event has been folded: the ledger
// is first asked where each stream with follow-ups ends. PostgreSQL then sends the ledger as binary
// COPY on one connection and takes the views' COPY on another while this process folds, so the three
// work at once.
import { performance } from 'node:perf_hooks';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import {
  REGIONAL_CENTRE,
  streamIds,
  type AgencyCode,
  type Directory,
  type Handling,
  type RecordedEvent,
  type SharingRule,
} from '@caravan/contracts';
import {
  int32At,
  int64At,
  isoTimeOf,
  LedgerCopyColumn,
  LedgerCopyDecoder,
  textAt,
  uuidAt,
  type LedgerCopyRowView,
} from '@caravan/audit';
import { DirectoryRepository } from '@caravan/directory';
import {
  applySharedCopy,
  evaluateSharing,
  initialRiskState,
  toSharedCopy,
  type AlertRecord,
  type SeizureContribution,
  type SeizureRecord,
  type SharingPolicy,
} from '@caravan/domain';
import { copyEventsOn } from '@caravan/ledger-store';
import { alertCopyLine, CopyRows, seizureCopyLine } from './copy-rows.js';
import { lockCheckpoint, setCheckpoint, writeState, type ChangedIds } from './risk-view-store.js';

/** What a rebuild needs besides the database. */
export interface RebuildOptions {
  /** The hub pseudonym secret (CARAVAN_PSEUDONYM_SECRET): pseudonyms must match the live copies. */
  readonly secret: string;
  /** The directory to decide with; loaded from the directory tables when omitted. */
  readonly directory?: Directory;
  /** Whose feed the views are built from; the regional centre (CARICC) by default. */
  readonly recipient?: AgencyCode;
  /** Ledger positions read per COPY statement. */
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
  /** Milliseconds spent reading and folding the ledger, then finishing the writes. */
  readonly timings: { readonly foldMs: number; readonly writeMs: number };
}

// Where each stream with more than one event ends; every other stream ends with its first event.
const STREAM_ENDS_SQL = `SELECT stream_id, max(position) AS last FROM ledger_events
  WHERE position <= $1 AND stream_version > 1 GROUP BY stream_id`;

/**
 * Positions per ledger COPY: each statement costs little, and a fold that fails part-way reads
 * (without folding) at most the rest of one range before the session is free for the ROLLBACK.
 */
const POSITIONS_PER_COPY = 100_000;

/**
 * Replaces the views with a fold of the whole ledger, in one transaction that holds the aggregator's
 * checkpoint lock: the live aggregator waits, then skips every copy the rebuild already covered.
 *
 * The ledger is read on a second connection while the folded rows are written on the first; with a
 * one-connection pool it reads everything first and writes afterwards.
 */
export async function rebuildViews(dataSource: DataSource, options: RebuildOptions): Promise<RebuildResult> {
  const recipient = options.recipient ?? REGIONAL_CENTRE;
  const directory = options.directory ?? (await new DirectoryRepository(dataSource).loadDirectory());
  const narrowed: Directory = {
    agencies: directory.agencies.filter((a) => a.code === recipient),
    crossingPoints: directory.crossingPoints,
  };
  try {
    return await rebuildOnce(dataSource, options, recipient, narrowed, true);
  } catch (error) {
    if (!(error instanceof StreamCrossingError)) throw error;
    // Rolled back; again, keeping every row in memory until the end.
    return rebuildOnce(dataSource, options, recipient, narrowed, false);
  }
}

async function rebuildOnce(
  dataSource: DataSource,
  options: RebuildOptions,
  recipient: AgencyCode,
  narrowed: Directory,
  evict: boolean,
): Promise<RebuildResult> {
  const pipelined = poolSizeOf(dataSource) >= 2;
  const runner = dataSource.createQueryRunner();
  const reader = pipelined ? dataSource.createQueryRunner() : runner;
  let seizureCopy: CopyRows | undefined;
  let readerOpen = false;
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
    const started = performance.now();
    const client = (await reader.connect()) as PoolClient;
    if (reader !== runner) {
      await client.query('BEGIN READ ONLY');
      readerOpen = true;
    }
    // The primary key already holds the ledger in position order. Without statistics (a ledger
    // never analysed, or autovacuum off) the planner would rather bitmap-scan each range and sort it,
    // on disk once it outgrows work_mem, before sending the first row.
    await client.query('SET LOCAL enable_sort = off');
    // Where streams end is asked only now that the head is known: a later snapshot holds every event
    // up to it (commit order is position order), so no stream seems to end before it does.
    const [ends] = await Promise.all([
      streamEnds(client, head),
      // TRUNCATE rather than DELETE: no dead rows to vacuum after every rebuild. Readers of the views
      // wait for the rebuild's COMMIT instead of seeing the old rows meanwhile.
      runner.query('TRUNCATE risk_seizures, risk_alerts'),
    ]);
    const fold = new LedgerFold(recipient, narrowed, options.secret, { ends, evict });
    // Seizure rows stream into one COPY during the read; alerts are few and follow it.
    const seizures = pipelined ? (seizureCopy = new CopyRows(writer, 'risk_seizures')) : undefined;
    const alertLines: string[] = [];
    const seizureLines: string[] = [];
    // An evicting fold finishes each row once (a second finish would be a stream crossing, which
    // throws); otherwise a row finished again goes in by upsert once the COPY is done.
    const written = evict ? undefined : { seizures: new Set<string>(), alerts: new Set<string>() };
    const again: ChangedIds = { seizures: new Map(), alerts: new Map() };
    const counts = { seizures: 0, alerts: 0 };
    fold.onFinished = (finished) => {
      if (finished.kind === 'seizure') {
        if (written?.seizures.has(finished.id)) return void again.seizures.set(finished.id, finished.position);
        written?.seizures.add(finished.id);
        counts.seizures++;
        const line = seizureCopyLine(finished.id, finished.position, finished.record, finished.contribution);
        if (seizures) seizures.add(line);
        else seizureLines.push(line);
      } else {
        if (written?.alerts.has(finished.id)) return void again.alerts.set(finished.id, finished.position);
        written?.alerts.add(finished.id);
        counts.alerts++;
        alertLines.push(alertCopyLine(finished.id, finished.position, finished.record));
      }
    };
    const step = options.fetchSize ?? POSITIONS_PER_COPY;
    for (let after = 0; after < head; after += step) {
      await readLedger(client, { after, upTo: Math.min(head, after + step) }, fold, seizures);
    }
    fold.finishAll();
    const folded = performance.now();
    if (seizures) await seizures.end();
    else await copyLines(writer, 'risk_seizures', seizureLines);
    seizureCopy = undefined;
    await copyLines(writer, 'risk_alerts', alertLines);
    // Without eviction: rows an event of another stream changed after they were written.
    await writeState(runner, fold.state, again);
    await setCheckpoint(runner, head);
    if (readerOpen) {
      readerOpen = false;
      await client.query('COMMIT');
    }
    await runner.commitTransaction();
    const done = performance.now();
    return {
      events: fold.events,
      copies: fold.copies,
      position: head,
      seizures: counts.seizures,
      alerts: counts.alerts,
      timings: { foldMs: Math.round(folded - started), writeMs: Math.round(done - folded) },
    };
  } catch (error) {
    // A COPY still open would otherwise hold the connection the ROLLBACK needs.
    await seizureCopy?.abort();
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    if (readerOpen) await reader.query('ROLLBACK').catch(() => undefined);
    if (reader !== runner) await reader.release();
    await runner.release();
  }
}

function poolSizeOf(dataSource: DataSource): number {
  const size = (dataSource.options as { poolSize?: number }).poolSize;
  // node-postgres' default pool holds ten connections.
  return size ?? 10;
}

async function streamEnds(client: PoolClient, head: number): Promise<Map<string, number>> {
  const { rows } = await client.query<{ stream_id: string; last: string }>(STREAM_ENDS_SQL, [head]);
  const ends = new Map<string, number>();
  for (const row of rows) ends.set(row.stream_id, Number(row.last));
  return ends;
}

/**
 * Folds the ledger rows of one range as the binary COPY delivers them. PostgreSQL keeps sending
 * while this process folds; the COPY stream holds the session back when the fold falls behind, and
 * the fold waits whenever the views' COPY has more queued than PostgreSQL has taken.
 */
async function readLedger(
  client: PoolClient,
  range: { readonly after: number; readonly upTo: number },
  fold: LedgerFold,
  seizures: CopyRows | undefined,
): Promise<void> {
  const decoder = new LedgerCopyDecoder();
  const events = new LedgerEvents();
  const visit = (row: LedgerCopyRowView): boolean => {
    fold.add(events.eventOf(row));
    return true;
  };
  let failure: { error: unknown } | undefined;
  for await (const chunk of copyEventsOn(client, range)) {
    // After a failure the COPY is still read to its end: left unread it would hold the session the
    // ROLLBACK needs.
    if (failure) continue;
    try {
      decoder.push(chunk, visit);
      await seizures?.drained();
    } catch (error) {
      failure = { error };
    }
  }
  if (failure) throw failure.error;
  decoder.end();
}

/** Envelopes from COPY rows. */
class LedgerEvents {
  // The writer gives every event of a batch the same recordedAt: most rows repeat the one before's.
  private lastMs = Number.NaN;
  private lastRecordedAt = '';

  /**
   * The envelope as LedgerReader gives it (recordedAt in its milliseconds form, occurredAt taken
   * from the payload), so that each event is redacted exactly as the distributor redacted it.
   */
  eventOf(row: LedgerCopyRowView): RecordedEvent {
    const payload = JSON.parse(textAt(row, LedgerCopyColumn.payload)) as Record<string, unknown>;
    const occurredAt = payload['occurredAt'];
    return {
      eventId: uuidAt(row),
      type: textAt(row, LedgerCopyColumn.type),
      schemaVersion: int32At(row, LedgerCopyColumn.schemaVersion),
      streamId: textAt(row, LedgerCopyColumn.streamId),
      streamVersion: int32At(row, LedgerCopyColumn.streamVersion),
      position: int64At(row, LedgerCopyColumn.position),
      originator: textAt(row, LedgerCopyColumn.originator),
      recordedAt: this.recordedAt(int64At(row, LedgerCopyColumn.recordedAt)),
      ...(typeof occurredAt === 'string' ? { occurredAt } : {}),
      payload,
    } as unknown as RecordedEvent;
  }

  // isoTimeOf depends on the millisecond alone.
  private recordedAt(microseconds: number): string {
    const ms = Math.floor(microseconds / 1000);
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastRecordedAt = isoTimeOf(microseconds);
    }
    return this.lastRecordedAt;
  }
}

async function copyLines(client: PoolClient, table: 'risk_seizures' | 'risk_alerts', lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const copy = new CopyRows(client, table);
  for (const line of lines) copy.add(line);
  await copy.end();
}

/** A row whose stream has ended: it changes no more, and can be written. */
export type FinishedRow =
  | {
      readonly kind: 'seizure';
      readonly id: string;
      readonly position: number;
      readonly record: SeizureRecord;
      readonly contribution: SeizureContribution | null;
    }
  | { readonly kind: 'alert'; readonly id: string; readonly position: number; readonly record: AlertRecord };

/**
 * Thrown by an evicting fold when an event changes an aggregate of another stream: that aggregate's
 * row may already be written and forgotten. The ledger's deciders never record such an event.
 */
export class StreamCrossingError extends Error {
  constructor(streamId: string, position: number, aggregate: string) {
    super(`ledger position ${position} of ${streamId} changes ${aggregate}, an aggregate of another stream`);
    this.name = 'StreamCrossingError';
  }
}

/** How a fold learns that a stream has ended. */
export interface StreamEnds {
  /** The last position of every stream with more than one event; any other ends with its first. */
  readonly ends: ReadonlyMap<string, number>;
  /**
   * Forget a row once it is finished, so the fold holds only the aggregates still open (the heap
   * then stays small and each payload dies young); an event that crosses streams then throws
   * StreamCrossingError.
   */
  readonly evict: boolean;
}

/** Everything the fold keeps per stream until the stream ends. */
interface StreamState {
  /** The aggregate's handling with the events so far applied. */
  handling?: Handling;
  /** The policy version of the centre's first copy of the aggregate. */
  received?: number;
  /** The rows its events changed and have yet to be finished. */
  open?: OpenRow[];
}

interface OpenRow {
  readonly kind: 'seizure' | 'alert';
  readonly id: string;
  readonly position: number;
  /** A seizure's contribution after the change (null once retracted). */
  readonly contribution: SeizureContribution | null;
}

/** The per-event state of a rebuild; exported for the rebuild's unit test. */
export class LedgerFold {
  readonly state = initialRiskState();
  events = 0;
  copies = 0;
  /** Called once for each row whose stream has ended (and by finishAll for any still open). */
  onFinished: (row: FinishedRow) => void = () => undefined;
  private readonly policies = new Map<AgencyCode, SharingPolicy>();
  private readonly policyVersions = new Map<AgencyCode, Map<number, readonly SharingRule[]>>();
  private readonly streams = new Map<string, StreamState>();

  /**
   * @param streaming where streams end, so rows are finished as soon as they can no longer change;
   *   without it every row is finished by finishAll.
   */
  constructor(
    private readonly recipient: AgencyCode,
    private readonly directory: Directory,
    private readonly secret: string,
    private readonly streaming?: StreamEnds,
  ) {}

  /** Folds the next ledger event (in position order). */
  add(event: RecordedEvent): void {
    this.events++;
    const end = this.streaming ? (this.streaming.ends.get(event.streamId) ?? event.position) : undefined;
    // A stream's state is gone once it has ended: an event past its end would be folded into nothing.
    if (
      end !== undefined &&
      (event.position > end || (event.streamVersion > 1 && !this.streaming?.ends.has(event.streamId)))
    ) {
      throw new Error(`ledger position ${event.position} of ${event.streamId} lies past the end the rebuild was given`);
    }
    this.fold(event);
    if (event.position === end) this.finishStream(event.streamId);
  }

  /** Finishes every row still open (the end of the ledger). */
  finishAll(): void {
    for (const streamId of [...this.streams.keys()]) this.finishStream(streamId);
  }

  private fold(event: RecordedEvent): void {
    const payload = event.payload as unknown as Record<string, unknown>;
    if (event.type === 'policy.set') {
      const rules = (payload['rules'] ?? []) as readonly SharingRule[];
      this.policies.set(event.originator, { version: event.streamVersion, rules });
      const versions = this.policyVersions.get(event.originator) ?? new Map<number, readonly SharingRule[]>();
      versions.set(event.streamVersion, rules);
      this.policyVersions.set(event.originator, versions);
      return;
    }
    let stream = this.streams.get(event.streamId);
    if (!stream) this.streams.set(event.streamId, (stream = {}));
    const handling = foldHandling(stream, event.type, payload);
    if (!handling) return;
    const version = stream.received;
    const deliveries = evaluateSharing({
      event,
      aggregate: { handling },
      policy: this.policies.get(event.originator),
      directory: this.directory,
      secret: this.secret,
      ...(version !== undefined ? { previousRecipients: new Map([[this.recipient, version]]) } : {}),
      rulesOfVersion: (v) => this.policyVersions.get(event.originator)?.get(v),
      skipPaths: true,
      // Parsed from the ledger row for this event alone.
      reusePayload: true,
    });
    for (const delivery of deliveries) {
      if (delivery.recipient !== this.recipient) continue;
      if (version === undefined) stream.received = delivery.policyVersion;
      this.copies++;
      if (this.streaming?.evict) this.checkStream(event, delivery.payload);
      const change = applySharedCopy(this.state, toSharedCopy(event, delivery));
      if (change?.kind === 'seizure') {
        touch(stream, { kind: 'seizure', id: change.seizureId, position: event.position, contribution: change.after });
      } else if (change?.kind === 'alert') {
        touch(stream, { kind: 'alert', id: change.alertId, position: event.position, contribution: null });
      }
    }
  }

  /** An evicted row is gone for good, so a copy may change only its own stream's aggregate. */
  private checkStream(event: RecordedEvent, payload: Readonly<Record<string, unknown>>): void {
    const seizure = event.type.startsWith('seizure.');
    const id = payload[seizure ? 'seizureId' : 'alertId'];
    if (typeof id !== 'string') return;
    const own = seizure ? streamIds.seizure(id) : streamIds.alert(id);
    if (own !== event.streamId) throw new StreamCrossingError(event.streamId, event.position, own);
  }

  private finishStream(streamId: string): void {
    const stream = this.streams.get(streamId);
    // Nothing of an ended stream is read again: its next event, if any, lies beyond the ledger's end.
    this.streams.delete(streamId);
    const evict = this.streaming?.evict === true;
    for (const row of stream?.open ?? []) {
      if (row.kind === 'seizure') {
        const record = this.state.seizures.get(row.id)!;
        if (evict) this.state.seizures.delete(row.id);
        this.onFinished({
          kind: 'seizure',
          id: row.id,
          position: row.position,
          record,
          contribution: row.contribution,
        });
      } else {
        const record = this.state.alerts.get(row.id)!;
        if (evict) this.state.alerts.delete(row.id);
        this.onFinished({ kind: 'alert', id: row.id, position: row.position, record });
      }
    }
  }
}

/** The aggregate's handling with this event applied (an amendment's `handling` replaces it whole). */
function foldHandling(stream: StreamState, type: string, payload: Record<string, unknown>): Handling | undefined {
  if (type === 'seizure.reported' || type === 'threat.alert.issued') {
    const handling = payload['handling'] as Handling | undefined;
    if (handling && !stream.handling) stream.handling = handling;
  } else if (type === 'seizure.amended' || type === 'threat.alert.updated') {
    const changes = payload['changes'] as Record<string, unknown> | undefined;
    const handling = changes?.['handling'] as Handling | undefined;
    if (handling && stream.handling) stream.handling = handling;
  }
  return stream.handling;
}

function touch(stream: StreamState, row: OpenRow): void {
  if (!stream.open) return void (stream.open = [row]);
  const same = stream.open.findIndex((r) => r.kind === row.kind && r.id === row.id);
  if (same >= 0) stream.open[same] = row;
  else stream.open.push(row);
}
