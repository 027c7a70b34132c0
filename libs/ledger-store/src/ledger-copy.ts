// Bulk reads for verification and rebuilds: a range of the ledger as one binary COPY, which costs
// the server and the client far less per row than paged SELECTs (no per-row protocol message, no
// text rendering of numbers, uuids and times). The rows are in position order; the columns are
// those the audit lib's decoder expects (LEDGER_COPY_COLUMNS of @caravan/audit), in that order.
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import copyStreams from 'pg-copy-streams';
import { obtainConnection } from './connection.js';

const COLUMNS =
  'position, event_id, type, schema_version, stream_id, stream_version, originator, recorded_at, payload, hash';

/** The events of positions after..upTo as PostgreSQL binary COPY chunks, streamed with back-pressure. */
export async function* copyEventRange(
  dataSource: DataSource,
  range: { readonly after: number; readonly upTo: number },
): AsyncGenerator<Buffer> {
  checkRange(range);
  const { client, release } = await obtainConnection(dataSource);
  let done = false;
  let failure: unknown;
  try {
    for await (const chunk of copyEventsOn(client, range)) yield chunk;
    done = true;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    // A COPY left unread keeps the session busy: a reader that stops early closes the session.
    release(done ? undefined : (failure ?? new Error('COPY abandoned before its end')));
  }
}

/**
 * The same COPY on a session the caller holds, inside its transaction if one is open (so that its
 * settings apply). The caller must read the stream to its end: until then the session is busy.
 */
export function copyEventsOn(
  client: pg.ClientBase,
  range: { readonly after: number; readonly upTo: number },
): AsyncIterable<Buffer> {
  checkRange(range);
  return client.query(
    copyStreams.to(
      `COPY (SELECT ${COLUMNS} FROM ledger_events WHERE position > ${range.after} AND position <= ${range.upTo}
              ORDER BY position) TO STDOUT (FORMAT binary)`,
    ),
  ) as AsyncIterable<Buffer>;
}

// COPY takes no bind parameters, so the bounds are written into the statement: integers only.
function checkRange({ after, upTo }: { readonly after: number; readonly upTo: number }): void {
  if (!Number.isSafeInteger(after) || !Number.isSafeInteger(upTo) || after < 0) {
    throw new RangeError(`a COPY range needs whole positions, not ${after}..${upTo}`);
  }
}
