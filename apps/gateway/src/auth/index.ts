// Authentication and roles for every controller of the gateway (also used by apps/gateway/src/risk
// and apps/gateway/src/audit).
/** The authenticated caller: agency, roles and key id. */
export type { CallerIdentity } from './caller.js';
/** `@Roles(...)` (403 without one of them), `@Public()` (no key), `@Caller()` (the caller). */
export { Roles, Public, Caller } from './auth.decorators.js';
/** The global guard: 401 / 403 / 429. */
export { AuthGuard, assertActsAsOwnAgency } from './auth.guard.js';
/** Token bucket per key. */
export { RateLimiter } from './rate-limiter.js';
/** Token bucket decision. */
export type { RateDecision } from './rate-limiter.js';
