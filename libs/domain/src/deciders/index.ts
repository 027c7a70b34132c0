// Deciders: the state rules of seizures, alerts and sharing policies (SPEC §3), as pure decide/evolve.
/** Caller and clock of a command, a command as deciders take it, and the Decider shape. */
export type { CommandMetadata, CaravanCommand, EvolvableEvent, Decider } from './decider.js';
/** A decided event in the shape evolve reads, as the ledger will record it for its originator. */
export { asRecorded } from './decider.js';
/** Seizure command, recorded-event and state types. */
export type { SeizureCommand, RecordedSeizureEvent, SeizureAggregateState } from './seizure.decider.js';
/** Seizure aggregate: report once, amend/retract by the originator only, frozen after retraction. */
export {
  seizureDecider,
  decideSeizure,
  evolveSeizure,
  initialSeizureState,
  applySeizureChanges,
} from './seizure.decider.js';
/** Alert command, recorded-event and state types. */
export type { AlertCommand, RecordedAlertEvent, AlertAggregateState } from './alert.decider.js';
/** Alert aggregate: issue once, update/withdraw by the originator only, window re-checked on update. */
export {
  alertDecider,
  decideAlert,
  evolveAlert,
  initialAlertState,
  applyAlertChanges,
  isAlertInForce,
  MAX_ALERT_VALIDITY_MS,
} from './alert.decider.js';
/** Policy command, recorded-event and state types. */
export type { PolicyCommand, RecordedPolicyEvent, PolicyAggregateState } from './policy.decider.js';
/** Policy aggregate: `policy.set` for the caller's own agency, versioned 1, 2, 3 … */
export { policyDecider, decidePolicy, evolvePolicy, initialPolicyState } from './policy.decider.js';
/** Folds a stream's history and decides any command on it. */
export { decideCommand } from './decide-command.js';
/** The stream a command writes to. */
export { streamIdForCommand } from './stream-id.js';
/** Current seizure/alert views folded from recorded events, typed or loose. */
export type { SeizureView, AlertView, CurrentPayload } from './current-state.js';
/** Current payload folds for readers: full recorded events or redacted shared copies. */
export { currentSeizure, currentAlert, currentPayload } from './current-state.js';
