// One way to reach PostgreSQL for every store: create the database if it is missing, open a TypeORM
// DataSource, and bring the schemas it needs up to date. Apps of one hub share one database and
// one migrations table; each app runs only the migrations of the stores it uses, which TypeORM allows
// (it only compares names it knows).
import pg from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';

/** A TypeORM migration class; its name ends with a 13-digit timestamp. */
export type MigrationClass = new () => MigrationInterface;

/** The tables one store owns, as an ordered list of migrations. */
export interface DatabaseSchema {
  readonly name: string;
  readonly migrations: readonly MigrationClass[];
}

/** How to open the hub's database. */
export interface OpenDatabaseOptions {
  readonly url: string;
  readonly schemas: readonly DatabaseSchema[];
  readonly poolSize?: number;
  readonly applicationName?: string;
}

/** PostgreSQL could not be reached or prepared; the message names the server, never a password. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

// Any constant will do as long as every Caravan process uses the same one.
const MIGRATION_LOCK = 0x63617276; // "carv"

/** Opens the database, creating it and running pending migrations first. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DataSource> {
  await ensureDatabaseExists(options.url);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'caravan',
    migrations: options.schemas.flatMap((schema) => [...schema.migrations]),
    migrationsTableName: 'caravan_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new DatabaseUnavailableError(`cannot connect to PostgreSQL at ${describe(options.url)}: ${message(error)}`, {
      cause: error,
    });
  }
  try {
    await runMigrationsExclusively(dataSource, options.url);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/** Creates the database named in `url` when it does not exist yet (safe under concurrent starts). */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new DatabaseUnavailableError(`the database URL for ${describe(url)} names no database`);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(`cannot connect to PostgreSQL at ${describe(url)}: ${message(error)}`, {
      cause: error,
    });
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        // Created meanwhile by another process: 42P04, or 23505 when the two raced inside the catalog.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

async function runMigrationsExclusively(dataSource: DataSource, url: string): Promise<void> {
  // The lock is held on a session of its own, outside the pool: TypeORM's migrations take pool
  // connections, and with the lock on one of them a one-connection pool would wait for itself.
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    // Several apps may start at once against a fresh database; one migrates, the others wait.
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    // Ending the session releases the lock, whatever state the migrations left it in.
    await lock.end();
  }
}

function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
