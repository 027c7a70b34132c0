// The identifier index over a real ledger in PostgreSQL: it follows every change of an aggregate's
// current state, a rebuild gives the same rows, and a hit query reads only what matches. Events are
// appended with the ledger's own writer (the gateway only reads the ledger), so a large ledger is
// cheap to make.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import type { DataSource } from 'typeorm';
import type { DomainEvent, Indicator } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { DirectoryRepository } from '@caravan/directory';
import { LedgerReader, LedgerWriter, ledgerSchema } from '@caravan/ledger-store';
import { ensureStreams } from '@caravan/messaging';
import { sharingSchema } from '@caravan/sharing-store';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { DirectoryCache } from '../directory/directory.cache.js';
import { SharingFeedSource } from '../feed/sharing-feed-source.js';
import { GATEWAY_DEFAULTS, type GatewayConfig } from '../gateway.config.js';
import { GatewayContext } from '../gateway.context.js';
import { gatewaySchema } from '../keys/gateway.schema.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import { HitIndex } from './hit-index.js';
import { HitsService } from './hits.service.js';
import { hitKey } from './identifiers.js';

let database: TestDatabase;
let db: DataSource;
let writer: LedgerWriter;
let ledger: LedgerReader;

beforeAll(async () => {
  database = await createTestDatabase('hitindex');
  db = await openDatabase({ url: database.url, schemas: [ledgerSchema, sharingSchema, gatewaySchema], poolSize: 4 });
  const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writer = new LedgerWriter(db, { signingKeyPem: key });
  ledger = new LedgerReader(db);
});

afterAll(async () => {
  await writer?.close();
  await db?.destroy();
  await database?.drop();
});

function seizure(
  seizureId: string,
  ids: { documentNumber?: string; registration?: string },
): DomainEvent<'seizure.reported'> {
  return {
    type: 'seizure.reported',
    data: {
      seizureId,
      occurredAt: '2026-03-01T06:30:00.000Z',
      location: { country: 'TJ', locationType: 'land-border' },
      direction: 'import',
      items: [{ category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg' }],
      transportMode: 'road',
      detectionMethod: 'x-ray',
      ...(ids.registration ? { conveyance: { kind: 'truck', registration: ids.registration } } : {}),
      ...(ids.documentNumber ? { suspects: [{ documentNumber: ids.documentNumber, role: 'driver' as const }] } : {}),
      handling: { tlp: 'GREEN' },
    },
  };
}

function alert(alertId: string, indicators: readonly Indicator[]): DomainEvent<'threat.alert.issued'> {
  return {
    type: 'threat.alert.issued',
    data: {
      alertId,
      category: 'suspect-conveyance',
      severity: 3,
      confidence: 'medium',
      validFrom: '2026-03-01T00:00:00.000Z',
      validUntil: '2026-06-01T00:00:00.000Z',
      area: { countries: ['TJ'] },
      indicators,
      summary: 'A conveyance to watch.',
      handling: { tlp: 'GREEN' },
    },
  };
}

/** Appends one event; resolves with its position. */
async function record(originator: string, streamId: string, event: DomainEvent): Promise<number> {
  const result = await writer.append({ streamId, expectedVersion: 'any', originator, events: [event] });
  return result.position;
}

async function head(): Promise<number> {
  return (await ledger.head()).position;
}

describe('the identifier index', () => {
  let live: HitIndex;
  const doc = hitKey('document-number', 'AC1234567');
  const reg = hitKey('vehicle-registration', '01 KG 123 ABC');
  const phone = hitKey('phone', '+996 555 000 111');
  const newPhone = hitKey('phone', '+996 555 999 888');
  const kept = hitKey('document-number', 'ZZ0000001');

  beforeAll(() => {
    live = new HitIndex(db, ledger);
  });

  /** `key stream` of every holder of `keys` outside `except`, after catching up to the head. */
  const holding = async (keys: readonly string[], except = 'KZ-BS') => {
    await live.catchUp();
    return (await live.holders(keys, except)).map((h) => `${h.key} ${h.streamId} ${h.originator}`).sort();
  };
  const rows = async (): Promise<unknown[]> =>
    db.query(`SELECT encode(key_sha256, 'hex') AS key, stream_id, originator FROM gateway_hit_index ORDER BY 1, 2`);

  it('drops an identifier an amendment removes, and every identifier of a retracted seizure or withdrawn alert', async () => {
    const [s, a, k] = [randomUUID(), randomUUID(), randomUUID()];
    const [seizureStream, alertStream, keptStream] = [`seizure-${s}`, `alert-${a}`, `seizure-${k}`];
    await record('TJ-DCA', seizureStream, seizure(s, { documentNumber: 'AC1234567', registration: '01 KG 123 ABC' }));
    await record('KG-BS', alertStream, alert(a, [{ kind: 'phone', value: '+996 555 000 111' }]));
    await record('UZ-SCC', keptStream, seizure(k, { documentNumber: 'ZZ0000001' }));
    expect(await holding([doc, reg, phone, kept])).toEqual(
      [
        `${doc} ${seizureStream} TJ-DCA`,
        `${reg} ${seizureStream} TJ-DCA`,
        `${phone} ${alertStream} KG-BS`,
        `${kept} ${keptStream} UZ-SCC`,
      ].sort(),
    );
    // The originator's own aggregates are no hit for it.
    expect(await holding([doc, reg], 'TJ-DCA')).toEqual([]);

    await record('TJ-DCA', seizureStream, {
      type: 'seizure.amended',
      data: { seizureId: s, changes: { suspects: [] }, reason: 'not the driver' },
    });
    await record('KG-BS', alertStream, {
      type: 'threat.alert.updated',
      data: { alertId: a, changes: { indicators: [{ kind: 'phone', value: '+996 555 999 888' }] }, reason: 'new SIM' },
    });
    await record('UZ-SCC', keptStream, {
      type: 'seizure.amended',
      data: { seizureId: k, changes: { direction: 'transit' }, reason: 'route clarified' },
    });
    expect(await holding([doc, reg, phone, newPhone, kept])).toEqual(
      [`${reg} ${seizureStream} TJ-DCA`, `${newPhone} ${alertStream} KG-BS`, `${kept} ${keptStream} UZ-SCC`].sort(),
    );

    await record('TJ-DCA', seizureStream, { type: 'seizure.retracted', data: { seizureId: s, reason: 'duplicate' } });
    await record('KG-BS', alertStream, { type: 'threat.alert.withdrawn', data: { alertId: a, reason: 'resolved' } });
    expect(await holding([doc, reg, phone, newPhone, kept])).toEqual([`${kept} ${keptStream} UZ-SCC`]);
  });

  it('holds exactly what a rebuild from position 1 gives, also when pages split streams', async () => {
    const incremental = await rows();
    expect(incremental).toHaveLength(1);
    // Two events a page: every amendment lands in a later page than its report.
    const small = new HitIndex(db, ledger, { pageSize: 2 });
    await small.reset();
    expect(await rows()).toEqual([]);
    expect(await small.catchUp()).toBe(await head());
    expect(await rows()).toEqual(incremental);
  });
});

describe('a hit query over a ledger of many unrelated events', () => {
  let nats: TestNats;
  let feed: SharingFeedSource;
  let hits: HitsService;
  /** Positions of the ledger events read, and the streams whose copies were read, since the last reset. */
  const read = { positions: [] as number[], copies: [] as string[] };
  const caller = { agency: 'KZ-BS', keyId: randomUUID(), roles: ['recipient'] } as const;
  const match = { kind: 'document-number', value: 'MATCH-0001' } as const;
  const nobody = { kind: 'name', value: 'Nobody Known' };
  const streams = { tj: `seizure-${randomUUID()}`, kg: `alert-${randomUUID()}`, own: `seizure-${randomUUID()}` };
  let tjReported = 0;
  let config: GatewayConfig;

  const unrelated = async (count: number, offset: number) => {
    const originators = ['TJ-DCA', 'UZ-SCC', 'KG-BS', 'TM-BS', 'KZ-BS'];
    await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const id = randomUUID();
        const n = offset + i;
        return record(
          originators[n % originators.length]!,
          `seizure-${id}`,
          seizure(id, { documentNumber: `UNREL-${n}`, registration: `99 KG ${n} ZZ` }),
        );
      }),
    );
  };

  beforeAll(async () => {
    nats = await createTestNats();
    await ensureStreams(await jetstreamManager(nats.nc), nats.topology);
    // Records what the query reads, and passes every call on to the real reader.
    const readPage = ledger.readPage.bind(ledger);
    ledger.readPage = async (filter, limit) => {
      const page = await readPage(filter, limit);
      read.positions.push(...page.map((e) => e.position));
      return page;
    };
    feed = await SharingFeedSource.open(db);
    const copiesOfStream = feed.copiesOfStream.bind(feed);
    feed.copiesOfStream = async (recipient, streamId) => {
      read.copies.push(streamId);
      return copiesOfStream(recipient, streamId);
    };
    config = {
      databaseUrl: database.url,
      natsServers: [nats.url],
      topology: nats.topology,
      httpPort: 0,
      adminKey: undefined,
      stateDir: tmpdir(),
      ledgerPublicKeyPem: '',
      pseudonymSecret: 'p'.repeat(32),
    };
    const ctx = new GatewayContext(
      config,
      GATEWAY_DEFAULTS,
      db,
      nats.nc,
      ledger,
      new MetricsRegistry(),
      new DirectoryCache(new DirectoryRepository(db)),
      feed,
    );
    hits = new HitsService(ctx);

    await unrelated(750, 0);
    const [tj, kg, own] = [streams.tj, streams.kg, streams.own].map((s) => s.replace(/^\w+-/, ''));
    tjReported = await record('TJ-DCA', streams.tj, seizure(tj!, { documentNumber: match.value }));
    await record('KG-BS', streams.kg, alert(kg!, [match]));
    await record('KZ-BS', streams.own, seizure(own!, { documentNumber: match.value }));
    await unrelated(750, 750);
  }, 60_000);

  afterAll(async () => {
    await feed?.close();
    await nats?.cleanup();
  });

  const ask = () => hits.query(caller, { identifiers: [match, nobody] });
  const answer = [
    { ...match, hit: true, contact: ['KG-BS', 'TJ-DCA'] },
    { ...nobody, hit: false, contact: [] },
  ];

  it('reads only the events recorded since the last catch-up, and the copies of the matching aggregates', async () => {
    // The first query brings the index up to date (a running gateway's follower does this as the
    // ledger grows); the old scan read every one of these events on every query.
    expect(await ask()).toEqual(answer);
    const caughtUp = await head();
    expect(caughtUp).toBeGreaterThan(1500);

    await unrelated(200, 1500);
    await record('TJ-DCA', streams.tj, {
      type: 'seizure.amended',
      data: { seizureId: streams.tj.replace(/^seizure-/, ''), changes: { direction: 'transit' }, reason: 'route' },
    });
    const newHead = await head();
    read.positions.length = 0;
    read.copies.length = 0;
    expect(await ask()).toEqual(answer);
    // The new tail once, plus the amended aggregate's earlier report to fold it: nothing older.
    const tail = Array.from({ length: newHead - caughtUp }, (_, i) => caughtUp + 1 + i);
    expect([...new Set(read.positions)].sort((x, y) => x - y)).toEqual([tjReported, ...tail]);
    // Copies of the two aggregates that hold the identifier; not the caller's own, nor any other.
    expect([...new Set(read.copies)].sort()).toEqual([streams.kg, streams.tj].sort());
  });

  it('reads no ledger event at all when nothing was recorded since', async () => {
    read.positions.length = 0;
    read.copies.length = 0;
    expect(await ask()).toEqual(answer);
    expect(read.positions).toEqual([]);
    expect([...new Set(read.copies)].sort()).toEqual([streams.kg, streams.tj].sort());
  });

  it("is kept up to date by the gateway's follower without any query", async () => {
    const checkpoint = () => new HitIndex(db, ledger).checkpoint();
    const before = await checkpoint();
    hits.onApplicationBootstrap();
    try {
      await unrelated(10, 1700);
      const target = await head();
      expect(before).toBeLessThan(target);
      const deadline = Date.now() + 10_000;
      while ((await checkpoint()) < target && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await checkpoint()).toBe(target);
    } finally {
      await hits.onModuleDestroy();
    }
  });

  it('lets a burst of ledger batches run on and catches up on them together', async () => {
    const checkpoint = () => new HitIndex(db, ledger).checkpoint();
    // Each catch-up reads the head once, first: counting those reads counts the catch-ups.
    const counted = new LedgerReader(db);
    let catchUps = 0;
    const readHead = counted.head.bind(counted);
    counted.head = () => {
      catchUps += 1;
      return readHead();
    };
    const tuning = { ...GATEWAY_DEFAULTS, hitIndexFollowDelayMs: 2_000 };
    const directory = new DirectoryCache(new DirectoryRepository(db));
    const follower = new HitsService(
      new GatewayContext(config, tuning, db, nats.nc, counted, new MetricsRegistry(), directory, feed),
    );
    follower.onApplicationBootstrap();
    try {
      // Once at the start, before anything new is recorded.
      while (catchUps === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      // Twenty batches, 25 ms apart (each long caught up on by a follower without the delay), all
      // well within one delay: each commit notifies the follower.
      for (let i = 0; i < 20; i++) {
        await unrelated(1, 1800 + i);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const target = await head();
      const deadline = Date.now() + 10_000;
      while ((await checkpoint()) < target && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await checkpoint()).toBe(target);
      // The start, then one catch-up per follow delay the burst lasted: far fewer than the batches.
      expect(catchUps).toBeLessThanOrEqual(4);
    } finally {
      await follower.onModuleDestroy();
    }
  });
});
