// HTTP details shared by the seizure and alert controllers: If-Match, path ids, and the 201/200 answer.
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { CaravanError, type CommandAccepted } from '@caravan/contracts';
import { problem, ProblemError } from '../http/problem.js';
import { isUuid } from '../http/validation.js';

/** The answer body of an accepted command. */
export interface AcceptedBody {
  readonly eventId: string;
  readonly position: number;
  readonly streamVersion: number;
}

/** 201 for a new event, 200 for a replayed commandId (SPEC §7); ETag carries the stream version. */
export function answerAccepted(res: ServerResponse, accepted: CommandAccepted): AcceptedBody {
  res.statusCode = accepted.replayed ? 200 : 201;
  res.setHeader('etag', `"${accepted.streamVersion}"`);
  return { eventId: accepted.eventId, position: accepted.position, streamVersion: accepted.streamVersion };
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3. */
export function parseIfMatch(header: string | undefined, required: boolean): number | undefined {
  if (header === undefined || header.trim() === '') {
    if (!required) return undefined;
    throw new ProblemError(
      problem(428, 'precondition-required', 'If-Match: <streamVersion> is required to change this object'),
    );
  }
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  const version = match ? Number(match[1]) : NaN;
  if (!(version >= 1)) {
    throw new CaravanError('invalid', 'If-Match must be the stream version the change is based on', [
      { path: 'If-Match', message: 'must be a stream version such as "3"' },
    ]);
  }
  return version;
}

/** A path id that is not a UUID names nothing: 404, exactly as for an unknown one. */
export function requireUuid(id: string, what: string): void {
  if (!isUuid(id)) throw new CaravanError('not-found', `no such ${what}`);
}

/**
 * The command body for a change to an existing object: the HTTP body with the id from the path and
 * the version from If-Match. The body may repeat them only with the same value.
 */
export function bodyForTarget(
  body: unknown,
  target: Record<string, string | number | undefined>,
  options: { defaultCommandId?: boolean } = {},
): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    // An empty DELETE still names its reason in the body; validation reports what is missing.
    if (body !== undefined) return body;
    body = {};
  }
  const merged: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const errors: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(target)) {
    if (value === undefined) continue;
    if (key in merged && merged[key] !== value) {
      errors.push({
        path: key,
        message: key === 'expectedVersion' ? 'must be given as If-Match' : 'must match the path',
      });
    }
    merged[key] = value;
  }
  if (errors.length > 0) throw new CaravanError('invalid', 'the request is invalid; see errors', errors);
  if (options.defaultCommandId && merged['commandId'] === undefined) merged['commandId'] = randomUUID();
  return merged;
}
