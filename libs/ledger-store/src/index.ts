// @caravan/ledger-store: the authoritative, append-only, hash-chained record (SPEC §4) in PostgreSQL.
/** The ledger's migrations, for openDatabase({ schemas }). */
export { ledgerSchema } from './ledger.schema.js';
/** The migration that creates the ledger tables, role grants and append-only triggers. */
export { CreateLedger1764000000000 } from './migrations/create-ledger.migration.js';
/** Names the database side of the ledger uses: the hub role and the notification channel. */
export { HUB_ROLE, LEDGER_CHANNEL } from './ledger-sql.js';
/** What a command asks the ledger to record, its idempotency identity, and the answer. */
export type { AppendRequest, CommandIdentity, AppendResult } from './batch-plan.js';
/** The group-commit writer, its options, and the batch description given to `beforeCommit`. */
export type { LedgerWriterOptions, BatchInfo } from './ledger-writer.js';
/** Appends events: expected version, idempotency, hash chain, signed checkpoints, gap-free positions. */
export { LedgerWriter } from './ledger-writer.js';
/** SHA-256 hex of a command body's canonical JSON, the fingerprint kept per commandId. */
export { commandBodyHash } from './ledger-writer.js';
/** Head, filters and the policy.set record returned by the reader. */
export type { LedgerHead, LedgerFilter, PolicyEventRecord, RecordedCommand } from './ledger-reader.js';
/** Streams, pages, the head, checkpoints and the policy in force at a position. */
export { LedgerReader } from './ledger-reader.js';
/** LISTEN/NOTIFY wake-ups for followers of the ledger. */
export { LedgerNotifier } from './ledger-notifier.js';
/** A range of the ledger as binary COPY chunks on a session the caller holds (bulk reads). */
export { copyEventsOn } from './ledger-copy.js';
/** Verifies the stored chain and checkpoints; names the first broken position. */
export { verifyLedger } from './ledger-verification.js';
/** The outbox relay's progress mark: read it, move it forward. */
export { readRelayCheckpoint, advanceRelayCheckpoint } from './relay-checkpoints.js';
