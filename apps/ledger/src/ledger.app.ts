// startLedger: opens PostgreSQL (ledger and directory schemas) and NATS, provisions the streams,
// and starts the command responder and the outbox relay in a Nest application context (see
// apps/README.md). The ledger serves no HTTP, so it needs no HTTP adapter.
import { ConsoleLogger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import { openDatabase } from '@caravan/database';
import { DirectoryCache, directorySchema, DirectoryRepository } from '@caravan/directory';
import { ledgerSchema, LedgerNotifier, LedgerReader, LedgerWriter } from '@caravan/ledger-store';
import { connectNats, drainNats, ensureStreams } from '@caravan/messaging';
import { tuningOf, type LedgerConfig } from './ledger.config.js';
import { LedgerContext } from './ledger.context.js';
import { LedgerModule } from './ledger.module.js';

// How long a directory snapshot may accept commands; refusals always rest on one loaded after the
// command arrived (see DirectoryCache), so this only bounds how long a row removed by hand counts.
const DIRECTORY_CACHE_MS = 2_000;

/** The handle every app returns (apps/README.md). */
export interface RunningApp {
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Starts the ledger: commands of SPEC §6 on `caravan.cmd.<agency>.<command>` (queue group), and
 * the outbox relay to `caravan.evt.<type>`. The writer signs checkpoints itself (every 1,000 events,
 * and every 10 s with new events).
 */
export async function startLedger(config: LedgerConfig): Promise<RunningApp> {
  const tuning = tuningOf(config);
  const logger = new ConsoleLogger('ledger', { json: true });
  let db: DataSource | undefined;
  let nc: NatsConnection | undefined;
  let writer: LedgerWriter | undefined;
  let notifier: LedgerNotifier | undefined;
  let app: INestApplicationContext | undefined;
  try {
    db = await openDatabase({
      url: config.databaseUrl,
      schemas: [ledgerSchema, directorySchema],
      applicationName: 'caravan-ledger',
    });
    nc = await connectNats({
      servers: config.natsServers,
      credentials: config.natsCredentials,
      name: 'caravan-ledger',
      logger: { log: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
    });
    await ensureStreams(await jetstreamManager(nc), config.topology);
    writer = new LedgerWriter(db, { signingKeyPem: config.ledgerKeyPem });
    notifier = await LedgerNotifier.listen(db);
    const ctx = new LedgerContext(
      config,
      tuning,
      db,
      nc,
      writer,
      new LedgerReader(db),
      notifier,
      new DirectoryCache(new DirectoryRepository(db), { maxAgeMs: DIRECTORY_CACHE_MS }),
      logger,
    );
    app = await NestFactory.createApplicationContext(LedgerModule.with(ctx), { logger, abortOnError: false });
    await app.init();
    logger.log({ msg: 'ledger ready', commands: `${config.topology.subjectRoot}.cmd.>`, queue: tuning.commandQueue });

    let closing: Promise<void> | undefined;
    const [openDb, openNc, openWriter, openNotifier, openApp] = [db, nc, writer, notifier, app];
    return {
      name: 'ledger',
      close: () =>
        (closing ??= (async () => {
          // Stop taking commands and let the relay record its progress, then finish queued appends.
          await openApp.close();
          await openWriter.close();
          await openNotifier.close();
          await drainNats(openNc);
          await openDb.destroy();
        })()),
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await writer?.close().catch(() => undefined);
    await notifier?.close().catch(() => undefined);
    if (nc) await drainNats(nc);
    if (db?.isInitialized) await db.destroy();
    throw error;
  }
}
