// Every read of full (unredacted) data by an auditor, recorded before the data is served and
// listed to every auditor (SPEC §2: "every read of full data is itself recorded").

/** Anything that runs SQL: a TypeORM DataSource, EntityManager or QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** One recorded read. */
export interface AuditAccess {
  readonly id: number;
  /** RFC 3339 UTC with milliseconds. */
  readonly accessedAt: string;
  readonly agency: string;
  readonly keyId: string;
  /** What was read: `events` (the full ledger), `as-seen`, … */
  readonly action: string;
  readonly fromPosition?: number;
  readonly toPosition?: number;
  /** Filters and other parameters of the read. */
  readonly detail: Readonly<Record<string, unknown>>;
}

/** What to record. */
export type NewAuditAccess = Omit<AuditAccess, 'id' | 'accessedAt'>;

/** Which records to list, newest last; every bound optional. */
export interface AuditAccessQuery {
  readonly agency?: string;
  readonly action?: string;
  /** accessed at or after (RFC 3339). */
  readonly from?: string;
  /** accessed strictly before (RFC 3339). */
  readonly to?: string;
  /** Records with an id above this one (paging). */
  readonly afterId?: number;
  readonly limit?: number;
}

interface Row {
  id: string;
  accessed_at: string;
  agency: string;
  key_id: string;
  action: string;
  from_position: string | null;
  to_position: string | null;
  detail: Record<string, unknown>;
}

const COLUMNS = `id, to_char(accessed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS accessed_at,
  agency, key_id, action, from_position, to_position, detail`;

/** The audit access record (table audit_accesses, see auditSchema). */
export class AuditAccessLog {
  constructor(private readonly db: Queryable) {}

  /** Records a read; returns the stored record. */
  async record(access: NewAuditAccess): Promise<AuditAccess> {
    const rows = (await this.db.query(
      `INSERT INTO audit_accesses (agency, key_id, action, from_position, to_position, detail)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING ${COLUMNS}`,
      [
        access.agency,
        access.keyId,
        access.action,
        access.fromPosition ?? null,
        access.toPosition ?? null,
        JSON.stringify(access.detail),
      ],
    )) as Row[];
    return toAccess(rows[0]!);
  }

  /** Recorded reads in the order they happened. */
  async list(query: AuditAccessQuery = {}): Promise<AuditAccess[]> {
    const where: string[] = ['id > $1'];
    const params: unknown[] = [query.afterId ?? 0];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.agency !== undefined) add('agency = ?', query.agency);
    if (query.action !== undefined) add('action = ?', query.action);
    if (query.from !== undefined) add('accessed_at >= ?::timestamptz', query.from);
    if (query.to !== undefined) add('accessed_at < ?::timestamptz', query.to);
    params.push(Math.min(Math.max(query.limit ?? 100, 1), 1000));
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM audit_accesses WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.length}`,
      params,
    )) as Row[];
    return rows.map(toAccess);
  }
}

function toAccess(row: Row): AuditAccess {
  return {
    id: Number(row.id),
    accessedAt: row.accessed_at,
    agency: row.agency,
    keyId: row.key_id,
    action: row.action,
    ...(row.from_position !== null ? { fromPosition: Number(row.from_position) } : {}),
    ...(row.to_position !== null ? { toPosition: Number(row.to_position) } : {}),
    detail: row.detail,
  };
}
