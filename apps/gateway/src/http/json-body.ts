// Reads request bodies before Nest routes them. Written by hand rather than with body-parser so that
// every refusal is a problem document from the start: over 256 KiB → 413 (checked against
// Content-Length before reading, and again while reading), a body that is not JSON → 415, bytes
// that are not UTF-8 or text that is not JSON → 400. Deeply nested documents are refused here too,
// so validation never walks a hostile structure.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problem, sendProblem, type Problem } from './problem.js';

/** SPEC §7: the largest request body the hub reads. */
export const MAX_BODY_BYTES = 256 * 1024;
/** No Caravan payload nests deeper than a handful of levels; 32 leaves room and stops abuse. */
export const MAX_JSON_DEPTH = 32;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

type Next = (error?: unknown) => void;
type BodyRequest = IncomingMessage & { body?: unknown };

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** `application/json` or `application/<x>+json`, with no charset or a UTF-8 one. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [mediaType, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType ?? '')) return false;
  return params.every((param) => !param.startsWith('charset=') || /^charset="?utf-8"?$/.test(param));
}

function depthExceeds(value: unknown, max: number): boolean {
  // Iterative, so a hostile document cannot overflow the stack here either.
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

function refuse(req: IncomingMessage, res: ServerResponse, body: Problem): void {
  // The rest of the upload is discarded, and the connection closed so it cannot be reused mid-body.
  req.resume();
  sendProblem(res, body, { connection: 'close' });
}

/** Express-compatible middleware that sets `req.body` to the parsed JSON (or leaves it undefined). */
export function jsonBody(req: BodyRequest, res: ServerResponse, next: Next): void {
  if (!BODY_METHODS.has(req.method ?? '') || !hasBody(req)) {
    req.body = undefined;
    next();
    return;
  }
  if (!isJsonContentType(req.headers['content-type'])) {
    refuse(req, res, problem(415, 'unsupported-media-type', 'request bodies must be application/json in UTF-8'));
    return;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    refuse(req, res, problem(413, 'payload-too-large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  const onData = (chunk: Buffer): void => {
    if (done) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      done = true;
      chunks.length = 0;
      refuse(req, res, problem(413, 'payload-too-large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`));
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    if (done) return;
    done = true;
    let text: string;
    try {
      text = utf8.decode(Buffer.concat(chunks, size));
    } catch {
      sendProblem(res, problem(400, 'malformed-json', 'the request body is not valid UTF-8'));
      return;
    }
    if (text.trim() === '') {
      req.body = undefined;
      next();
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      sendProblem(res, problem(400, 'malformed-json', 'the request body is not valid JSON'));
      return;
    }
    if (depthExceeds(parsed, MAX_JSON_DEPTH)) {
      sendProblem(res, problem(400, 'malformed-json', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`));
      return;
    }
    req.body = parsed;
    next();
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', () => {
    done = true;
    res.destroy();
  });
}
