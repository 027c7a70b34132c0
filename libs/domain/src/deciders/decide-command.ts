import { type DomainEvent, type EventType } from '@caravan/contracts';
import type { CaravanCommand, EvolvableEvent } from './decider.js';
import { alertDecider, type RecordedAlertEvent } from './alert.decider.js';
import { policyDecider, type RecordedPolicyEvent } from './policy.decider.js';
import { seizureDecider, type RecordedSeizureEvent } from './seizure.decider.js';

const SEIZURE_EVENTS: readonly EventType[] = ['seizure.reported', 'seizure.amended', 'seizure.retracted'];
const ALERT_EVENTS: readonly EventType[] = ['threat.alert.issued', 'threat.alert.updated', 'threat.alert.withdrawn'];

/**
 * Folds a stream's history with its aggregate's evolve and decides one command on the result: the
 * whole pure step of command handling, for any command name. Events of other aggregates are ignored.
 */
export function decideCommand(command: CaravanCommand, history: readonly EvolvableEvent[]): readonly DomainEvent[] {
  switch (command.type) {
    case 'seizure.report':
    case 'seizure.amend':
    case 'seizure.retract': {
      const events = history.filter((e): e is RecordedSeizureEvent => SEIZURE_EVENTS.includes(e.type));
      return seizureDecider.decide(command, events.reduce(seizureDecider.evolve, seizureDecider.initialState()));
    }
    case 'alert.issue':
    case 'alert.update':
    case 'alert.withdraw': {
      const events = history.filter((e): e is RecordedAlertEvent => ALERT_EVENTS.includes(e.type));
      return alertDecider.decide(command, events.reduce(alertDecider.evolve, alertDecider.initialState()));
    }
    case 'policy.set': {
      const events = history.filter((e): e is RecordedPolicyEvent => e.type === 'policy.set');
      return policyDecider.decide(command, events.reduce(policyDecider.evolve, policyDecider.initialState()));
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}
