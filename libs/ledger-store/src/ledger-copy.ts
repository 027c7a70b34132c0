// Bulk reads for verification: a range of the ledger as one binary COPY, which costs the server and
// the client far less per row than paged SELECTs (no per-row protocol message, no text rendering of
// numbers, uuids and times). The rows are in position order; the columns are those the audit lib's
// decoder expects (LEDGER_COPY_COLUMNS of @caravan/audit), in that order.
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
  const { after, upTo } = range;
  // COPY takes no bind parameters, so the bounds are written into the statement: integers only.
  if (!Number.isSafeInteger(after) || !Number.isSafeInteger(upTo) || after < 0) {
    throw new RangeError(`a COPY range needs whole positions, not ${after}..${upTo}`);
  }
  const { client, release } = await obtainConnection(dataSource);
  let done = false;
  let failure: unknown;
  try {
    const stream = client.query(
      copyStreams.to(
        `COPY (SELECT ${COLUMNS} FROM ledger_events WHERE position > ${after} AND position <= ${upTo}
                ORDER BY position) TO STDOUT (FORMAT binary)`,
      ),
    );
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    done = true;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    // A COPY left unread keeps the session busy: a reader that stops early closes the session.
    release(done ? undefined : (failure ?? new Error('COPY abandoned before its end')));
  }
}
