// Commands over NATS request/reply against a running ledger (SPEC §6), on real PostgreSQL and NATS:
// the §6 reply for every outcome, and what the ledger recorded (or did not).
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { subjects, type CommandName, type CommandReply } from '@caravan/contracts';
import { generateLedgerKeyPem } from '@caravan/config';
import { openDatabase } from '@caravan/database';
import { demoDirectory, directorySchema, DirectoryRepository, seedDirectory } from '@caravan/directory';
import { ledgerSchema, LedgerReader } from '@caravan/ledger-store';
import { requestCommand } from '@caravan/messaging';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@caravan/testing';
import { startLedger, type RunningApp } from '../ledger.app.js';
import {
  eventStreamCount,
  eventually,
  expectExactlyOnce,
  ledgerRows,
  readEventStream,
  reportBody,
  type Body,
} from '../ledger.fixtures.spec.js';

let database: TestDatabase;
let nats: TestNats;
let db: DataSource;
let ledger: RunningApp;
let reader: LedgerReader;

beforeAll(async () => {
  database = await createTestDatabase('ledgercmd');
  nats = await createTestNats();
  db = await openDatabase({ url: database.url, schemas: [ledgerSchema, directorySchema] });
  await seedDirectory(db, demoDirectory);
  reader = new LedgerReader(db);
  ledger = await startLedger({
    databaseUrl: database.url,
    natsServers: [nats.url],
    topology: nats.topology,
    ledgerKeyPem: generateLedgerKeyPem(),
    tuning: { relayPollMs: 500 },
  });
});

afterAll(async () => {
  await ledger?.close();
  await db?.destroy();
  await nats?.cleanup();
  await database?.drop();
});

function send(agency: string, command: string, body: unknown): Promise<CommandReply> {
  const subject = subjects(nats.topology).command(agency, command as CommandName);
  return requestCommand(nats.nc, subject, body, { timeoutMs: 10_000 });
}

function accepted(reply: CommandReply): Extract<CommandReply, { ok: true }> {
  if (!reply.ok) throw new Error(`expected the command to be accepted, got ${JSON.stringify(reply.error)}`);
  return reply;
}

function refused(reply: CommandReply): Extract<CommandReply, { ok: false }>['error'] {
  if (reply.ok) throw new Error(`expected the command to be refused, got ${JSON.stringify(reply)}`);
  return reply.error;
}

async function streamEvents(streamId: string) {
  return (await reader.loadStream(streamId)).events;
}

async function reportSeizure(agency = 'TJ-DCA'): Promise<{ body: Body; streamId: string }> {
  const body = reportBody();
  accepted(await send(agency, 'seizure.report', body));
  return { body, streamId: `seizure-${body.seizureId}` };
}

describe('seizure commands', () => {
  it('records a report for the agency of the subject and answers with its envelope', async () => {
    const body = reportBody();
    const reply = accepted(await send('TJ-DCA', 'seizure.report', body));
    expect(reply.streamVersion).toBe(1);
    const [event, ...rest] = await streamEvents(`seizure-${body.seizureId}`);
    expect(rest).toHaveLength(0);
    expect(event).toMatchObject({
      eventId: reply.eventId,
      position: reply.position,
      type: 'seizure.reported',
      originator: 'TJ-DCA',
      occurredAt: body.occurredAt,
    });
    // The deciders strip the command's own fields from the payload.
    expect(event!.payload).not.toHaveProperty('commandId');
    expect(event!.payload).toMatchObject({ seizureId: body.seizureId, direction: 'import' });
  });

  it('refuses an amendment based on a stale version, then accepts one based on the current version', async () => {
    const { body, streamId } = await reportSeizure();
    const amend = (expectedVersion: number) => ({
      commandId: randomUUID(),
      seizureId: body.seizureId,
      expectedVersion,
      changes: { direction: 'transit' },
      reason: 'corrected direction',
    });
    expect(refused(await send('TJ-DCA', 'seizure.amend', amend(2))).code).toBe('version-conflict');
    expect(await streamEvents(streamId)).toHaveLength(1);
    const reply = accepted(await send('TJ-DCA', 'seizure.amend', amend(1)));
    expect(reply.streamVersion).toBe(2);
    // The stream moved on: the version the first amendment was based on is stale now.
    expect(refused(await send('TJ-DCA', 'seizure.amend', amend(1))).code).toBe('version-conflict');
    expect((await streamEvents(streamId)).map((e) => e.type)).toEqual(['seizure.reported', 'seizure.amended']);
  });

  it('retracts, and refuses any amendment after the retraction with conflict', async () => {
    const { body, streamId } = await reportSeizure();
    const retraction = accepted(
      await send('TJ-DCA', 'seizure.retract', { commandId: randomUUID(), seizureId: body.seizureId, reason: 'error' }),
    );
    expect(retraction.streamVersion).toBe(2);
    const error = refused(
      await send('TJ-DCA', 'seizure.amend', {
        commandId: randomUUID(),
        seizureId: body.seizureId,
        expectedVersion: 2,
        changes: { direction: 'export' },
        reason: 'too late',
      }),
    );
    expect(error.code).toBe('conflict');
    expect((await streamEvents(streamId)).map((e) => e.type)).toEqual(['seizure.reported', 'seizure.retracted']);
  });

  it('answers a repeated commandId with the first answer and records one event', async () => {
    const body = reportBody();
    const first = accepted(await send('TJ-DCA', 'seizure.report', body));
    // A retry after the state moved on (the seizure exists now) is still the same command.
    const again = accepted(await send('TJ-DCA', 'seizure.report', structuredClone(body)));
    expect(again).toMatchObject({ eventId: first.eventId, position: first.position, streamVersion: 1 });
    expect(again.replayed).toBe(true);
    expect(first.replayed).toBeUndefined();
    expect(await streamEvents(`seizure-${body.seizureId}`)).toHaveLength(1);
  });

  it('records one event when the same command arrives twice at once', async () => {
    const body = reportBody();
    const [a, b] = await Promise.all([
      send('TJ-DCA', 'seizure.report', body),
      send('TJ-DCA', 'seizure.report', structuredClone(body)),
    ]);
    expect(accepted(b).eventId).toBe(accepted(a).eventId);
    expect(await streamEvents(`seizure-${body.seizureId}`)).toHaveLength(1);
  });

  it('refuses a second report of a seizure under a new commandId with conflict, recording nothing', async () => {
    const { body, streamId } = await reportSeizure();
    const again = { ...body, commandId: randomUUID(), direction: 'export' };
    const error = refused(await send('TJ-DCA', 'seizure.report', again));
    expect(error.code).toBe('conflict');
    expect((await streamEvents(streamId)).map((e) => e.payload)).toEqual([
      expect.objectContaining({ direction: 'import' }),
    ]);
    // Neither is the refused commandId recorded: sent again for a new seizure, it is accepted.
    accepted(await send('TJ-DCA', 'seizure.report', { ...again, seizureId: randomUUID() }));
  });

  it('knows at once an agency and a crossing point registered after it last read the directory', async () => {
    accepted(await send('TJ-DCA', 'seizure.report', reportBody()));
    const directory = new DirectoryRepository(db);
    await directory.upsertAgency({ code: 'TJ-NEWCOMER', name: 'Newcomer', country: 'TJ', kind: 'customs', groups: [] });
    await directory.upsertCrossingPoint({
      code: 'TJ-NEW-BRIDGE',
      name: 'New bridge',
      country: 'TJ',
      facing: 'AF',
      lat: 37.1,
      lon: 68.9,
    });
    const location = { country: 'TJ', crossingPoint: 'TJ-NEW-BRIDGE', locationType: 'land-border' };
    const reply = accepted(await send('TJ-NEWCOMER', 'seizure.report', reportBody({ location })));
    expect(reply.streamVersion).toBe(1);
  });

  it('refuses a different body under a commandId already used', async () => {
    const body = reportBody();
    accepted(await send('TJ-DCA', 'seizure.report', body));
    const other = { ...body, seizureId: randomUUID() };
    expect(refused(await send('TJ-DCA', 'seizure.report', other)).code).toBe('idempotency-conflict');
    expect(await streamEvents(`seizure-${other.seizureId}`)).toHaveLength(0);
  });

  it('refuses an invalid body with the path of every offending field, recording nothing', async () => {
    const head = await reader.head();
    const body = reportBody({
      items: [{ category: 'narcotic', substance: 'heroin', quantity: -1, unit: 'kg' }],
      location: { country: 'TJ', crossingPoint: 'TJ-NOWHERE', locationType: 'land-border' },
    });
    const error = refused(await send('TJ-DCA', 'seizure.report', body));
    expect(error.code).toBe('invalid');
    const paths = (error.fields ?? []).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['items[0].quantity', 'location.crossingPoint']));
    expect((await reader.head()).position).toBe(head.position);
  });

  it('refuses a body that is not JSON, and an unknown command', async () => {
    const subject = subjects(nats.topology).command('TJ-DCA', 'seizure.report');
    const reply = (await nats.nc.request(subject, 'not json', { timeout: 10_000 })).json<CommandReply>();
    expect(refused(reply).code).toBe('invalid');
    expect(refused(await send('TJ-DCA', 'seizure.explode', reportBody())).code).toBe('invalid');
  });

  it('forbids another agency to amend or retract a seizure, and records nothing', async () => {
    const { body, streamId } = await reportSeizure('TJ-DCA');
    const amend = {
      commandId: randomUUID(),
      seizureId: body.seizureId,
      expectedVersion: 1,
      changes: { direction: 'export' },
      reason: 'not mine',
    };
    expect(refused(await send('UZ-CUS', 'seizure.amend', amend)).code).toBe('forbidden');
    const retract = { commandId: randomUUID(), seizureId: body.seizureId, reason: 'not mine' };
    expect(refused(await send('UZ-CUS', 'seizure.retract', retract)).code).toBe('forbidden');
    expect(await streamEvents(streamId)).toHaveLength(1);
  });

  it('takes the agency from the subject only: a body naming one is refused, an unknown agency is forbidden', async () => {
    const named = refused(await send('TJ-DCA', 'seizure.report', reportBody({ originator: 'UZ-CUS' })));
    expect(named.code).toBe('invalid');
    expect(named.fields?.map((f) => f.path)).toContain('originator');
    expect(refused(await send('XX-NOBODY', 'seizure.report', reportBody())).code).toBe('forbidden');

    const body = reportBody();
    accepted(await send('UZ-CUS', 'seizure.report', { ...body, location: { country: 'UZ', locationType: 'inland' } }));
    const [event] = await streamEvents(`seizure-${body.seizureId}`);
    expect(event?.originator).toBe('UZ-CUS');
  });

  it('a repeated commandId sent under another agency is not the same command', async () => {
    const body = reportBody();
    const first = accepted(await send('TJ-DCA', 'seizure.report', body));
    expect(refused(await send('UZ-CUS', 'seizure.report', body)).code).toBe('idempotency-conflict');
    expect((await streamEvents(`seizure-${body.seizureId}`)).map((e) => e.eventId)).toEqual([first.eventId]);
  });
});

describe('alert and policy commands', () => {
  it('issues and withdraws an alert', async () => {
    const alertId = randomUUID();
    const issue = {
      commandId: randomUUID(),
      alertId,
      category: 'trafficking-route',
      severity: 4,
      confidence: 'medium',
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2026-03-01T00:00:00Z',
      area: { countries: ['TJ'], crossingPoints: ['TJ-NIZHNY-PANJ'] },
      indicators: [],
      summary: 'Heroin moving north over the Panj',
      handling: { tlp: 'GREEN' },
    };
    expect(accepted(await send('TJ-DCA', 'alert.issue', issue)).streamVersion).toBe(1);
    const withdrawn = accepted(
      await send('TJ-DCA', 'alert.withdraw', { commandId: randomUUID(), alertId, reason: 'route closed' }),
    );
    expect(withdrawn.streamVersion).toBe(2);
    expect((await streamEvents(`alert-${alertId}`)).map((e) => e.type)).toEqual([
      'threat.alert.issued',
      'threat.alert.withdrawn',
    ]);
  });

  it("sets the caller's own policy, and refuses rules that name what the directory does not know", async () => {
    const unknown = refused(
      await send('KZ-BS', 'policy.set', {
        commandId: randomUUID(),
        rules: [{ to: ['XX-NOBODY'], types: ['seizure.*'], fields: ['*'] }],
      }),
    );
    expect(unknown.code).toBe('invalid');
    expect(unknown.fields?.map((f) => f.path)).toContain('rules[0].to[0]');
    expect(await streamEvents('policy-KZ-BS')).toHaveLength(0);

    const rules = [{ to: ['CARICC'], types: ['seizure.*'], fields: ['occurredAt', 'location'] }];
    const first = accepted(await send('KZ-BS', 'policy.set', { commandId: randomUUID(), rules }));
    const second = accepted(await send('KZ-BS', 'policy.set', { commandId: randomUUID(), rules }));
    expect([first.streamVersion, second.streamVersion]).toEqual([1, 2]);
    const events = await streamEvents('policy-KZ-BS');
    expect(events.map((e) => [e.type, e.originator])).toEqual([
      ['policy.set', 'KZ-BS'],
      ['policy.set', 'KZ-BS'],
    ]);
  });
});

describe('the outbox relay of a running ledger', () => {
  it('publishes every recorded event exactly once, in position order, with the headers of SPEC §6', async () => {
    await reportSeizure();
    const head = (await reader.head()).position;
    expect(head).toBeGreaterThan(1);
    await eventually('the relay to publish the whole ledger', async () => {
      return (await eventStreamCount(nats.nc, nats.topology)) >= head;
    });
    expectExactlyOnce(
      await readEventStream(nats.nc, nats.topology),
      (await ledgerRows(db)).filter((row) => row.position <= head),
      nats.topology.subjectRoot,
    );
  });
});
