import { problem, ProblemError } from './problem.js';

/** A 501 problem for an endpoint of SPEC §7 whose engine is not in this build yet (never a fake answer). */
export function notImplemented(what: string): ProblemError {
  return new ProblemError(problem(501, 'not-implemented', `${what} is not available in this build yet`));
}
