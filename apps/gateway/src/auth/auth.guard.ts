// Every request passes here: the bearer key is looked up by hash (401 if missing, unknown or
// revoked), the route's roles checked (403), then the key's rate limit taken (429 + Retry-After).
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { CaravanError, type Role } from '@caravan/contracts';
import { problem, ProblemError } from '../http/problem.js';
import { looksLikeApiKey } from '../keys/api-key.js';
import { KeyStore } from '../keys/key-store.js';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators.js';
import type { CallerIdentity } from './caller.js';
import { RateLimiter } from './rate-limiter.js';

function unauthorized(detail: string): ProblemError {
  return new ProblemError(problem(401, 'unauthorized', detail), { 'www-authenticate': 'Bearer realm="caravan"' });
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(KeyStore) private readonly keys: KeyStore,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<IncomingMessage & { caller?: CallerIdentity }>();
    const header = req.headers.authorization;
    if (!header) throw unauthorized('an API key is required: Authorization: Bearer cvn_…');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = match?.[1];
    if (!token || !looksLikeApiKey(token)) throw unauthorized('the API key is unknown or revoked');
    const record = await this.keys.authenticate(token);
    if (!record) throw unauthorized('the API key is unknown or revoked');
    const caller: CallerIdentity = { agency: record.agency, roles: record.roles, keyId: record.keyId };
    req.caller = caller;
    const needed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (needed && !needed.some((role) => caller.roles.includes(role))) {
      throw new CaravanError('forbidden', `this call needs the role ${needed.join(' or ')}`);
    }
    const decision = this.limiter.take(caller.keyId);
    if (!decision.allowed) {
      throw new ProblemError(problem(429, 'rate-limited', 'too many requests for this API key'), {
        'retry-after': String(decision.retryAfterSeconds),
      });
    }
    return true;
  }
}

/**
 * SPEC §2: a caller acts only as its own agency. A body field `agency` or `originator` naming
 * another agency is refused with 403 before validation looks at it.
 */
export function assertActsAsOwnAgency(caller: CallerIdentity, body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  for (const field of ['agency', 'originator'] as const) {
    const named = (body as Record<string, unknown>)[field];
    if (named !== undefined && named !== caller.agency) {
      throw new CaravanError('forbidden', `a key of ${caller.agency} cannot act for another agency`);
    }
  }
}
