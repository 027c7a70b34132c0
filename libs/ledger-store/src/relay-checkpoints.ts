// The ledger table is the outbox: gap-free and committed in position order, so a relay needs only
// the last position it published. It publishes with Nats-Msg-Id = eventId, so re-publishing a few
// events after a crash between publish and advance is harmless.
import type { DataSource } from 'typeorm';
import { HUB_ROLE } from './ledger-sql.js';

/** The last position the named relay has published (0 when it never ran). */
export async function readRelayCheckpoint(dataSource: DataSource, name: string): Promise<number> {
  const rows: Array<{ position: string }> = await dataSource.query(
    'SELECT position FROM ledger_relay_checkpoints WHERE name = $1',
    [name],
  );
  return rows[0] ? Number(rows[0].position) : 0;
}

/** Moves the named relay's mark forward to `position`; never moves it back. */
export async function advanceRelayCheckpoint(dataSource: DataSource, name: string, position: number): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await manager.query(`SET LOCAL ROLE ${HUB_ROLE}`);
    await manager.query(
      `INSERT INTO ledger_relay_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE
         SET position = GREATEST(ledger_relay_checkpoints.position, EXCLUDED.position), updated_at = now()`,
      [name, position],
    );
  });
}
