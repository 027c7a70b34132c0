// RFC 9457 problem details: the one shape of every error the gateway answers.
import type { ServerResponse } from 'node:http';
import { HTTP_STATUS_BY_CODE, type ErrorCode, type FieldError } from '@caravan/contracts';

/** An RFC 9457 problem document as the gateway sends it. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
}

const TYPE_BASE = 'https://caravan.example/problems/';

// Titles by status for statuses that do not come from a CaravanError code.
const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** Problem type slugs for the statuses the gateway answers without a CaravanError code. */
export type ProblemSlug =
  | ErrorCode
  | 'unauthorized'
  | 'malformed-json'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'precondition-required'
  | 'rate-limited'
  | 'quota-exceeded'
  | 'not-implemented'
  | 'method-not-allowed'
  | 'internal';

/** Builds a problem document; `errors` only when there are field errors. */
export function problem(status: number, slug: ProblemSlug, detail: string, errors?: readonly FieldError[]): Problem {
  return {
    type: `${TYPE_BASE}${slug}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** The problem for a CaravanError code. */
export function problemForCode(code: ErrorCode, detail: string, errors?: readonly FieldError[]): Problem {
  return problem(HTTP_STATUS_BY_CODE[code], code, detail, errors);
}

/** Writes a problem on a raw Node response (used before Nest routing, e.g. while reading a body). */
export function sendProblem(res: ServerResponse, body: Problem, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(body.status, {
    ...headers,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
  });
  res.end(json);
}

/** An error raised at the HTTP edge that carries its own problem document and headers. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem.detail);
    this.name = 'ProblemError';
  }
}
