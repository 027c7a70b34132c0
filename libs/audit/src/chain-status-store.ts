// The continuous auditor's status, kept in PostgreSQL (table audit_chain_status, see auditSchema)
// so that other processes can read it: the auditor reports after its passes, the gateway serves the
// latest report at GET /v1/audit/status.
import type { Queryable } from './audit-access.js';
import type { ChainStatus } from './ledger-verifier.js';

/** A status as an auditor reported it. */
export interface ReportedChainStatus extends ChainStatus {
  /** The auditor that reported it (one row each). */
  readonly auditor: string;
  /** When it reported (RFC 3339): a time long past means it has stopped. */
  readonly reportedAt: string;
  /** Verification passes it had completed since it started. */
  readonly passes: number;
}

interface Row {
  auditor: string;
  ok: boolean;
  verified_up_to: string;
  last_hash: string;
  checkpoints: string;
  signed_up_to: string;
  head: string;
  checked_at: string | null;
  break_position: string | null;
  break_reason: string | null;
  passes: string;
  reported_at: string;
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `auditor, ok, verified_up_to, last_hash, checkpoints, signed_up_to, head,
  ${iso('checked_at')} AS checked_at, break_position, break_reason, passes, ${iso('reported_at')} AS reported_at`;

/** Reads and writes the auditors' reported status. */
export class ChainStatusStore {
  constructor(private readonly db: Queryable) {}

  /** Replaces `auditor`'s report with this status. */
  async report(auditor: string, status: ChainStatus, passes: number): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_chain_status (auditor, ok, verified_up_to, last_hash, checkpoints, signed_up_to, head,
                                       checked_at, break_position, break_reason, passes, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9, $10, $11, now())
       ON CONFLICT (auditor) DO UPDATE SET
         ok = EXCLUDED.ok, verified_up_to = EXCLUDED.verified_up_to, last_hash = EXCLUDED.last_hash,
         checkpoints = EXCLUDED.checkpoints, signed_up_to = EXCLUDED.signed_up_to, head = EXCLUDED.head,
         checked_at = EXCLUDED.checked_at, break_position = EXCLUDED.break_position,
         break_reason = EXCLUDED.break_reason, passes = EXCLUDED.passes, reported_at = EXCLUDED.reported_at`,
      [
        auditor,
        status.ok,
        status.verifiedUpTo,
        status.lastHash,
        status.checkpoints,
        status.signedUpTo,
        status.head,
        status.checkedAt ?? null,
        status.firstBreak?.position ?? null,
        status.firstBreak?.reason ?? null,
        passes,
      ],
    );
  }

  /** The most recent report of any auditor, if one has reported. */
  async latest(): Promise<ReportedChainStatus | undefined> {
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM audit_chain_status ORDER BY reported_at DESC, auditor LIMIT 1`,
    )) as Row[];
    const row = rows[0];
    if (!row) return undefined;
    return {
      auditor: row.auditor,
      reportedAt: row.reported_at,
      passes: Number(row.passes),
      ok: row.ok,
      verifiedUpTo: Number(row.verified_up_to),
      lastHash: row.last_hash,
      checkpoints: Number(row.checkpoints),
      signedUpTo: Number(row.signed_up_to),
      head: Number(row.head),
      ...(row.checked_at !== null ? { checkedAt: row.checked_at } : {}),
      ...(row.break_position !== null
        ? { firstBreak: { position: Number(row.break_position), reason: row.break_reason ?? '' } }
        : {}),
    };
  }
}
