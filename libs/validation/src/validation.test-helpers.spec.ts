// Shared assertions for the validation unit tests.
import type { CommandName, FieldError } from '@caravan/contracts';
import { validateCommand, type ValidationContext, type ValidationResult } from './validate.js';
import { CONTEXT, type Body } from './validation.fixtures.spec.js';

/** A rule's mutation of a valid body and the single error it must produce. */
export type Case = readonly [rule: string, mutate: (body: Body) => void, path: string, message: string];

export function errorsOf(result: ValidationResult<unknown>): FieldError[] {
  return result.ok ? [] : result.errors;
}

export function commandErrors(name: CommandName, body: unknown, context: ValidationContext = CONTEXT): FieldError[] {
  return errorsOf(validateCommand(name, body, context));
}

/** Applies `mutate` to a fresh baseline and returns the body. */
export function mutated(baseline: () => Body, mutate: (body: Body) => void): Body {
  const body = baseline();
  mutate(body);
  return body;
}

/** A string of `n` code points. */
export const chars = (n: number, c = 'a'): string => c.repeat(n);
