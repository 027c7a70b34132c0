import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { durableNames, PRODUCTION_TOPOLOGY, streamConfigs, subjects } from '@caravan/contracts';
import { startNatsServer, type NatsServerProcess } from '@caravan/testing';
import {
  agencyInboxPrefix,
  agencyShareConsumer,
  connectNats,
  ensureConsumer,
  ensureStreams,
  NatsAuthenticationError,
  natsServerConfig,
  natsUserNames,
  publishToStream,
  requestCommand,
  respondToCommand,
} from './index.js';

const A = 'TJ-DCA';
const B = 'KZ-BS';
const t = PRODUCTION_TOPOLOGY;
const s = subjects(t);
const shareStream = streamConfigs(t).share.name;
const password = () => randomBytes(18).toString('base64url');

describe('deploy/nats configuration: what an agency may and may not do', () => {
  const secrets: { hub: string; agencies: Record<string, { publisher: string; admin: string }> } = {
    hub: password(),
    agencies: { [A]: { publisher: password(), admin: password() }, [B]: { publisher: password(), admin: password() } },
  };
  let server: NatsServerProcess;
  let hub: NatsConnection;
  const opened: NatsConnection[] = [];

  /** Connects as an agency user; permission errors reported by the server are collected. */
  const connectAs = async (agency: string, role: 'publisher' | 'admin') => {
    const errors: string[] = [];
    const nc = await connect({
      servers: server.url,
      user: natsUserNames[role](agency),
      pass: secrets.agencies[agency]?.[role] ?? '',
      inboxPrefix: agencyInboxPrefix(agency),
    });
    opened.push(nc);
    void (async () => {
      for await (const status of nc.status()) if (status.type === 'error') errors.push(status.error.message);
    })();
    return { nc, errors };
  };
  /** Messages received on a subscription; a refused subscription ends with its error in `refused`. */
  const collect = (sub: Subscription) => {
    const got: string[] = [];
    const refused: string[] = [];
    void (async () => {
      try {
        for await (const m of sub) got.push(`${m.subject} ${m.string()}`);
      } catch (error) {
        refused.push((error as Error).message);
      }
    })();
    return { got, refused };
  };
  const waitFor = async (what: string, predicate: () => boolean) => {
    const until = Date.now() + 10_000;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    server = await startNatsServer({ config: natsServerConfig({ agencies: [A, B], credentials: secrets }) });
    hub = await connect({ servers: server.url, user: natsUserNames.hub, pass: secrets.hub });
    const jsm = await jetstreamManager(hub);
    await ensureStreams(jsm, t);
    await ensureConsumer(jsm, agencyShareConsumer(t, A));
    await ensureConsumer(jsm, agencyShareConsumer(t, B));
    await publishToStream(hub, s.share(A, 'seizure.reported'), { copy: 'A1' }, { msgId: 'e1:TJ-DCA' });
    await publishToStream(hub, s.share(A, 'seizure.reported'), { copy: 'A2' }, { msgId: 'e2:TJ-DCA' });
    await publishToStream(hub, s.share(B, 'seizure.reported'), { copy: 'B1' }, { msgId: 'e1:KZ-BS' });
    await publishToStream(hub, s.event('seizure.reported'), { full: true }, { msgId: 'e1' });
  });
  afterAll(async () => {
    for (const nc of opened) await nc.close();
    await hub?.close();
    await server?.dispose();
  });

  it('refuses a connection without a valid password', async () => {
    await expect(
      connect({ servers: server.url, user: natsUserNames.publisher(A), pass: 'wrong-password-123' }),
    ).rejects.toThrow(/Authorization/i);
  });

  it("lets the hub's connectNats in with the hub user's login, and refuses a wrong or missing one in one line", async () => {
    const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const nc = await connectNats({
      servers: server.url,
      name: 'caravan-test',
      credentials: { user: natsUserNames.hub, pass: secrets.hub },
      logger: quiet,
    });
    opened.push(nc);
    expect(nc.info?.server_id).toEqual(expect.any(String));

    // connectNats retries an unreachable server forever; a refused login must fail instead.
    const wrong: unknown = await connectNats({
      servers: server.url,
      name: 'caravan-test',
      credentials: { user: natsUserNames.hub, pass: 'not-the-hub-password' },
      logger: quiet,
    }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(NatsAuthenticationError);
    expect((wrong as Error).message).toBe(
      `NATS at ${server.url} refused the login of user "caravan-hub": wrong user or password`,
    );
    const none: unknown = await connectNats({ servers: [server.url], name: 'caravan-test', logger: quiet }).catch(
      (error: unknown) => error,
    );
    expect(none).toBeInstanceOf(NatsAuthenticationError);
    expect((none as Error).message).toBe(`NATS at ${server.url} refused a connection without credentials`);
  });

  it('lets an agency consume its own copies durably, with acks', async () => {
    const first = await connectAs(A, 'publisher');
    const consumer = await jetstream(first.nc).consumers.get(shareStream, durableNames(t).agency(A));
    const m1 = await consumer.next({ expires: 5_000 });
    expect(m1?.json()).toEqual({ copy: 'A1' });
    expect(await m1?.ackAck()).toBe(true);
    await first.nc.close();

    // A new session resumes after the acked copy.
    const second = await connectAs(A, 'publisher');
    const again = await jetstream(second.nc).consumers.get(shareStream, durableNames(t).agency(A));
    const m2 = await again.next({ expires: 5_000 });
    expect(m2?.json()).toEqual({ copy: 'A2' });
    expect(await m2?.ackAck()).toBe(true);
    const info = await (await jetstreamManager(hub)).consumers.info(shareStream, durableNames(t).agency(A));
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it("does not let an agency read, drain, create or delete another agency's consumer or read the stream", async () => {
    const { nc, errors } = await connectAs(A, 'publisher');
    const js = jetstream(nc, { timeout: 2_000 });
    await expect(js.consumers.get(shareStream, durableNames(t).agency(B))).rejects.toThrow();
    const denied = [
      `$JS.API.CONSUMER.MSG.NEXT.${shareStream}.${durableNames(t).agency(B)}`,
      `$JS.API.CONSUMER.DELETE.${shareStream}.${durableNames(t).agency(B)}`,
      `$JS.API.CONSUMER.DURABLE.CREATE.${shareStream}.stolen`,
      `$JS.API.CONSUMER.CREATE.${shareStream}`,
      `$JS.API.STREAM.MSG.GET.${shareStream}`,
      `$JS.API.STREAM.INFO.${shareStream}`,
    ];
    for (const subject of denied) {
      await expect(nc.request(subject, JSON.stringify({ batch: 1, seq: 3 }), { timeout: 1_000 })).rejects.toThrow();
    }
    await waitFor('permission errors', () => errors.length >= denied.length + 1);
    expect(errors.every((e) => /permissions violation/i.test(e))).toBe(true);
    // B's durable was not touched: still there, nothing delivered from it.
    const info = await (await jetstreamManager(hub)).consumers.info(shareStream, durableNames(t).agency(B));
    expect(info.delivered.consumer_seq).toBe(0);
    expect(info.num_pending).toBe(1);
    // Nor can A create a consumer through the manager API.
    const jsmA = await jetstreamManager(nc, { timeout: 2_000, checkAPI: false });
    await expect(
      jsmA.consumers.add(shareStream, { durable_name: 'stolen', filter_subject: s.shareFor(B) }),
    ).rejects.toThrow();
  });

  it("does not deliver caravan.evt or another agency's share subjects to an agency", async () => {
    const { nc, errors } = await connectAs(A, 'publisher');
    const events = collect(nc.subscribe(s.allEvents));
    const othersShares = collect(nc.subscribe(s.shareFor(B)));
    const othersInbox = collect(nc.subscribe(`${agencyInboxPrefix(B)}.>`));
    const own = collect(nc.subscribe(s.shareFor(A)));
    await nc.flush();
    await waitFor('three subscription refusals', () => errors.length >= 3);
    for (const sub of [events, othersShares, othersInbox]) {
      await waitFor('the subscription to end', () => sub.refused.length === 1);
      expect(sub.refused[0]).toMatch(/permissions violation for subscription/i);
    }
    expect(own.refused).toEqual([]);
    hub.publish(s.event('seizure.reported'), 'full');
    hub.publish(s.share(B, 'seizure.reported'), 'for B');
    hub.publish(`${agencyInboxPrefix(B)}.reply`, 'for B');
    hub.publish(s.share(A, 'seizure.reported'), 'for A');
    await waitFor('own copy', () => own.got.length === 1);
    expect(own.got).toEqual([`${s.share(A, 'seizure.reported')} for A`]);
    expect([...events.got, ...othersShares.got, ...othersInbox.got]).toEqual([]);
    expect(errors.every((e) => /permissions violation for subscription/i.test(e))).toBe(true);
  });

  it("publishes commands only on the agency's own subjects, and policy.set only as its admin", async () => {
    const seen = collect(hub.subscribe(s.allCommands)).got;
    await hub.flush();
    const publisher = await connectAs(A, 'publisher');
    publisher.nc.publish(s.command(B, 'seizure.report'), 'as B');
    publisher.nc.publish(s.command(A, 'policy.set'), 'policy by publisher');
    publisher.nc.publish(s.command(A, 'seizure.report'), 'marker');
    await waitFor('marker', () => seen.length === 1);
    const admin = await connectAs(A, 'admin');
    admin.nc.publish(s.command(A, 'policy.set'), 'policy by admin');
    await waitFor('admin policy', () => seen.length === 2);
    expect(seen).toEqual([`${s.command(A, 'seizure.report')} marker`, `${s.command(A, 'policy.set')} policy by admin`]);
    await waitFor('two publish refusals', () => publisher.errors.length >= 2);
    expect(publisher.errors.every((e) => /permissions violation for publish/i.test(e))).toBe(true);
    expect(admin.errors).toEqual([]);
  });

  it('answers an agency command on its own inbox', async () => {
    const responder = hub.subscribe(s.commandsOf(A));
    void (async () => {
      for await (const m of responder) {
        await respondToCommand(m, async () => ({ eventId: 'e9', position: 9, streamVersion: 1 }));
      }
    })();
    await hub.flush();
    const { nc } = await connectAs(A, 'publisher');
    const reply = await requestCommand(nc, s.command(A, 'seizure.report'), { commandId: 'c1' });
    expect(reply).toEqual({ ok: true, eventId: 'e9', position: 9, streamVersion: 1 });
    responder.unsubscribe();
  });
});
