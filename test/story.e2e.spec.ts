// The whole story of SPEC §1, end to end, against the hub started as a user starts it (`caravan up`)
// and driven only through HTTP, NATS (with an agency's own credentials) and the `caravan` binary:
// a hub admin sets up a small directory; agencies set policies; one agency's report reaches the right
// agencies with the right fields by feed, SSE and NATS, and nothing reaches an unmatched agency; the
// regional view moves; an amendment and a retraction propagate; the auditor's export verifies offline
// and as-seen matches the recorded digest.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { durableNames, streamConfigs } from '@caravan/contracts';
import { connectAgency, startSecuredNats, type AgencyClient, type SecuredNats } from './support/agency-nats.js';
import { Api, eventually, readSse } from './support/api.js';
import { assertBuilt, runCaravan } from './support/binary.js';
import { newNamespace, startHub, expectCleanExit, type HubProcess } from './support/hub-process.js';
import {
  AGENCIES,
  crossingCell,
  feedOf,
  heroinKg,
  verifiedPositions,
  seizure,
  setUpStory,
  type Copy,
  type StoryKeys,
} from './support/story.js';

let nats: SecuredNats;
let hub: HubProcess;
let keys: StoryKeys;
let partnerNats: AgencyClient;
let unmatchedNats: AgencyClient;
let dir: string;

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'caravan-e2e-story-'));
  const namespace = newNamespace();
  nats = await startSecuredNats(namespace, Object.values(AGENCIES));
  // The hub logs in as `caravan-hub`, its password in a file (deploy/nats/README.md).
  const passwordFile = join(dir, 'nats-hub-password');
  await writeFile(passwordFile, `${nats.hub.password}\n`, { mode: 0o600 });
  hub = await startHub({
    natsUrl: nats.server.url,
    namespace,
    label: 'story',
    env: { CARAVAN_NATS_USER: nats.hub.user, CARAVAN_NATS_PASSWORD_FILE: passwordFile },
  });
  keys = await setUpStory(hub.url, hub.adminKey);
}, 90_000);

afterAll(async () => {
  await partnerNats?.close();
  await unmatchedNats?.close();
  const exit = await hub?.stop();
  await nats?.dispose();
  await rm(dir, { recursive: true, force: true });
  // `caravan up` closes cleanly on Ctrl-C (issue 8 item 1).
  if (exit) expectCleanExit(hub, exit);
});

const api = (key: string) => new Api(hub.url, key);
const copyOf = async (key: string, eventId: string) =>
  eventually(`the copy of ${eventId}`, async () => (await feedOf(hub.url, key)).find((c) => c.eventId === eventId));

interface Accepted {
  eventId: string;
  position: number;
  streamVersion: number;
}

// Filled in by the first test and used by the later ones: the story runs in order.
const reported: { body: ReturnType<typeof seizure>; accepted: Accepted }[] = [];

describe('a seizure report by one agency', () => {
  let partnerCopy: Copy;

  it('reaches the partner agency by the HTTP feed with the fields its rule allows, documents pseudonymised', async () => {
    // Opened before the report, so the live stream has to carry it.
    const sse = readSse(`${hub.url}/v1/feed/stream`, keys.partner, { count: 1, timeoutMs: 20_000 });
    const body = seizure({ quantity: 10 });
    const accepted = await api(keys.publisher).expect<Accepted>(201, 'POST', '/v1/seizures', body);
    reported.push({ body, accepted });
    expect(accepted.streamVersion).toBe(1);

    partnerCopy = await copyOf(keys.partner, accepted.eventId);
    expect(partnerCopy).toMatchObject({
      type: 'seizure.reported',
      originator: AGENCIES.publisher,
      recipient: AGENCIES.partner,
      position: accepted.position,
      streamId: `seizure-${body.seizureId}`,
    });
    const { narrative: _dropped, commandId: _command, suspects, ...kept } = body;
    const { documentNumber, ...suspect } = suspects[0]!;
    expect(partnerCopy.payload).toEqual({
      ...kept,
      suspects: [{ ...suspect, documentNumber: expect.stringMatching(/^psn_[a-z2-7]{26}$/) }],
    });
    expect(JSON.stringify(partnerCopy.payload)).not.toContain(documentNumber);

    const stream = await sse;
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    expect(stream.events).toHaveLength(1);
    expect(stream.events[0]!.id).toBe(String(accepted.position));
    expect(JSON.parse(stream.events[0]!.data)).toEqual(partnerCopy);
  });

  it('reaches the partner by its NATS durable consumer, with its own credentials, as the same copy', async () => {
    partnerNats = await connectAgency(nats, AGENCIES.partner);
    const messages = await partnerNats.drain(1_500);
    expect(messages.map((m) => m.subject)).toEqual([`${nats.topology.subjectRoot}.share.KZ-BS.seizure.reported`]);
    expect(messages[0]!.headers['Nats-Msg-Id']).toBe(`${partnerCopy.eventId}:KZ-BS`);
    expect(messages[0]!.headers['Caravan-Position']).toBe(String(partnerCopy.position));
    expect(messages[0]!.body).toMatchObject({ eventId: partnerCopy.eventId, payload: partnerCopy.payload });
  });

  it('reaches the regional centre with only the statistical fields of its rule', async () => {
    const { body, accepted } = reported[0]!;
    const copy = await copyOf(keys.centre, accepted.eventId);
    expect(copy.payload).toEqual({
      seizureId: body.seizureId,
      handling: { tlp: 'GREEN' },
      occurredAt: body.occurredAt,
      location: body.location,
      direction: body.direction,
      items: body.items,
      transportMode: body.transportMode,
      detectionMethod: body.detectionMethod,
      route: body.route,
      suspects: [{ nationality: 'AF' }],
    });
  });

  it('reaches no agency that no rule matches: not by feed, SSE, current state or NATS', async () => {
    // Both matched copies exist by now, and one event is distributed to all its recipients at once.
    const { body, accepted } = reported[0]!;
    await copyOf(keys.centre, accepted.eventId);
    expect(await feedOf(hub.url, keys.unmatched)).toEqual([]);
    const sse = await readSse(`${hub.url}/v1/feed/stream`, keys.unmatched, { count: 1, timeoutMs: 1_500 });
    expect({ status: sse.status, events: sse.events }).toEqual({ status: 200, events: [] });
    // Not even its existence: 404 to the unmatched agency, the current state to the partner.
    expect((await api(keys.unmatched).get(`/v1/seizures/${body.seizureId}`)).status).toBe(404);
    expect((await api(keys.partner).get(`/v1/seizures/${body.seizureId}`)).status).toBe(200);
    unmatchedNats = await connectAgency(nats, AGENCIES.unmatched);
    expect(await unmatchedNats.drain(1_000)).toEqual([]);
    // …and an agency's NATS user cannot read another agency's copies.
    await expect(
      connectAgency(nats, AGENCIES.unmatched).then(async (client) => {
        try {
          const other = await jetstream(client.nc).consumers.get(
            streamConfigs(nats.topology).share.name,
            durableNames(nats.topology).agency(AGENCIES.partner),
          );
          return await other.next({ expires: 1_000 });
        } finally {
          await client.close();
        }
      }),
    ).rejects.toThrow(/permission|timeout|503|no responders/i);
  });
});

const cell = () => crossingCell(hub.url, keys.centre);

describe('the regional view', () => {
  it('moves as seizures arrive: a cell of one report stays protected, four reports of two agencies show', async () => {
    // One seizure of one agency: the centre sees the cell only as suppressed (SPEC §8 small cells).
    const first = await eventually('the first seizure in the crossings view', cell);
    expect(first).toMatchObject({ suppressed: true });
    expect(first.seizures).toBeUndefined();

    for (const [key, quantity] of [
      [keys.publisher, 12],
      [keys.second, 11],
      [keys.second, 9],
    ] as const) {
      const body = seizure({ quantity, hour: quantity });
      reported.push({ body, accepted: await api(key).expect<Accepted>(201, 'POST', '/v1/seizures', body) });
    }
    const shown = await eventually('four seizures in the crossings view', async () => {
      const c = await cell();
      return c?.seizures === 4 ? c : undefined;
    });
    expect(shown.suppressed).toBe(false);
    expect(heroinKg(shown)).toBeCloseTo(42);
  });
});

describe('an amendment and a retraction', () => {
  it('propagate to every recipient of the original, and into the regional view', async () => {
    const [first, second] = reported;
    const changes = { items: [{ category: 'narcotic', substance: 'heroin', quantity: 20, unit: 'kg' }] };
    const amended = await api(keys.publisher).expect<Accepted>(
      201,
      'PATCH',
      `/v1/seizures/${first!.body.seizureId}`,
      { commandId: randomUUID(), changes, reason: 'weighed again' },
      { 'if-match': '1' },
    );
    expect(amended.streamVersion).toBe(2);
    // A stale version is refused (SPEC §4).
    const stale = await api(keys.publisher).request(
      'PATCH',
      `/v1/seizures/${first!.body.seizureId}`,
      { commandId: randomUUID(), changes, reason: 'again' },
      { 'if-match': '1' },
    );
    expect(stale.status).toBe(412);

    const retracted = await api(keys.publisher).expect<Accepted>(
      201,
      'DELETE',
      `/v1/seizures/${second!.body.seizureId}`,
      {
        reason: 'duplicate report',
      },
    );

    const partnerAmended = await copyOf(keys.partner, amended.eventId);
    expect(partnerAmended).toMatchObject({ type: 'seizure.amended', streamVersion: 2 });
    expect(partnerAmended.payload).toMatchObject({ seizureId: first!.body.seizureId, changes });
    const centreAmended = await copyOf(keys.centre, amended.eventId);
    expect(centreAmended.type).toBe('seizure.amended');
    const partnerRetracted = await copyOf(keys.partner, retracted.eventId);
    expect(partnerRetracted).toMatchObject({
      type: 'seizure.retracted',
      payload: { seizureId: second!.body.seizureId },
    });
    await copyOf(keys.centre, retracted.eventId);
    expect(await feedOf(hub.url, keys.unmatched)).toEqual([]);

    // 10 → 20 kg amended, 12 kg retracted: 3 seizures, 20 + 11 + 9 kg.
    const after = await eventually('the amended and retracted view', async () => {
      const c = await cell();
      return c?.seizures === 3 && heroinKg(c) === 40 ? c : undefined;
    });
    expect(after.suppressed).toBe(false);

    // After a retraction, further amendments are refused (SPEC §3.3).
    const late = await api(keys.publisher).request(
      'PATCH',
      `/v1/seizures/${second!.body.seizureId}`,
      { commandId: randomUUID(), changes, reason: 'too late' },
      { 'if-match': '2' },
    );
    expect(late.status).toBe(409);
  });
});

describe('the SSE feed', () => {
  it('resumes after Last-Event-ID with every later copy, none twice and none missing', async () => {
    const copies = await feedOf(hub.url, keys.partner);
    // The report, its amendment and the retraction of another: more than one copy to resume into.
    expect(copies.length).toBeGreaterThanOrEqual(3);
    const [first, ...later] = copies;
    const resumed = await readSse(`${hub.url}/v1/feed/stream`, keys.partner, {
      count: later.length,
      timeoutMs: 10_000,
      lastEventId: String(first!.position),
    });
    expect(resumed.events.map((e) => e.id)).toEqual(later.map((c) => String(c.position)));
    expect(resumed.events.map((e) => JSON.parse(e.data) as Copy)).toEqual(later);
  });
});

describe('the auditor', () => {
  it('exports the ledger with `caravan replay --out`, and `caravan verify` checks it offline', async () => {
    const auditorEnv = hub.clientEnv(keys.auditor);
    // The ledger signs a checkpoint at most 10 s after new events (SPEC §4): wait for one covering
    // the whole story, so the export carries a signature to check as well as the chain.
    // Two policies, the reports, one amendment and one retraction.
    const head = 2 + reported.length + 2;
    await eventually(
      'a signed checkpoint covering the story',
      async () => {
        const { items } = await api(keys.auditor).expect<{ items: { position: number }[] }>(
          200,
          'GET',
          '/v1/audit/checkpoints',
        );
        return items.some((c) => c.position >= head) ? true : undefined;
      },
      30_000,
      1_000,
    );
    const exportFile = join(dir, 'export.ndjson');
    const replay = await runCaravan(['replay', '--out', exportFile], { env: auditorEnv });
    expect({ code: replay.code, stderr: replay.stderr }).toMatchObject({ code: 0 });
    const lines = (await readFile(exportFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = lines.filter((l) => typeof l.position === 'number' && typeof l.hash === 'string');
    // Two policies, four reports, an amendment and a retraction, at least.
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['policy.set', 'seizure.reported', 'seizure.amended', 'seizure.retracted']),
    );
    expect(events.map((e) => e.position)).toEqual(events.map((_, i) => i + 1));

    const key = await runCaravan(['keys', 'ledger'], { env: hub.clientEnv() });
    expect(key.code).toBe(0);
    await writeFile(join(dir, 'ledger.pem'), key.stdout);
    // No hub needed: an unreachable URL proves it.
    const offline = { CARAVAN_URL: 'http://127.0.0.1:9' };
    const verified = await runCaravan(['verify', exportFile, '--key', join(dir, 'ledger.pem')], { env: offline });
    expect({ code: verified.code, stderr: verified.stderr }).toEqual({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(new RegExp(`\\b${events.length} events\\b`));
    expect(verified.stdout).toMatch(/\b[1-9]\d* checkpoints?\b/);
    expect(verified.stdout).not.toMatch(/not covered/);

    // The same export with one payload altered names that position.
    const altered = lines.map((l) =>
      l.position === 2
        ? JSON.stringify({ ...l, payload: { ...(l.payload as object), tampered: true } })
        : JSON.stringify(l),
    );
    await writeFile(join(dir, 'altered.ndjson'), `${altered.join('\n')}\n`);
    const broken = await runCaravan(['verify', join(dir, 'altered.ndjson'), '--key', join(dir, 'ledger.pem')], {
      env: offline,
    });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/position 2\b/);
  });

  it('rebuilds with `caravan as-seen` exactly what the partner was shown, matching the recorded digest', async () => {
    const { accepted } = reported[0]!;
    const shown = await copyOf(keys.partner, accepted.eventId);
    const run = await runCaravan(['as-seen', '--recipient', AGENCIES.partner, '--event', accepted.eventId], {
      env: hub.clientEnv(keys.auditor),
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const answer = JSON.parse(run.stdout) as {
      received: boolean;
      copies: { match: boolean; recordedDigest: string; rebuiltDigest: string; copy: unknown }[];
    };
    expect(answer.received).toBe(true);
    // The report and its amendment: exactly the copies the partner's feed holds for that seizure.
    const feedCopies = (await feedOf(hub.url, keys.partner)).filter((c) => c.streamId === shown.streamId);
    expect(feedCopies.map((c) => c.type)).toEqual(['seizure.reported', 'seizure.amended']);
    expect(answer.copies.map((c) => c.copy)).toEqual(feedCopies);
    for (const copy of answer.copies) expect(copy).toMatchObject({ match: true, recordedDigest: copy.rebuiltDigest });

    // The unmatched agency was shown nothing, and as-seen says so rather than inventing a copy.
    const none = await runCaravan(['as-seen', '--recipient', AGENCIES.unmatched, '--event', accepted.eventId], {
      env: hub.clientEnv(keys.auditor),
    });
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toMatchObject({ received: false, copies: [] });
  });

  it('verifies the ledger continuously while the hub runs, up to the newest event', async () => {
    const accepted = await api(keys.publisher).expect<Accepted>(201, 'POST', '/v1/seizures', seizure({ hour: 30 }));
    // The auditor logs its progress at most every 10 s, and re-checks an idle ledger every 30 s.
    await eventually(
      `the hub's auditor reporting position ${accepted.position} verified`,
      async () => (verifiedPositions(hub.output()).some((p) => p >= accepted.position) ? true : undefined),
      40_000,
      500,
    );
    expect(hub.output()).not.toMatch(/ledger chain broken/);
  }, 60_000);
});

describe("the hub's own NATS login", () => {
  it('is the caravan-hub user (the server admits no anonymous client), and its password is never printed', () => {
    // Every stage above ran over NATS, so the hub was let in; the server has no no_auth_user.
    expect(hub.output()).toContain('nats connected');
    expect(hub.output()).not.toContain(nats.hub.password);
  });
});
