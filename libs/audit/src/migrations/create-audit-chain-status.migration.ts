import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where the continuous auditor's verification stands, one row per auditor, so that the gateway can
 * serve it (GET /v1/audit/status). A status, not a record: each report replaces the last one; the
 * ledger's own checkpoints and the access record are what stay.
 */
export class CreateAuditChainStatus1764000000710 implements MigrationInterface {
  name = 'CreateAuditChainStatus1764000000710';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_chain_status (
        auditor         text        PRIMARY KEY,
        ok              boolean     NOT NULL,
        verified_up_to  bigint      NOT NULL,
        last_hash       text        NOT NULL,
        checkpoints     bigint      NOT NULL,
        signed_up_to    bigint      NOT NULL,
        head            bigint      NOT NULL,
        checked_at      timestamptz,
        break_position  bigint,
        break_reason    text,
        passes          bigint      NOT NULL,
        reported_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_chain_status`);
  }
}
