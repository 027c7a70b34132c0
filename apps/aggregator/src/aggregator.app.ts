// startAggregator: opens PostgreSQL (risk views) and NATS, and folds the regional centre's shared
// copies (`caravan.share.CARICC.>`, durable `aggregator`) into the views in micro-batches, each in one
// transaction with the checkpoint (see apps/README.md for the shape every app follows).
import { ConsoleLogger, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import type { AggregatorAppConfig } from '@caravan/config';
import { durableNames, REGIONAL_CENTRE, streamConfigs, subjects } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import {
  connectNats,
  consumerConfigFor,
  drainNats,
  ensureStreams,
  JetStreamExceptionFilter,
  JetStreamServer,
  type DurableConsumerSpec,
  type MessagingLogger,
} from '@caravan/messaging';
import { DeliverPolicy, jetstreamManager, JetStreamApiError } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { RiskViewStore, riskViewsSchema, type Checkpoint } from '@caravan/risk-views';
import { aggregatorController } from './aggregator.controller.js';
import { AggregatorService } from './aggregator.service.js';

/** The handle every app returns (apps/README.md). */
export interface RunningApp {
  readonly name: string;
  close(): Promise<void>;
}

/** Tuning for tests and benchmarks; production uses the defaults. */
export interface AggregatorOptions {
  /** Copies per transaction (default 500). */
  readonly batchSize?: number;
}

/** Starts the aggregator; resolves once its consumer is running. */
export async function startAggregator(
  config: AggregatorAppConfig,
  options: AggregatorOptions = {},
): Promise<RunningApp> {
  const logger = new ConsoleLogger('aggregator', { json: true });
  const messagingLogger: MessagingLogger = {
    log: (m) => logger.log(m),
    warn: (m) => logger.warn(m),
    error: (m) => logger.error(m),
  };
  let db: DataSource | undefined;
  let nc: NatsConnection | undefined;
  let app: INestMicroservice | undefined;
  try {
    db = await openDatabase({
      url: config.databaseUrl,
      schemas: [riskViewsSchema],
      poolSize: 4,
      applicationName: 'caravan-aggregator',
    });
    const store = new RiskViewStore(db);
    const topology = config.topology;
    const subject = subjects(topology).shareFor(REGIONAL_CENTRE);
    const consumer: DurableConsumerSpec & { batchSize: number } = {
      stream: streamConfigs(topology).share.name,
      durable: durableNames(topology).aggregator,
      filterSubject: subject,
      batchSize: options.batchSize ?? 500,
    };
    nc = await connectNats({
      servers: config.natsServers,
      credentials: config.natsCredentials,
      name: 'caravan-aggregator',
      logger: messagingLogger,
    });
    const checkpoint = await store.checkpointRow();
    await restartConsumerAt(nc, config, consumer, checkpoint);

    @Module({
      controllers: [aggregatorController(subject)],
      providers: [{ provide: AggregatorService, useValue: new AggregatorService(store, REGIONAL_CENTRE) }],
    })
    class AggregatorModule {}

    const strategy = new JetStreamServer({
      topology,
      connection: nc,
      consumers: [consumer],
      logger: messagingLogger,
    });
    const nest = await NestFactory.createMicroservice(AggregatorModule, { strategy, logger });
    nest.useGlobalFilters(new JetStreamExceptionFilter());
    await nest.listen();
    app = nest;
    logger.log({ msg: 'aggregator ready', subject, position: checkpoint.position });

    let closing: Promise<void> | undefined;
    const openDb = db;
    const openNc = nc;
    return {
      name: 'aggregator',
      close: () =>
        (closing ??= (async () => {
          await nest.close();
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

// JetStream redelivers a message left unacknowledged by a dead process only after ack_wait, while
// it hands later messages to the new process at once; folded first, they would move the checkpoint
// past the earlier ones, which would then be skipped. So every start recreates the durable at the
// message after the last one the views hold: the views, not the consumer, say where to resume.
// One aggregator process per hub is assumed (a second start would reset the first one's consumer).
async function restartConsumerAt(
  nc: NatsConnection,
  config: AggregatorAppConfig,
  consumer: DurableConsumerSpec & { readonly batchSize: number },
  checkpoint: Checkpoint,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, config.topology);
  await jsm.consumers.delete(consumer.stream, consumer.durable).catch((error: unknown) => {
    if (!(error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND)) throw error;
  });
  await jsm.consumers.add(consumer.stream, {
    // As JetStreamServer would provision it: at most one batch in flight.
    ...consumerConfigFor({ ...consumer, maxAckPending: consumer.batchSize }),
    ...(checkpoint.streamSequence > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: checkpoint.streamSequence + 1 }
      : {}),
  });
}

// JetStream API error code (server errors.json).
const CONSUMER_NOT_FOUND = 10014;
