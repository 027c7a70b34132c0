// File-system test (no PostgreSQL or NATS needed): a temporary state directory.
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { ensureLocalSecrets, generateLedgerKeyPem, LEDGER_KEY_FILE, PSEUDONYM_SECRET_FILE } from './local-secrets.js';

describe('ensureLocalSecrets', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'caravan-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates an Ed25519 key and a secret on first start, then reuses them', async () => {
    const stateDir = join(dir, 'state');
    const config = loadConfig({ CARAVAN_STATE_DIR: stateDir });

    const first = await ensureLocalSecrets(config);
    expect(first.generated).toEqual([join(stateDir, LEDGER_KEY_FILE), join(stateDir, PSEUDONYM_SECRET_FILE)]);
    expect(createPrivateKey(first.ledgerKeyPem).asymmetricKeyType).toBe('ed25519');
    expect(first.ledgerKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(first.pseudonymSecret.length).toBeGreaterThanOrEqual(32);
    expect(await readFile(join(stateDir, LEDGER_KEY_FILE), 'utf8')).toBe(first.ledgerKeyPem);
    expect((await stat(join(stateDir, PSEUDONYM_SECRET_FILE))).mode & 0o077).toBe(0);

    const second = await ensureLocalSecrets(config);
    expect(second.generated).toEqual([]);
    expect(second.ledgerKeyPem).toBe(first.ledgerKeyPem);
    expect(second.pseudonymSecret).toBe(first.pseudonymSecret);
  });

  it('gives every one of several simultaneous starts the same secrets', async () => {
    const config = loadConfig({ CARAVAN_STATE_DIR: dir });
    const results = await Promise.all(Array.from({ length: 6 }, () => ensureLocalSecrets(config)));
    expect(new Set(results.map((r) => r.ledgerKeyPem)).size).toBe(1);
    expect(new Set(results.map((r) => r.pseudonymSecret)).size).toBe(1);
    expect(results.flatMap((r) => r.generated)).toHaveLength(2);
  });

  it('uses configured secrets and writes nothing', async () => {
    const pem = generateLedgerKeyPem();
    const secret = 's'.repeat(40);
    const resolved = await ensureLocalSecrets(
      loadConfig({ CARAVAN_STATE_DIR: join(dir, 'unused'), CARAVAN_LEDGER_KEY: pem, CARAVAN_PSEUDONYM_SECRET: secret }),
    );
    expect(resolved).toMatchObject({ ledgerKeyPem: pem, pseudonymSecret: secret, generated: [] });
    await expect(stat(join(dir, 'unused'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads CARAVAN_LEDGER_KEY_FILE, and names it when it is missing or not a key', async () => {
    const file = join(dir, 'ledger.pem');
    const pem = generateLedgerKeyPem();
    await writeFile(file, pem);
    const config = (path: string) =>
      loadConfig({ CARAVAN_STATE_DIR: dir, CARAVAN_LEDGER_KEY_FILE: path, CARAVAN_PSEUDONYM_SECRET: 'p'.repeat(32) });
    expect((await ensureLocalSecrets(config(file))).ledgerKeyPem).toBe(pem);

    await expect(ensureLocalSecrets(config(join(dir, 'missing.pem')))).rejects.toMatchObject({
      name: 'ConfigError',
      variable: 'CARAVAN_LEDGER_KEY_FILE',
    });
    await writeFile(file, 'garbage');
    const error: unknown = await ensureLocalSecrets(config(file)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^CARAVAN_LEDGER_KEY_FILE /);
  });

  it('reads CARAVAN_NATS_PASSWORD_FILE, and names it when it is missing or empty', async () => {
    const file = join(dir, 'nats-password');
    await writeFile(file, 'hub-password-from-a-file\n', { mode: 0o600 });
    const config = (path: string) =>
      loadConfig({
        CARAVAN_STATE_DIR: dir,
        CARAVAN_LEDGER_KEY: generateLedgerKeyPem(),
        CARAVAN_PSEUDONYM_SECRET: 'p'.repeat(32),
        CARAVAN_NATS_USER: 'caravan-hub',
        CARAVAN_NATS_PASSWORD_FILE: path,
      });
    const resolved = await ensureLocalSecrets(config(file));
    expect({ user: resolved.natsCredentials?.user, pass: resolved.natsCredentials?.pass }).toEqual({
      user: 'caravan-hub',
      pass: 'hub-password-from-a-file',
    });
    expect(JSON.stringify(resolved)).not.toContain('hub-password-from-a-file');

    await expect(ensureLocalSecrets(config(join(dir, 'missing')))).rejects.toMatchObject({
      name: 'ConfigError',
      variable: 'CARAVAN_NATS_PASSWORD_FILE',
    });
    await writeFile(file, '\n');
    await expect(ensureLocalSecrets(config(file))).rejects.toMatchObject({
      name: 'ConfigError',
      message: 'CARAVAN_NATS_PASSWORD_FILE is empty',
    });
  });
});
