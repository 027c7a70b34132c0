// One lead at a time behind an advisory lock, on a real PostgreSQL: a standby takes over when the
// lead's session dies or its term ends, a failed start gives the lock back, and nothing of a run
// (timer or session) outlives close(), so a process that lost the lead can still exit.
import { createHook } from 'node:async_hooks';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { holdLeadership, tryLeadership, type LeaderLockKey, type LeadTerm } from './index.js';

const key = (name: string): LeaderLockKey => ({ lockClass: 0x74657374, name, applicationName: `lock-test-${name}` });
const quiet = () => undefined;

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// The timers the lock's own code set that are still live. Counting every timer in the process would
// also count Jest's own (its reporter ticks in this process when one file runs), so each timer is
// told by where it was created.
const liveLockTimers = new Map<number, string>();
createHook({
  init(id, type) {
    if (type !== 'Timeout') return;
    const where = new Error().stack ?? '';
    if (where.includes('leader-lock.ts')) liveLockTimers.set(id, where);
  },
  destroy: (id) => void liveLockTimers.delete(id),
}).enable();
async function lockTimers(): Promise<number> {
  // A cleared timer's destroy hook runs a turn later.
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  return liveLockTimers.size;
}

describe('leader lock', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  const killSessions = (applicationName: string) =>
    admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
      [applicationName],
    );

  beforeAll(async () => {
    database = await createTestDatabase('leaderlock');
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('is held by one session per key; another key does not contend; confirm() notices a dead session', async () => {
    const first = await tryLeadership(database.url, key('a'));
    expect(first).toBeDefined();
    expect(await tryLeadership(database.url, key('a'))).toBeUndefined();
    const other = await tryLeadership(database.url, key('b'));
    expect(other).toBeDefined();
    await first!.confirm();
    await killSessions('lock-test-a');
    await expect(first!.confirm()).rejects.toThrow();
    await expect(first!.lost).resolves.toBeInstanceOf(Error);
    const next = await tryLeadership(database.url, key('a'));
    expect(next).toBeDefined();
    await Promise.all([first!.release(), other!.release(), next!.release()]);
  });

  it('hands the lead over when the lead session dies or its term ends, and leaves no timer behind', async () => {
    const events: string[] = [];
    let endTerm: (error: Error) => void = () => undefined;
    const start = (label: string) =>
      holdLeadership({
        databaseUrl: database.url,
        lock: key('c'),
        standbyRetryMs: 50,
        log: quiet,
        lead: async (): Promise<LeadTerm> => {
          events.push(`${label} leads`);
          return {
            ended: new Promise<Error>((resolve) => (endTerm = resolve)),
            stop: async () => {
              events.push(`${label} stops`);
            },
          };
        },
      });
    const a = await start('a');
    const b = await start('b');
    expect([a.leading, b.leading]).toEqual([true, false]);

    await killSessions('lock-test-c');
    await waitFor('b to take over', () => b.run.isLeading());
    expect(events.slice(0, 3)).toEqual(['a leads', 'a stops', 'b leads']);
    expect(a.run.isLeading()).toBe(false);

    // A term that ends on its own (fenced off) steps down too, and the lock goes to whoever asks first.
    endTerm(new Error('fenced off'));
    await waitFor('a new term', () => events.filter((e) => e.endsWith('leads')).length === 3);
    expect(events[3]).toBe('b stops');
    expect(a.run.isLeading() !== b.run.isLeading()).toBe(true);

    await a.run.close();
    await b.run.close();
    expect(a.run.isLeading() || b.run.isLeading()).toBe(false);
    // Every term begun was stopped (closing one may have let the other lead once more before it closed).
    const leads = events.filter((e) => e.endsWith('leads')).length;
    expect(leads).toBeGreaterThanOrEqual(3);
    expect(events.filter((e) => e.endsWith('stops'))).toHaveLength(leads);
    expect(await lockTimers()).toBe(0);
    // Both sessions are gone, so the lock is free.
    const after = await tryLeadership(database.url, key('c'));
    expect(after).toBeDefined();
    await after!.release();
  });

  it('gives the lock back when a term fails to start, and tries again', async () => {
    let attempts = 0;
    const logged: string[] = [];
    const { run, leading } = await holdLeadership({
      databaseUrl: database.url,
      lock: key('d'),
      standbyRetryMs: 50,
      log: (_level, fields) => logged.push(String(fields['msg'])),
      lead: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('consumer did not start');
        return { stop: async () => undefined };
      },
    });
    expect(leading).toBe(false);
    expect(logged).toContain('could not take the lead');
    await waitFor('the second attempt to lead', () => run.isLeading());
    await run.close();
    expect(attempts).toBe(2);
  });
});
