import { eventsBeforeKill, faultsFromEnv } from './fault-hook.js';
import { AgencyPolicies } from './policy-history.js';

describe('AgencyPolicies', () => {
  const rules = (n: number) => [{ to: ['*'], types: ['seizure.*'], fields: [`f${n}`] }];
  const policies = new AgencyPolicies([
    { version: 1, position: 10, rules: rules(1) },
    { version: 2, position: 20, rules: rules(2) },
  ]);

  it('gives the version in force at a position: the latest recorded at or before it', () => {
    expect(policies.at(9)).toBeUndefined();
    expect(policies.at(10)?.version).toBe(1);
    expect(policies.at(19)?.version).toBe(1);
    expect(policies.at(20)).toEqual({ version: 2, rules: rules(2) });
    expect(policies.at(1_000)?.version).toBe(2);
  });

  it('finds the rules of an earlier version for follow-ups', () => {
    expect(policies.rulesOf(1)).toEqual(rules(1));
    expect(policies.rulesOf(3)).toBeUndefined();
  });
});

describe('test-only faults', () => {
  it('are off unless the variables are set', () => {
    expect(faultsFromEnv({})).toEqual({});
    expect(eventsBeforeKill({}, 1_000_000)).toBe(Infinity);
  });

  it('read the kill point and count down to it', () => {
    const faults = faultsFromEnv({
      CARAVAN_FAULT_DISTRIBUTOR_KILL_AFTER: '25',
      CARAVAN_FAULT_DISTRIBUTOR_ACK_WAIT_MS: '2000',
    });
    expect(faults).toEqual({ killAfterEvents: 25, ackWaitMs: 2000 });
    expect(eventsBeforeKill(faults, 10)).toBe(15);
    expect(eventsBeforeKill(faults, 25)).toBe(0);
  });

  it('refuse a malformed value rather than ignore it', () => {
    expect(() => faultsFromEnv({ CARAVAN_FAULT_DISTRIBUTOR_KILL_AFTER: 'soon' })).toThrow(
      'CARAVAN_FAULT_DISTRIBUTOR_KILL_AFTER',
    );
    expect(() => faultsFromEnv({ CARAVAN_FAULT_DISTRIBUTOR_ACK_WAIT_MS: '0' })).toThrow(
      'CARAVAN_FAULT_DISTRIBUTOR_ACK_WAIT_MS',
    );
  });
});
