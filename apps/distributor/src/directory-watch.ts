// The directory as the distributor decides with it, read again only when it changed. Every batch
// asks PostgreSQL for a fingerprint of the directory tables (one small query, run beside the batch's
// ledger read), so a change committed before a batch starts governs every event of that batch and
// after, as when the directory was loaded whole for every batch, without loading it.
//
// The fingerprint is a hash of every row as text rather than a count or a latest `updated_at`: a
// transaction that started earlier can commit a smaller `updated_at` after a larger one was seen.
// (The SQL reads libs/directory's tables; it belongs in DirectoryRepository once that lib offers it.)
import type { DataSource } from 'typeorm';
import type { Directory } from '@caravan/contracts';
import type { DirectoryRepository } from '@caravan/directory';

const FINGERPRINT_SQL = `
  SELECT md5(coalesce((SELECT string_agg(a::text, E'\\n' ORDER BY a.code) FROM directory_agency a), '')
             || E'\\f' ||
             coalesce((SELECT string_agg(c::text, E'\\n' ORDER BY c.code) FROM directory_crossing_point c), '')
         ) AS fingerprint`;

/** The current directory, and whether it differs from the one returned before. */
export interface DirectoryReading {
  readonly directory: Directory;
  readonly changed: boolean;
}

/** Caches the directory and reloads it when its fingerprint changes. */
export class DirectoryWatch {
  private cached: { readonly fingerprint: string; readonly directory: Directory } | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly repository: DirectoryRepository,
  ) {}

  /** The directory as committed now. */
  async current(): Promise<DirectoryReading> {
    const rows: Array<{ fingerprint: string }> = await this.db.query(FINGERPRINT_SQL);
    const fingerprint = rows[0]?.fingerprint ?? '';
    if (this.cached?.fingerprint === fingerprint) return { directory: this.cached.directory, changed: false };
    // Fingerprint first, then the rows: a change in between is simply seen again by the next check.
    const directory = await this.repository.loadDirectory();
    this.cached = { fingerprint, directory };
    return { directory, changed: true };
  }
}
