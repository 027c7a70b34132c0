// The one place where anything thrown while handling a request becomes an RFC 9457 response.
// CaravanErrors map through HTTP_STATUS_BY_CODE; Nest's own HttpExceptions (unknown route, wrong
// method) keep their status with a generic detail; anything else is logged and answered 500 with
// no stack trace, SQL or message of its own.
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CaravanError } from '@caravan/contracts';
import { problem, problemForCode, ProblemError, sendProblem, type Problem, type ProblemSlug } from './problem.js';

const SLUG_BY_STATUS: Readonly<Record<number, ProblemSlug>> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  412: 'version-conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  428: 'precondition-required',
  429: 'rate-limited',
  501: 'not-implemented',
  503: 'unavailable',
};

/** Maps an error to its problem document and extra headers. */
export function toProblem(error: unknown): { body: Problem; headers: Record<string, string>; unexpected: boolean } {
  if (error instanceof ProblemError) return { body: error.problem, headers: { ...error.headers }, unexpected: false };
  if (error instanceof CaravanError) {
    return { body: problemForCode(error.code, error.message, error.fields), headers: {}, unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status < 500) {
      const slug = SLUG_BY_STATUS[status] ?? 'invalid';
      const detail = status === 404 ? 'no such resource' : status === 405 ? 'method not allowed' : 'request refused';
      return { body: problem(status, slug, detail), headers: {}, unexpected: false };
    }
  }
  return { body: problem(500, 'internal', 'the request could not be completed'), headers: {}, unexpected: true };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('gateway');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<IncomingMessage & { route?: { path?: unknown } }>();
    const res = http.getResponse<ServerResponse>();
    const { body, headers, unexpected } = toProblem(error);
    if (unexpected) {
      // The log keeps the cause for operators; the response never carries it.
      this.logger.error({
        msg: 'request failed',
        method: req.method,
        route: typeof req.route?.path === 'string' ? req.route.path : undefined,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    }
    sendProblem(res, body, headers);
  }
}
