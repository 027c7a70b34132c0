import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { CaravanError, streamConfigs, subjects, type Topology } from '@caravan/contracts';
import { createTestNats, startNatsServer, type TestNats } from '@caravan/testing';
import {
  connectNats,
  drainNats,
  ensureStreams,
  publishAllToStream,
  publishToStream,
  type StreamMessage,
} from './index.js';

/** Every message of the events stream, in stored order: [Nats-Msg-Id, body]. */
async function stored(jsm: JetStreamManager, topology: Topology): Promise<Array<[string, unknown]>> {
  const name = streamConfigs(topology).events.name;
  const info = await jsm.streams.info(name);
  const out: Array<[string, unknown]> = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(name, { seq });
    if (m) out.push([m.header.get('Nats-Msg-Id'), m.json()]);
  }
  return out;
}

function message(topology: Topology, n: number, prefix = 'm'): StreamMessage {
  return {
    subject: subjects(topology).event(n % 2 ? 'seizure.reported' : 'seizure.amended'),
    body: { n },
    meta: { msgId: `${prefix}-${n}`, position: n, type: 'seizure.reported', schemaVersion: 1, policyVersion: 3 },
  };
}

describe('publishAllToStream on a real NATS server', () => {
  let nats: TestNats;

  beforeEach(async () => {
    nats = await createTestNats();
    await ensureStreams(await jetstreamManager(nats.nc), nats.topology);
  });
  afterEach(async () => {
    await nats?.cleanup();
  });

  it('stores a pipelined list exactly in the order given, with the Caravan headers, acks in the same order', async () => {
    const jsm = await jetstreamManager(nats.nc);
    const messages = Array.from({ length: 300 }, (_, i) => message(nats.topology, i + 1));
    const results = await publishAllToStream(nats.nc, messages);
    expect(results.map((r) => r.seq)).toEqual(messages.map((_, i) => i + 1));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(await stored(jsm, nats.topology)).toEqual(messages.map((m) => [m.meta.msgId, m.body]));
    const one = await jsm.streams.getMessage(streamConfigs(nats.topology).events.name, { seq: 7 });
    expect(
      ['Caravan-Position', 'Caravan-Type', 'Caravan-Schema-Version', 'Caravan-Policy-Version'].map((h) =>
        one?.header.get(h),
      ),
    ).toEqual(['7', 'seizure.reported', '1', '3']);
  });

  it('sends a string body as the JSON text itself, not serialised again', async () => {
    const jsm = await jetstreamManager(nats.nc);
    const base = message(nats.topology, 1);
    await publishAllToStream(nats.nc, [{ ...base, body: JSON.stringify({ pre: 'serialised' }) }]);
    expect(await stored(jsm, nats.topology)).toEqual([['m-1', { pre: 'serialised' }]]);
  });

  it('republishing a list stores only what was missing: landed ones are duplicates (and a gap lands after them)', async () => {
    const jsm = await jetstreamManager(nats.nc);
    const messages = [1, 2, 3, 4].map((n) => message(nats.topology, n));
    // 2 and 4 landed earlier, 1 and 3 did not: the situation a failed pipelined publish can leave.
    await publishToStream(nats.nc, messages[1]!.subject, messages[1]!.body, messages[1]!.meta);
    await publishToStream(nats.nc, messages[3]!.subject, messages[3]!.body, messages[3]!.meta);
    const results = await publishAllToStream(nats.nc, messages);
    expect(results.map((r) => r.duplicate)).toEqual([false, true, false, true]);
    // The documented caveat: each is stored once, but the retried ones after those that had landed.
    expect((await stored(jsm, nats.topology)).map(([id]) => id)).toEqual(['m-2', 'm-4', 'm-1', 'm-3']);
  });

  it('rejects with unavailable when a message keeps failing, after every publish of the list has settled', async () => {
    const jsm = await jetstreamManager(nats.nc);
    const good = [1, 2].map((n) => message(nats.topology, n));
    // No stream listens on this subject: no responders, retried until retryForMs is spent.
    const stray: StreamMessage = { subject: `${nats.topology.subjectRoot}.nowhere.x`, body: {}, meta: { msgId: 'x' } };
    const failure = await publishAllToStream(nats.nc, [good[0]!, stray, good[1]!], {
      retryForMs: 300,
      ackTimeoutMs: 200,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CaravanError);
    expect((failure as CaravanError).code).toBe('unavailable');
    expect((failure as Error).message).toContain('.nowhere.x');
    // Nothing after the failed message landed (its expectation of the failed one was refused); the
    // caller still treats the whole list as unpublished.
    expect((await stored(jsm, nats.topology)).map(([id]) => id)).toEqual(['m-1']);
  });

  it('waits out a nats-server outage and then stores the whole list once, in order', async () => {
    const server = await startNatsServer();
    const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const nc = await connectNats({
      servers: server.url,
      name: 'caravan-pipeline-outage',
      logger: quiet,
      maxReconnectDelayMs: 200,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStreams(jsm, nats.topology);
      await server.stop();
      const messages = Array.from({ length: 50 }, (_, i) => message(nats.topology, i + 1, 'outage'));
      const pending = publishAllToStream(nc, messages, { ackTimeoutMs: 500 });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await server.restart();
      const results = await pending;
      expect(results).toHaveLength(50);
      expect(await stored(jsm, nats.topology)).toEqual(messages.map((m) => [m.meta.msgId, m.body]));
    } finally {
      await drainNats(nc);
      await server.dispose();
    }
  });
});
