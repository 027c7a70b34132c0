// Seizures (SPEC §3.1–3.3): reported once, amended and retracted only by the reporting agency,
// frozen after a retraction. Field-level rules are checked at the edge (libs/validation).
import {
  CaravanError,
  type AgencyCode,
  type SeizureChanges,
  type SeizureEvent,
  type SeizureReport,
} from '@caravan/contracts';
import type { CaravanCommand, Decider, EvolvableEvent } from './decider.js';

export type SeizureCommand = CaravanCommand<'seizure.report' | 'seizure.amend' | 'seizure.retract'>;
export type RecordedSeizureEvent = EvolvableEvent<'seizure.reported' | 'seizure.amended' | 'seizure.retracted'>;

export type SeizureAggregateState =
  | { readonly status: 'empty' }
  | {
      readonly status: 'reported' | 'retracted';
      readonly originator: AgencyCode;
      /** The report with every amendment applied. */
      readonly current: SeizureReport;
      readonly retractionReason?: string;
    };

export const initialSeizureState = (): SeizureAggregateState => ({ status: 'empty' });

/** An amendment replaces the fields it names, whole (arrays and objects included). */
export function applySeizureChanges(report: SeizureReport, changes: SeizureChanges): SeizureReport {
  return { ...report, ...changes, seizureId: report.seizureId };
}

export function decideSeizure(command: SeizureCommand, state: SeizureAggregateState): readonly SeizureEvent[] {
  switch (command.type) {
    case 'seizure.report': {
      if (state.status !== 'empty') {
        throw new CaravanError('conflict', `seizure ${command.data.seizureId} has already been reported`);
      }
      const { commandId: _commandId, ...report } = command.data;
      checkSeizure(report, '');
      return [{ type: 'seizure.reported', data: report }];
    }
    case 'seizure.amend': {
      const { seizureId, changes, reason } = command.data;
      const live = requireLive(state, seizureId, command.metadata.agency, 'amend');
      if (Object.keys(changes).length === 0) {
        throw new CaravanError('invalid', 'an amendment must change at least one field', [
          { path: 'changes', message: 'names no field to change' },
        ]);
      }
      checkSeizure(applySeizureChanges(live.current, changes), 'changes.');
      return [{ type: 'seizure.amended', data: { seizureId, changes, reason } }];
    }
    case 'seizure.retract': {
      const { seizureId, reason } = command.data;
      requireLive(state, seizureId, command.metadata.agency, 'retract');
      return [{ type: 'seizure.retracted', data: { seizureId, reason } }];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

export function evolveSeizure(state: SeizureAggregateState, event: RecordedSeizureEvent): SeizureAggregateState {
  switch (event.type) {
    case 'seizure.reported':
      return state.status === 'empty'
        ? { status: 'reported', originator: event.originator, current: event.payload }
        : state;
    case 'seizure.amended':
      return state.status === 'reported'
        ? { ...state, current: applySeizureChanges(state.current, event.payload.changes) }
        : state;
    case 'seizure.retracted':
      return state.status === 'reported'
        ? { ...state, status: 'retracted', retractionReason: event.payload.reason }
        : state;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/** The seizure aggregate as one value, for the ledger's command handling. */
export const seizureDecider: Decider<SeizureAggregateState, SeizureCommand, SeizureEvent, RecordedSeizureEvent> = {
  decide: decideSeizure,
  evolve: evolveSeizure,
  initialState: initialSeizureState,
};

// Refusal order: an unknown id first, then a caller that is not the originator (so it learns nothing
// about the state), then the retraction that freezes the seizure.
function requireLive(
  state: SeizureAggregateState,
  seizureId: string,
  agency: AgencyCode,
  action: string,
): SeizureAggregateState & { readonly status: 'reported' } {
  if (state.status === 'empty') throw new CaravanError('not-found', `seizure ${seizureId} does not exist`);
  if (state.originator !== agency) {
    throw new CaravanError(
      'forbidden',
      `only ${state.originator}, which reported seizure ${seizureId}, may ${action} it`,
    );
  }
  if (state.status === 'retracted') {
    throw new CaravanError('conflict', `seizure ${seizureId} has been retracted and cannot change any more`);
  }
  return { ...state, status: 'reported' };
}

// Rules that span fields, checked on the whole seizure so that an amendment cannot break them
// by changing only one side.
function checkSeizure(report: SeizureReport, prefix: string): void {
  const { country, crossingPoint } = report.location;
  if (crossingPoint !== undefined && !crossingPoint.startsWith(`${country}-`)) {
    throw new CaravanError('invalid', 'the crossing point is not in the country of the location', [
      { path: `${prefix}location.crossingPoint`, message: `${crossingPoint} is not a crossing point of ${country}` },
    ]);
  }
}
