import type pg from 'pg';
import type { DataSource } from 'typeorm';

/** A session of a DataSource's pool, held outside TypeORM's query runners. */
export interface PooledSession {
  readonly client: pg.PoolClient;
  /** Returns the session to the pool, or destroys it when given the error that broke it. */
  readonly release: (error?: unknown) => void;
}

// For what TypeORM's query runners cannot do: multi-statement round trips, COPY, LISTEN, and
// control over when a broken session is destroyed rather than returned to the pool. TypeORM's
// Postgres driver exposes its pool for exactly this.
/** A raw pg session of the DataSource's pool. */
export async function pooledSession(dataSource: DataSource): Promise<PooledSession> {
  if (dataSource.options.type !== 'postgres') throw new Error('a PostgreSQL DataSource is needed');
  const driver = dataSource.driver as unknown as {
    obtainMasterConnection(): Promise<[pg.PoolClient, (error?: Error | boolean) => void]>;
  };
  const [client, release] = await driver.obtainMasterConnection();
  return { client, release: (error?: unknown) => release(error instanceof Error ? error : error ? true : undefined) };
}
