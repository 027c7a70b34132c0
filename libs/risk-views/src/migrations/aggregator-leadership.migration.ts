import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several aggregator instances may run; one holds the lead at a time. Each instance that takes the
 * lead moves `leader_epoch` on, under the checkpoint's row lock, and every batch it folds checks the
 * epoch under the same lock: an instance that lost the lead without noticing yet can then commit
 * nothing more (a fencing token).
 */
export class AggregatorLeadership1764000000620 implements MigrationInterface {
  name = 'AggregatorLeadership1764000000620';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE risk_checkpoints ADD COLUMN leader_epoch bigint NOT NULL DEFAULT 0');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE risk_checkpoints DROP COLUMN leader_epoch');
  }
}
