// The first hub-admin key (SPEC §2) against a real database: given, generated once into the state
// dir, or reused from it; and the key store's revocation, which no cached or shared lookup outlives.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '@caravan/database';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { generateApiKey } from './api-key.js';
import { ADMIN_KEY_FILE, bootstrapAdminKey, HUB_AGENCY } from './bootstrap-admin.js';
import { gatewaySchema } from './gateway.schema.js';
import { KeyStore } from './key-store.js';

let testDb: TestDatabase;
let db: DataSource;
let stateDir: string;

beforeEach(async () => {
  testDb = await createTestDatabase('gwkeys');
  db = await openDatabase({ url: testDb.url, schemas: [gatewaySchema] });
  stateDir = await mkdtemp(join(tmpdir(), 'caravan-state-'));
});
afterEach(async () => {
  await db.destroy();
  await testDb.drop();
  await rm(stateDir, { recursive: true, force: true });
});

it('generates a key on the first start, keeps it in the state dir (0600), and does not generate again', async () => {
  const keys = new KeyStore(db);
  const first = await bootstrapAdminKey(keys, { stateDir });
  expect(first.kind).toBe('generated');
  const key = first.kind === 'generated' ? first.key : '';
  const file = join(stateDir, ADMIN_KEY_FILE);
  expect((await readFile(file, 'utf8')).trim()).toBe(key);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(await keys.authenticate(key)).toEqual({ keyId: expect.any(String), agency: HUB_AGENCY, roles: ['hub-admin'] });
  // Stored as a hash only.
  const rows: { key_sha256: Buffer }[] = await db.query('SELECT key_sha256 FROM gateway_api_keys');
  expect(rows).toHaveLength(1);
  expect(Buffer.from(rows[0]!.key_sha256).toString('utf8')).not.toContain(key.slice(4, 20));

  expect((await bootstrapAdminKey(keys, { stateDir })).kind).toBe('existing');
  const count: { n: string }[] = await db.query('SELECT count(*) AS n FROM gateway_api_keys');
  expect(count[0]!.n).toBe('1');
});

it('registers CARAVAN_ADMIN_KEY when given, idempotently, without writing the state dir', async () => {
  const keys = new KeyStore(db);
  const given = generateApiKey();
  expect((await bootstrapAdminKey(keys, { adminKey: given, stateDir })).kind).toBe('configured');
  expect((await bootstrapAdminKey(keys, { adminKey: given, stateDir })).kind).toBe('configured');
  expect((await keys.authenticate(given))?.roles).toEqual(['hub-admin']);
  await expect(stat(join(stateDir, ADMIN_KEY_FILE))).rejects.toThrow();
  await expect(bootstrapAdminKey(keys, { adminKey: 'not-a-key', stateDir })).rejects.toThrow(/CARAVAN_ADMIN_KEY/);
});

it('stops accepting a key once revoked', async () => {
  const keys = new KeyStore(db);
  const created = await keys.create('KZ-BS', ['recipient']);
  expect(await keys.authenticate(created.key)).toBeDefined();
  expect(await keys.revoke(created.keyId)).toBe(true);
  expect(await keys.authenticate(created.key)).toBeUndefined();
  expect(await keys.revoke(created.keyId)).toBe(false);
});

/**
 * The test database, except that the answer to the first key lookup is held back until `release`:
 * the order a busy pool can give, with every query still run on the real database.
 */
function holdingFirstLookup(): { db: DataSource; lookups: () => number; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let lookups = 0;
  const holding = new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
      return async (sql: string, parameters?: unknown[]) => {
        const rows: unknown = await target.query(sql, parameters);
        if (sql.startsWith('SELECT key_id, agency, roles FROM gateway_api_keys') && lookups++ === 0) await held;
        return rows;
      };
    },
  });
  return { db: holding, lookups: () => lookups, release };
}

async function untilFirstLookupRead(lookups: () => number): Promise<void> {
  while (lookups() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

it('does not cache a lookup that read a key before its revocation answered', async () => {
  const created = await new KeyStore(db).create('KZ-BS', ['recipient']);
  const holding = holdingFirstLookup();
  const keys = new KeyStore(holding.db);
  const during = [keys.authenticate(created.key), keys.authenticate(created.key)];
  await untilFirstLookupRead(holding.lookups);
  expect(await keys.revoke(created.keyId)).toBe(true);
  holding.release();
  // The two requests that overlapped the revocation shared one lookup, which read the key before it.
  expect(await Promise.all(during)).toEqual([expect.objectContaining({ agency: 'KZ-BS' }), expect.any(Object)]);
  expect(holding.lookups()).toBe(1);
  expect(await keys.authenticate(created.key)).toBeUndefined();
  expect(holding.lookups()).toBe(2);
});

it('a request that starts after a revocation does not join a lookup begun before it', async () => {
  const created = await new KeyStore(db).create('KZ-BS', ['recipient']);
  const holding = holdingFirstLookup();
  const keys = new KeyStore(holding.db);
  const before = keys.authenticate(created.key);
  await untilFirstLookupRead(holding.lookups);
  expect(await keys.revoke(created.keyId)).toBe(true);
  const after = keys.authenticate(created.key);
  holding.release();
  expect(await before).toBeDefined();
  expect(await after).toBeUndefined();
  expect(holding.lookups()).toBe(2);
});
