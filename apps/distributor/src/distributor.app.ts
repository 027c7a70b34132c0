// startDistributor: opens PostgreSQL (ledger, directory, sharing schemas) and NATS, provisions the
// streams and every agency's share consumer, then waits to become the active instance and consumes
// CARAVAN_EVENTS through JetStreamServer (see apps/README.md and distribution.service.ts).
import { ConsoleLogger, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import { durableNames, streamConfigs, subjects } from '@caravan/contracts';
import type { DistributorAppConfig } from '@caravan/config';
import { holdLeadership, openDatabase } from '@caravan/database';
import { directorySchema } from '@caravan/directory';
import { ledgerSchema } from '@caravan/ledger-store';
import {
  agencyShareConsumer,
  connectNats,
  drainNats,
  ensureConsumer,
  ensureStreams,
  JetStreamExceptionFilter,
  JetStreamServer,
  storedPrefixLength,
  StreamPublisher,
} from '@caravan/messaging';
import { sharingSchema } from '@caravan/sharing-store';
import { DistributionService, type DistributorLog } from './distribution.service.js';
import { distributorModule } from './distributor.module.js';
import type { DistributorFaults } from './fault-hook.js';

// "dist" in ASCII: the distributor's class of advisory locks (the second key is the durable's name).
const LOCK_CLASS = 0x64697374;
/** Batches in hand at once: one being recorded while the next is decided. */
const PIPELINE_DEPTH = 2;

/** The handle every app returns (apps/README.md), plus whether this instance is the active one. */
export interface RunningDistributor {
  readonly name: string;
  /** True while this instance holds the lock and consumes; false while it stands by. */
  isActive(): boolean;
  close(): Promise<void>;
}

/** Tuning and test hooks; the defaults suit production. */
export interface DistributorOptions {
  /** Messages per JetStream batch (and max in flight); 500 by default. */
  readonly batchSize?: number;
  /** Events per recording statement; 100 by default. */
  readonly chunkSize?: number;
  /** Copies recorded but not yet acknowledged by the stream before a batch waits; 2,000 by default. */
  readonly maxUnpublished?: number;
  /** How often a standby tries to take over; 1 s by default. */
  readonly standbyRetryMs?: number;
  /** TEST-ONLY faults (see fault-hook.ts). */
  readonly faults?: DistributorFaults;
  /** false: no logs (benchmarks). */
  readonly logs?: boolean;
}

/** Starts the distributor; resolves once it is either consuming or standing by. */
export async function startDistributor(
  config: DistributorAppConfig,
  options: DistributorOptions = {},
): Promise<RunningDistributor> {
  const logger = new ConsoleLogger('distributor', { json: true });
  if (options.logs === false) logger.setLogLevels([]);
  const log: DistributorLog = (level, fields) => logger[level](fields);
  const messagingLogger = {
    log: (m: string) => logger.log(m),
    warn: (m: string) => logger.warn(m),
    error: (m: string) => logger.error(m),
  };
  const topology = config.topology;
  const durable = durableNames(topology).distributor;
  const batchSize = options.batchSize ?? 500;
  let db: DataSource | undefined;
  let nc: NatsConnection | undefined;
  let publisher: StreamPublisher | undefined;
  try {
    db = await openDatabase({
      url: config.databaseUrl,
      schemas: [ledgerSchema, directorySchema, sharingSchema],
      applicationName: 'caravan-distributor',
    });
    nc = await connectNats({
      servers: config.natsServers,
      credentials: config.natsCredentials,
      name: 'caravan-distributor',
      logger: messagingLogger,
    });
    const jsm: JetStreamManager = await jetstreamManager(nc);
    await ensureStreams(jsm, topology);
    publisher = new StreamPublisher(nc);
    const shareStream = streamConfigs(topology).share.name;
    const service = new DistributionService({
      db,
      publisher,
      storedPrefix: (messages) => storedPrefixLength(jsm, shareStream, messages),
      topology,
      secret: config.pseudonymSecret,
      checkpointName: durable,
      chunkSize: options.chunkSize ?? 100,
      ...(options.maxUnpublished !== undefined ? { maxUnpublished: options.maxUnpublished } : {}),
      faults: options.faults ?? {},
      log,
      onAgencies: async (codes) => {
        for (const code of codes) await ensureConsumer(jsm, agencyShareConsumer(topology, code));
        log('log', { msg: 'agency share consumers provisioned', agencies: codes });
      },
    });
    await service.provisionAgencies();

    const openNc = nc;
    const startConsumer = async (): Promise<INestMicroservice> => {
      const strategy = new JetStreamServer({
        topology,
        connection: openNc,
        consumers: [
          {
            stream: streamConfigs(topology).events.name,
            durable,
            filterSubject: subjects(topology).allEvents,
            batchSize,
            // The next batch is decided while this one's statement runs (DistributionService.handle).
            pipelineDepth: PIPELINE_DEPTH,
            maxAckPending: batchSize * PIPELINE_DEPTH,
            // A batch of publishes can take a while on a busy server: do not redeliver under it.
            ackWaitMs: options.faults?.ackWaitMs ?? 60_000,
          },
        ],
        backoff: { initialDelayMs: 500, maxDelayMs: 30_000 },
        logger: messagingLogger,
      });
      const app = await NestFactory.createMicroservice(distributorModule(topology, service), {
        strategy,
        logger: options.logs === false ? false : logger,
      });
      app.useGlobalFilters(new JetStreamExceptionFilter());
      await app.listen();
      return app;
    };

    // Only one instance consumes at a time (see SharingStore.record for why a lead that has not yet
    // noticed its loss cannot deliver anything twice, and DistributionService.sync for why it
    // cannot decide with a stale policy either).
    const { run: leadership, leading } = await holdLeadership({
      databaseUrl: config.databaseUrl,
      lock: { lockClass: LOCK_CLASS, name: durable, applicationName: 'caravan-distributor-lock' },
      ...(options.standbyRetryMs !== undefined ? { standbyRetryMs: options.standbyRetryMs } : {}),
      log,
      lead: async () => {
        // A predecessor's unconfirmed copies go out first, even if no new event ever comes.
        await service.activate();
        const app = await startConsumer();
        log('log', { msg: 'distributor active', durable, topology: topology.subjectRoot });
        return {
          stop: async () => {
            await app.close();
            // The lock goes only once this instance's copies have settled, so a successor's
            // republish never races them.
            await service.drain();
          },
        };
      },
    });
    if (!leading) log('log', { msg: 'distributor standing by: another instance is active', durable });
    logger.log({ msg: 'distributor ready', role: leading ? 'active' : 'standby', topology: topology.subjectRoot });

    let closed: Promise<void> | undefined;
    const openDb = db;
    const openPublisher = publisher;
    return {
      name: 'distributor',
      isActive: () => leadership.isLeading(),
      close: () =>
        (closed ??= (async () => {
          await leadership.close();
          openPublisher.close();
          await drainNats(openNc);
          await openDb.destroy();
        })()),
    };
  } catch (error) {
    publisher?.close();
    if (nc) await drainNats(nc);
    if (db?.isInitialized) await db.destroy();
    throw error;
  }
}
