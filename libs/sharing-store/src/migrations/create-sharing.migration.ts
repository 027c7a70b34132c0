import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The deliveries table is both the disclosure record of SPEC §5 and the source of every recipient's
 * feed (SPEC §7): one row per (event, recipient), holding the copy exactly as delivered and the
 * SHA-256 of its JCS form. The distributor's checkpoint lives beside it so both move in one
 * transaction; `published` marks how far its copies are known to be on NATS.
 */
export class CreateSharing1764000000300 implements MigrationInterface {
  name = 'CreateSharing1764000000300';

  async up(q: QueryRunner): Promise<void> {
    // (recipient, position) is unique because an event has one position and one copy per recipient;
    // as the primary key it is also the feed's index.
    await q.query(`
      CREATE TABLE sharing_deliveries (
        recipient      text        NOT NULL,
        position       bigint      NOT NULL CHECK (position > 0),
        event_id       uuid        NOT NULL,
        type           text        NOT NULL,
        aggregate_id   text        NOT NULL,
        originator     text        NOT NULL,
        policy_version integer     NOT NULL CHECK (policy_version > 0),
        paths          text[]      NOT NULL,
        digest         char(64)    NOT NULL,
        copy           jsonb       NOT NULL,
        delivered_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (recipient, position),
        CONSTRAINT sharing_deliveries_event_recipient UNIQUE (event_id, recipient)
      )`);
    await q.query('CREATE INDEX sharing_deliveries_aggregate ON sharing_deliveries (aggregate_id, position)');
    await q.query('CREATE INDEX sharing_deliveries_position ON sharing_deliveries (position)');
    await q.query('CREATE INDEX sharing_deliveries_delivered_at ON sharing_deliveries (delivered_at)');
    await q.query(`
      CREATE TABLE sharing_checkpoints (
        name       text        PRIMARY KEY,
        position   bigint      NOT NULL CHECK (position >= 0),
        published  bigint      NOT NULL DEFAULT 0 CHECK (published >= 0 AND published <= position),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sharing_checkpoints');
    await q.query('DROP TABLE sharing_deliveries');
  }
}
