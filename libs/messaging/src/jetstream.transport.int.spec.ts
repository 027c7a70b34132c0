import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { CaravanError, durableNames, streamConfigs, subjects, type Topology } from '@caravan/contracts';
import { createTestNats, type TestNats } from '@caravan/testing';
import {
  deadLetterSubject,
  JETSTREAM_BATCH,
  JetStreamContext,
  JetStreamExceptionFilter,
  JetStreamServer,
  publishToStream,
  type DeadLetterRecord,
  type JetStreamConsumerBinding,
} from './index.js';

interface Probe {
  readonly n: number;
  readonly mode?: 'transient-once' | 'invalid';
}
interface Handled {
  readonly n: number;
  readonly deliveryCount: number;
  readonly ok: boolean;
}

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function probeModule(topology: Topology, handled: Handled[], batches: number[][]) {
  const s = subjects(topology);

  @Controller()
  class SeizureProbe {
    @EventPattern<string>(s.event('seizure.reported'))
    async onSeizure(@Payload() probe: Probe, @Ctx() ctx: JetStreamContext): Promise<void> {
      const { deliveryCount } = ctx.getMessage();
      if (probe.mode === 'transient-once' && deliveryCount === 1) {
        handled.push({ n: probe.n, deliveryCount, ok: false });
        throw new Error('database unreachable');
      }
      if (probe.mode === 'invalid') {
        handled.push({ n: probe.n, deliveryCount, ok: false });
        throw new CaravanError('invalid', 'quantity must be positive');
      }
      handled.push({ n: probe.n, deliveryCount, ok: true });
    }

    @EventPattern<string>(s.event('threat.alert.issued'), JETSTREAM_BATCH)
    async onAlerts(@Payload() probes: readonly Probe[]): Promise<void> {
      batches.push(probes.map((p) => p.n));
    }
  }

  @Module({ controllers: [SeizureProbe] })
  class ProbeModule {}
  return ProbeModule;
}

describe('JetStreamServer (a Nest transport strategy on durable pull consumers)', () => {
  let nats: TestNats;
  let topology: Topology;
  let seizures: JetStreamConsumerBinding;
  let alerts: JetStreamConsumerBinding;
  const handled: Handled[] = [];
  const batches: number[][] = [];
  const deadLetters: DeadLetterRecord[] = [];
  let app: INestMicroservice | undefined;

  const start = async () => {
    const strategy = new JetStreamServer({
      topology,
      connection: { servers: nats.url, name: 'caravan-probe' },
      consumers: [seizures, alerts],
      backoff: { initialDelayMs: 100, maxDelayMs: 200 },
    });
    const created = await NestFactory.createMicroservice(probeModule(topology, handled, batches), {
      strategy,
      logger: false,
    });
    created.useGlobalFilters(new JetStreamExceptionFilter());
    await created.listen();
    app = created;
  };
  const stop = async () => {
    await app?.close();
    app = undefined;
  };
  const publishSeizure = (probe: Probe) =>
    publishToStream(nats.nc, subjects(topology).event('seizure.reported'), probe, {
      msgId: `seizure-${probe.n}`,
      type: 'seizure.reported',
    });

  beforeAll(async () => {
    nats = await createTestNats();
    topology = nats.topology;
    const stream = streamConfigs(topology).events.name;
    seizures = {
      stream,
      durable: durableNames(topology).distributor,
      filterSubject: subjects(topology).event('seizure.reported'),
    };
    alerts = {
      stream,
      durable: durableNames(topology).aggregator,
      filterSubject: subjects(topology).event('threat.alert.issued'),
      batchSize: 5,
    };
    const sub = nats.nc.subscribe(deadLetterSubject(topology, seizures.durable));
    void (async () => {
      for await (const m of sub) deadLetters.push(m.json<DeadLetterRecord>());
    })();
    await nats.nc.flush();
    await start();
  });
  afterAll(async () => {
    await stop();
    await nats?.cleanup();
  });

  it('delivers to @EventPattern in order, retries a transient failure later, and dead-letters poison', async () => {
    for (let n = 1; n <= 10; n++) {
      await publishSeizure({ n, ...(n === 3 ? { mode: 'transient-once' } : n === 6 ? { mode: 'invalid' } : {}) });
    }
    // Not JSON at all: termed before any handler sees it.
    await jetstream(nats.nc).publish(subjects(topology).event('seizure.reported'), 'not json {', { msgID: 'garbled' });
    await publishSeizure({ n: 11 });

    await waitFor('message 11 handled', () => handled.some((h) => h.n === 11 && h.ok));

    // Strictly in order: message 3 failed, was redelivered (nak with delay), and only then came 4.
    expect(handled.map((h) => [h.n, h.deliveryCount, h.ok])).toEqual([
      [1, 1, true],
      [2, 1, true],
      [3, 1, false],
      [3, 2, true],
      [4, 1, true],
      [5, 1, true],
      [6, 1, false],
      [7, 1, true],
      [8, 1, true],
      [9, 1, true],
      [10, 1, true],
      [11, 1, true],
    ]);

    await waitFor('two dead letters', () => deadLetters.length >= 2);
    expect(deadLetters.map((d) => [d.body.includes('"n":6') ? 6 : d.body, d.error])).toEqual([
      [6, 'CaravanError invalid: quantity must be positive'],
      ['not json {', 'PoisonMessageError: body is not JSON'],
    ]);
    expect(deadLetters[0]).toMatchObject({
      stream: seizures.stream,
      durable: seizures.durable,
      subject: subjects(topology).event('seizure.reported'),
      deliveryCount: 1,
      headers: expect.objectContaining({ 'Nats-Msg-Id': 'seizure-6', 'Caravan-Type': 'seizure.reported' }),
    });

    // Everything is settled: acked or termed, nothing left pending or waiting for redelivery.
    const jsm = await jetstreamManager(nats.nc);
    await waitFor('all settled', async () => {
      const info = await jsm.consumers.info(seizures.stream, seizures.durable);
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
    // The termed poison message is never handed to the handler again.
    await publishSeizure({ n: 12 });
    await waitFor('message 12 handled', () => handled.some((h) => h.n === 12));
    expect(handled.filter((h) => h.n === 6)).toHaveLength(1);
  });

  it('hands micro-batches to a batch handler, in order, and acks them all', async () => {
    await stop();
    const s = subjects(topology);
    for (let n = 1; n <= 12; n++) {
      await publishToStream(nats.nc, s.event('threat.alert.issued'), { n }, { msgId: `alert-${n}` });
    }
    await start();
    await waitFor('12 alerts', () => batches.flat().length >= 12);
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(batches.every((b) => b.length <= 5)).toBe(true);
    expect(batches.some((b) => b.length > 1)).toBe(true);
    const jsm = await jetstreamManager(nats.nc);
    await waitFor('batch acked', async () => {
      const info = await jsm.consumers.info(alerts.stream, alerts.durable);
      return info.num_ack_pending === 0 && info.ack_floor.stream_seq > 0 && info.num_pending === 0;
    });
  });

  it('resumes the durable after a restart without redelivering what was acked', async () => {
    await stop();
    const before = handled.length;
    await publishSeizure({ n: 20 });
    await publishSeizure({ n: 21 });
    await start();
    await waitFor('message 21 handled', () => handled.some((h) => h.n === 21));
    expect(handled.slice(before).map((h) => h.n)).toEqual([20, 21]);
  });
});
