// @caravan/audit: export, offline verification, continuous verification, as-seen reconstruction and
// the auditor access record (SPEC §4, §5 disclosure record, §9). The export format and the offline
// verifier load no database or NATS code; the rest reads the ledger through @caravan/ledger-store.
/** The filters of a listing, its chainStart line, its key line, and one parsed line. */
export type { ExportFilter, ChainStartLine, PublicKeyLine, ExportLine } from './export-format.js';
/** The NDJSON lines of an export (SPEC §4): start, event, checkpoint, key; and the line parser. */
export { chainStartLine, eventLine, checkpointLine, publicKeyLine, parseExportLine } from './export-format.js';
/** Splits a byte or text stream into lines. */
export { ndjsonLines } from './ndjson-lines.js';
/** What the export writer reads, its options, progress and summary. */
export type { LedgerSource, ExportOptions, ExportProgress, ExportSummary } from './export-writer.js';
/** Streams an export or a filtered listing from the ledger into a Writable. */
export { writeExport } from './export-writer.js';
/** Where an interrupted export stopped. */
export type { ExportScan } from './scan-export.js';
/** Reads an export written so far and says where to resume. */
export { scanExport } from './scan-export.js';
/** The result of an offline verification, its first break, the key source and the options. */
export type { ExportVerification, ExportBreak, KeySource, VerifyExportOptions } from './verify-export.js';
/** Verifies an export offline, streaming; and the one-line summary of its result. */
export { verifyExport, describeVerification } from './verify-export.js';
/** Where verification of the stored ledger stands, and what the verifier reads. */
export type { ChainStatus, LedgerCopySource } from './ledger-verifier.js';
/** The columns, in order, of the binary COPY a LedgerCopySource yields. */
export { LEDGER_COPY_COLUMNS } from './ledger-copy-rows.js';
/** One row of such a COPY, as views on the received bytes. */
export type { LedgerCopyRowView } from './ledger-copy-rows.js';
/** The streaming decoder of such a COPY, its error for a stream that is not one, the column indexes. */
export { LedgerCopyDecoder, LedgerCopyError, LedgerCopyColumn } from './ledger-copy-rows.js';
/** The readers of one column of a row view (recordedAt as LedgerReader renders it). */
export { int32At, int64At, textAt, uuidAt, isoTimeOf } from './ledger-copy-rows.js';
/** Verifies the stored chain and checkpoints incrementally, in constant memory. */
export { LedgerVerifier } from './ledger-verifier.js';
/** The audit tables, for openDatabase({ schemas }). */
export { auditSchema } from './audit.schema.js';
/** The migration that creates the audit access record. */
export { CreateAuditAccess1764000000700 } from './migrations/create-audit-access.migration.js';
/** The migration that creates the table of the auditors' reported status. */
export { CreateAuditChainStatus1764000000710 } from './migrations/create-audit-chain-status.migration.js';
/** A status as the continuous auditor reported it. */
export type { ReportedChainStatus } from './chain-status-store.js';
/** Where the continuous auditor reports its status and the gateway reads it. */
export { ChainStatusStore } from './chain-status-store.js';
/** A recorded auditor read, what to record, and how to list them. */
export type { AuditAccess, NewAuditAccess, AuditAccessQuery, Queryable } from './audit-access.js';
/** Records every read of full data by an auditor and lists them to other auditors. */
export { AuditAccessLog } from './audit-access.js';
/** What as-seen reads, one rebuilt copy, and the answer. */
export type { AsSeenSources, AsSeenCopy, AsSeen } from './as-seen.js';
/** Rebuilds what a recipient had been shown of an event by a time and checks the recorded digests. */
export { asSeen } from './as-seen.js';
