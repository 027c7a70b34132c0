// The real binary, run as a user runs it: help, usage errors (exit 2) and the offline verifier on
// export files this test builds itself with the domain's hashEvent and signCheckpoint.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChainedEvent, RecordedEvent } from '@caravan/contracts';
import { natsServerConfig } from '@caravan/messaging';
import { createTestDatabase, startNatsServer } from '@caravan/testing';
import { GENESIS_HASH, hashEvent, signCheckpoint } from '@caravan/domain';
import { assertBuilt, REPO_ROOT, runCaravan, runNodeScript } from './run-binary.test-support.js';

const COMMANDS = ['up', 'demo', 'publish', 'feed', 'risk', 'policy', 'keys', 'replay', 'verify', 'as-seen'];

let dir: string;
const keys = generateKeyPairSync('ed25519');
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

function event(position: number): RecordedEvent {
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type: 'seizure.reported',
    schemaVersion: 1,
    streamId: `seizure-00000000-0000-4000-9000-${String(position).padStart(12, '0')}`,
    streamVersion: 1,
    position,
    originator: 'TJ-DCA',
    recordedAt: `2026-03-0${position}T10:00:00.000Z`,
    payload: {
      seizureId: `00000000-0000-4000-9000-${String(position).padStart(12, '0')}`,
      occurredAt: '2026-03-01T04:15:00Z',
      location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border' },
      direction: 'import',
      items: [{ category: 'narcotic', substance: 'heroin', quantity: position * 1.5, unit: 'kg' }],
      transportMode: 'road',
      detectionMethod: 'x-ray',
      handling: { tlp: 'GREEN' },
    },
  };
}

/** Five chained events, checkpoints at 2 and 5, then the public key: the SPEC §4 export. */
function exportLines(): string[] {
  let prev = GENESIS_HASH;
  const chained: ChainedEvent[] = [];
  for (let p = 1; p <= 5; p++) {
    const e = event(p);
    prev = hashEvent(prev, e);
    chained.push({ ...e, hash: prev });
  }
  const checkpoint = (p: number) => {
    const hash = chained[p - 1]!.hash;
    return { checkpoint: { position: p, hash, signature: signCheckpoint(privatePem, p, hash) } };
  };
  return [
    ...chained.map((e) => JSON.stringify(e)),
    JSON.stringify(checkpoint(2)),
    JSON.stringify(checkpoint(5)),
    JSON.stringify({ publicKey: { pem: publicPem } }),
  ];
}

async function writeExport(name: string, lines: readonly string[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'caravan-cli-'));
  await writeFile(join(dir, 'ledger.pem'), publicPem);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('caravan --help', () => {
  it('lists every command of SPEC §10, the environment and the exit codes, and exits 0', async () => {
    const run = await runCaravan(['--help']);
    expect(run.code).toBe(0);
    for (const command of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(run.stdout).toContain('CARAVAN_URL');
    expect(run.stdout).toContain('CARAVAN_API_KEY');
    expect(run.stdout).toContain('2 usage error');
  });

  it.each([
    [
      ['publish', '--help'],
      ['seizure', 'alert', 'stdin'],
    ],
    [
      ['feed', '--help'],
      ['--follow', '--types', '--after', 'Last-Event-ID'],
    ],
    [
      ['risk', '--help'],
      ['crossings', 'routes', 'trends', '--country'],
    ],
    [
      ['policy', 'set', '--help'],
      ['--if-match', 'rules'],
    ],
    [
      ['keys', 'create', '--help'],
      ['--agency', '--roles', 'publisher'],
    ],
    [
      ['replay', '--help'],
      ['--from', '--to', '--out', '--resume'],
    ],
    [
      ['verify', '--help'],
      ['--key', 'offline', 'Exit status'],
    ],
    [
      ['as-seen', '--help'],
      ['--recipient', '--event', '--at'],
    ],
    [
      ['up', '--help'],
      ['--demo', 'CARAVAN_DATABASE_URL', 'CARAVAN_NATS_URL', 'CARAVAN_NATS_USER', 'CARAVAN_NATS_PASSWORD_FILE'],
    ],
  ])('%j explains its options and exits 0', async (args, words) => {
    const run = await runCaravan(args);
    expect(run.code).toBe(0);
    for (const word of words) expect(run.stdout).toContain(word);
  });
});

describe('usage errors', () => {
  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['publish', 'seizure'], /missing required argument 'file'/],
    [['publish', 'parcel', 'x.json'], /invalid for argument 'kind'/],
    [['feed', '--after', 'yesterday'], /--after.*whole number/],
    [['keys', 'create', '--agency', 'TJ-DCA'], /required option '--roles/],
    [['keys', 'create', '--agency', 'TJ-DCA', '--roles', 'publisher,emperor'], /unknown role emperor/],
    [['as-seen', '--recipient', 'KZ-BS', '--event', 'e', '--at', 'noon'], /RFC 3339/],
    [['replay', '--from', '10', '--to', '3'], /--to must not be below --from/],
    [['replay', '--resume'], /--resume continues an export: it needs --out FILE/],
    [
      ['replay', '--out', 'x.ndjson', '--resume', '--from', '2'],
      /--resume continues where the file stopped: leave out --from/,
    ],
    [['risk', 'crossings'], /CARAVAN_API_KEY is not set/],
  ])('%j exits 2 with one line on stderr', async (args, message) => {
    const run = await runCaravan(args, { env: { CARAVAN_URL: 'http://127.0.0.1:9' } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('an unreachable gateway is a failed operation (exit 1) named in one line', async () => {
    const run = await runCaravan(['risk', 'crossings'], {
      env: { CARAVAN_URL: 'http://127.0.0.1:9', CARAVAN_API_KEY: 'cvn_aaaaaaaaaaaaaaaaaaaaaaaa' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('cannot reach the gateway at http://127.0.0.1:9');
  });
});

describe('caravan verify (offline)', () => {
  // No database, no NATS, no gateway: deliberately unusable service settings prove none is read.
  const offline = {
    CARAVAN_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    CARAVAN_NATS_URL: 'nats://127.0.0.1:1',
    CARAVAN_URL: 'http://127.0.0.1:9',
  };

  it('verifies a valid export with a key given as a file, and says how much it checked', async () => {
    const file = await writeExport('valid.ndjson', exportLines());
    const run = await runCaravan(['verify', file, '--key', join(dir, 'ledger.pem')], { env: offline });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('verified 5 events (positions 1..5) and 2 checkpoints with the given key\n');
  });

  it("falls back to the export's own key, and says so", async () => {
    const file = await writeExport('valid-own-key.ndjson', exportLines());
    const run = await runCaravan(['verify', file], { env: offline });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^verified 5 events .* and 2 checkpoints with the export's own key/);
  });

  it('names the position whose payload was altered (exit 1)', async () => {
    const lines = exportLines();
    lines[2] = lines[2]!.replace('"quantity":4.5', '"quantity":0.5');
    const file = await writeExport('tampered.ndjson', lines);
    const run = await runCaravan(['verify', file, '--key', join(dir, 'ledger.pem')], { env: offline });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/chain broken at position 3: hash mismatch/);
  });

  it('names a deleted event as the missing position (exit 1)', async () => {
    const lines = exportLines();
    lines.splice(1, 1);
    const run = await runCaravan(['verify', await writeExport('gap.ndjson', lines), '--key', join(dir, 'ledger.pem')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/chain broken at position 2: position 2 is missing/);
  });

  it('refuses a checkpoint whose signature was altered, naming its position (exit 1)', async () => {
    const lines = exportLines();
    const cp = JSON.parse(lines[6]!) as { checkpoint: { signature: string } };
    const sig = Buffer.from(cp.checkpoint.signature, 'base64');
    sig[0] = sig[0]! ^ 0xff;
    cp.checkpoint.signature = sig.toString('base64');
    lines[6] = JSON.stringify(cp);
    const run = await runCaravan([
      'verify',
      await writeExport('badsig.ndjson', lines),
      '--key',
      join(dir, 'ledger.pem'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/chain broken at position 5: line 7: checkpoint 5: signature does not verify/);
  });

  it('refuses checkpoints signed by another key than the one given', async () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await writeFile(join(dir, 'other.pem'), other);
    const file = await writeExport('valid-other.ndjson', exportLines());
    const run = await runCaravan(['verify', file, '--key', join(dir, 'other.pem')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/position 2: line 6: checkpoint 2: signature does not verify with the given ledger key/);
  });

  it('names the line that is not JSON', async () => {
    const lines = exportLines();
    lines[3] = '{"position": 4, truncated';
    const run = await runCaravan(['verify', await writeExport('garbled.ndjson', lines)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/chain broken at position 4: line 4 is not valid JSON/);
  });
});

describe('caravan up with a service it cannot use', () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'caravan-up-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('names the variable of a malformed setting, exit 1', async () => {
    const run = await runCaravan(['up'], { env: { CARAVAN_HTTP_PORT: 'eighty', CARAVAN_STATE_DIR: stateDir } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('caravan: CARAVAN_HTTP_PORT must be a port number 0..65535 (got "eighty")\n');
  });

  it('names CARAVAN_DATABASE_URL when PostgreSQL does not answer, exit 1', async () => {
    const run = await runCaravan(['up'], {
      env: { CARAVAN_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/caravan', CARAVAN_STATE_DIR: stateDir },
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot connect to PostgreSQL at 127\.0\.0\.1:1.*\(set CARAVAN_DATABASE_URL\)/);
  });

  it('names CARAVAN_NATS_URL when NATS does not answer, exit 1', async () => {
    const db = await createTestDatabase('cliup');
    try {
      const run = await runCaravan(['up'], {
        env: { CARAVAN_DATABASE_URL: db.url, CARAVAN_NATS_URL: 'nats://127.0.0.1:1', CARAVAN_STATE_DIR: stateDir },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('caravan: cannot reach NATS at nats://127.0.0.1:1 (set CARAVAN_NATS_URL)\n');
    } finally {
      await db.drop();
    }
  });

  it('names the NATS login variables when a secured NATS refuses the hub, exit 1, never printing the password', async () => {
    const db = await createTestDatabase('cliauth');
    const server = await startNatsServer({
      config: natsServerConfig({
        agencies: [],
        credentials: { hub: randomBytes(18).toString('base64url'), agencies: {} },
      }),
    });
    const hint = '(set CARAVAN_NATS_USER and CARAVAN_NATS_PASSWORD or CARAVAN_NATS_PASSWORD_FILE)';
    try {
      const env = { CARAVAN_DATABASE_URL: db.url, CARAVAN_NATS_URL: server.url, CARAVAN_STATE_DIR: stateDir };
      const wrong = await runCaravan(['up'], {
        env: { ...env, CARAVAN_NATS_USER: 'caravan-hub', CARAVAN_NATS_PASSWORD: 'not-the-hub-password' },
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toBe(
        `caravan: NATS at ${server.url} refused the login of user "caravan-hub": wrong user or password ${hint}\n`,
      );
      expect(wrong.stdout + wrong.stderr).not.toContain('not-the-hub-password');

      // One app alone, as `npm run start:ledger` runs it, with no login at all.
      const none = await runNodeScript(join(REPO_ROOT, 'dist', 'apps', 'ledger', 'src', 'main.js'), [], { env });
      expect(none.code).toBe(1);
      expect(none.stderr).toBe(
        `caravan ledger: NATS at ${server.url} refused a connection without credentials ${hint}\n`,
      );
    } finally {
      await server.dispose();
      await db.drop();
    }
  });
});
