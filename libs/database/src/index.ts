// @caravan/database: how every store opens PostgreSQL and migrates its tables, and how one instance
// of a role leads behind an advisory lock.
export type { MigrationClass, DatabaseSchema, OpenDatabaseOptions } from './open-database.js';
export { openDatabase, ensureDatabaseExists, DatabaseUnavailableError } from './open-database.js';
/** The lock's key, a held lead, a lead's term, and how to hold a lead or stand by for it. */
export type { LeaderLockKey, Leadership, LeadTerm, LeadershipOptions, LeadershipRun } from './leader-lock.js';
/** Tries once to take a role's advisory lock on a session of its own. */
export { tryLeadership } from './leader-lock.js';
/** Leads whenever the lock can be had, stands by otherwise; nothing of it outlives close(). */
export { holdLeadership } from './leader-lock.js';
/** A raw pg session of a DataSource's pool (COPY, LISTEN, multi-statement round trips). */
export type { PooledSession } from './pooled-session.js';
/** Takes a raw pg session from a DataSource's pool. */
export { pooledSession } from './pooled-session.js';
/** Columns in COPY's text format: a scalar, JSON text, a text[] value. */
export { copyField, copyJsonField, copyTextArrayField } from './copy-text.js';
