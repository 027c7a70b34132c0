import type { DemoStep } from './demo-scenario.js';
import { aggregateOf, demoRoles, requestFor } from './demo-steps.js';

const amend: DemoStep = {
  command: 'seizure.amend',
  agency: 'TJ-DCA',
  body: { commandId: 'c', seizureId: 's-1', expectedVersion: 1, changes: { narrative: 'x' }, reason: 'lab' },
};

describe('demo steps over HTTP', () => {
  it('amends by PATCH with the version in If-Match and the id in the path only', () => {
    expect(requestFor(amend)).toEqual({
      method: 'PATCH',
      path: '/v1/seizures/s-1',
      body: { commandId: 'c', changes: { narrative: 'x' }, reason: 'lab' },
      headers: { 'if-match': '1' },
    });
  });

  it('retracts and withdraws by DELETE with only the reason', () => {
    const retract: DemoStep = {
      command: 'seizure.retract',
      agency: 'A',
      body: { commandId: 'c', seizureId: 's-1', reason: 'dup' },
    };
    expect(requestFor(retract)).toEqual({
      method: 'DELETE',
      path: '/v1/seizures/s-1',
      body: { reason: 'dup' },
      headers: {},
    });
    const withdraw: DemoStep = {
      command: 'alert.withdraw',
      agency: 'A',
      body: { commandId: 'c', alertId: 'a-1', reason: 'done' },
    };
    expect(requestFor(withdraw)).toMatchObject({ method: 'DELETE', path: '/v1/alerts/a-1', body: { reason: 'done' } });
  });

  it('orders steps by aggregate', () => {
    expect(aggregateOf(amend)).toBe('seizure-s-1');
  });

  it('gives the regional centre analyst keys and national agencies publisher keys', () => {
    expect(demoRoles({ code: 'CARICC', kind: 'regional-centre' })).toContain('analyst');
    expect(demoRoles({ code: 'TJ-DCA', kind: 'drug-control' })).toEqual(['publisher', 'recipient', 'admin']);
  });
});
