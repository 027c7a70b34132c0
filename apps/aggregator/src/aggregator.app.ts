// startAggregator: opens PostgreSQL (risk views) and NATS, then waits to hold the lead and folds the
// regional centre's shared copies (`caravan.share.CARICC.>`, durable `aggregator`) into the views in
// micro-batches, each in one transaction with the checkpoint (see apps/README.md for the shape every
// app follows). Any number of instances may run: one leads, the others stand by (holdLeadership of
// @caravan/database), and each lead fences off the one before it (restartConsumerAt, beginLeaderTerm).
import { ConsoleLogger, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import type { AggregatorAppConfig } from '@caravan/config';
import { durableNames, REGIONAL_CENTRE, streamConfigs, subjects } from '@caravan/contracts';
import { holdLeadership, openDatabase, type LeadTerm } from '@caravan/database';
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

// "aggr" in ASCII: the aggregator's class of advisory locks (the second key is the durable's name).
const LOCK_CLASS = 0x61676772;

/** The handle every app returns (apps/README.md), plus whether this instance holds the lead. */
export interface RunningApp {
  readonly name: string;
  /** True while this instance holds the lead and consumes; false while it stands by. */
  isActive(): boolean;
  close(): Promise<void>;
}

/** Tuning for tests and benchmarks; production uses the defaults. */
export interface AggregatorOptions {
  /** Copies per transaction (default 500). */
  readonly batchSize?: number;
  /** How often a standby tries to take the lead; 1 s by default. */
  readonly standbyRetryMs?: number;
}

type ConsumerSpec = DurableConsumerSpec & { readonly batchSize: number };

/** Starts the aggregator; resolves once it is either consuming or standing by. */
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
    const batchSize = options.batchSize ?? 500;
    const stream = streamConfigs(topology).share.name;
    const durable = durableNames(topology).aggregator;
    // Each lead reads a durable of its own (see restartConsumerAt).
    const consumerOf = (epoch: number): ConsumerSpec => ({
      stream,
      durable: `${durable}_${epoch}`,
      filterSubject: subject,
      batchSize,
      // The next batch arrives while one is folded. Order still holds: the consumer loop and
      // AggregatorService send back whatever follows a failed batch until it has been folded.
      maxAckPending: 2 * batchSize,
    });
    nc = await connectNats({
      servers: config.natsServers,
      credentials: config.natsCredentials,
      name: 'caravan-aggregator',
      logger: messagingLogger,
    });
    const openNc = nc;
    await ensureStreams(await jetstreamManager(openNc), topology);

    const startLead = async (): Promise<LeadTerm> => {
      // Only the lead touches the durables, and only after the previous lead is fenced off: the
      // checkpoint read here already counts every batch that lead committed.
      const term = await store.beginLeaderTerm();
      const consumer = consumerOf(term.epoch);
      await restartConsumerAt(openNc, durable, consumer, term);
      // A batch refused because another instance leads now: step down at once.
      let onFenced: (error: Error) => void = () => undefined;
      const fencedOff = new Promise<Error>((resolve) => (onFenced = resolve));
      const service = new AggregatorService(store, REGIONAL_CENTRE, { epoch: term.epoch, onFenced });
      const app = await startConsumer(service, consumer);
      logger.log({ msg: 'aggregator active', subject, epoch: term.epoch, position: term.position });
      return { ended: fencedOff, stop: () => app.close() };
    };
    const startConsumer = async (service: AggregatorService, consumer: ConsumerSpec): Promise<INestMicroservice> => {
      @Module({
        controllers: [aggregatorController(subject)],
        providers: [{ provide: AggregatorService, useValue: service }],
      })
      class AggregatorModule {}

      const strategy = new JetStreamServer({
        topology,
        connection: openNc,
        consumers: [consumer],
        logger: messagingLogger,
      });
      const nest = await NestFactory.createMicroservice(AggregatorModule, { strategy, logger });
      nest.useGlobalFilters(new JetStreamExceptionFilter());
      await nest.listen();
      return nest;
    };
    const { run: leadership, leading } = await holdLeadership({
      databaseUrl: config.databaseUrl,
      lock: { lockClass: LOCK_CLASS, name: durable, applicationName: 'caravan-aggregator-lock' },
      ...(options.standbyRetryMs !== undefined ? { standbyRetryMs: options.standbyRetryMs } : {}),
      log: (level, fields) => logger[level](fields),
      lead: startLead,
    });
    logger.log({ msg: 'aggregator ready', subject, role: leading ? 'active' : 'standby' });

    let closed: Promise<void> | undefined;
    const openDb = db;
    return {
      name: 'aggregator',
      isActive: () => leadership.isLeading(),
      close: () =>
        (closed ??= (async () => {
          await leadership.close();
          await drainNats(openNc);
          await openDb.destroy();
        })()),
    };
  } catch (error) {
    if (nc) await drainNats(nc);
    if (db?.isInitialized) await db.destroy();
    throw error;
  }
}

// JetStream redelivers a message left unacknowledged by a dead process only after ack_wait, while
// it hands later messages to the new process at once; folded first, they would move the checkpoint
// past the earlier ones, which would then be skipped. So a new lead creates its durable at the
// message after the last one the views hold: the views, not the consumer, say where to resume. Only
// a lead does this, so a starting standby never resets the consumer another instance reads. Each
// lead's durable has a name of its own, and every older one is deleted first: an instance that has
// not yet noticed it lost the lead then finds nothing to pull from, rather than taking messages out
// of order from under the new lead.
async function restartConsumerAt(
  nc: NatsConnection,
  base: string,
  consumer: ConsumerSpec,
  checkpoint: Checkpoint,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const older: string[] = [];
  for await (const info of jsm.consumers.list(consumer.stream)) {
    const name = info.config.durable_name ?? info.name;
    if (name === base || (name.startsWith(`${base}_`) && /^\d+$/.test(name.slice(base.length + 1)))) older.push(name);
  }
  for (const name of older) {
    await jsm.consumers.delete(consumer.stream, name).catch((error: unknown) => {
      if (!(error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND)) throw error;
    });
  }
  await jsm.consumers.add(consumer.stream, {
    ...consumerConfigFor(consumer),
    ...(checkpoint.streamSequence > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: checkpoint.streamSequence + 1 }
      : {}),
  });
}

// JetStream API error code (server errors.json).
const CONSUMER_NOT_FOUND = 10014;
