import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The views' rows are written and read whole, never queried inside, so their JSON columns become
 * `json`: PostgreSQL checks the text and stores it as sent instead of converting it to jsonb and back
 * on every write and read (the rebuild writes every row of the views at once). A seizure's record
 * drops its payload: the aggregator rebuilds an equivalent one from the contribution stored beside
 * it (seizureRecordOf in @caravan/domain), which halves what each seizure row holds.
 */
export class SlimRiskRows1764000000610 implements MigrationInterface {
  name = 'SlimRiskRows1764000000610';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE risk_seizures
        ALTER COLUMN record TYPE json USING (record - 'payload')::json,
        ALTER COLUMN contribution TYPE json USING contribution::json`);
    await q.query('ALTER TABLE risk_alerts ALTER COLUMN record TYPE json USING record::json');
  }

  // The payloads dropped by up() are not restored: the old code would then read records without
  // one. Rebuild the views (they are a pure function of the ledger) after migrating down.
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE risk_seizures
        ALTER COLUMN record TYPE jsonb USING record::jsonb,
        ALTER COLUMN contribution TYPE jsonb USING contribution::jsonb`);
    await q.query('ALTER TABLE risk_alerts ALTER COLUMN record TYPE jsonb USING record::jsonb');
  }
}
