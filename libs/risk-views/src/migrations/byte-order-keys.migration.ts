import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The views' keys and filter columns compare byte by byte (COLLATE "C"): ids, country codes and ISO
 * weeks are ASCII codes whose order is their bytes' order, so a linguistic collation only makes
 * every index build and comparison dearer (a rebuild builds the keys' indexes afresh). The reads
 * already ordered by `seizure_id COLLATE "C"` and `alert_id COLLATE "C"`, which are now the
 * columns' own order and can use their primary keys; equality does not change, and `week` ranges
 * compare as the weeks' order.
 */
export class ByteOrderKeys1764000000630 implements MigrationInterface {
  name = 'ByteOrderKeys1764000000630';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE risk_seizures
        ALTER COLUMN seizure_id TYPE text COLLATE "C",
        ALTER COLUMN country TYPE text COLLATE "C",
        ALTER COLUMN week TYPE text COLLATE "C"`);
    await q.query('ALTER TABLE risk_alerts ALTER COLUMN alert_id TYPE text COLLATE "C"');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE risk_alerts ALTER COLUMN alert_id TYPE text COLLATE "default"');
    await q.query(`
      ALTER TABLE risk_seizures
        ALTER COLUMN seizure_id TYPE text COLLATE "default",
        ALTER COLUMN country TYPE text COLLATE "default",
        ALTER COLUMN week TYPE text COLLATE "default"`);
  }
}
