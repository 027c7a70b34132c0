// The directory as the gateway reads it for every command (crossing points for validation,
// agencies for previews and key creation). Cached for a moment because it changes rarely and is
// read on every report; writes through this process refresh it at once.
import type { Agency, CrossingPoint, Directory } from '@caravan/contracts';
import { type DirectoryRepository } from '@caravan/directory';

const CACHE_MS = 2_000;

export class DirectoryCache {
  private cached: { directory: Directory; until: number } | undefined;
  private loading: Promise<Directory> | undefined;

  constructor(readonly repository: DirectoryRepository) {}

  async current(): Promise<Directory> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.directory;
    this.loading ??= this.repository
      .loadDirectory()
      .then((directory) => {
        this.cached = { directory, until: Date.now() + CACHE_MS };
        return directory;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  async upsertAgency(agency: Agency): Promise<void> {
    await this.repository.upsertAgency(agency);
    this.cached = undefined;
  }

  async upsertCrossingPoint(point: CrossingPoint): Promise<void> {
    await this.repository.upsertCrossingPoint(point);
    this.cached = undefined;
  }
}
