// An agency's outbound sharing policy (SPEC §3.6, §5) is a stream of `policy.set` events, one per
// version, so every past redaction can be replayed under the policy that governed it. Whether the
// rules name known paths, agencies and groups is checked where the directory is at hand.
import { CaravanError, type AgencyCode, type PolicyEvent, type SharingRule } from '@caravan/contracts';
import type { CaravanCommand, Decider, EvolvableEvent } from './decider.js';

export type PolicyCommand = CaravanCommand<'policy.set'>;
export type RecordedPolicyEvent = EvolvableEvent<'policy.set'>;

export type PolicyAggregateState =
  | { readonly status: 'empty' }
  | {
      readonly status: 'set';
      readonly agency: AgencyCode;
      /** 1 for the first `policy.set`, then one more per change. */
      readonly version: number;
      readonly rules: readonly SharingRule[];
    };

export const initialPolicyState = (): PolicyAggregateState => ({ status: 'empty' });

export function decidePolicy(command: PolicyCommand, state: PolicyAggregateState): readonly PolicyEvent[] {
  switch (command.type) {
    case 'policy.set': {
      const agency = command.metadata.agency;
      // The stream id is derived from the caller's agency, so this only trips on a wiring mistake;
      // it keeps one agency's policy from ever being written into another's stream.
      if (state.status === 'set' && state.agency !== agency) {
        throw new CaravanError('forbidden', `the policy of ${state.agency} can only be set by ${state.agency}`);
      }
      return [{ type: 'policy.set', data: { agency, rules: command.data.rules } }];
    }
    default: {
      const _never: never = command.type;
      return _never;
    }
  }
}

export function evolvePolicy(state: PolicyAggregateState, event: RecordedPolicyEvent): PolicyAggregateState {
  switch (event.type) {
    case 'policy.set':
      return {
        status: 'set',
        agency: event.payload.agency,
        version: state.status === 'set' ? state.version + 1 : 1,
        rules: event.payload.rules,
      };
    default: {
      const _never: never = event.type;
      return _never;
    }
  }
}

/** The policy aggregate as one value, for the ledger's command handling. */
export const policyDecider: Decider<PolicyAggregateState, PolicyCommand, PolicyEvent, RecordedPolicyEvent> = {
  decide: decidePolicy,
  evolve: evolvePolicy,
  initialState: initialPolicyState,
};
