import { isolatedTopology, PRODUCTION_TOPOLOGY } from '@caravan/contracts';
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { auditorConfig, gatewayConfig, ledgerConfig, ledgerPublicKeyPem } from './app-configs.js';
import { generateLedgerKeyPem, type ResolvedConfig } from './local-secrets.js';
import { NatsCredentials } from './nats-credentials.js';

const SECRET = 'x'.repeat(32);

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('gives the local defaults of SPEC §11 for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/caravan',
      natsServers: ['nats://127.0.0.1:4222'],
      natsAuth: undefined,
      httpPort: 8080,
      pseudonymSecret: undefined,
      ledgerKey: undefined,
      adminKey: undefined,
      stateDir: '.caravan',
      namespace: undefined,
      topology: PRODUCTION_TOPOLOGY,
    });
  });

  it('reads every variable, treating blank values as unset', () => {
    const pem = generateLedgerKeyPem();
    const config = loadConfig({
      CARAVAN_DATABASE_URL: 'postgresql://hub:pw@db.internal:5433/caravan_prod',
      CARAVAN_NATS_URL: 'nats://n1:4222, nats://n2:4222',
      CARAVAN_HTTP_PORT: '9090',
      CARAVAN_PSEUDONYM_SECRET: SECRET,
      CARAVAN_LEDGER_KEY: pem,
      CARAVAN_ADMIN_KEY: 'cvn_abcdefghijklmnopqrstuvwxyz012345',
      CARAVAN_STATE_DIR: '/var/lib/caravan',
      CARAVAN_NAMESPACE: 'bench1',
      CARAVAN_LEDGER_KEY_FILE: '   ',
      CARAVAN_NATS_USER: 'caravan-hub',
      CARAVAN_NATS_PASSWORD: ' s3cret-hub-password ',
      CARAVAN_NATS_PASSWORD_FILE: '',
    });
    expect(config).toEqual({
      databaseUrl: 'postgresql://hub:pw@db.internal:5433/caravan_prod',
      natsServers: ['nats://n1:4222', 'nats://n2:4222'],
      natsAuth: { kind: 'password', credentials: expect.any(NatsCredentials) },
      httpPort: 9090,
      pseudonymSecret: SECRET,
      ledgerKey: { kind: 'pem', pem },
      adminKey: 'cvn_abcdefghijklmnopqrstuvwxyz012345',
      stateDir: '/var/lib/caravan',
      namespace: 'bench1',
      topology: isolatedTopology('bench1'),
    });
    const login = config.natsAuth?.kind === 'password' ? config.natsAuth.credentials : undefined;
    expect({ user: login?.user, pass: login?.pass }).toEqual({ user: 'caravan-hub', pass: 's3cret-hub-password' });
  });

  it('accepts a PEM written on one line with literal \\n', () => {
    const pem = generateLedgerKeyPem();
    const config = loadConfig({ CARAVAN_LEDGER_KEY: pem.trim().replace(/\n/g, '\\n') });
    expect(config.ledgerKey).toEqual({ kind: 'pem', pem });
  });

  it('takes a key file path as given, to be read at start', () => {
    expect(loadConfig({ CARAVAN_LEDGER_KEY_FILE: '/run/secrets/ledger.pem' }).ledgerKey).toEqual({
      kind: 'file',
      path: '/run/secrets/ledger.pem',
    });
  });

  it.each([
    ['CARAVAN_DATABASE_URL', 'not a url'],
    ['CARAVAN_DATABASE_URL', 'mysql://root@127.0.0.1:3306/caravan'],
    ['CARAVAN_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432'],
    ['CARAVAN_NATS_URL', 'http://127.0.0.1:4222'],
    ['CARAVAN_NATS_URL', 'nats://127.0.0.1:4222,bogus'],
    ['CARAVAN_HTTP_PORT', 'eighty'],
    ['CARAVAN_HTTP_PORT', '70000'],
    ['CARAVAN_HTTP_PORT', '-1'],
    ['CARAVAN_PSEUDONYM_SECRET', 'short'],
    ['CARAVAN_LEDGER_KEY', 'not a key'],
    ['CARAVAN_ADMIN_KEY', 'admin'],
    ['CARAVAN_NAMESPACE', 'has.dots'],
    ['CARAVAN_NATS_URL', 'nats://caravan-hub:hunter2@127.0.0.1:4222'],
    ['CARAVAN_NATS_URL', 'nats://sometoken@127.0.0.1:4222'],
  ])('refuses %s=%j in one line naming the variable', (variable, value) => {
    const error = refusal({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable} `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('refuses a ledger key that is not Ed25519', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = refusal({ CARAVAN_LEDGER_KEY: pem });
    expect(error.variable).toBe('CARAVAN_LEDGER_KEY');
    expect(error.message).toContain('Ed25519');
  });

  it('refuses both CARAVAN_LEDGER_KEY and CARAVAN_LEDGER_KEY_FILE', () => {
    const error = refusal({ CARAVAN_LEDGER_KEY: generateLedgerKeyPem(), CARAVAN_LEDGER_KEY_FILE: '/k.pem' });
    expect(error.message).toMatch(/^CARAVAN_LEDGER_KEY and CARAVAN_LEDGER_KEY_FILE/);
  });

  it('takes a NATS password file path as given, to be read at start', () => {
    expect(
      loadConfig({ CARAVAN_NATS_USER: 'caravan-hub', CARAVAN_NATS_PASSWORD_FILE: '/run/secrets/nats' }).natsAuth,
    ).toEqual({ kind: 'file', user: 'caravan-hub', path: '/run/secrets/nats' });
  });

  it.each([
    [{ CARAVAN_NATS_USER: 'caravan-hub' }, 'CARAVAN_NATS_PASSWORD'],
    [{ CARAVAN_NATS_PASSWORD: 'hunter2-hunter2' }, 'CARAVAN_NATS_USER'],
    [{ CARAVAN_NATS_PASSWORD_FILE: '/run/secrets/nats' }, 'CARAVAN_NATS_USER'],
    [{ CARAVAN_NATS_USER: 'caravan hub', CARAVAN_NATS_PASSWORD: 'hunter2-hunter2' }, 'CARAVAN_NATS_USER'],
    [{ CARAVAN_NATS_USER: 'caravan-hub', CARAVAN_NATS_PASSWORD: 'hunter2\u0007hunter2' }, 'CARAVAN_NATS_PASSWORD'],
    [
      { CARAVAN_NATS_USER: 'caravan-hub', CARAVAN_NATS_PASSWORD: 'hunter2-hunter2', CARAVAN_NATS_PASSWORD_FILE: '/p' },
      'CARAVAN_NATS_PASSWORD',
    ],
  ])('refuses the NATS login %j in one line naming %s, without the password', (env, variable) => {
    const error = refusal(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable} `)).toBe(true);
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain('hunter2');
  });

  it('never shows the NATS password when the configuration is printed or serialised', () => {
    const config = loadConfig({ CARAVAN_NATS_USER: 'caravan-hub', CARAVAN_NATS_PASSWORD: 'hunter2-hunter2' });
    const resolved: ResolvedConfig = {
      ...config,
      ledgerKeyPem: generateLedgerKeyPem(),
      pseudonymSecret: SECRET,
      natsCredentials: config.natsAuth?.kind === 'password' ? config.natsAuth.credentials : undefined,
      generated: [],
    };
    const gateway = gatewayConfig(resolved);
    expect(gateway.natsCredentials?.pass).toBe('hunter2-hunter2');
    for (const shown of [
      JSON.stringify(config),
      JSON.stringify(gateway),
      inspect(resolved, { depth: 10 }),
      inspect(gateway, { depth: 10, showHidden: true }),
      JSON.stringify({ ...gateway.natsCredentials }),
    ]) {
      expect(shown).not.toContain('hunter2');
    }
    expect(JSON.stringify(gateway)).toContain('caravan-hub');
    // The auditor reads only PostgreSQL: it gets no NATS login at all.
    expect(auditorConfig(resolved).natsCredentials).toBeUndefined();
  });

  it('never echoes a database password', () => {
    const error = refusal({ CARAVAN_DATABASE_URL: 'mysql://root:hunter2@db:3306/x' });
    expect(error.message).not.toContain('hunter2');
  });
});

describe('per-app configurations', () => {
  const pem = generateLedgerKeyPem();
  const resolved: ResolvedConfig = {
    ...loadConfig({}),
    ledgerKeyPem: pem,
    pseudonymSecret: SECRET,
    natsCredentials: undefined,
    generated: [],
  };

  it('gives the ledger its private key and the gateway and auditor only the public one', () => {
    expect(ledgerConfig(resolved)).toEqual({
      databaseUrl: resolved.databaseUrl,
      natsServers: resolved.natsServers,
      topology: PRODUCTION_TOPOLOGY,
      ledgerKeyPem: pem,
    });
    const gateway = gatewayConfig(resolved);
    expect(gateway.httpPort).toBe(8080);
    expect(gateway.ledgerPublicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(JSON.stringify(gateway)).not.toContain(pem.split('\n')[1]);
    expect(auditorConfig(resolved).ledgerPublicKeyPem).toBe(ledgerPublicKeyPem(pem));
  });
});
