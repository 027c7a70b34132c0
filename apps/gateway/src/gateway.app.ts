// startGateway: opens PostgreSQL (keys schema) and NATS, bootstraps the first admin key, starts the
// Nest HTTP application and returns a handle (see apps/README.md).
import type { AddressInfo } from 'node:net';
import { ConsoleLogger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import { auditSchema } from '@caravan/audit';
import { openDatabase } from '@caravan/database';
import { directorySchema, DirectoryRepository } from '@caravan/directory';
import { ledgerSchema, LedgerReader } from '@caravan/ledger-store';
import { riskViewsSchema } from '@caravan/risk-views';
import { connectNats, drainNats, ensureStreams } from '@caravan/messaging';
import { sharingSchema } from '@caravan/sharing-store';
import { RateLimiter } from './auth/index.js';
import { tuningOf, type GatewayConfig } from './gateway.config.js';
import { DirectoryCache } from './directory/directory.cache.js';
import type { FeedSource } from './feed/feed-source.js';
import { SharingFeedSource } from './feed/sharing-feed-source.js';
import { GatewayContext } from './gateway.context.js';
import { GatewayModule } from './gateway.module.js';
import { jsonBody } from './http/json-body.js';
import { bootstrapAdminKey } from './keys/bootstrap-admin.js';
import { gatewaySchema } from './keys/gateway.schema.js';
import { KeyStore } from './keys/key-store.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { MetricsRegistry } from './metrics/metrics.registry.js';
import { registerOperationalMetrics } from './metrics/operational-metrics.js';
import { setUpOpenApi } from './openapi/openapi.js';

/** The handle every app returns (apps/README.md). */
export interface RunningApp {
  readonly name: string;
  close(): Promise<void>;
}

/** Starts the HTTP API of SPEC §7; `url` is where it listens (`http://127.0.0.1:<port>`). */
export async function startGateway(config: GatewayConfig): Promise<RunningApp & { url: string }> {
  const tuning = tuningOf(config);
  const logger = new ConsoleLogger('gateway', { json: true });
  let db: DataSource | undefined;
  let nc: NatsConnection | undefined;
  let app: INestApplication | undefined;
  try {
    // The gateway reads the ledger (policies, hits, metrics) but never writes it; migrating its
    // schema here only makes a gateway started first usable.
    db = await openDatabase({
      url: config.databaseUrl,
      schemas: [ledgerSchema, directorySchema, sharingSchema, riskViewsSchema, auditSchema, gatewaySchema],
      applicationName: 'caravan-gateway',
    });
    nc = await connectNats({
      servers: config.natsServers,
      credentials: config.natsCredentials,
      name: 'caravan-gateway',
      logger: { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
    });
    // Hit notifications are published to CARAVAN_SHARE: make sure it exists even if started first.
    await ensureStreams(await jetstreamManager(nc), config.topology);
    const keys = new KeyStore(db);
    const bootstrap = await bootstrapAdminKey(keys, { adminKey: config.adminKey, stateDir: config.stateDir });
    if (bootstrap.kind === 'generated') {
      // Printed once, on the first start; it is kept in the state dir (mode 0600) afterwards.
      process.stdout.write(
        `caravan: first hub-admin API key (shown once, kept in ${bootstrap.file}):\n${bootstrap.key}\n`,
      );
    }
    const metrics = new MetricsRegistry();
    const ledger = new LedgerReader(db);
    const directory = new DirectoryCache(new DirectoryRepository(db));
    const feed: FeedSource = await SharingFeedSource.open(db);
    const ctx = new GatewayContext(config, tuning, db, nc, ledger, metrics, directory, feed);
    registerOperationalMetrics(ctx);

    const nest = await NestFactory.create<NestExpressApplication>(
      GatewayModule.with(ctx, keys, new RateLimiter(tuning.rateLimit)),
      new ExpressAdapter(),
      { bodyParser: false, logger, abortOnError: false },
    );
    app = nest;
    nest.disable('x-powered-by');
    nest.set('etag', false);
    nest.use(httpMetrics(metrics));
    nest.use(jsonBody);
    setUpOpenApi(nest);
    nest.enableShutdownHooks();
    await nest.listen(config.httpPort, tuning.httpHost);
    const server = nest.getHttpServer();
    // Headers must arrive promptly; bodies are bounded by size in jsonBody.
    server.headersTimeout = 20_000;
    server.requestTimeout = 60_000;
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    logger.log({ msg: 'gateway ready', url, topology: config.topology.subjectRoot });

    let closing: Promise<void> | undefined;
    const openDb = db;
    const openNc = nc;
    return {
      name: 'gateway',
      url,
      close: () =>
        (closing ??= (async () => {
          await nest.close();
          await feed.close();
          await drainNats(openNc);
          await openDb.destroy();
        })()),
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    if (nc) await drainNats(nc);
    if (db?.isInitialized) await db.destroy();
    throw error;
  }
}
