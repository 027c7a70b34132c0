// Only one aggregator instance consumes the centre's copies at a time: they must be folded in
// stream order, and two pull subscribers on one durable would split every batch between them. The
// active instance holds a session-level PostgreSQL advisory lock on a connection of its own; if that
// process dies, PostgreSQL ends the session and releases the lock, and a standby takes over.
// Correctness does not rest on the lock alone: each new lead moves the checkpoint's leader epoch on
// (RiskViewStore.beginLeaderTerm), and a batch from an older lead is refused under the checkpoint's
// row lock, so an instance that lost the lock without noticing yet commits nothing more.
// (The distributor holds its lead the same way, in apps/distributor/src/leader-lock.ts.)
import pg from 'pg';

// "aggr" in ASCII; the second key is the durable's name hashed, so namespaces do not contend.
const LOCK_CLASS = 0x61676772;

/** A held lead: resolves `lost` if its session dies; `release()` gives it up. */
export interface Leadership {
  readonly lost: Promise<Error>;
  release(): Promise<void>;
}

/** Tries once to become the active instance for `name`; undefined when another instance holds the lock. */
export async function tryLeadership(
  databaseUrl: string,
  name: string,
  heartbeatMs = 5_000,
): Promise<Leadership | undefined> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: 'caravan-aggregator-lock',
    keepAlive: true,
  });
  let onLost: (error: Error) => void = () => undefined;
  const lost = new Promise<Error>((resolve) => {
    onLost = resolve;
  });
  client.on('error', (error) => onLost(error));
  client.on('end', () => onLost(new Error('the lead session ended')));
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
  }, heartbeatMs);
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
