// Commands run through runCli against an in-memory process and a scripted gateway: what they send,
// what they print, and the exit code they end with.
import { runCli } from '../run-cli.js';
import { json, memoryIo, scriptedFetch, type SeenRequest } from '../memory-io.test-support.js';
import { hasMismatch } from './as-seen.command.js';
import { nextCursor } from './feed.command.js';

const KEY = { CARAVAN_API_KEY: 'cvn_agency_key_0123456789abcdef' };

describe('publish', () => {
  it('adds a commandId, posts each document of stdin, and prints one line per answer', async () => {
    const { fetch, requests } = scriptedFetch((r) =>
      json(r.body && (r.body as { commandId?: string }).commandId === 'fixed' ? 200 : 201, {
        eventId: 'ev-1',
        position: 17,
        streamVersion: 1,
      }),
    );
    const stdin = [{ seizureId: 's-1' }, { seizureId: 's-2', commandId: 'fixed' }]
      .map((d) => JSON.stringify(d))
      .join('\n');
    const io = memoryIo({ env: KEY, fetch, stdin });
    expect(await runCli(['publish', 'seizure', '-'], io)).toBe(0);
    expect(requests.map((r) => [r.method, r.url.pathname])).toEqual([
      ['POST', '/v1/seizures'],
      ['POST', '/v1/seizures'],
    ]);
    expect((requests[0]!.body as { commandId: string }).commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect((requests[1]!.body as { commandId: string }).commandId).toBe('fixed');
    expect(io.stdout.text).toBe(
      'seizure s-1 recorded as event ev-1 at position 17 (stream version 1)\n' +
        'seizure s-2 recorded as event ev-1 at position 17 (stream version 1), replayed: already recorded\n',
    );
  });

  it('exits 1 with the gateway problem in one line when the payload is refused', async () => {
    const { fetch } = scriptedFetch(() =>
      json(400, {
        title: 'Bad Request',
        detail: 'invalid seizure',
        errors: [{ path: 'items', message: 'is required' }],
      }),
    );
    const io = memoryIo({ env: KEY, fetch, stdin: '{}' });
    expect(await runCli(['publish', 'alert', '-'], io)).toBe(1);
    expect(io.stderr.text).toBe('caravan: 400 Bad Request: invalid seizure: items is required\n');
  });

  it('exits 2 when the input is not JSON', async () => {
    const io = memoryIo({ env: KEY, stdin: 'not json\n' });
    expect(await runCli(['publish', 'seizure', '-'], io)).toBe(2);
    expect(io.stderr.text).toMatch(/^caravan: standard input line 1 is not valid JSON/);
  });
});

describe('feed', () => {
  it('pages from --after with the types filter until the feed is exhausted', async () => {
    const pages: Record<string, unknown> = {
      '5': { events: [{ position: 6 }, { position: 9 }], next: 9 },
      '9': { events: [{ position: 12 }], next: 12 },
      '12': { events: [], next: 12 },
    };
    const { fetch, requests } = scriptedFetch((r) => json(200, pages[r.url.searchParams.get('after')!]));
    const io = memoryIo({ env: KEY, fetch });
    expect(await runCli(['feed', '--after', '5', '--types', 'seizure.*,threat.alert.issued'], io)).toBe(0);
    expect(io.stdout.text).toBe('{"position":6}\n{"position":9}\n{"position":12}\n');
    expect(requests[0]!.url.searchParams.get('types')).toBe('seizure.*,threat.alert.issued');
    expect(requests.map((r) => r.url.searchParams.get('after'))).toEqual(['5', '9', '12']);
  });

  it('--follow resumes after a dropped stream with Last-Event-ID, printing nothing twice', async () => {
    const streams = [
      'id: 1\ndata: {"position":1}\n\nid: 2\ndata: {"position":2}\n\n',
      ': hb\n\nid: 3\ndata: {"position":3}\n\n',
    ];
    const { fetch, requests } = scriptedFetch(
      () => new Response(streams.shift() ?? '', { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    );
    const io = memoryIo({ env: KEY, fetch });
    expect(await runCli(['feed', '--follow', '--limit', '3'], io)).toBe(0);
    expect(io.stdout.text).toBe('{"position":1}\n{"position":2}\n{"position":3}\n');
    expect(requests.map((r: SeenRequest) => r.headers['last-event-id'])).toEqual([undefined, '2']);
    expect(requests[0]!.url.pathname).toBe('/v1/feed/stream');
  });

  it('--follow gives up at once on a refusal', async () => {
    const { fetch } = scriptedFetch(() => json(401, { title: 'Unauthorized', detail: 'unknown API key' }));
    const io = memoryIo({ env: KEY, fetch });
    expect(await runCli(['feed', '--follow'], io)).toBe(1);
    expect(io.stderr.text).toBe('caravan: 401 Unauthorized: unknown API key\n');
  });

  it('reads the next cursor from the page, else from the last item', () => {
    expect(nextCursor({ next: 40 }, [])).toBe(40);
    expect(nextCursor({ next: '41' }, [])).toBe(41);
    expect(nextCursor({}, [{ position: 7 }])).toBe(7);
    expect(nextCursor({}, [])).toBeUndefined();
  });
});

describe('keys, policy, risk, as-seen', () => {
  it('keys create acts with CARAVAN_ADMIN_KEY and prints the key once', async () => {
    const { fetch, requests } = scriptedFetch(() => json(201, { keyId: 'k-1', key: 'cvn_new' }));
    const io = memoryIo({ env: { ...KEY, CARAVAN_ADMIN_KEY: 'cvn_admin' }, fetch });
    expect(await runCli(['keys', 'create', '--agency', 'TJ-DCA', '--roles', 'publisher,recipient'], io)).toBe(0);
    expect(requests[0]!.headers.authorization).toBe('Bearer cvn_admin');
    expect(requests[0]!.body).toEqual({ agency: 'TJ-DCA', roles: ['publisher', 'recipient'] });
    expect(io.stdout.text).toBe('key k-1 for TJ-DCA (publisher,recipient):\ncvn_new\n');
  });

  it('keys ledger needs no key and prints the PEM', async () => {
    const { fetch, requests } = scriptedFetch(() =>
      json(200, { pem: '-----BEGIN PUBLIC KEY-----\nX\n-----END PUBLIC KEY-----\n', hex: 'ab' }),
    );
    const io = memoryIo({ fetch });
    expect(await runCli(['keys', 'ledger'], io)).toBe(0);
    expect(requests[0]!.headers.authorization).toBeUndefined();
    expect(io.stdout.text).toContain('BEGIN PUBLIC KEY');
  });

  it('policy set sends the rules with a commandId and If-Match', async () => {
    const { fetch, requests } = scriptedFetch(() => json(200, { version: 4 }));
    const io = memoryIo({ env: KEY, fetch, stdin: '{"rules":[{"to":["CARICC"],"types":["*"],"fields":["*"]}]}' });
    expect(await runCli(['policy', 'set', 'TJ-DCA', '-', '--if-match', '3'], io)).toBe(0);
    expect(requests[0]!.method).toBe('PUT');
    expect(requests[0]!.url.pathname).toBe('/v1/policies/TJ-DCA');
    expect(requests[0]!.headers['if-match']).toBe('3');
    expect(requests[0]!.body).toMatchObject({ rules: [{ to: ['CARICC'] }] });
    expect(io.stdout.text).toBe('policy of TJ-DCA set: version 4\n');
  });

  it('policy set refuses a file without rules (exit 2)', async () => {
    const io = memoryIo({ env: KEY, stdin: '{"rulez":[]}' });
    expect(await runCli(['policy', 'set', 'TJ-DCA', '-'], io)).toBe(2);
  });

  it('risk passes the filters and prints a table', async () => {
    const { fetch, requests } = scriptedFetch(() =>
      json(200, [{ locationKey: 'TJ-NIZHNY-PANJ', week: '2026-W47', seizures: 4, activeAlerts: 0, totals: [] }]),
    );
    const io = memoryIo({ env: KEY, fetch });
    expect(await runCli(['risk', 'crossings', '--country', 'TJ', '--crossing-point', 'TJ-NIZHNY-PANJ'], io)).toBe(0);
    expect(requests[0]!.url.search).toBe('?country=TJ&crossingPoint=TJ-NIZHNY-PANJ&limit=1000');
    expect(io.stdout.text).toMatch(/^LOCATION.*\nTJ-NIZHNY-PANJ\s+2026-W47\s+4/);
  });

  it('as-seen exits 1 when a rebuilt copy does not match its digest', async () => {
    const { fetch } = scriptedFetch(() => json(200, { copies: [{ matches: true }, { matches: false }] }));
    const io = memoryIo({ env: KEY, fetch });
    expect(await runCli(['as-seen', '--recipient', 'KZ-BS', '--event', 'e-1'], io)).toBe(1);
    expect(io.stderr.text).toBe('caravan: a rebuilt copy does not match its recorded disclosure digest\n');
    expect(hasMismatch({ copies: [{ matches: true }] })).toBe(false);
  });
});

describe('exit codes', () => {
  it('help and version exit 0; no command at all is a usage error', async () => {
    expect(await runCli(['--version'], memoryIo())).toBe(0);
    expect(await runCli(['help', 'feed'], memoryIo())).toBe(0);
    expect(await runCli([], memoryIo())).toBe(2);
  });

  it('a malformed CARAVAN_URL is a usage error naming the variable', async () => {
    const io = memoryIo({ env: { ...KEY, CARAVAN_URL: 'ftp://x' } });
    expect(await runCli(['risk', 'trends'], io)).toBe(2);
    expect(io.stderr.text).toMatch(/^caravan: CARAVAN_URL must be an http\(s\) URL/);
  });
});
