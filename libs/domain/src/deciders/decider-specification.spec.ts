// Test-only helper (the `.spec.ts` suffix keeps it out of the build; it holds no tests itself):
// given recorded events, when a command, then these events or this refusal. After Emmett's
// `testing/deciderSpecification.ts`.
import { expect } from '@jest/globals';
import { CaravanError, type DomainEvent, type ErrorCode } from '@caravan/contracts';
import type { Decider, EvolvableEvent } from './decider.js';

export interface Refusal {
  readonly code: ErrorCode;
  /** Paths that must appear among the error's fields, when the refusal names fields. */
  readonly fields?: readonly string[];
  /** A fragment the message must contain. */
  readonly message?: string;
}

export function deciderSpecification<S, C, E extends DomainEvent, R extends EvolvableEvent>(
  decider: Decider<S, C, E, R>,
) {
  return {
    given: (events: readonly R[]) => ({
      when: (command: C) => {
        const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
        return {
          then: (expected: readonly E[]) => {
            expect(run()).toEqual(expected);
          },
          thenRefuses: (refusal: Refusal) => {
            let thrown: unknown;
            try {
              run();
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(CaravanError);
            const error = thrown as CaravanError;
            expect(error.code).toBe(refusal.code);
            if (refusal.fields) {
              expect(error.fields?.map((f) => f.path)).toEqual(expect.arrayContaining([...refusal.fields]));
            }
            if (refusal.message) expect(error.message).toContain(refusal.message);
          },
        };
      },
    }),
  };
}
