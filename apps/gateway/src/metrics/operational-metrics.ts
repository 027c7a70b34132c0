// Hub-level gauges read at scrape time: the ledger head and each durable consumer's lag.
import { jetstreamManager } from '@nats-io/jetstream';
import { streamConfigs } from '@caravan/contracts';
import type { GatewayContext } from '../gateway.context.js';
import type { GaugeSample } from './metrics.registry.js';

/** Adds `caravan_ledger_head_position` and `caravan_consumer_lag{stream,durable}` to the registry. */
export function registerOperationalMetrics(ctx: GatewayContext): void {
  ctx.metrics.gauge('caravan_ledger_head_position', 'Position of the last event recorded in the ledger.', async () => [
    { labels: {}, value: (await ctx.ledger.head()).position },
  ]);
  ctx.metrics.gauge(
    'caravan_consumer_lag',
    'Messages of the stream not yet delivered to each durable consumer (plus those awaiting ack).',
    async () => {
      const jsm = await jetstreamManager(ctx.nc, { timeout: 2_000 });
      const samples: GaugeSample[] = [];
      for (const config of Object.values(streamConfigs(ctx.config.topology))) {
        const consumers = await jsm.consumers
          .list(config.name)
          .next()
          .catch(() => []);
        for (const info of consumers) {
          if (!info.config.durable_name) continue;
          samples.push({
            labels: { stream: config.name, durable: info.config.durable_name },
            value: info.num_pending + info.num_ack_pending,
          });
        }
      }
      return samples;
    },
  );
}
