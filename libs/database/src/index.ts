// @caravan/database: how every store opens PostgreSQL and migrates its tables.
export type { MigrationClass, DatabaseSchema, OpenDatabaseOptions } from './open-database.js';
export { openDatabase, ensureDatabaseExists, DatabaseUnavailableError } from './open-database.js';
