// The rebuild's bulk write: rows not yet in the (truncated) tables go in through COPY, which skips the
// per-row conflict check and the JSON recordset expansion of the aggregator's upserts. The rows are
// the ones writeState would write, column for column, so a rebuilt table equals a live one.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import copyStreams from 'pg-copy-streams';
import type { RiskState } from '@caravan/domain';
import { alertRow, seizureRow, type ChangedIds } from './risk-view-store.js';

const COPY_SEIZURES =
  'COPY risk_seizures (seizure_id, originator, record, contribution, country, crossing_point, week, position) FROM STDIN';
const COPY_ALERTS = 'COPY risk_alerts (alert_id, originator, record, withdrawn, position) FROM STDIN';

/** Rows joined into one chunk of the COPY stream. */
const ROWS_PER_CHUNK = 500;

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
  const row = seizureRow(state, id, position);
  return [
    copyField(row.seizure_id),
    copyField(row.originator),
    copyField(JSON.stringify(row.record)),
    copyField(row.contribution ? JSON.stringify(row.contribution) : null),
    copyField(row.country),
    copyField(row.crossing_point),
    copyField(row.week),
    copyField(row.position),
  ].join('\t');
}

function alertLine(state: RiskState, id: string, position: number): string {
  const row = alertRow(state, id, position);
  return [
    copyField(row.alert_id),
    copyField(row.originator),
    copyField(JSON.stringify(row.record)),
    copyField(row.withdrawn ? 't' : 'f'),
    copyField(row.position),
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
