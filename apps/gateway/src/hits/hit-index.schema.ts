// The hit/no-hit identifier index (hit-index.ts): a projection of the ledger, never a source of truth.
// Part of the gateway's schema (keys/gateway.schema.ts).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateHitIndex1764100000100 implements MigrationInterface {
  name = 'CreateHitIndex1764100000100';

  async up(q: QueryRunner): Promise<void> {
    // The key is the SHA-256 of `kind|normalised value`: fixed width whatever NFKC makes of a
    // 256-character value (a btree entry has a size limit that an insert must never hit), and no
    // second copy of names and document numbers in clear next to the ledger.
    await q.query(`
      CREATE TABLE gateway_hit_index (
        key_sha256 bytea NOT NULL CHECK (octet_length(key_sha256) = 32),
        stream_id  text  NOT NULL,
        originator text  NOT NULL,
        PRIMARY KEY (key_sha256, stream_id)
      )`);
    // Each catch-up replaces an aggregate's rows whole.
    await q.query('CREATE INDEX gateway_hit_index_stream ON gateway_hit_index (stream_id)');
    // Ledger position up to which the rows are exact; updated in the same transaction as the rows.
    await q.query(`
      CREATE TABLE gateway_hit_index_checkpoint (
        id       smallint PRIMARY KEY CHECK (id = 1),
        position bigint   NOT NULL CHECK (position >= 0)
      )`);
    await q.query('INSERT INTO gateway_hit_index_checkpoint (id, position) VALUES (1, 0)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE gateway_hit_index_checkpoint');
    await q.query('DROP TABLE gateway_hit_index');
  }
}
