// What every controller and service of the gateway shares, opened once by startGateway.
import type { NatsConnection } from '@nats-io/nats-core';
import type { DataSource } from 'typeorm';
import type { LedgerReader } from '@caravan/ledger-store';
import type { GatewayConfig, GatewayTuning } from './gateway.config.js';
import type { DirectoryCache } from './directory/directory.cache.js';
import type { FeedSource } from './feed/feed-source.js';
import type { MetricsRegistry } from './metrics/metrics.registry.js';

/** The gateway's open resources and configuration (an injection token as well as a type). */
export class GatewayContext {
  constructor(
    readonly config: GatewayConfig,
    readonly tuning: GatewayTuning,
    readonly db: DataSource,
    readonly nc: NatsConnection,
    readonly ledger: LedgerReader,
    readonly metrics: MetricsRegistry,
    readonly directory: DirectoryCache,
    readonly feed: FeedSource,
  ) {}
}
