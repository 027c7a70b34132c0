// API keys in PostgreSQL, each bound to one agency and a set of roles (SPEC §2, §7). Lookups are
// cached briefly because every request authenticates; a revocation through this store clears the
// cache at once, and other gateway processes see it within CACHE_MS of their lookup's start.
//
// A lookup that was under way while this store revoked a key may have read the key before the
// revocation: its answer goes to the requests that were waiting for it, which ran at the same time
// as the revocation, but it is not cached, so no request that starts after the revocation's answer
// is let in by it.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Role } from '@caravan/contracts';
import { generateApiKey, hashApiKey } from './api-key.js';

/** An active key as the guard sees it. */
export interface KeyRecord {
  readonly keyId: string;
  readonly agency: string;
  readonly roles: readonly Role[];
}

/** A key just created: the only moment its secret exists outside the caller's hands. */
export interface CreatedKey extends KeyRecord {
  readonly key: string;
}

const CACHE_MS = 5_000;

interface KeyRow {
  key_id: string;
  agency: string;
  roles: Role[];
}

export class KeyStore {
  private readonly cache = new Map<string, { record: KeyRecord | undefined; until: number }>();
  /** Lookups in flight by key hash: requests with the same key at once share one query. */
  private readonly lookups = new Map<string, Promise<KeyRecord | undefined>>();
  /** Counts revocations through this store, so a lookup can tell one overlapped it. */
  private revocations = 0;

  constructor(private readonly db: DataSource) {}

  /** The active key with this secret, or undefined for an unknown or revoked one. */
  async authenticate(key: string): Promise<KeyRecord | undefined> {
    const hash = hashApiKey(key);
    const cacheKey = hash.toString('hex');
    const hit = this.cache.get(cacheKey);
    if (hit && hit.until > Date.now()) return hit.record;
    let lookup = this.lookups.get(cacheKey);
    if (!lookup) {
      lookup = this.lookUp(hash, cacheKey);
      this.lookups.set(cacheKey, lookup);
      const done = () => {
        if (this.lookups.get(cacheKey) === lookup) this.lookups.delete(cacheKey);
      };
      lookup.then(done, done);
    }
    return lookup;
  }

  private async lookUp(hash: Buffer, cacheKey: string): Promise<KeyRecord | undefined> {
    const started = Date.now();
    const revocations = this.revocations;
    const rows: KeyRow[] = await this.db.query(
      'SELECT key_id, agency, roles FROM gateway_api_keys WHERE key_sha256 = $1 AND revoked_at IS NULL',
      [hash],
    );
    const row = rows[0];
    const record = row ? { keyId: row.key_id, agency: row.agency, roles: row.roles } : undefined;
    if (revocations === this.revocations) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(cacheKey, { record, until: started + CACHE_MS });
    }
    return record;
  }

  /** Creates a key for `agency` with `roles`; the secret is returned here and nowhere else. */
  async create(agency: string, roles: readonly Role[]): Promise<CreatedKey> {
    const key = generateApiKey();
    const keyId = randomUUID();
    await this.db.query('INSERT INTO gateway_api_keys (key_id, key_sha256, agency, roles) VALUES ($1, $2, $3, $4)', [
      keyId,
      hashApiKey(key),
      agency,
      [...roles],
    ]);
    return { keyId, key, agency, roles };
  }

  /** Registers a key whose secret was chosen outside (CARAVAN_ADMIN_KEY); idempotent. */
  async register(key: string, agency: string, roles: readonly Role[]): Promise<KeyRecord> {
    const hash = hashApiKey(key);
    await this.db.query(
      `INSERT INTO gateway_api_keys (key_id, key_sha256, agency, roles) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key_sha256) DO NOTHING`,
      [randomUUID(), hash, agency, [...roles]],
    );
    const rows: KeyRow[] = await this.db.query(
      'SELECT key_id, agency, roles FROM gateway_api_keys WHERE key_sha256 = $1',
      [hash],
    );
    const row = rows[0]!;
    return { keyId: row.key_id, agency: row.agency, roles: row.roles };
  }

  /** Whether any unrevoked key holds `role`. */
  async anyActiveWithRole(role: Role): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      'SELECT 1 FROM gateway_api_keys WHERE revoked_at IS NULL AND $1 = ANY (roles) LIMIT 1',
      [role],
    );
    return rows.length > 0;
  }

  /** Revokes a key; false when there is no such active key. */
  async revoke(keyId: string): Promise<boolean> {
    const rows: { key_sha256: Buffer }[] = await this.db.query(
      // Wrapped in a CTE so the driver answers rows, as for a SELECT.
      `WITH revoked AS (
         UPDATE gateway_api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL RETURNING key_sha256
       ) SELECT key_sha256 FROM revoked`,
      [keyId],
    );
    const row = rows[0];
    if (!row) return false;
    // A lookup still in flight now may have read the key before the UPDATE: it will not be cached.
    this.revocations++;
    const revokedKey = Buffer.from(row.key_sha256).toString('hex');
    this.cache.delete(revokedKey);
    // Requests from now on must not join a lookup that may have read the key before the revocation.
    this.lookups.delete(revokedKey);
    return true;
  }
}
