// The rebuild's bulk write: rows not yet in the (truncated) tables go in through COPY, which skips the
// per-row conflict check and the JSON recordset expansion of the aggregator's upserts. The rows are
// the ones writeState would write, column for column, so a rebuilt table equals a live one.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import copyStreams from 'pg-copy-streams';
import { seizureContribution, type AlertRecord, type RiskState, type SeizureRecord } from '@caravan/domain';
import type { ChangedIds } from './risk-view-store.js';

// The same trimmed payloads as writeState keeps (see risk-view-store.ts).
const SEIZURE_KEYS = ['seizureId', 'occurredAt', 'location', 'items', 'route'];
const ALERT_KEYS = ['alertId', 'severity', 'validFrom', 'validUntil', 'area'];

const COPY_SEIZURES =
  'COPY risk_seizures (seizure_id, originator, record, contribution, country, crossing_point, week, position) FROM STDIN';
const COPY_ALERTS = 'COPY risk_alerts (alert_id, originator, record, withdrawn, position) FROM STDIN';

/** Rows joined into one chunk of the COPY stream. */
const ROWS_PER_CHUNK = 500;

function pick(payload: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (payload[key] !== undefined) out[key] = payload[key];
  return out;
}

// COPY's text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One column in COPY's text format; exported for its unit test. */
export function copyField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text;
}

function seizureLine(state: RiskState, id: string, position: number): string {
  const full = state.seizures.get(id)!;
  const record: SeizureRecord = { ...full, payload: pick(full.payload, SEIZURE_KEYS) };
  const contribution = seizureContribution(state, id);
  return [
    copyField(id),
    copyField(record.originator),
    copyField(JSON.stringify(record)),
    copyField(contribution ? JSON.stringify(contribution) : null),
    copyField(contribution?.country),
    copyField(contribution?.crossingPoint),
    copyField(contribution?.week),
    copyField(position),
  ].join('\t');
}

function alertLine(state: RiskState, id: string, position: number): string {
  const full = state.alerts.get(id)!;
  const record: AlertRecord = { ...full, payload: pick(full.payload, ALERT_KEYS) };
  return [
    copyField(id),
    copyField(record.state.originator),
    copyField(JSON.stringify(record)),
    copyField(record.state.withdrawn ? 't' : 'f'),
    copyField(position),
  ].join('\t');
}

function* chunks(ids: Map<string, number>, line: (id: string, position: number) => string): Generator<string> {
  let lines: string[] = [];
  for (const [id, position] of ids) {
    lines.push(line(id, position));
    if (lines.length === ROWS_PER_CHUNK) {
      yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

/**
 * Inserts the rows of `ids` with COPY on `client`, inside its open transaction. Every id must be
 * absent from its table (COPY has no ON CONFLICT); rows are built from `state` as they are sent.
 */
export async function copyRows(client: PoolClient, state: RiskState, ids: ChangedIds): Promise<void> {
  if (ids.seizures.size > 0) {
    await pipeline(
      Readable.from(chunks(ids.seizures, (id, position) => seizureLine(state, id, position))),
      client.query(copyStreams.from(COPY_SEIZURES)),
    );
  }
  if (ids.alerts.size > 0) {
    await pipeline(
      Readable.from(chunks(ids.alerts, (id, position) => alertLine(state, id, position))),
      client.query(copyStreams.from(COPY_ALERTS)),
    );
  }
}
