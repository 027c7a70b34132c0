// Where the real PostgreSQL and NATS for a test come from: CARAVAN_TEST_DATABASE_URL /
// CARAVAN_TEST_NATS_URL when set; otherwise, where a Docker engine answers, containers started
// with testcontainers; otherwise a clear failure. A test never silently skips.
import { existsSync } from 'node:fs';

export interface TestServices {
  /** A PostgreSQL URL whose user may CREATE DATABASE. */
  readonly adminDatabaseUrl: string;
  /** A NATS URL with JetStream enabled. */
  readonly natsUrl: string;
}

export const MISSING_SERVICES_MESSAGE =
  'Caravan integration tests need real PostgreSQL and NATS JetStream: set CARAVAN_TEST_DATABASE_URL ' +
  '(e.g. postgres://postgres@127.0.0.1:5432/postgres) and CARAVAN_TEST_NATS_URL (e.g. nats://127.0.0.1:4222), ' +
  'or run a Docker engine so that testcontainers can start them.';

let services: Promise<TestServices> | undefined;

/** Resolves the services once per test file (per Jest worker module registry). */
export function testServices(): Promise<TestServices> {
  services ??= resolveServices();
  return services;
}

async function resolveServices(): Promise<TestServices> {
  const databaseUrl = process.env['CARAVAN_TEST_DATABASE_URL'];
  const natsUrl = process.env['CARAVAN_TEST_NATS_URL'];
  if (databaseUrl && natsUrl) return { adminDatabaseUrl: databaseUrl, natsUrl };
  if (!dockerEngineLikely()) throw new Error(MISSING_SERVICES_MESSAGE);
  return startContainers(databaseUrl, natsUrl);
}

function dockerEngineLikely(): boolean {
  return Boolean(process.env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}

async function startContainers(databaseUrl: string | undefined, natsUrl: string | undefined): Promise<TestServices> {
  const { GenericContainer, Wait } = await import('testcontainers');
  try {
    let adminDatabaseUrl = databaseUrl;
    if (!adminDatabaseUrl) {
      const pg = await new GenericContainer('postgres:16-alpine')
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      adminDatabaseUrl = `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
    }
    let nats = natsUrl;
    if (!nats) {
      const container = await new GenericContainer('nats:2.10-alpine')
        .withCommand(['-js'])
        .withExposedPorts(4222)
        .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
        .start();
      nats = `nats://${container.getHost()}:${container.getMappedPort(4222)}`;
    }
    return { adminDatabaseUrl, natsUrl: nats };
  } catch (error) {
    throw new Error(`${MISSING_SERVICES_MESSAGE} (testcontainers failed: ${(error as Error).message})`);
  }
}
