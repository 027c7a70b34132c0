// @caravan/directory: agencies, groups and crossing points as data in PostgreSQL (SPEC §2).
/** Tables of the directory, for `openDatabase`. */
export { directorySchema } from './directory.schema.js';
/** The migration that creates them. */
export { CreateDirectory1764000000100 } from './migrations/create-directory.migration.js';
/** Anything with `query(sql, params)`: a DataSource, EntityManager or QueryRunner. */
export type { Queryable } from './directory.repository.js';
/** Upsert, list and load agencies and crossing points; members of a group. */
export { DirectoryRepository, checkAgency, checkCrossingPoint } from './directory.repository.js';
/** One load of the directory, and where a cache loads it from. */
export type { DirectorySnapshot, DirectorySource, DirectoryCacheOptions } from './directory-cache.js';
/** Directory snapshots for hot paths: acceptances from a recent one, refusals from one loaded after the request. */
export { DirectoryCache } from './directory-cache.js';
/** Rows added by one seed run. */
export type { SeedResult } from './seed-directory.js';
/** Adds missing directory rows in one transaction; re-runs add nothing and change nothing. */
export { seedDirectory } from './seed-directory.js';
/** The demo directory of SPEC §11 and its parts. */
export { demoDirectory, DEMO_AGENCIES, DEMO_CROSSING_POINTS } from './demo-directory.js';
