// A private nats-server configured as deploy/nats/README.md describes (natsServerConfig of
// @caravan/messaging: a hub user and, per agency, a publisher and an admin user), and an agency's own
// client consuming its durable copies with its own credentials.
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type Consumer } from '@nats-io/jetstream';
import { isolatedTopology, streamConfigs, durableNames, type Topology } from '@caravan/contracts';
import { agencyInboxPrefix, natsServerConfig, natsUserNames } from '@caravan/messaging';
import { startNatsServer, type NatsServerProcess } from '@caravan/testing';

export interface SecuredNats {
  readonly server: NatsServerProcess;
  readonly topology: Topology;
  /** The hub user's login, which the hub presents (CARAVAN_NATS_USER, CARAVAN_NATS_PASSWORD…). */
  readonly hub: { readonly user: string; readonly password: string };
  /** The publisher user's password of each agency. */
  readonly passwords: Readonly<Record<string, string>>;
  dispose(): Promise<void>;
}

/**
 * Starts nats-server with the generated authorization for `agencies` under the hub's namespace, as
 * deploy/nats has it: no anonymous user, so the hub must log in as `caravan-hub` and every agency as
 * itself.
 */
export async function startSecuredNats(namespace: string, agencies: readonly string[]): Promise<SecuredNats> {
  const topology = isolatedTopology(namespace);
  const password = () => randomBytes(18).toString('base64url');
  const passwords: Record<string, string> = {};
  const credentials: Record<string, { publisher: string; admin: string }> = {};
  for (const agency of agencies) {
    passwords[agency] = password();
    credentials[agency] = { publisher: passwords[agency], admin: password() };
  }
  const hub = { user: natsUserNames.hub, password: password() };
  const config = natsServerConfig({
    agencies,
    topology,
    credentials: { hub: hub.password, agencies: credentials },
  });
  const server = await startNatsServer({ config });
  return { server, topology, hub, passwords, dispose: () => server.dispose() };
}

/** An agency's own NATS client: its publisher user, its own inbox prefix, its hub-provisioned durable. */
export interface AgencyClient {
  readonly nc: NatsConnection;
  /** The durable `share_<CODE>` (fails if the hub has not provisioned it yet). */
  consumer(): Promise<Consumer>;
  /** Pulls, acks and returns every message that arrives within `waitMs` of the previous one. */
  drain(waitMs: number): Promise<{ subject: string; headers: Record<string, string>; body: unknown }[]>;
  close(): Promise<void>;
}

export async function connectAgency(nats: SecuredNats, agency: string): Promise<AgencyClient> {
  const password = nats.passwords[agency];
  if (password === undefined) throw new Error(`no NATS user for ${agency}`);
  const nc = await connect({
    servers: nats.server.url,
    user: natsUserNames.publisher(agency),
    pass: password,
    inboxPrefix: agencyInboxPrefix(agency),
    maxReconnectAttempts: 0,
  });
  const stream = streamConfigs(nats.topology).share.name;
  const durable = durableNames(nats.topology).agency(agency);
  const consumer = () => jetstream(nc).consumers.get(stream, durable);
  return {
    nc,
    consumer,
    drain: async (waitMs) => {
      const c = await consumer();
      const out: { subject: string; headers: Record<string, string>; body: unknown }[] = [];
      for (;;) {
        const msg = await c.next({ expires: waitMs });
        if (!msg) return out;
        const headers: Record<string, string> = {};
        for (const [name, values] of msg.headers ?? []) headers[name] = values[0] ?? '';
        out.push({ subject: msg.subject, headers, body: msg.json() });
        msg.ack();
      }
    },
    close: () => nc.close(),
  };
}
