import { ConfigError } from '@caravan/config';
import { faultTuningFromEnv, LEDGER_DEFAULTS, tuningOf } from './ledger.config.js';

const connections = { databaseUrl: 'postgres://x@h/db', natsServers: ['nats://h:4222'], ledgerKeyPem: '' };
const topology = { subjectRoot: 'caravan', namePrefix: '' };

describe('ledger tuning', () => {
  it('injects no fault unless CARAVAN_FAULT_RELAY_KILL_AFTER is set', () => {
    expect(faultTuningFromEnv({})).toEqual({});
    expect(faultTuningFromEnv({ CARAVAN_FAULT_RELAY_KILL_AFTER: ' ' })).toEqual({});
    expect(tuningOf({ ...connections, topology }).relayKillAfter).toBeUndefined();
  });

  it('reads the kill-after fault as a positive integer', () => {
    expect(faultTuningFromEnv({ CARAVAN_FAULT_RELAY_KILL_AFTER: '10' })).toEqual({ relayKillAfter: 10 });
  });

  it.each(['0', '-1', 'ten', '1.5'])('refuses %p, naming the variable', (value) => {
    expect(() => faultTuningFromEnv({ CARAVAN_FAULT_RELAY_KILL_AFTER: value })).toThrow(ConfigError);
    expect(() => faultTuningFromEnv({ CARAVAN_FAULT_RELAY_KILL_AFTER: value })).toThrow(
      /^CARAVAN_FAULT_RELAY_KILL_AFTER /,
    );
  });

  it('overrides only the knobs a config sets', () => {
    const tuning = tuningOf({ ...connections, topology, tuning: { relayPollMs: 100 } });
    expect(tuning).toEqual({ ...LEDGER_DEFAULTS, relayPollMs: 100 });
  });
});
