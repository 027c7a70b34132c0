// Only one distributor instance is active at a time, so every recipient sees each copy once and in
// position order: the active one holds a session-level PostgreSQL advisory lock on a connection of
// its own. If that process dies, PostgreSQL ends its session and releases the lock, and a standby
// takes over. Correctness does not rest on the lock alone: SharingStore.record refuses positions at
// or below the checkpoint, so even two briefly active instances cannot record a delivery twice, and
// Nats-Msg-Id deduplicates their publishes.
import pg from 'pg';

// "dist" in ASCII; the second key is the durable's name hashed, so namespaces do not contend.
const LOCK_CLASS = 0x64697374;

/** A held leadership: resolves `lost` if its session dies; `release()` gives it up. */
export interface Leadership {
  readonly lost: Promise<Error>;
  release(): Promise<void>;
}

/**
 * Tries once to become the active instance for `name`. Returns undefined when another instance holds
 * the lock.
 */
export async function tryLeadership(databaseUrl: string, name: string): Promise<Leadership | undefined> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: 'caravan-distributor-lock',
    keepAlive: true,
  });
  let onLost: (error: Error) => void = () => undefined;
  const lost = new Promise<Error>((resolve) => {
    onLost = resolve;
  });
  client.on('error', (error) => onLost(error));
  client.on('end', () => onLost(new Error('the leadership session ended')));
  await client.connect();
  let held = false;
  try {
    const rows = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
      LOCK_CLASS,
      name,
    ]);
    held = rows.rows[0]?.ok === true;
  } finally {
    if (!held) await client.end().catch(() => undefined);
  }
  if (!held) return undefined;
  // A session that dies silently (a cut network) is noticed by the next query.
  const heartbeat = setInterval(() => {
    client
      .query('SELECT 1')
      .catch((error: unknown) => onLost(error instanceof Error ? error : new Error('heartbeat failed')));
  }, 5_000);
  heartbeat.unref();
  let released = false;
  return {
    lost,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      // Ending the session releases the lock.
      await client.end().catch(() => undefined);
    },
  };
}
