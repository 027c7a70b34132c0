import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { CaravanError, HEADERS, streamConfigs, subjects, type Topology } from '@caravan/contracts';
import { createTestNats, type TestNats } from '@caravan/testing';
import {
  ensureStreams,
  lastStored,
  publishToStream,
  storedPrefixLength,
  StreamPublisher,
  type StreamMessage,
} from './index.js';

const HEADER_NAMES = Object.values(HEADERS);

/** Nats-Msg-Id of every message of the events stream, in stored order. */
async function storedIds(jsm: JetStreamManager, topology: Topology): Promise<string[]> {
  const name = streamConfigs(topology).events.name;
  const info = await jsm.streams.info(name);
  const ids: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(name, { seq });
    if (m) ids.push(m.header.get('Nats-Msg-Id'));
  }
  return ids;
}

function message(
  topology: Topology,
  id: string,
  subject = subjects(topology).event('seizure.reported'),
): StreamMessage {
  return { subject, body: { id }, meta: { msgId: id } };
}

describe('StreamPublisher on a real NATS server', () => {
  let nats: TestNats;
  let jsm: JetStreamManager;
  let publisher: StreamPublisher | undefined;

  beforeEach(async () => {
    nats = await createTestNats();
    jsm = await jetstreamManager(nats.nc);
    await ensureStreams(jsm, nats.topology);
  });
  afterEach(async () => {
    publisher?.close();
    publisher = undefined;
    await nats?.cleanup();
  });

  it('stores a message the stream refused for a while before every later one, once it is accepted', async () => {
    const t = nats.topology;
    // No stream takes `<root>.late.*` yet: the second message is refused (no responders) until the
    // events stream is widened, while the ones after it were already sent behind it.
    const late = `${t.subjectRoot}.late.x`;
    const messages = [message(t, 'm1'), message(t, 'm2', late), message(t, 'm3'), message(t, 'm4')];
    publisher = new StreamPublisher(nats.nc, { ackTimeoutMs: 300, retryForMs: 30_000 });
    const published = publisher.publish(messages);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = streamConfigs(t).events;
    await jsm.streams.update(events.name, { subjects: [...events.subjects, `${t.subjectRoot}.late.>`] });
    const results = await published;
    expect(results.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(await storedIds(jsm, t)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('stores each message with its body and every Caravan header as given, and refuses a header value that would break a line', async () => {
    const t = nats.topology;
    const subject = subjects(t).event('seizure.reported');
    publisher = new StreamPublisher(nats.nc);
    const meta = { msgId: 'e1:KZ-BS', position: 42, type: 'seizure.reported', schemaVersion: 1, policyVersion: 3 };
    // The second one is sent while the first has no PubAck yet, so it carries an expectation as well.
    await publisher.publish([
      { subject, body: '{"a":"Душанбе"}', meta },
      { subject, body: { b: 1 }, meta: { msgId: 'e2' } },
    ]);
    const name = streamConfigs(t).events.name;
    const first = await jsm.streams.getMessage(name, { seq: 1 });
    expect(new TextDecoder().decode(first!.data)).toBe('{"a":"Душанбе"}');
    expect(
      Object.fromEntries([...HEADER_NAMES, 'Nats-Expected-Last-Msg-Id'].map((h) => [h, first!.header.get(h)])),
    ).toEqual({
      'Nats-Msg-Id': 'e1:KZ-BS',
      'Caravan-Position': '42',
      'Caravan-Type': 'seizure.reported',
      'Caravan-Schema-Version': '1',
      'Caravan-Policy-Version': '3',
      'Nats-Expected-Last-Msg-Id': '',
    });
    const second = await jsm.streams.getMessage(name, { seq: 2 });
    expect(second!.json()).toEqual({ b: 1 });
    expect(second!.header.get('Nats-Msg-Id')).toBe('e2');
    expect(second!.header.get('Caravan-Position')).toBe('');
    expect(second!.header.get('Nats-Expected-Last-Msg-Id')).toBe('e1:KZ-BS');

    await expect(publisher.publish([message(t, 'ok'), message(t, 'bad\r\nNats-Msg-Id: x')])).rejects.toThrow(
      CaravanError,
    );
    expect(await storedIds(jsm, t)).toEqual(['e1:KZ-BS', 'e2']);
  });

  it('keeps the order of several calls in flight and resolves them in that order', async () => {
    const t = nats.topology;
    publisher = new StreamPublisher(nats.nc, { maxInFlight: 64 });
    const resolved: number[] = [];
    const calls = [0, 1, 2].map((c) =>
      publisher!.publish(Array.from({ length: 150 }, (_, i) => message(t, `c${c}-${i}`))).then((results) => {
        resolved.push(c);
        return results;
      }),
    );
    const results = await Promise.all(calls);
    expect(resolved).toEqual([0, 1, 2]);
    expect(results.flat().map((r) => r.seq)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(await storedIds(jsm, t)).toEqual(
      [0, 1, 2].flatMap((c) => Array.from({ length: 150 }, (_, i) => `c${c}-${i}`)),
    );
    expect(publisher.pending).toBe(0);
  });

  it('sends again at once when another message was stored in between, and still stores each once', async () => {
    const t = nats.topology;
    const subject = subjects(t).event('seizure.reported');
    // m2 landed earlier, then someone else's message: m3's expectation (m2) cannot hold when it arrives.
    await publishToStream(nats.nc, subject, { id: 'm2' }, { msgId: 'm2' });
    await publishToStream(nats.nc, subject, { id: 'other' }, { msgId: 'other' });
    publisher = new StreamPublisher(nats.nc);
    const started = Date.now();
    const results = await publisher.publish([message(t, 'm1'), message(t, 'm2'), message(t, 'm3')]);
    expect(results.map((r) => r.duplicate)).toEqual([false, true, false]);
    expect(await storedIds(jsm, t)).toEqual(['m2', 'other', 'm1', 'm3']);
    // A refused expectation is not an outage: no back-off before the resend.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('after giving up, refuses new messages until reset, so none overtakes the failed ones', async () => {
    const t = nats.topology;
    publisher = new StreamPublisher(nats.nc, { ackTimeoutMs: 100, retryForMs: 300 });
    const stray = message(t, 'x', `${t.subjectRoot}.nowhere.x`);
    const failure = await publisher.publish([message(t, 'm1'), stray]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CaravanError);
    expect((failure as CaravanError).code).toBe('unavailable');
    await expect(publisher.publish([message(t, 'm2')])).rejects.toBe(failure);
    publisher.reset();
    await publisher.publish([message(t, 'm1'), message(t, 'm2')]);
    expect(await storedIds(jsm, t)).toEqual(['m1', 'm2']);
  });
  it('tells how much of a list published in order a stream already holds, without its duplicate window', async () => {
    const t = nats.topology;
    const share = streamConfigs(t).share.name;
    const s = subjects(t);
    // Copies of positions 1..12 for three recipients, in publish order (position, then recipient).
    const list: StreamMessage[] = [];
    for (let position = 1; position <= 12; position++) {
      for (const recipient of ['CARICC', 'KG-BS', 'KZ-BS']) {
        list.push({
          subject: s.share(recipient, position % 4 === 0 ? 'seizure.amended' : 'seizure.reported'),
          body: { position, recipient },
          meta: { msgId: `e${position}:${recipient}`, position },
        });
      }
    }
    expect(await storedPrefixLength(jsm, share, list)).toBe(0);
    expect(await lastStored(jsm, share)).toBeUndefined();
    publisher = new StreamPublisher(nats.nc);
    for (const held of [1, 17, 23, list.length]) {
      await publisher.publish(list.slice(0, held));
      expect(await storedPrefixLength(jsm, share, list)).toBe(held);
      expect(await lastStored(jsm, share)).toEqual({
        position: list[held - 1]!.meta.position,
        msgId: list[held - 1]!.meta.msgId,
      });
    }
    // Another publisher's message on another subject in between changes nothing.
    await publishToStream(nats.nc, s.hitNotified('KZ-BS'), { hit: true }, { msgId: 'hit-1' });
    expect(await storedPrefixLength(jsm, share, list)).toBe(list.length);
    expect((await lastStored(jsm, share, s.share('KG-BS', 'seizure.amended')))?.position).toBe(12);
  });
});
