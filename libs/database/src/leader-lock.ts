// One instance of a role leads at a time (the distributor, the aggregator, the ledger's outbox
// relay): the lead holds a session-level PostgreSQL advisory lock on a connection of its own. If its
// process dies, PostgreSQL ends the session and releases the lock, and a standby takes over. A
// session that dies silently (a cut network) is noticed by a heartbeat query. Correctness never rests
// on the lock alone: each role also refuses, under a row lock of its own, work that a lead which has
// not yet noticed its loss would otherwise commit (see each caller).
import pg from 'pg';

/** Which lock: a class per role (four ASCII bytes, say) and the name of what is led, hashed. */
export interface LeaderLockKey {
  readonly lockClass: number;
  /** A durable's or checkpoint's name, so namespaces sharing a database do not contend. */
  readonly name: string;
  /** The lock session's `application_name`, as pg_stat_activity shows it. */
  readonly applicationName: string;
  /** Between heartbeat queries on the lock's session; 5 s by default. */
  readonly heartbeatMs?: number;
}

/** A held lead: `lost` resolves if its session dies; `confirm()` asks the session; `release()` gives it up. */
export interface Leadership {
  readonly lost: Promise<Error>;
  /** Throws unless the lock's session still answers (it holds the lock as long as it lives). */
  confirm(): Promise<void>;
  release(): Promise<void>;
}

/** Tries once to take the lock; undefined when another session holds it. */
export async function tryLeadership(databaseUrl: string, key: LeaderLockKey): Promise<Leadership | undefined> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: key.applicationName,
    keepAlive: true,
  });
  let onLost: (error: Error) => void = () => undefined;
  const lost = new Promise<Error>((resolve) => {
    onLost = resolve;
  });
  client.on('error', (error) => onLost(error));
  client.on('end', () => onLost(new Error('the lead session ended')));
  let held = false;
  try {
    await client.connect();
    const rows = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
      key.lockClass,
      key.name,
    ]);
    held = rows.rows[0]?.ok === true;
  } finally {
    if (!held) await client.end().catch(() => undefined);
  }
  if (!held) return undefined;
  const confirm = async () => {
    try {
      await client.query('SELECT 1');
    } catch (error) {
      const reason = error instanceof Error ? error : new Error('the lead session does not answer');
      onLost(reason);
      throw reason;
    }
  };
  const heartbeat = setInterval(() => void confirm().catch(() => undefined), key.heartbeatMs ?? 5_000);
  heartbeat.unref();
  let released = false;
  return {
    lost,
    confirm,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      // Ending the session releases the lock.
      await client.end().catch(() => undefined);
    },
  };
}

/** What a lead runs while it holds the lock. */
export interface LeadTerm {
  /** Resolves when the term must end early although the lock is held (fenced off by a newer lead). */
  readonly ended?: Promise<Error>;
  /** Stops the work; the lock is released only once this has settled. */
  stop(): Promise<void>;
}

/** How to hold a lead and stand by for it. */
export interface LeadershipOptions {
  readonly databaseUrl: string;
  readonly lock: LeaderLockKey;
  /** Starts a term with the lock held. A throw releases the lock; a standby retries later. */
  readonly lead: (leadership: Leadership) => Promise<LeadTerm>;
  /** How often a standby tries to take the lead; 1 s by default. */
  readonly standbyRetryMs?: number;
  /** Log lines: a lost lead, a failed attempt. */
  readonly log: (level: 'log' | 'warn', fields: Record<string, unknown>) => void;
}

/** A role's lead as this instance holds it or stands by for it. */
export interface LeadershipRun {
  /** True while this instance leads. */
  isLeading(): boolean;
  /** Ends the term in progress (if any) and gives the lock up; the standby loop stops. */
  close(): Promise<void>;
}

/**
 * Leads whenever the lock can be had: tries at once (resolving with whether this instance leads),
 * holds the term until the lock's session dies or the term ends, then stands by and retries.
 * Nothing of it outlives close(): no timer, no session.
 */
export async function holdLeadership(options: LeadershipOptions): Promise<{ run: LeadershipRun; leading: boolean }> {
  let closing = false;
  let current: { leadership: Leadership; term: LeadTerm } | undefined;
  const closed = new AbortController();
  const whenClosed = new Promise<void>((resolve) => closed.signal.addEventListener('abort', () => resolve()));

  const attempt = async (): Promise<void> => {
    const leadership = await tryLeadership(options.databaseUrl, options.lock);
    if (!leadership) return;
    try {
      current = { leadership, term: await options.lead(leadership) };
    } catch (error) {
      await leadership.release();
      throw error;
    }
  };
  const stepDown = async () => {
    const ending = current;
    current = undefined;
    if (!ending) return;
    try {
      await ending.term.stop();
    } finally {
      await ending.leadership.release();
    }
  };
  const tryToLead = () =>
    attempt().catch((error: unknown) =>
      options.log('warn', {
        msg: 'could not take the lead',
        lock: options.lock.name,
        error: error instanceof Error ? error.message : String(error),
      }),
    );

  await tryToLead();
  const leading = current !== undefined;
  const loop = (async () => {
    while (!closing) {
      if (current) {
        const reason = await Promise.race([
          current.leadership.lost,
          current.term.ended ?? new Promise<never>(() => undefined),
          whenClosed.then(() => undefined),
        ]);
        if (closing) break;
        if (reason)
          options.log('warn', { msg: 'lost the lead, standing by', lock: options.lock.name, error: reason.message });
        await stepDown().catch((error: unknown) =>
          options.log('warn', {
            msg: 'stepping down failed',
            error: error instanceof Error ? error.message : String(error),
          }),
        );
      } else {
        await sleep(options.standbyRetryMs ?? 1_000, closed.signal);
        if (closing) break;
        await tryToLead();
      }
    }
  })();

  let closing$: Promise<void> | undefined;
  return {
    leading,
    run: {
      isLeading: () => current !== undefined,
      close: () =>
        (closing$ ??= (async () => {
          closing = true;
          closed.abort();
          await loop;
          await stepDown();
        })()),
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts; its timer never outlives it. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
