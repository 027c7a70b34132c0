import type { SharingRule } from '@caravan/contracts';
import type { RecordedPolicyEvent } from './policy.decider.js';
import { evolvePolicy, initialPolicyState, policyDecider } from './policy.decider.js';
import { deciderSpecification } from './decider-specification.spec.js';
import { by, COMMAND_ID, ORIGINATOR, OTHER } from './fixtures.spec.js';

const spec = deciderSpecification(policyDecider);
const rules: SharingRule[] = [{ to: ['CARICC'], types: ['seizure.*'], fields: ['*'], drop: ['narrative'] }];
const set = (agency: string, r: readonly SharingRule[] = rules) =>
  ({ type: 'policy.set', data: { commandId: COMMAND_ID, rules: r }, metadata: by(agency) }) as const;
const recorded = (agency: string, r: readonly SharingRule[] = rules): RecordedPolicyEvent => ({
  type: 'policy.set',
  payload: { agency, rules: r },
  originator: agency,
});

describe('policy decider', () => {
  it('records the first policy for the agency of the metadata, without the command id', () => {
    spec
      .given([])
      .when(set(ORIGINATOR))
      .then([{ type: 'policy.set', data: { agency: ORIGINATOR, rules } }]);
  });

  it('replaces an existing policy with a new version', () => {
    spec
      .given([recorded(ORIGINATOR, [])])
      .when(set(ORIGINATOR))
      .then([{ type: 'policy.set', data: { agency: ORIGINATOR, rules } }]);
  });

  it("refuses to write into another agency's policy stream", () => {
    spec
      .given([recorded(OTHER)])
      .when(set(ORIGINATOR))
      .thenRefuses({ code: 'forbidden' });
  });

  it('counts versions from 1 and keeps the latest rules', () => {
    expect(evolvePolicy(initialPolicyState(), recorded(ORIGINATOR))).toEqual({
      status: 'set',
      agency: ORIGINATOR,
      version: 1,
      rules,
    });
    const state = [recorded(ORIGINATOR), recorded(ORIGINATOR, [])].reduce(evolvePolicy, initialPolicyState());
    expect(state).toEqual({ status: 'set', agency: ORIGINATOR, version: 2, rules: [] });
  });
});
