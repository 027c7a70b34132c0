// The first answer to a commandId, looked up before deciding. The writer alone cannot give it in
// every case: a repeated `seizure.report` would be refused by the decider ("already reported")
// before the writer's idempotency check is ever reached. The writer still settles the race of two
// identical commands in flight at once; this lookup covers the retry after the state moved on.
// TODO(ledger-store): move into LedgerReader as `findCommand(commandId)`; it reads the store's table.
import type { DataSource } from 'typeorm';

/** A command as the ledger first recorded it. */
export interface RecordedCommand {
  readonly agency: string;
  readonly name: string;
  readonly bodyHash: string;
  readonly eventId: string;
  readonly position: number;
  readonly streamVersion: number;
}

interface Row {
  agency: string;
  command_name: string;
  body_sha256: string;
  event_id: string;
  position: string;
  stream_version: number;
}

/** The recorded command with this id, if any. */
export async function findRecordedCommand(db: DataSource, commandId: string): Promise<RecordedCommand | undefined> {
  const rows: Row[] = await db.query(
    `SELECT agency, command_name, body_sha256, event_id, position, stream_version
       FROM ledger_commands WHERE command_id = $1::uuid`,
    [commandId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    agency: row.agency,
    name: row.command_name,
    bodyHash: row.body_sha256,
    eventId: row.event_id,
    position: Number(row.position),
    streamVersion: row.stream_version,
  };
}
