import { randomBytes } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { databaseUrlFor, testServices } from '@caravan/testing';
import { DatabaseUnavailableError, openDatabase, type DatabaseSchema } from './index.js';

class CreateProbe1764000000001 implements MigrationInterface {
  name = 'CreateProbe1764000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE probe (id int PRIMARY KEY)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE probe');
  }
}
class CreateOther1764000000002 implements MigrationInterface {
  name = 'CreateOther1764000000002';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE other (id int PRIMARY KEY)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE other');
  }
}
const probe: DatabaseSchema = { name: 'probe', migrations: [CreateProbe1764000000001] };
const other: DatabaseSchema = { name: 'other', migrations: [CreateOther1764000000002] };

describe('openDatabase', () => {
  let url: string;
  let adminUrl: string;
  beforeAll(async () => {
    adminUrl = (await testServices()).adminDatabaseUrl;
    url = databaseUrlFor(adminUrl, `caravan_dbtest_${randomBytes(5).toString('hex')}`);
  });
  const drop = async (database: string) => {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${new URL(database).pathname.slice(1)}" WITH (FORCE)`);
    await client.end();
  };
  afterAll(() => drop(url));

  it('creates a missing database and migrates it, concurrently and idempotently', async () => {
    const opened = await Promise.all([
      openDatabase({ url, schemas: [probe] }),
      openDatabase({ url, schemas: [probe] }),
      openDatabase({ url, schemas: [probe] }),
    ]);
    const [first] = opened;
    await first.query('INSERT INTO probe VALUES (1)');
    const ran = await first.query('SELECT name FROM caravan_migrations ORDER BY id');
    expect(ran).toEqual([{ name: 'CreateProbe1764000000001' }]);
    await Promise.all(opened.map((ds) => ds.destroy()));
  });

  it('migrates through a pool of one connection', async () => {
    const single = databaseUrlFor(adminUrl, `caravan_dbtest_${randomBytes(5).toString('hex')}`);
    const ds = await openDatabase({ url: single, schemas: [probe], poolSize: 1 });
    try {
      expect(await ds.query('SELECT name FROM caravan_migrations')).toEqual([{ name: 'CreateProbe1764000000001' }]);
    } finally {
      await ds.destroy();
      await drop(single);
    }
  });

  it('lets another app add its own schema to the same database', async () => {
    const ds = await openDatabase({ url, schemas: [other] });
    const ds2 = await openDatabase({ url, schemas: [probe, other] });
    const ran = await ds2.query('SELECT name FROM caravan_migrations ORDER BY id');
    expect(ran.map((r: { name: string }) => r.name)).toEqual(['CreateProbe1764000000001', 'CreateOther1764000000002']);
    expect(await ds2.query('SELECT count(*)::int AS n FROM probe')).toEqual([{ n: 1 }]);
    await ds.destroy();
    await ds2.destroy();
  });

  it('says which server it could not reach', async () => {
    await expect(openDatabase({ url: 'postgres://postgres@127.0.0.1:1/nowhere', schemas: [] })).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    await expect(openDatabase({ url: 'postgres://postgres@127.0.0.1:1/nowhere', schemas: [] })).rejects.toThrow(
      /cannot connect to PostgreSQL at 127\.0\.0\.1:1\/nowhere/,
    );
  });
});
