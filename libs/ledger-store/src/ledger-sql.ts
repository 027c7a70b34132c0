// Names shared by the migration, the writer and the readers. Renaming one is a migration.

/** The NOLOGIN role whose rights the hub's ledger writes run under (SELECT and INSERT only). */
export const HUB_ROLE = 'caravan_hub';

/** LISTEN/NOTIFY channel; the payload is the new head position as decimal text. */
export const LEDGER_CHANNEL = 'caravan_ledger';

// Every writer of one database takes this transaction-scoped advisory lock before it reads the head,
// so batches commit one after the other in position order. Advisory locks are per database, so test
// databases on one cluster do not contend. "ledg" in ASCII.
export const LEDGER_WRITE_LOCK = 0x6c656467;

export const EVENT_COLUMNS = `position, event_id, type, schema_version, stream_id, stream_version, originator,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, payload, hash`;

export const CHECKPOINT_COLUMNS = `position, hash, signature,
  to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS signed_at`;
