import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The regional centre's risk views (SPEC §8). What is stored is the projection, not the view rows:
 * one row per seizure and per alert the centre has seen (its folded record, so the aggregator can
 * resume after a restart, and its current contribution), plus the aggregator's checkpoint. The views
 * themselves are pure functions of these rows, computed when read, so small-cell protection can be
 * applied per viewer and filter. Every batch moves the rows and the checkpoint in one transaction.
 * The checkpoint holds the last ledger position folded and the CARAVAN_SHARE stream sequence of the
 * last message handled, from which the aggregator's consumer restarts in order after a crash.
 */
export class CreateRiskViews1764000000600 implements MigrationInterface {
  name = 'CreateRiskViews1764000000600';

  async up(q: QueryRunner): Promise<void> {
    // `contribution` is null once the seizure is retracted (it counts nowhere, SPEC §3.3); the row
    // stays so that a late amendment is still recognised as coming after the retraction.
    await q.query(`
      CREATE TABLE risk_seizures (
        seizure_id     text    PRIMARY KEY,
        originator     text    NOT NULL,
        record         jsonb   NOT NULL,
        contribution   jsonb,
        country        text,
        crossing_point text,
        week           text,
        position       bigint  NOT NULL
      )`);
    await q.query('CREATE INDEX risk_seizures_country_week ON risk_seizures (country, week)');
    await q.query('CREATE INDEX risk_seizures_week ON risk_seizures (week)');
    await q.query(`
      CREATE TABLE risk_alerts (
        alert_id    text    PRIMARY KEY,
        originator  text    NOT NULL,
        record      jsonb   NOT NULL,
        withdrawn   boolean NOT NULL,
        position    bigint  NOT NULL
      )`);
    await q.query(`
      CREATE TABLE risk_checkpoints (
        name            text        PRIMARY KEY,
        position        bigint      NOT NULL CHECK (position >= 0),
        stream_sequence bigint      NOT NULL DEFAULT 0 CHECK (stream_sequence >= 0),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE risk_checkpoints, risk_alerts, risk_seizures');
  }
}
