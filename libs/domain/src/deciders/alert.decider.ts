// Threat alerts (SPEC §3.4–3.5): issued once, updated and withdrawn only by the issuing agency,
// frozen after a withdrawal. The validity window is re-checked on the merged alert, because an
// update that moves only one end can break it.
import {
  CaravanError,
  type AgencyCode,
  type AlertChanges,
  type AlertEvent,
  type FieldError,
  type ThreatAlert,
} from '@caravan/contracts';
import type { CaravanCommand, Decider, EvolvableEvent } from './decider.js';

export type AlertCommand = CaravanCommand<'alert.issue' | 'alert.update' | 'alert.withdraw'>;
export type RecordedAlertEvent = EvolvableEvent<
  'threat.alert.issued' | 'threat.alert.updated' | 'threat.alert.withdrawn'
>;

export type AlertAggregateState =
  | { readonly status: 'empty' }
  | {
      readonly status: 'issued' | 'withdrawn';
      readonly originator: AgencyCode;
      /** The alert with every update applied. */
      readonly current: ThreatAlert;
      readonly withdrawalReason?: string;
    };

/** SPEC §3.4: `validUntil` at most 365 days after `validFrom`. */
export const MAX_ALERT_VALIDITY_MS = 365 * 24 * 60 * 60 * 1000;

export const initialAlertState = (): AlertAggregateState => ({ status: 'empty' });

/** An update replaces the fields it names, whole (arrays and objects included). */
export function applyAlertChanges(alert: ThreatAlert, changes: AlertChanges): ThreatAlert {
  return { ...alert, ...changes, alertId: alert.alertId };
}

export function decideAlert(command: AlertCommand, state: AlertAggregateState): readonly AlertEvent[] {
  switch (command.type) {
    case 'alert.issue': {
      if (state.status !== 'empty') {
        throw new CaravanError('conflict', `alert ${command.data.alertId} has already been issued`);
      }
      const { commandId: _commandId, ...alert } = command.data;
      refuseIfAny(windowErrors(alert, 'validUntil'));
      return [{ type: 'threat.alert.issued', data: alert }];
    }
    case 'alert.update': {
      const { alertId, changes, reason } = command.data;
      const live = requireLive(state, alertId, command.metadata.agency, 'update');
      if (Object.keys(changes).length === 0) {
        throw new CaravanError('invalid', 'an update must change at least one field', [
          { path: 'changes', message: 'names no field to change' },
        ]);
      }
      const merged = applyAlertChanges(live.current, changes);
      // Blame the end the update moved, so the caller sees which of its own fields broke the window.
      const errors = windowErrors(
        merged,
        changes.validUntil !== undefined ? 'changes.validUntil' : 'changes.validFrom',
      );
      if (
        changes.validUntil !== undefined &&
        Date.parse(changes.validUntil) < Date.parse(live.current.validUntil) &&
        Date.parse(changes.validUntil) <= command.metadata.now.getTime()
      ) {
        errors.push({
          path: 'changes.validUntil',
          message: `cannot shorten the alert into the past (now is ${command.metadata.now.toISOString()}); withdraw it instead`,
        });
      }
      refuseIfAny(errors);
      return [{ type: 'threat.alert.updated', data: { alertId, changes, reason } }];
    }
    case 'alert.withdraw': {
      const { alertId, reason } = command.data;
      requireLive(state, alertId, command.metadata.agency, 'withdraw');
      return [{ type: 'threat.alert.withdrawn', data: { alertId, reason } }];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

export function evolveAlert(state: AlertAggregateState, event: RecordedAlertEvent): AlertAggregateState {
  switch (event.type) {
    case 'threat.alert.issued':
      return state.status === 'empty'
        ? { status: 'issued', originator: event.originator, current: event.payload }
        : state;
    case 'threat.alert.updated':
      return state.status === 'issued'
        ? { ...state, current: applyAlertChanges(state.current, event.payload.changes) }
        : state;
    case 'threat.alert.withdrawn':
      return state.status === 'issued'
        ? { ...state, status: 'withdrawn', withdrawalReason: event.payload.reason }
        : state;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/** The alert aggregate as one value, for the ledger's command handling. */
export const alertDecider: Decider<AlertAggregateState, AlertCommand, AlertEvent, RecordedAlertEvent> = {
  decide: decideAlert,
  evolve: evolveAlert,
  initialState: initialAlertState,
};

/** Whether an alert is in force at `at`: issued, not withdrawn, and inside its validity window. */
export function isAlertInForce(state: AlertAggregateState, at: Date): boolean {
  if (state.status !== 'issued') return false;
  const t = at.getTime();
  return Date.parse(state.current.validFrom) <= t && t < Date.parse(state.current.validUntil);
}

function requireLive(
  state: AlertAggregateState,
  alertId: string,
  agency: AgencyCode,
  action: string,
): AlertAggregateState & { readonly status: 'issued' } {
  if (state.status === 'empty') throw new CaravanError('not-found', `alert ${alertId} does not exist`);
  if (state.originator !== agency) {
    throw new CaravanError('forbidden', `only ${state.originator}, which issued alert ${alertId}, may ${action} it`);
  }
  if (state.status === 'withdrawn') {
    throw new CaravanError('conflict', `alert ${alertId} has been withdrawn and cannot change any more`);
  }
  return { ...state, status: 'issued' };
}

function windowErrors(alert: ThreatAlert, path: string): FieldError[] {
  const from = Date.parse(alert.validFrom);
  const until = Date.parse(alert.validUntil);
  if (!(until > from)) return [{ path, message: 'validUntil must be later than validFrom' }];
  if (until - from > MAX_ALERT_VALIDITY_MS) {
    return [{ path, message: 'validUntil must be at most 365 days after validFrom' }];
  }
  return [];
}

function refuseIfAny(errors: readonly FieldError[]): void {
  if (errors.length > 0) throw new CaravanError('invalid', 'the alert is not valid', errors);
}
