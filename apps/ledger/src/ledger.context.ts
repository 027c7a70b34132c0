// What every provider of the ledger shares, opened once by startLedger.
import type { LoggerService } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import type { DirectoryCache } from '@caravan/directory';
import type { LedgerNotifier, LedgerReader, LedgerWriter } from '@caravan/ledger-store';
import type { LedgerConfig, LedgerTuning } from './ledger.config.js';

/** The ledger's open resources and configuration (an injection token as well as a type). */
export class LedgerContext {
  constructor(
    readonly config: LedgerConfig,
    readonly tuning: LedgerTuning,
    readonly db: DataSource,
    readonly nc: NatsConnection,
    readonly writer: LedgerWriter,
    readonly reader: LedgerReader,
    readonly notifier: LedgerNotifier,
    /** Agencies and crossing points as the command service checks them (snapshots, see DirectoryCache). */
    readonly directory: DirectoryCache,
    readonly logger: LoggerService,
  ) {}
}
