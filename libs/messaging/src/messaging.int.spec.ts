import { jetstreamManager, jetstream } from '@nats-io/jetstream';
import { CaravanError, durableNames, streamConfigs, subjects } from '@caravan/contracts';
import { createTestNats, startNatsServer, type TestNats } from '@caravan/testing';
import {
  connectNats,
  drainNats,
  ensureConsumer,
  ensureStreams,
  deadLetterSubject,
  publishToStream,
  requestCommand,
  respondToCommand,
  runConsumer,
  type DeadLetterRecord,
  type MessagingLogger,
} from './index.js';

describe('messaging on a real NATS server', () => {
  let nats: TestNats;

  beforeAll(async () => {
    nats = await createTestNats();
  });
  afterAll(async () => {
    await nats?.cleanup();
  });

  it('provisions both streams and a durable idempotently, updating what changed', async () => {
    const jsm = await jetstreamManager(nats.nc);
    const first = await ensureStreams(jsm, nats.topology);
    const second = await ensureStreams(jsm, nats.topology);
    const configs = streamConfigs(nats.topology);
    expect(second.map((i) => [i.config.name, i.config.subjects])).toEqual([
      [configs.events.name, [subjects(nats.topology).allEvents]],
      [configs.share.name, [subjects(nats.topology).allShares]],
    ]);
    expect(second.map((i) => i.created)).toEqual(first.map((i) => i.created));
    expect(second[0]?.config.duplicate_window).toBe(configs.events.duplicate_window);

    const spec = {
      stream: configs.events.name,
      durable: durableNames(nats.topology).distributor,
      filterSubject: subjects(nats.topology).allEvents,
    };
    const created = await ensureConsumer(jsm, spec);
    expect(created.config).toMatchObject({
      ack_policy: 'explicit',
      max_ack_pending: 1,
      filter_subject: spec.filterSubject,
    });
    const updated = await ensureConsumer(jsm, { ...spec, maxAckPending: 8 });
    expect(updated.created).toBe(created.created);
    expect(updated.config.max_ack_pending).toBe(8);
    await expect(ensureConsumer(jsm, { ...spec, filterSubject: subjects(nats.topology).allShares })).rejects.toThrow(
      /filters/,
    );
  });

  it('publishes with Nats-Msg-Id and the Caravan headers, and reports a duplicate', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await ensureStreams(jsm, nats.topology);
    const subject = subjects(nats.topology).event('seizure.reported');
    const meta = { msgId: 'evt-1', position: 42, type: 'seizure.reported', schemaVersion: 1 };
    const first = await publishToStream(nats.nc, subject, { a: 1 }, meta);
    const again = await publishToStream(jetstream(nats.nc), subject, { a: 1 }, meta);
    expect([first.duplicate, again.duplicate, again.seq]).toEqual([false, true, first.seq]);
    const stored = await jsm.streams.getMessage(streamConfigs(nats.topology).events.name, { seq: first.seq });
    expect(stored?.json()).toEqual({ a: 1 });
    expect(
      ['Nats-Msg-Id', 'Caravan-Position', 'Caravan-Type', 'Caravan-Schema-Version'].map((h) => stored?.header.get(h)),
    ).toEqual(['evt-1', '42', 'seizure.reported', '1']);
  });

  it('maps no responder to unavailable, and a handler result or CaravanError to the §6 reply', async () => {
    const s = subjects(nats.topology);
    expect(await requestCommand(nats.nc, s.command('TJ-DCA', 'seizure.report'), {}, { timeoutMs: 1_000 })).toEqual({
      ok: false,
      error: { code: 'unavailable', message: expect.any(String) },
    });
    const sub = nats.nc.subscribe(s.commandsOf('TJ-DCA'));
    void (async () => {
      for await (const m of sub) {
        await respondToCommand(m, async (body) => {
          const { kind } = body as { kind: string };
          if (kind === 'stale') throw new CaravanError('version-conflict', 'expected 3, found 4');
          if (kind === 'bug') throw new TypeError('secret internals');
          return { eventId: 'e1', position: 7, streamVersion: 2 };
        });
      }
    })();
    const ask = (body: unknown) => requestCommand(nats.nc, s.command('TJ-DCA', 'seizure.report'), body);
    expect(await ask({ kind: 'ok' })).toEqual({ ok: true, eventId: 'e1', position: 7, streamVersion: 2 });
    expect(await ask({ kind: 'stale' })).toEqual({
      ok: false,
      error: { code: 'version-conflict', message: 'expected 3, found 4' },
    });
    const bug = await ask({ kind: 'bug' });
    expect(bug).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(JSON.stringify(bug)).not.toContain('secret internals');
    const raw = await nats.nc.request(s.command('TJ-DCA', 'seizure.report'), 'not json', { timeout: 2_000 });
    expect(raw.json()).toMatchObject({ ok: false, error: { code: 'invalid' } });
    sub.unsubscribe();
  });

  it('dead-letters only the poison message of a micro-batch and acks its neighbours, without Nest', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await ensureStreams(jsm, nats.topology);
    const stream = streamConfigs(nats.topology).events.name;
    const durable = 'plain_loop';
    const subject = subjects(nats.topology).event('threat.alert.issued');
    await ensureConsumer(jsm, { stream, durable, filterSubject: subject, maxAckPending: 4 });
    const deadLetters: DeadLetterRecord[] = [];
    const sub = nats.nc.subscribe(deadLetterSubject(nats.topology, durable));
    void (async () => {
      for await (const m of sub) deadLetters.push(m.json<DeadLetterRecord>());
    })();
    for (const n of [1, 2, 3, 4]) await publishToStream(nats.nc, subject, { n }, { msgId: `plain-${n}` });

    const calls: number[][] = [];
    const loop = runConsumer(nats.nc, {
      topology: nats.topology,
      stream,
      durable,
      batchSize: 4,
      handle: async (messages) => {
        const ns = messages.map((m) => (m.data as { n: number }).n);
        calls.push(ns);
        if (ns.includes(2)) throw new CaravanError('invalid', 'alert 2 is malformed');
      },
    });
    try {
      const until = Date.now() + 10_000;
      while (deadLetters.length === 0 || calls.flat().filter((n) => n === 4).length < 2) {
        if (Date.now() > until) throw new Error(`stuck: ${JSON.stringify(calls)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The whole batch failed as poison, so each message was retried alone.
      expect(calls).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
      expect(deadLetters.map((d) => JSON.parse(d.body))).toEqual([{ n: 2 }]);
      const info = await jsm.consumers.info(stream, durable);
      expect([info.num_ack_pending, info.num_pending, info.ack_floor.stream_seq > 0]).toEqual([0, 0, true]);
    } finally {
      await loop.stop();
      sub.unsubscribe();
    }
  });

  it('with pipelineDepth 2, hands the next batch over while one is handled, acks in order, and sends a failed batch back with those behind it', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await ensureStreams(jsm, nats.topology);
    const stream = streamConfigs(nats.topology).events.name;
    const durable = 'pipelined_loop';
    const subject = subjects(nats.topology).event('threat.alert.withdrawn');
    await ensureConsumer(jsm, { stream, durable, filterSubject: subject, maxAckPending: 10 });
    for (const n of [1, 2, 3]) await publishToStream(nats.nc, subject, { n }, { msgId: `pipelined-${n}` });

    /** Each handler call: the message and its delivery count, in the order the calls started. */
    const calls: string[] = [];
    let failFirst: (error: Error) => void = () => undefined;
    const firstHeld = new Promise<void>((_, reject) => (failFirst = reject));
    const loop = runConsumer(nats.nc, {
      topology: nats.topology,
      stream,
      durable,
      batchSize: 1,
      pipelineDepth: 2,
      backoff: { initialDelayMs: 50, maxDelayMs: 100 },
      handle: async ([message]) => {
        const n = (message!.data as { n: number }).n;
        calls.push(`${n}#${message!.deliveryCount}`);
        // The first delivery of 1 is held until the test fails it; everything else succeeds at once.
        if (n === 1 && message!.deliveryCount === 1) await firstHeld;
      },
    });
    const waitFor = async (what: string, done: () => boolean | Promise<boolean>) => {
      const until = Date.now() + 10_000;
      while (!(await done())) {
        if (Date.now() > until) throw new Error(`stuck waiting for ${what}: ${JSON.stringify(calls)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      // 2 and 3 were handed over while 1 is still in hand (each freed its slot by finishing) ...
      await waitFor('2 and 3 handled', () => calls.length === 3);
      expect(calls).toEqual(['1#1', '2#1', '3#1']);
      // ... and none is acked while the first is unsettled.
      expect((await jsm.consumers.info(stream, durable)).num_ack_pending).toBe(3);

      failFirst(new Error('the database went away'));
      await waitFor('every message acked', async () => {
        const info = await jsm.consumers.info(stream, durable);
        return calls.length >= 6 && info.num_ack_pending === 0 && info.num_pending === 0;
      });
      // 2 and 3 succeeded but went back with 1, and came again only behind it.
      expect(calls).toEqual(['1#1', '2#1', '3#1', '1#2', '2#2', '3#2']);
    } finally {
      // A failed expectation above must not leave the held handler (and so stop()) waiting.
      failFirst(new Error('test over'));
      await loop.stop();
    }
  });

  it('keeps a publish waiting while nats-server is down and completes it when the server returns', async () => {
    const server = await startNatsServer();
    const lines: string[] = [];
    const logger: MessagingLogger = { log: (m) => lines.push(m), warn: (m) => lines.push(m), error: () => undefined };
    const nc = await connectNats({
      servers: server.url,
      name: 'caravan-outage-test',
      logger,
      maxReconnectDelayMs: 200,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStreams(jsm, nats.topology);
      await server.stop();
      const subject = subjects(nats.topology).event('seizure.reported');
      const pending = publishToStream(nc, subject, { during: 'outage' }, { msgId: 'outage-1' }, { ackTimeoutMs: 500 });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await server.restart();
      const result = await pending;
      expect(result.duplicate).toBe(false);
      const info = await jsm.streams.info(streamConfigs(nats.topology).events.name);
      expect(info.state.messages).toBe(1);
      // One line per status change, naming the connection.
      const statuses = lines.map((l) => JSON.parse(l) as { msg: string; name: string });
      expect(statuses.map((l) => l.msg)).toEqual(['nats connected', 'nats disconnected', 'nats reconnected']);
      expect(statuses.every((l) => l.name === 'caravan-outage-test')).toBe(true);
    } finally {
      await drainNats(nc);
      await server.dispose();
    }
  });
});
