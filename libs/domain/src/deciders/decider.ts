// The shape every aggregate follows (Emmett's Decider): pure decide/evolve over plain data, with the
// caller's agency and the hub's clock passed in as metadata so that tests pin them.
import type { AgencyCode, CommandBodies, CommandName, DomainEvent, EventPayloads, EventType } from '@caravan/contracts';

/** Who sends a command and when the hub received it; never taken from the command body. */
export interface CommandMetadata {
  readonly agency: AgencyCode;
  readonly now: Date;
}

/** A command as a decider receives it: the validated body of `caravan.cmd.<agency>.<name>`. */
export type CaravanCommand<N extends CommandName = CommandName> = {
  [K in N]: { readonly type: K; readonly data: CommandBodies[K]; readonly metadata: CommandMetadata };
}[N];

/** What evolve needs of a recorded event; a ledger `RecordedEvent` fits it as it is. */
export type EvolvableEvent<T extends EventType = EventType> = {
  [K in T]: { readonly type: K; readonly payload: EventPayloads[K]; readonly originator: AgencyCode };
}[T];

/** One aggregate's rules: refuse by throwing `CaravanError`, accept by returning events. */
export interface Decider<State, Command, Event extends DomainEvent, Recorded extends EvolvableEvent> {
  readonly decide: (command: Command, state: State) => readonly Event[];
  readonly evolve: (state: State, event: Recorded) => State;
  readonly initialState: () => State;
}

/** A decided event as evolve will later see it, once the ledger records it for `originator`. */
export function asRecorded<T extends EventType>(event: DomainEvent<T>, originator: AgencyCode): EvolvableEvent<T> {
  return { type: event.type, payload: event.data, originator };
}
