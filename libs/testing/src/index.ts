// @caravan/testing: real PostgreSQL and NATS for tests, isolated per test file.
export type { TestServices } from './services.js';
export { testServices, MISSING_SERVICES_MESSAGE } from './services.js';
export type { TestDatabase } from './test-database.js';
export { createTestDatabase, databaseUrlFor } from './test-database.js';
export type { TestNats } from './test-nats.js';
export { createTestNats } from './test-nats.js';
export type { NatsServerProcess, NatsServerOptions } from './nats-server-process.js';
export { startNatsServer, freePort } from './nats-server-process.js';
