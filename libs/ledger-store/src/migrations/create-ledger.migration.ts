import type { MigrationInterface, QueryRunner } from 'typeorm';
import { HUB_ROLE } from '../ledger-sql.js';

/**
 * The ledger (SPEC §4): events, the idempotency record of commands, signed checkpoints, and the
 * relay's progress. The first three are append-only twice over: the hub role may only SELECT and
 * INSERT them, and a trigger refuses UPDATE, DELETE and TRUNCATE from anyone, owner included.
 */
export class CreateLedger1764000000000 implements MigrationInterface {
  name = 'CreateLedger1764000000000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide and test databases share the cluster, so several migrations may race
    // to create it: the loser gets duplicate_object (or unique_violation on pg_authid), both harmless.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${HUB_ROLE}') THEN
          BEGIN
            CREATE ROLE ${HUB_ROLE} NOLOGIN;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
          END;
        END IF;
        -- The store's writes run under SET LOCAL ROLE, which needs membership; superusers have it.
        IF NOT pg_has_role(current_user, '${HUB_ROLE}', 'MEMBER') THEN
          EXECUTE format('GRANT ${HUB_ROLE} TO %I', current_user);
        END IF;
      END $$`);

    // Positions come from the head read under the write lock, not from a sequence: a rolled-back
    // batch then consumes none, and the primary key refuses a duplicate should anything bypass the lock.
    await q.query(`
      CREATE TABLE ledger_events (
        position       bigint      PRIMARY KEY CHECK (position > 0),
        event_id       uuid        NOT NULL UNIQUE,
        type           text        NOT NULL,
        schema_version integer     NOT NULL CHECK (schema_version > 0),
        stream_id      text        NOT NULL,
        stream_version integer     NOT NULL CHECK (stream_version > 0),
        originator     text        NOT NULL,
        recorded_at    timestamptz NOT NULL,
        payload        jsonb       NOT NULL,
        hash           char(64)    NOT NULL,
        CONSTRAINT ledger_events_stream_version UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`CREATE INDEX ledger_events_type ON ledger_events (type, position)`);

    // No foreign keys to ledger_events: the writer inserts both in one statement of one transaction,
    // and an FK check would take a row lock on every event it references (a write per event).
    await q.query(`
      CREATE TABLE ledger_commands (
        command_id     uuid        PRIMARY KEY,
        agency         text        NOT NULL,
        command_name   text        NOT NULL,
        body_sha256    char(64)    NOT NULL,
        event_id       uuid        NOT NULL,
        position       bigint      NOT NULL,
        stream_version integer     NOT NULL,
        recorded_at    timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE TABLE ledger_checkpoints (
        position  bigint      PRIMARY KEY,
        hash      char(64)    NOT NULL,
        signature text        NOT NULL,
        signed_at timestamptz NOT NULL
      )`);

    // Not part of the record: the relay moves its mark forward, so it may UPDATE here.
    await q.query(`
      CREATE TABLE ledger_relay_checkpoints (
        name       text        PRIMARY KEY,
        position   bigint      NOT NULL CHECK (position >= 0),
        updated_at timestamptz NOT NULL
      )`);

    await q.query(`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['ledger_events', 'ledger_commands', 'ledger_checkpoints']) {
      // Statement level, so even an UPDATE that matches no row is refused. ENABLE ALWAYS keeps it
      // firing under session_replication_role = replica; only an explicit DISABLE TRIGGER (owner or
      // superuser, logged as DDL) gets past it.
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`);
      await q.query(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${table}_append_only`);
      await q.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await q.query(`GRANT SELECT, INSERT ON ${table} TO ${HUB_ROLE}`);
    }
    await q.query(`REVOKE ALL ON ledger_relay_checkpoints FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON ledger_relay_checkpoints TO ${HUB_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The role stays: it is cluster-wide and other databases may use it.
    await q.query(`DROP TABLE ledger_relay_checkpoints, ledger_checkpoints, ledger_commands, ledger_events`);
    await q.query(`DROP FUNCTION ledger_refuse_change()`);
  }
}
