// The rebuild's bulk write: rows not yet in the (truncated) tables go in through COPY, which skips the
// per-row conflict check and the JSON recordset expansion of the aggregator's upserts. The rows are
// the ones writeState would write, column for column, so a rebuilt table equals a live one.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import copyStreams from 'pg-copy-streams';
import { copyField, copyJsonField } from '@caravan/database';
import type { AlertRecord, SeizureContribution, SeizureRecord, StoredSeizure } from '@caravan/domain';
import { alertRowOf, seizureRowOf } from './risk-view-store.js';

const COPY_SEIZURES =
  'COPY risk_seizures (seizure_id, originator, record, contribution, country, crossing_point, week, position) FROM STDIN';
const COPY_ALERTS = 'COPY risk_alerts (alert_id, originator, record, withdrawn, position) FROM STDIN';

/** Bytes of COPY text sent to PostgreSQL at a time. */
const CHUNK_BYTES = 256 * 1024;

function jsonField(value: unknown): string {
  return copyJsonField(JSON.stringify(value));
}

// Every seizure row of a rebuild goes through the two writers below: JSON.stringify, which walks any
// value, and the COPY escaping after it cost more than the rest of writing a row. Each writes one
// shape, keys in the order its domain function creates them (contributionFrom, storedSeizure), so
// the text is JSON.stringify's to the byte (a property test holds them equal).

// What JSON.stringify escapes in a string: quote, backslash, control characters, and surrogates
// (a lone one is escaped; the slow path also takes the pairs, which it leaves as they are).
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON.stringify writes it, ready for COPY. */
function jsonString(value: string): string {
  return ESCAPED.test(value) ? copyJsonField(JSON.stringify(value)) : `"${value}"`;
}

function jsonStringOrNull(value: string | null): string {
  return value === null ? 'null' : jsonString(value);
}

function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** A contribution as JSON.stringify writes it, as one COPY column. */
export function contributionJson(c: SeizureContribution): string {
  let items = '';
  for (const item of c.items) {
    if (items !== '') items += ',';
    items +=
      `{"category":${jsonString(item.category)},"substance":${jsonString(item.substance)},` +
      `"quantity":${jsonNumber(item.quantity)},"unit":${jsonString(item.unit)}}`;
  }
  let route = 'null';
  if (c.route !== null) {
    let transit = '';
    for (const country of c.route.transit) transit += (transit === '' ? '' : ',') + jsonString(country);
    route =
      `{"origin":${jsonStringOrNull(c.route.origin)},"transit":[${transit}],` +
      `"destination":${jsonStringOrNull(c.route.destination)}}`;
  }
  return (
    `{"seizureId":${jsonString(c.seizureId)},"originator":${jsonString(c.originator)},` +
    `"locationKey":${jsonStringOrNull(c.locationKey)},"locationLevel":${jsonStringOrNull(c.locationLevel)},` +
    `"country":${jsonStringOrNull(c.country)},"region":${jsonStringOrNull(c.region)},` +
    `"crossingPoint":${jsonStringOrNull(c.crossingPoint)},"occurredAt":${jsonString(c.occurredAt)},` +
    `"week":${jsonString(c.week)},"items":[${items}],"route":${route}}`
  );
}

/** A stored seizure as JSON.stringify writes it, as one COPY column. */
export function storedSeizureJson(s: StoredSeizure): string {
  return `{"originator":${jsonString(s.originator)},"fallbackTime":${jsonString(s.fallbackTime)},"retracted":${s.retracted}}`;
}

/** One risk_seizures row in COPY's text format (`contribution` as seizureContribution gives it). */
export function seizureCopyLine(
  id: string,
  position: number,
  seizure: SeizureRecord,
  contribution: SeizureContribution | null,
): string {
  const row = seizureRowOf(id, position, seizure, contribution);
  return (
    `${copyField(row.seizure_id)}\t${copyField(row.originator)}\t${storedSeizureJson(row.record)}\t` +
    `${row.contribution ? contributionJson(row.contribution) : '\\N'}\t${copyField(row.country)}\t` +
    `${copyField(row.crossing_point)}\t${copyField(row.week)}\t${row.position}`
  );
}

/** One risk_alerts row in COPY's text format. */
export function alertCopyLine(id: string, position: number, alert: AlertRecord): string {
  const row = alertRowOf(id, position, alert);
  return `${copyField(row.alert_id)}\t${copyField(row.originator)}\t${jsonField(row.record)}\t${row.withdrawn ? 't' : 'f'}\t${row.position}`;
}

/**
 * One COPY into risk_seizures or risk_alerts on `client`, inside its open transaction, fed line by
 * line while the caller goes on folding. Every row must be absent from the table (COPY has no
 * ON CONFLICT).
 */
export class CopyRows {
  private readonly stream: ReturnType<typeof copyStreams.from>;
  private readonly done: Promise<void>;
  private failure: { error: unknown } | undefined;
  // Lines are encoded straight into the chunk sent next, rather than joined into one string that
  // the stream then encodes: a rebuild writes every row of the views through here.
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** Rows handed to the COPY so far. */
  rows = 0;

  constructor(client: PoolClient, table: 'risk_seizures' | 'risk_alerts') {
    this.stream = client.query(copyStreams.from(table === 'risk_seizures' ? COPY_SEIZURES : COPY_ALERTS));
    this.done = finished(this.stream);
    // Kept for end(); noted at once so a failure is seen at the next drained() and never unhandled.
    this.done.catch((error: unknown) => void (this.failure ??= { error }));
  }

  /** Queues one line (from seizureCopyLine or alertCopyLine). */
  add(line: string): void {
    this.throwIfFailed();
    // A UTF-16 code unit takes at most 3 bytes in UTF-8; the newline takes 1.
    const room = 3 * line.length + 1;
    if (this.used + room > this.chunk.length) {
      this.flush();
      if (room > this.chunk.length) this.chunk = Buffer.allocUnsafe(room);
    }
    this.used += this.chunk.write(line, this.used, 'utf8');
    this.chunk[this.used++] = 0x0a;
    this.rows++;
  }

  /** Resolves once PostgreSQL has taken what was written so far (the caller's backpressure). */
  async drained(): Promise<void> {
    this.throwIfFailed();
    if (!this.stream.writableNeedDrain) return;
    await Promise.race([once(this.stream, 'drain'), this.done]);
    this.throwIfFailed();
  }

  /** Sends the last lines and waits for PostgreSQL to finish the COPY. */
  async end(): Promise<void> {
    this.flush();
    this.stream.end();
    await this.done;
  }

  /** Abandons the COPY (the transaction is rolled back anyway). */
  async abort(): Promise<void> {
    this.stream.destroy(new Error('rebuild abandoned'));
    await this.done.catch(() => undefined);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  private flush(): void {
    if (this.used === 0) return;
    // The stream keeps the bytes until they are sent, so the next lines go into a new chunk.
    this.stream.write(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
  }
}
