// The directory as the gateway reads it for every command (crossing points for validation,
// agencies for previews and key creation). Snapshots are shared for a moment because the directory
// changes rarely and is read on every report (see DirectoryCache in @caravan/directory for why an
// acceptance may rest on one and a refusal may not); writes through this process invalidate them.
import type { Agency, CrossingPoint, Directory } from '@caravan/contracts';
import { DirectoryCache as Snapshots, type DirectoryRepository } from '@caravan/directory';

const CACHE_MS = 2_000;

export class DirectoryCache {
  /** For callers that refuse on the directory's word: `mark()` on arrival, then `since(mark)`. */
  readonly snapshots: Snapshots;

  constructor(readonly repository: DirectoryRepository) {
    this.snapshots = new Snapshots(repository, { maxAgeMs: CACHE_MS });
  }

  async current(): Promise<Directory> {
    return (await this.snapshots.current()).directory;
  }

  async upsertAgency(agency: Agency): Promise<void> {
    await this.repository.upsertAgency(agency);
    this.snapshots.invalidate();
  }

  async upsertCrossingPoint(point: CrossingPoint): Promise<void> {
    await this.repository.upsertCrossingPoint(point);
    this.snapshots.invalidate();
  }
}
