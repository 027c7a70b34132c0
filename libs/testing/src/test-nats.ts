// A private topology (subject prefix and stream names) per test file on the shared NATS server,
// removed afterwards.
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { isolatedTopology, streamConfigs, type Topology } from '@caravan/contracts';
import { testServices } from './services.js';

export interface TestNats {
  readonly url: string;
  readonly topology: Topology;
  /** A connection owned by the fixture, closed by cleanup(). */
  readonly nc: NatsConnection;
  /** Deletes this run's streams and closes the fixture's connection. */
  cleanup(): Promise<void>;
}

export async function createTestNats(): Promise<TestNats> {
  const { natsUrl } = await testServices();
  const topology = isolatedTopology(`t${randomBytes(4).toString('hex')}`);
  const nc = await connect({ servers: natsUrl });
  return {
    url: natsUrl,
    topology,
    nc,
    cleanup: async () => {
      const jsm = await jetstreamManager(nc);
      for (const config of Object.values(streamConfigs(topology))) {
        await jsm.streams.delete(config.name).catch(() => false);
      }
      await nc.drain();
    },
  };
}
