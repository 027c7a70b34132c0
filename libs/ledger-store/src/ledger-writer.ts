// The ledger's only writer (SPEC §4). How positions stay gap-free as every reader sees them:
//
// - One in-process writer per instance with group commit: commands queue up while a batch is in
//   flight, and the next batch takes them all (up to maxBatchEvents) in one transaction. It starts
//   as soon as the one before sends COMMIT, and waits for the lock meanwhile.
// - Each batch transaction first takes pg_advisory_xact_lock(LEDGER_WRITE_LOCK), which serialises
//   writers across processes, and only then, in a later statement (so with a snapshot taken after the
//   lock was granted), reads the head and assigns positions head+1, head+2, ….
// - PostgreSQL makes a commit visible before it releases the transaction's locks, so the next batch
//   always sees the previous one: commit order = position order, and a reader whose snapshot shows
//   position N also shows every position below N. A rolled-back batch consumed no position (there
//   is no sequence), and a long-running batch simply makes the others wait for the lock.
//
// Why not the alternatives: a row-locked chain with one event per transaction collapses under 1k
// events/s, and sequence + high-water-mark readers have skipped events in mature projects.
// Batches also amortise the hash chain: it is computed here, in memory, from the head's hash.
import { createHash, createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { CaravanError } from '@caravan/contracts';
import { GENESIS_HASH, canonicalJson, signCheckpoint } from '@caravan/domain';
import {
  planBatch,
  type AppendRequest,
  type AppendResult,
  type BatchOutcome,
  type StoredCommand,
} from './batch-plan.js';
import { HUB_ROLE, LEDGER_CHANNEL, LEDGER_WRITE_LOCK } from './ledger-sql.js';
import { obtainConnection } from './connection.js';

/** What a batch looks like just before it commits (for fault injection in tests and metrics). */
export interface BatchInfo {
  readonly commands: number;
  readonly events: number;
  readonly firstPosition: number;
  readonly lastPosition: number;
  readonly checkpoints: number;
}

/** How a LedgerWriter behaves; only the signing key is required. */
export interface LedgerWriterOptions {
  /** The ledger's Ed25519 private key, PKCS#8 PEM (CARAVAN_LEDGER_KEY). */
  readonly signingKeyPem: string;
  /** Sign a checkpoint at least every this many events (SPEC §4: 1,000). */
  readonly checkpointEvery?: number;
  /** Sign the head when it moved during this interval (SPEC §4: 10 s). */
  readonly checkpointIntervalMs?: number;
  /** Upper bound of events per batch transaction. */
  readonly maxBatchEvents?: number;
  /** Runs inside the batch transaction after every insert, before COMMIT; throwing rolls it back. */
  readonly beforeCommit?: (batch: BatchInfo) => Promise<void> | void;
  readonly clock?: () => Date;
}

interface Pending {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Batch {
  readonly pending: readonly Pending[];
  readonly checkpointHead: boolean;
  readonly waiters: readonly Waiter[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** SHA-256 (hex) of a command body's RFC 8785 canonical JSON: the idempotency fingerprint. */
export function commandBodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

/** Appends events with group commit, hash chaining and signed checkpoints. One per process is enough. */
export class LedgerWriter {
  private readonly key: KeyObject;
  private readonly checkpointEvery: number;
  private readonly maxBatchEvents: number;
  private readonly clock: () => Date;
  private readonly timer: NodeJS.Timeout;
  private queue: Pending[] = [];
  /** A batch is about to start (after the current tick, so that its appends join it). */
  private scheduled = false;
  /** A batch has started and not yet sent its COMMIT: the next one waits for that. */
  private preparing = false;
  private readonly running = new Set<Promise<void>>();
  private checkpointDue = false;
  private checkpointWaiters: Waiter[] = [];
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: LedgerWriterOptions,
  ) {
    this.key = createPrivateKey(options.signingKeyPem);
    if (this.key.asymmetricKeyType !== 'ed25519') throw new Error('the ledger signing key must be an Ed25519 key');
    this.checkpointEvery = options.checkpointEvery ?? 1000;
    this.maxBatchEvents = options.maxBatchEvents ?? 1000;
    this.clock = options.clock ?? (() => new Date());
    this.timer = setInterval(() => {
      this.checkpointDue = true;
      this.kick();
    }, options.checkpointIntervalMs ?? 10_000);
    this.timer.unref();
  }

  /**
   * Records the events of one command, atomically, after the expected-version and idempotency
   * checks. Fails alone with `version-conflict` / `idempotency-conflict`; other commands of the same
   * batch are unaffected. Any other failure (database gone, batch rolled back) rejects every command
   * of the batch and records none of them: retrying with the same commandId is safe.
   */
  append(request: AppendRequest): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new CaravanError('unavailable', 'the ledger writer is closed'));
    if (request.events.length === 0) {
      return Promise.reject(new CaravanError('invalid', 'a command must record at least one event'));
    }
    if (request.command && !UUID.test(request.command.commandId)) {
      return Promise.reject(new CaravanError('invalid', 'commandId must be a UUID'));
    }
    // Enqueued synchronously: appends issued in one tick land in the same batch.
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.kick();
    });
  }

  /** Signs a checkpoint at the current head now if it has none yet; resolves once committed. */
  checkpointNow(): Promise<void> {
    if (this.closed) return Promise.reject(new CaravanError('unavailable', 'the ledger writer is closed'));
    return new Promise<void>((resolve, reject) => {
      this.checkpointWaiters.push({ resolve, reject });
      this.checkpointDue = true;
      this.kick();
    });
  }

  /** Finishes the queued commands and stops; later appends are refused with `unavailable`. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    while (this.scheduled || this.running.size > 0) {
      if (this.running.size > 0) await Promise.allSettled([...this.running]);
      else await new Promise<void>((resolve) => queueMicrotask(resolve));
    }
  }

  private kick(): void {
    if (this.scheduled || this.preparing) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.startBatch();
    });
  }

  private hasWork(): boolean {
    return this.queue.length > 0 || (this.checkpointDue && !this.closed) || this.checkpointWaiters.length > 0;
  }

  // A batch's COMMIT (the write-ahead log flush, its longest round trip) overlaps the start of the
  // next batch: once one sends COMMIT, the next takes what is queued, gets a session and asks for
  // the lock, so it reads the state the moment the first commit is visible instead of starting its
  // round trips then. The lock still orders them: the second reads the head only once it holds it.
  private startBatch(): void {
    if (this.preparing || !this.hasWork()) return;
    const batch = this.takeBatch();
    this.preparing = true;
    let committing = false;
    const onCommitting = () => {
      if (committing) return;
      committing = true;
      this.preparing = false;
      if (this.hasWork()) this.kick();
    };
    const run = this.runBatch(batch, onCommitting).finally(() => {
      onCommitting();
      this.running.delete(run);
    });
    this.running.add(run);
  }

  private takeBatch(): Batch {
    let events = 0;
    let count = 0;
    for (const item of this.queue) {
      if (count > 0 && events + item.request.events.length > this.maxBatchEvents) break;
      events += item.request.events.length;
      count += 1;
    }
    const pending = this.queue.slice(0, count);
    this.queue = this.queue.slice(count);
    const checkpointHead = this.checkpointDue;
    const waiters = this.checkpointWaiters;
    this.checkpointDue = false;
    this.checkpointWaiters = [];
    return { pending, checkpointHead, waiters };
  }

  private async runBatch(batch: Batch, onCommitting: () => void): Promise<void> {
    const requests = batch.pending.map((item) => item.request);
    let outcomes: readonly BatchOutcome[] = [];
    try {
      outcomes = await this.transact(requests, batch.checkpointHead, onCommitting);
    } catch (error) {
      const failure = asLedgerError(error);
      // A timer's checkpoint that failed is simply tried again at the next tick.
      for (const item of batch.pending) item.reject(failure);
      for (const waiter of batch.waiters) waiter.reject(failure);
      return;
    }
    batch.pending.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) item.resolve(outcome.result);
      else item.reject(outcome.error);
    });
    for (const waiter of batch.waiters) waiter.resolve();
  }

  private async transact(
    requests: readonly AppendRequest[],
    checkpointHead: boolean,
    onCommitting: () => void,
  ): Promise<readonly BatchOutcome[]> {
    const { client, release } = await obtainConnection(this.dataSource);
    // A session is handed back to the pool only when it is known to be clean (rolled back or committed).
    let broken: unknown;
    try {
      // One round trip takes the lock and reads the state: the state is read by a later statement,
      // and in READ COMMITTED each statement of a query string takes its snapshot when it starts,
      // so after the lock was granted. (A query string has no parameters, hence the literals.)
      const results = (await client.query(
        `BEGIN; SET LOCAL ROLE ${HUB_ROLE}; SELECT pg_advisory_xact_lock(${LEDGER_WRITE_LOCK}); ` +
          stateSql(client, requests),
      )) as unknown as pg.QueryResult<StateRow>[];
      const { outcomes, writes, info } = this.planWrites(requests, results[3]?.rows[0], checkpointHead);
      const hook = this.options.beforeCommit;
      if (hook) {
        if (writes) await client.query({ name: 'caravan-ledger-write', text: WRITE_SQL, values: writes });
        await hook(info);
        onCommitting();
        await client.query('COMMIT');
      } else {
        // With no hook to run in between, the writes and COMMIT go in one query string: one round
        // trip less while the lock is held (a query string has no parameters: the rows are literals).
        onCommitting();
        await client.query(writes ? `${inlined(WRITE_SQL, writes)}; COMMIT` : 'COMMIT');
      }
      return outcomes;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError;
      }
      throw error;
    } finally {
      release(broken);
    }
  }

  // Once it holds the lock the batch makes one more round trip: one statement that writes
  // everything, and COMMIT (two when a beforeCommit hook must run in between). Under load every
  // round trip waits for the server to be scheduled, and the lock is held meanwhile, so their number
  // bounds throughput and latency.
  private planWrites(
    requests: readonly AppendRequest[],
    row: StateRow | undefined,
    checkpointHead: boolean,
  ): { outcomes: readonly BatchOutcome[]; writes: WriteValues | undefined; info: BatchInfo } {
    const plan = planBatch(
      {
        headPosition: Number(row?.position ?? 0),
        headHash: row?.hash ?? GENESIS_HASH,
        ...(row?.recorded_at ? { headRecordedAt: row.recorded_at } : {}),
        lastCheckpoint: Number(row?.checkpoint ?? 0),
        streamVersions: new Map((row?.versions ?? []).map((v) => [v.streamId, v.version])),
        commands: new Map((row?.commands ?? []).map((c) => [c.commandId, c])),
      },
      requests,
      {
        now: this.clock(),
        newEventId: randomUUID,
        sign: (position, hash) => signCheckpoint(this.key, position, hash),
        checkpointEvery: this.checkpointEvery,
        checkpointHead,
      },
    );
    const writes: WriteValues | undefined =
      plan.events.length > 0 || plan.checkpoints.length > 0
        ? [
            JSON.stringify(
              plan.events.map((event) => ({
                position: event.position,
                event_id: event.eventId,
                type: event.type,
                schema_version: event.schemaVersion,
                stream_id: event.streamId,
                stream_version: event.streamVersion,
                originator: event.originator,
                recorded_at: event.recordedAt,
                payload: event.payload,
                hash: event.hash,
              })),
            ),
            JSON.stringify(
              plan.commands.map((c) => ({
                command_id: c.commandId,
                agency: c.agency,
                command_name: c.name,
                body_sha256: c.bodyHash,
                event_id: c.eventId,
                position: c.position,
                stream_version: c.streamVersion,
                recorded_at: c.recordedAt,
              })),
            ),
            JSON.stringify(
              plan.checkpoints.map((c) => ({
                position: c.position,
                hash: c.hash,
                signature: c.signature,
                signed_at: c.signedAt,
              })),
            ),
            // Delivered to listeners only if and when this transaction commits.
            plan.events.length > 0 ? String(plan.headPosition) : null,
          ]
        : undefined;
    const info: BatchInfo = {
      commands: requests.length,
      events: plan.events.length,
      firstPosition: plan.events[0]?.position ?? plan.headPosition + 1,
      lastPosition: plan.headPosition,
      checkpoints: plan.checkpoints.length,
    };
    return { outcomes: plan.outcomes, writes, info };
  }
}

/** The parameters of WRITE_SQL: events, commands and checkpoints as JSON, and the new head. */
type WriteValues = [string, string, string, string | null];

/**
 * `sql` with its parameters `$1::`, `$2::`, … replaced by literals. Strings are dollar-quoted with a
 * tag that does not occur in them, so their text is taken verbatim whatever it holds.
 */
function inlined(sql: string, values: readonly (string | null)[]): string {
  return sql.replace(/\$(\d+)::/g, (_match, index: string) => {
    const value = values[Number(index) - 1];
    if (value === null || value === undefined) return 'NULL::';
    // A tag the value never contains, not even without its closing `$`: a value ending in `$caravan`
    // would otherwise close the quote one character early, against the closing tag's own `$`.
    let tag = 'caravan';
    while (value.includes(`$${tag}`)) tag += '_';
    return `$${tag}$${value}$${tag}$::`;
  });
}

interface StateRow {
  position: string | null;
  hash: string | null;
  recorded_at: string | null;
  checkpoint: string | null;
  versions: Array<{ streamId: string; version: number }> | null;
  commands: StoredCommand[] | null;
}

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

// The head, the last checkpoint, the versions of the batch's streams and its already recorded
// commands, in one statement (run after the lock was granted, so with a snapshot that shows every
// earlier batch). The arrays are literals, so it is planned for the actual values each time (a
// generic plan scanned the whole table).
function stateSql(client: pg.PoolClient, requests: readonly AppendRequest[]): string {
  const array = (values: Iterable<string>, type: string) =>
    `ARRAY[${[...values].map((value) => client.escapeLiteral(value)).join(', ')}]::${type}[]`;
  const streamIds = new Set(requests.map((request) => request.streamId));
  const commandIds = new Set(requests.flatMap((request) => (request.command ? [request.command.commandId] : [])));
  return `
  SELECT h.position, h.hash, to_char(h.recorded_at AT TIME ZONE 'UTC', ${ISO_MS}) AS recorded_at,
         (SELECT max(position) FROM ledger_checkpoints) AS checkpoint,
         (SELECT json_agg(json_build_object('streamId', stream_id, 'version', version))
            FROM (SELECT stream_id, max(stream_version) AS version FROM ledger_events
                   WHERE stream_id = ANY(${array(streamIds, 'text')}) GROUP BY stream_id) v) AS versions,
         (SELECT json_agg(json_build_object(
                   'commandId', command_id, 'agency', agency, 'name', command_name, 'bodyHash', body_sha256,
                   'eventId', event_id, 'position', position, 'streamVersion', stream_version,
                   'recordedAt', to_char(recorded_at AT TIME ZONE 'UTC', ${ISO_MS})))
            FROM ledger_commands WHERE command_id = ANY(${array(commandIds, 'uuid')})) AS commands
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT position, hash, recorded_at FROM ledger_events ORDER BY position DESC LIMIT 1) h ON true`;
}

// Every row of the batch and the notification, in one statement (data-modifying CTEs all run).
const WRITE_SQL = `
  WITH events AS (
    INSERT INTO ledger_events (position, event_id, type, schema_version, stream_id, stream_version,
                               originator, recorded_at, payload, hash)
    SELECT position, event_id, type, schema_version, stream_id, stream_version, originator, recorded_at, payload, hash
      FROM jsonb_to_recordset($1::jsonb) AS e(position bigint, event_id uuid, type text, schema_version integer,
           stream_id text, stream_version integer, originator text, recorded_at timestamptz, payload jsonb, hash text)
  ), commands AS (
    INSERT INTO ledger_commands (command_id, agency, command_name, body_sha256, event_id, position, stream_version,
                                 recorded_at)
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS c(command_id uuid, agency text, command_name text,
           body_sha256 text, event_id uuid, position bigint, stream_version integer, recorded_at timestamptz)
  ), checkpoints AS (
    INSERT INTO ledger_checkpoints (position, hash, signature, signed_at)
    SELECT * FROM jsonb_to_recordset($3::jsonb) AS k(position bigint, hash text, signature text, signed_at timestamptz)
  )
  SELECT pg_notify('${LEDGER_CHANNEL}', $4::text) WHERE $4::text IS NOT NULL`;

function asLedgerError(error: unknown): unknown {
  if (error instanceof CaravanError) return error;
  const failure = new CaravanError(
    'unavailable',
    'the ledger could not record the command; retry with the same commandId',
  );
  Object.defineProperty(failure, 'cause', { value: error });
  return failure;
}
