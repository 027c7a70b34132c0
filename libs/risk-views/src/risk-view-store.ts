// The risk views' tables (see the migration): the aggregator's batched, exactly-once writes, the
// rebuild's bulk replacement, and the reads the gateway computes views from.
import type { DataSource, EntityManager } from 'typeorm';
import type { SharedCopy } from '@caravan/contracts';
import {
  applySharedCopy,
  initialRiskState,
  seizureContribution,
  seizureRecordOf,
  storedSeizure,
  type AlertRecord,
  type AlertState,
  type RiskState,
  type SeizureContribution,
  type SeizureRecord,
  type StoredSeizure,
} from '@caravan/domain';

/** The checkpoint row of the aggregator (and of a rebuild, which replaces its work). */
export const AGGREGATOR_CHECKPOINT = 'aggregator';

/** What one batch did. */
export interface BatchResult {
  /** Copies folded in (above the checkpoint). */
  readonly applied: number;
  /** Copies at or below the checkpoint: redeliveries, acked without effect. */
  readonly skipped: number;
  /** The checkpoint after the batch. */
  readonly position: number;
}

/** Where the views stand: the last ledger position folded and the last share-stream sequence handled. */
export interface Checkpoint {
  readonly position: number;
  readonly streamSequence: number;
}

/** An aggregator instance's lead: its epoch, and the checkpoint as it stood when the lead began. */
export interface LeaderTerm extends Checkpoint {
  readonly epoch: number;
}

/** A batch refused because another instance has taken the lead since this one began its term. */
export class FencedOffError extends Error {
  constructor(
    readonly epoch: number,
    readonly current: number,
  ) {
    super(`aggregator lead ${epoch} has ended: lead ${current} is folding the views now`);
    this.name = 'FencedOffError';
  }
}

/** Which contributions to read; every bound is optional and weeks are ISO weeks (inclusive). */
export interface ContributionFilter {
  readonly country?: string;
  readonly crossingPoint?: string;
  readonly fromWeek?: string;
  readonly toWeek?: string;
}

/** Anything that runs SQL and returns rows: a DataSource or an EntityManager. */
interface Sql {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

// Rows are written through json_to_recordset: one parameter whatever the batch size, and one round
// trip for thousands of rows. json (not jsonb) keeps each record's text as JSON.stringify wrote it,
// so a row upserted here is byte for byte the row the rebuild COPYs.
const UPSERT_SEIZURES = `
  INSERT INTO risk_seizures (seizure_id, originator, record, contribution, country, crossing_point, week, position)
  SELECT seizure_id, originator, record, contribution, country, crossing_point, week, position
    FROM json_to_recordset($1::json) AS r(seizure_id text, originator text, record json, contribution json,
         country text, crossing_point text, week text, position bigint)
  ON CONFLICT (seizure_id) DO UPDATE SET originator = EXCLUDED.originator, record = EXCLUDED.record,
    contribution = EXCLUDED.contribution, country = EXCLUDED.country, crossing_point = EXCLUDED.crossing_point,
    week = EXCLUDED.week, position = EXCLUDED.position`;

const UPSERT_ALERTS = `
  INSERT INTO risk_alerts (alert_id, originator, record, withdrawn, position)
  SELECT alert_id, originator, record, withdrawn, position
    FROM json_to_recordset($1::json) AS r(alert_id text, originator text, record json, withdrawn boolean,
         position bigint)
  ON CONFLICT (alert_id) DO UPDATE SET originator = EXCLUDED.originator, record = EXCLUDED.record,
    withdrawn = EXCLUDED.withdrawn, position = EXCLUDED.position`;

/** Rows per INSERT statement: large enough to amortise the round trip, small enough for one JSON text. */
const CHUNK = 5_000;

/** Reads and writes the risk views' tables. */
export class RiskViewStore {
  constructor(private readonly dataSource: DataSource) {}

  /** The last shared-copy position folded into the views (0 before the first). */
  async checkpoint(): Promise<number> {
    return (await this.checkpointRow()).position;
  }

  /** The checkpoint with the share-stream sequence of the last message handled. */
  async checkpointRow(): Promise<Checkpoint> {
    const rows = await this.dataSource.query<Array<{ position: string; stream_sequence: string }>>(
      'SELECT position, stream_sequence FROM risk_checkpoints WHERE name = $1',
      [AGGREGATOR_CHECKPOINT],
    );
    return rows[0]
      ? { position: Number(rows[0].position), streamSequence: Number(rows[0].stream_sequence) }
      : { position: 0, streamSequence: 0 };
  }

  /**
   * Begins a new lead: moves the leader epoch on and returns it with the checkpoint, under the
   * checkpoint's row lock, so a batch the previous lead was still committing is counted in it and
   * every later batch of that lead is refused.
   */
  async beginLeaderTerm(): Promise<LeaderTerm> {
    return this.dataSource.transaction(async (manager) => {
      await ensureCheckpoint(manager);
      // Wrapped in a SELECT so the driver returns the rows, as for any other query.
      const rows = await manager.query<Array<{ position: string; stream_sequence: string; leader_epoch: string }>>(
        `WITH moved AS (UPDATE risk_checkpoints SET leader_epoch = leader_epoch + 1 WHERE name = $1
           RETURNING position, stream_sequence, leader_epoch) SELECT * FROM moved`,
        [AGGREGATOR_CHECKPOINT],
      );
      const row = rows[0]!;
      return {
        position: Number(row.position),
        streamSequence: Number(row.stream_sequence),
        epoch: Number(row.leader_epoch),
      };
    });
  }

  /**
   * Folds a batch of the centre's shared copies (in position order) into the views and moves the
   * checkpoint, in one transaction: a crash before COMMIT changes nothing, a crash after it leaves
   * copies at or below the checkpoint, which a redelivery then skips. The checkpoint row is locked
   * first, so two aggregators (or an aggregator and a rebuild) never interleave. `streamSequence` is
   * the share-stream sequence of the batch's last message, kept for an in-order restart. With
   * `leaderEpoch`, the batch is refused (FencedOffError) once another lead has begun.
   */
  async applyCopies(
    copies: readonly SharedCopy[],
    streamSequence?: number,
    leaderEpoch?: number,
  ): Promise<BatchResult> {
    return this.dataSource.transaction(async (manager) => {
      const { position: checkpoint, epoch } = await lockCheckpointRow(manager);
      if (leaderEpoch !== undefined && epoch !== leaderEpoch) throw new FencedOffError(leaderEpoch, epoch);
      const fresh = copies.filter((c) => c.position > checkpoint).sort((a, b) => a.position - b.position);
      let position = checkpoint;
      if (fresh.length > 0) {
        const state = await loadTouched(manager, fresh, checkpoint);
        const changed = foldCopies(state, fresh);
        await writeState(manager, state, changed);
        position = state.position;
      }
      await setCheckpoint(manager, position, streamSequence);
      return { applied: fresh.length, skipped: copies.length - fresh.length, position };
    });
  }

  /** The live seizures' contributions matching the filter, in seizure-id order. */
  async contributions(filter: ContributionFilter = {}): Promise<SeizureContribution[]> {
    return readContributions(this.dataSource, filter);
  }

  /** Every alert the centre knows, withdrawn ones included, in alert-id order. */
  async alerts(): Promise<AlertState[]> {
    const rows = await this.dataSource.query<Array<{ record: AlertRecord }>>(
      'SELECT record FROM risk_alerts ORDER BY alert_id COLLATE "C"',
    );
    return rows.map((r) => r.record.state);
  }

  /** The whole projection state as stored (records and checkpoint), e.g. to compare two runs. */
  async loadState(): Promise<RiskState> {
    const state = initialRiskState();
    state.position = await this.checkpoint();
    const seizures = await this.dataSource.query<SeizureRowRead[]>(
      'SELECT seizure_id, record, contribution FROM risk_seizures ORDER BY seizure_id COLLATE "C"',
    );
    for (const row of seizures) state.seizures.set(row.seizure_id, recordOfRow(row));
    const alerts = await this.dataSource.query<Array<{ alert_id: string; record: AlertRecord }>>(
      'SELECT alert_id, record FROM risk_alerts ORDER BY alert_id COLLATE "C"',
    );
    for (const row of alerts) state.alerts.set(row.alert_id, row.record);
    return state;
  }
}

/** Reads contributions through any SQL runner (the gateway reads with its own DataSource). */
export async function readContributions(db: Sql, filter: ContributionFilter = {}): Promise<SeizureContribution[]> {
  const where = ['contribution IS NOT NULL'];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.country !== undefined) add('country = ?', filter.country);
  if (filter.crossingPoint !== undefined) add('crossing_point = ?', filter.crossingPoint);
  if (filter.fromWeek !== undefined) add('week >= ?', filter.fromWeek);
  if (filter.toWeek !== undefined) add('week <= ?', filter.toWeek);
  const rows = (await db.query(
    `SELECT contribution FROM risk_seizures WHERE ${where.join(' AND ')} ORDER BY seizure_id COLLATE "C"`,
    params,
  )) as Array<{ contribution: SeizureContribution }>;
  return rows.map((r) => r.contribution);
}

/** Reads every alert state through any SQL runner. */
export async function readAlerts(db: Sql): Promise<AlertState[]> {
  const rows = (await db.query('SELECT record FROM risk_alerts ORDER BY alert_id COLLATE "C"')) as Array<{
    record: AlertRecord;
  }>;
  return rows.map((r) => r.record.state);
}

/** What a fold changed: the ids and the position of the copy that last changed each. */
export interface ChangedIds {
  readonly seizures: Map<string, number>;
  readonly alerts: Map<string, number>;
}

/** Folds copies into `state` in place and collects what changed. */
export function foldCopies(
  state: RiskState,
  copies: Iterable<SharedCopy>,
  changed: ChangedIds = { seizures: new Map(), alerts: new Map() },
): ChangedIds {
  for (const copy of copies) {
    const change = applySharedCopy(state, copy);
    if (change?.kind === 'seizure') changed.seizures.set(change.seizureId, copy.position);
    else if (change?.kind === 'alert') changed.alerts.set(change.alertId, copy.position);
  }
  return changed;
}

// A seizure row keeps its contribution and the little else a later copy needs (StoredSeizure); its
// payload is rebuilt from the contribution when loaded. An alert's record keeps only the payload
// fields the projection reads: an update replaces top-level fields whole (SPEC §3.2), so folding it
// into the trimmed payload gives the same state as folding it into the full one. Either way the
// views' tables hold no suspects, narratives or pseudonyms they never show.
const ALERT_KEYS = ['alertId', 'severity', 'validFrom', 'validUntil', 'area'];

function pick(payload: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (payload[key] !== undefined) out[key] = payload[key];
  return out;
}

/** The row of one seizure of the state as stored in risk_seizures. */
export function seizureRow(state: RiskState, id: string, position: number) {
  return seizureRowOf(id, position, state.seizures.get(id)!, seizureContribution(state, id));
}

/**
 * The row of one seizure (shared by the upserts and the rebuild's COPY), from its record and the
 * contribution seizureContribution gives for it, which the caller may already hold.
 */
export function seizureRowOf(
  id: string,
  position: number,
  full: SeizureRecord,
  contribution: SeizureContribution | null,
) {
  const record: StoredSeizure = storedSeizure(full);
  return {
    seizure_id: id,
    originator: record.originator,
    record,
    contribution,
    country: contribution?.country ?? null,
    crossing_point: contribution?.crossingPoint ?? null,
    week: contribution?.week ?? null,
    position,
  };
}

/** The row of one alert of the state as stored in risk_alerts. */
export function alertRow(state: RiskState, id: string, position: number) {
  return alertRowOf(id, position, state.alerts.get(id)!);
}

/** The row of one alert, from its record. */
export function alertRowOf(id: string, position: number, full: AlertRecord) {
  const record: AlertRecord = { state: full.state, payload: pick(full.payload, ALERT_KEYS) };
  return { alert_id: id, originator: record.state.originator, record, withdrawn: record.state.withdrawn, position };
}

/** Inserts or replaces the rows of the changed seizures and alerts, in chunks. */
export async function writeState(db: Sql, state: RiskState, changed: ChangedIds): Promise<void> {
  const seizureRows = [...changed.seizures].map(([id, position]) => seizureRow(state, id, position));
  for (let i = 0; i < seizureRows.length; i += CHUNK) {
    await db.query(UPSERT_SEIZURES, [JSON.stringify(seizureRows.slice(i, i + CHUNK))]);
  }
  const alertRows = [...changed.alerts].map(([id, position]) => alertRow(state, id, position));
  for (let i = 0; i < alertRows.length; i += CHUNK) {
    await db.query(UPSERT_ALERTS, [JSON.stringify(alertRows.slice(i, i + CHUNK))]);
  }
}

/** Locks the checkpoint row for the rest of the transaction and returns its position. */
export async function lockCheckpoint(manager: Sql): Promise<number> {
  return (await lockCheckpointRow(manager)).position;
}

async function ensureCheckpoint(manager: Sql): Promise<void> {
  await manager.query('INSERT INTO risk_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [
    AGGREGATOR_CHECKPOINT,
  ]);
}

async function lockCheckpointRow(manager: Sql): Promise<{ position: number; epoch: number }> {
  await ensureCheckpoint(manager);
  const rows = (await manager.query('SELECT position, leader_epoch FROM risk_checkpoints WHERE name = $1 FOR UPDATE', [
    AGGREGATOR_CHECKPOINT,
  ])) as Array<{ position: string; leader_epoch: string }>;
  return { position: Number(rows[0]?.position ?? 0), epoch: Number(rows[0]?.leader_epoch ?? 0) };
}

/** Moves the (locked) checkpoint; the stream sequence only ever moves forward. */
export async function setCheckpoint(manager: Sql, position: number, streamSequence?: number): Promise<void> {
  await manager.query(
    `UPDATE risk_checkpoints SET position = $2, stream_sequence = GREATEST(stream_sequence, coalesce($3::bigint, 0)),
       updated_at = now() WHERE name = $1`,
    [AGGREGATOR_CHECKPOINT, position, streamSequence ?? null],
  );
}

// Only the aggregates a batch touches are loaded: the aggregator keeps no state in memory, so a
// failed transaction leaves nothing stale behind and a restart needs no warm-up.
async function loadTouched(
  manager: EntityManager,
  copies: readonly SharedCopy[],
  checkpoint: number,
): Promise<RiskState> {
  const seizureIds = new Set<string>();
  const alertIds = new Set<string>();
  for (const copy of copies) {
    const seizureId = copy.payload['seizureId'];
    const alertId = copy.payload['alertId'];
    if (copy.type.startsWith('seizure.') && typeof seizureId === 'string') seizureIds.add(seizureId);
    if (copy.type.startsWith('threat.alert.') && typeof alertId === 'string') alertIds.add(alertId);
  }
  const state = initialRiskState();
  state.position = checkpoint;
  if (seizureIds.size > 0) {
    const rows = await manager.query<SeizureRowRead[]>(
      'SELECT seizure_id, record, contribution FROM risk_seizures WHERE seizure_id = ANY($1)',
      [[...seizureIds]],
    );
    for (const row of rows) state.seizures.set(row.seizure_id, recordOfRow(row));
  }
  if (alertIds.size > 0) {
    const rows = await manager.query<Array<{ alert_id: string; record: AlertRecord }>>(
      'SELECT alert_id, record FROM risk_alerts WHERE alert_id = ANY($1)',
      [[...alertIds]],
    );
    for (const row of rows) state.alerts.set(row.alert_id, row.record);
  }
  return state;
}

interface SeizureRowRead {
  seizure_id: string;
  record: StoredSeizure;
  contribution: SeizureContribution | null;
}

function recordOfRow(row: SeizureRowRead): SeizureRecord {
  return seizureRecordOf(row.seizure_id, row.record, row.contribution);
}
