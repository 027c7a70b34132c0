// One PostgreSQL database per test file: created empty, dropped afterwards, so files can run in
// parallel without seeing each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testServices } from './services.js';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const { adminDatabaseUrl } = await testServices();
  const name = `caravan_${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminDatabaseUrl, `CREATE DATABASE "${name}"`);
  return {
    name,
    url: databaseUrlFor(adminDatabaseUrl, name),
    drop: () => adminQuery(adminDatabaseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
