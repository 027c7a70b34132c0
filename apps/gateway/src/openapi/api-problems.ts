// Declares the problem+json answers of an operation in the OpenAPI document.
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_SCHEMA } from './schemas.js';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'invalid request: malformed JSON or field errors in `errors`',
  401: 'missing, unknown or revoked API key',
  403: 'the key lacks the role, or the request names another agency',
  404: 'no such object, or none the caller may see',
  409: 'conflict: idempotency conflict, or the object no longer accepts this command',
  412: 'If-Match is stale',
  413: 'body over 256 KiB',
  415: 'body is not application/json',
  428: 'If-Match is required',
  429: 'rate limit or daily quota exceeded; see Retry-After',
  501: 'not implemented yet',
  503: 'a backing service (ledger, PostgreSQL, NATS) is unavailable',
};

/** One `application/problem+json` response per status. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'error',
        content: { 'application/problem+json': { schema: PROBLEM_SCHEMA } },
      }),
    ),
  );
}
