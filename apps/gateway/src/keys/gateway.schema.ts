// The gateway's own tables: API keys (hashes only), the daily hit-query counters and the hit index.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { DatabaseSchema } from '@caravan/database';
import { CreateHitIndex1764100000100 } from '../hits/hit-index.schema.js';

export class CreateGatewayKeys1764100000000 implements MigrationInterface {
  name = 'CreateGatewayKeys1764100000000';

  async up(q: QueryRunner): Promise<void> {
    // Only the SHA-256 of a key is kept: a leaked table does not let anyone call the hub.
    await q.query(`
      CREATE TABLE gateway_api_keys (
        key_id     uuid        PRIMARY KEY,
        key_sha256 bytea       NOT NULL UNIQUE CHECK (octet_length(key_sha256) = 32),
        agency     text        NOT NULL,
        roles      text[]      NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE gateway_hit_quota (
        agency  text    NOT NULL,
        day     date    NOT NULL,
        used    integer NOT NULL CHECK (used >= 0),
        PRIMARY KEY (agency, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE gateway_hit_quota');
    await q.query('DROP TABLE gateway_api_keys');
  }
}

/** The gateway's tables, migrated through @caravan/database. */
export const gatewaySchema: DatabaseSchema = {
  name: 'gateway',
  migrations: [CreateGatewayKeys1764100000000, CreateHitIndex1764100000100],
};
