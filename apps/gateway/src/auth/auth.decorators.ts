// Route metadata and the caller parameter: controllers declare who may call them, the guard enforces.
import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '@caravan/contracts';
import type { CallerIdentity } from './caller.js';

export const ROLES_KEY = 'caravan:roles';
export const PUBLIC_KEY = 'caravan:public';

/** The caller needs at least one of these roles (403 otherwise). No decorator: any valid key. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** No API key needed (health, metrics, docs, the ledger public key). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** The authenticated caller `{ agency, roles, keyId }`, set by the AuthGuard. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): CallerIdentity => {
  const caller = context.switchToHttp().getRequest<{ caller?: CallerIdentity }>().caller;
  // Only reachable on a @Public() route, which must not ask for a caller.
  if (!caller) throw new Error('@Caller() used on a route without authentication');
  return caller;
});
