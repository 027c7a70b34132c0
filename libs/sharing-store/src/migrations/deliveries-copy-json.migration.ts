import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivered copy is stored as `json`, not `jsonb`: it is only ever written and read back whole
 * (feeds, as-seen, republishing), never queried inside, and the envelope fields the queries filter
 * on have columns of their own. Checking JSON text costs PostgreSQL far less than decomposing it into
 * jsonb, which was most of its work on the distributor's hot path. Converting rewrites the table.
 */
export class DeliveriesCopyJson1764000000310 implements MigrationInterface {
  name = 'DeliveriesCopyJson1764000000310';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE sharing_deliveries ALTER COLUMN copy TYPE json USING copy::json');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE sharing_deliveries ALTER COLUMN copy TYPE jsonb USING copy::jsonb');
  }
}
