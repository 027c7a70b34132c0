// Only one outbox relay publishes at a time across every ledger instance of a hub: the active one
// holds a session-level advisory lock on a PostgreSQL session of its own. If its process dies, the
// session ends and PostgreSQL releases the lock, so a standby takes over from the shared checkpoint.
// Two relays overlapping for a moment (a session that dies slowly) would only publish duplicates,
// which JetStream drops by Nats-Msg-Id.
import pg from 'pg';

// Advisory locks are per database, so hubs (and test databases) on one cluster do not contend. Not
// the ledger's write lock (a transaction lock with another key): the relay never blocks appends.
// "rela" in ASCII.
const RELAY_LOCK = 0x72656c61;

/** The relay's claim to be the active one. */
export class RelayLeadership {
  private client: pg.Client | undefined;
  private held = false;

  constructor(private readonly databaseUrl: string) {}

  /** Whether this process holds the lock, as far as it knows. */
  get isHeld(): boolean {
    return this.held;
  }

  /** Takes the lock if it is free; true when this process holds it afterwards. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    const client = await this.session();
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1) AS held', [RELAY_LOCK]);
    this.held = rows[0]?.held === true;
    return this.held;
  }

  /** Throws unless the lock's session still answers (it holds the lock as long as it lives). */
  async confirm(): Promise<void> {
    const client = this.client;
    if (!this.held || !client) throw new Error('the relay lock is not held');
    await client.query('SELECT 1');
  }

  /** Gives the lock up by ending its session. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held = false;
    await client?.end().catch(() => undefined);
  }

  private async session(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'caravan-ledger-relay' });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.held = false;
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }
}
