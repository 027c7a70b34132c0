// The directory as the hot paths read it: every command checks its agency and crossing points, and
// reading two tables per command cost more than the rest of its handling. A snapshot is kept for a
// moment; what makes that safe is where each answer comes from:
//
// - An acceptance may rest on an older snapshot. What a command needs of the directory only grows:
//   agencies and crossing points are never removed, and a crossing point's country is fixed by its
//   code (`checkCrossingPoint`), so whatever an older snapshot accepts, the current one accepts too.
//   The snapshot's age (maxAgeMs) still bounds how long a row removed by hand keeps counting.
// - A refusal must rest on a load begun after the request arrived (`mark()`, then `since(mark)`),
//   so an agency or crossing point registered a moment before, through any process, is seen.
// - Anything that reads what can change (an agency's groups, for a policy) asks `since(mark)` too.
//
// Loads are numbered in the order they begin; a load begun after a mark sees every write committed
// before the mark (its query starts later), and one load serves every caller waiting for it.
import type { Agency, Directory } from '@caravan/contracts';

/** One load of the directory. */
export interface DirectorySnapshot {
  readonly directory: Directory;
  /** The load's number: loads are numbered 1, 2, 3… in the order they began. */
  readonly load: number;
  /** The agency with this code in this snapshot, if any. */
  agency(code: string): Agency | undefined;
}

/** Where a DirectoryCache reads the directory from (a DirectoryRepository). */
export interface DirectorySource {
  loadDirectory(): Promise<Directory>;
}

export interface DirectoryCacheOptions {
  /** How long a snapshot serves `current()` after its load began. */
  readonly maxAgeMs: number;
  readonly clock?: () => number;
}

interface Loading {
  readonly load: number;
  readonly promise: Promise<DirectorySnapshot>;
}

/** Directory snapshots shared by the callers of one process (see the comment at the top). */
export class DirectoryCache {
  private readonly clock: () => number;
  private begun = 0;
  /** Only loads numbered above this may serve `current()` (raised by `invalidate`). */
  private floor = 0;
  private latest: { snapshot: DirectorySnapshot; until: number } | undefined;
  private loading: Loading | undefined;

  constructor(
    private readonly source: DirectorySource,
    private readonly options: DirectoryCacheOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** A mark for `since`: every load begun after this call sees what was committed before it. */
  mark(): number {
    return this.begun;
  }

  /** The latest snapshot while it is young enough, else a new load. */
  current(): Promise<DirectorySnapshot> {
    const latest = this.latest;
    if (latest && latest.snapshot.load > this.floor && latest.until > this.clock()) {
      return Promise.resolve(latest.snapshot);
    }
    return this.since(Math.max(this.floor, latest?.snapshot.load ?? 0));
  }

  /** A snapshot from a load begun after `mark` (one already under way is shared). */
  since(mark: number): Promise<DirectorySnapshot> {
    if (this.latest && this.latest.snapshot.load > mark) return Promise.resolve(this.latest.snapshot);
    if (this.loading && this.loading.load > mark) return this.loading.promise;
    return this.startLoad();
  }

  /** After a write through this process: later reads come from loads begun after it. */
  invalidate(): void {
    this.floor = this.begun;
  }

  private startLoad(): Promise<DirectorySnapshot> {
    const load = ++this.begun;
    const startedAt = this.clock();
    const promise = this.source.loadDirectory().then(
      (directory) => {
        const snapshot = snapshotOf(directory, load);
        // Loads may finish out of order; an older one never replaces a newer snapshot.
        if (!this.latest || this.latest.snapshot.load < load) {
          this.latest = { snapshot, until: startedAt + this.options.maxAgeMs };
        }
        if (this.loading?.load === load) this.loading = undefined;
        return snapshot;
      },
      (error: unknown) => {
        if (this.loading?.load === load) this.loading = undefined;
        throw error;
      },
    );
    this.loading = { load, promise };
    return promise;
  }
}

function snapshotOf(directory: Directory, load: number): DirectorySnapshot {
  const agencies = new Map(directory.agencies.map((agency) => [agency.code, agency]));
  return { directory, load, agency: (code) => agencies.get(code) };
}
