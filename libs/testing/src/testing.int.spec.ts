import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import { streamConfigs } from '@caravan/contracts';
import { createTestDatabase, createTestNats, startNatsServer, type TestDatabase, type TestNats } from './index.js';

describe('libs/testing gives each test file real, private services', () => {
  let db: TestDatabase;
  let nats: TestNats;

  beforeAll(async () => {
    db = await createTestDatabase('testing');
    nats = await createTestNats();
  });
  afterAll(async () => {
    await nats?.cleanup();
    await db?.drop();
  });

  it('creates a private database that really stores rows', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE probe (id int PRIMARY KEY)');
      await client.query('INSERT INTO probe VALUES (1), (2)');
      const { rows } = await client.query<{ n: string; db: string }>(
        'SELECT count(*) AS n, current_database() AS db FROM probe',
      );
      expect(rows[0]).toEqual({ n: '2', db: db.name });
    } finally {
      await client.end();
    }
  });

  it('publishes to and consumes from a JetStream stream under a private topology', async () => {
    const config = streamConfigs(nats.topology).events;
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: config.name, subjects: [...config.subjects] });
    const js = jetstream(nats.nc);
    const subject = `${nats.topology.subjectRoot}.evt.seizure.reported`;
    const first = await js.publish(subject, 'one', { msgID: 'm1' });
    const again = await js.publish(subject, 'one', { msgID: 'm1' });
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    await jsm.consumers.add(config.name, { durable_name: 'probe', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(config.name, 'probe');
    const msg = await consumer.next({ expires: 5_000 });
    expect(msg?.string()).toBe('one');
    msg?.ack();
    expect((await jsm.streams.info(config.name)).state.messages).toBe(1);
  });

  it('starts a private nats-server that can be stopped and restarted with its store', async () => {
    const server = await startNatsServer();
    try {
      const nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
      await jetstream(nc).publish('keep.one', 'x');
      await nc.close();
      await server.restart();
      const nc2 = await connect({ servers: server.url });
      const info = await (await jetstreamManager(nc2)).streams.info('KEEP');
      expect(info.state.messages).toBe(1);
      await nc2.close();
    } finally {
      await server.dispose();
    }
  });
});
