import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The record of auditors' reads of full (unredacted) data (SPEC §2, §9): who, what, which range,
 * when. Append-only like the ledger: a trigger refuses UPDATE, DELETE and TRUNCATE, so an auditor's
 * trace cannot be tidied away afterwards.
 */
export class CreateAuditAccess1764000000700 implements MigrationInterface {
  name = 'CreateAuditAccess1764000000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_accesses (
        id            bigserial   PRIMARY KEY,
        accessed_at   timestamptz NOT NULL DEFAULT now(),
        agency        text        NOT NULL,
        key_id        text        NOT NULL,
        action        text        NOT NULL,
        from_position bigint,
        to_position   bigint,
        detail        jsonb       NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_accesses_at ON audit_accesses (accessed_at)`);
    await q.query(`
      CREATE FUNCTION audit_accesses_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit access record is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_accesses_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_accesses
      FOR EACH STATEMENT EXECUTE FUNCTION audit_accesses_refuse_change()`);
    await q.query(`ALTER TABLE audit_accesses ENABLE ALWAYS TRIGGER audit_accesses_append_only`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_accesses`);
    await q.query(`DROP FUNCTION audit_accesses_refuse_change()`);
  }
}
