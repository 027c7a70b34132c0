import type pg from 'pg';
import type { DataSource } from 'typeorm';

/** A session of the DataSource's pool, held outside TypeORM's query runners. */
export interface PooledConnection {
  readonly client: pg.PoolClient;
  /** Returns the session to the pool, or destroys it when given the error that broke it. */
  readonly release: (error?: unknown) => void;
}

// The writer and the listener need a raw pg session: multi-statement round trips, LISTEN, and
// control over when a broken session is destroyed rather than returned to the pool. TypeORM's
// Postgres driver exposes its pool for exactly this.
export async function obtainConnection(dataSource: DataSource): Promise<PooledConnection> {
  const driver = dataSource.driver as unknown as {
    obtainMasterConnection(): Promise<[pg.PoolClient, (error?: unknown) => void]>;
  };
  if (dataSource.options.type !== 'postgres') throw new Error('the ledger store needs a PostgreSQL DataSource');
  const [client, release] = await driver.obtainMasterConnection();
  return { client, release: (error?: unknown) => release(error instanceof Error ? error : error ? true : undefined) };
}
