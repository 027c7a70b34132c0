// An in-memory CliIo and a scripted fetch, so commands run in unit tests without a network or files.
import { Readable } from 'node:stream';
import type { CliIo, TextSink } from './cli-io.js';

/** A sink that keeps what was written. */
export class MemorySink implements TextSink {
  text = '';
  constructor(readonly isTTY = false) {}
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

/** One request as the fake fetch saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export type Responder = (request: SeenRequest) => Response | Promise<Response>;

/** A fetch that answers from `respond` and records every request. */
export function scriptedFetch(respond: Responder): { fetch: typeof fetch; requests: SeenRequest[] } {
  const requests: SeenRequest[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>));
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const request = {
      method: init?.method ?? 'GET',
      url: new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url),
      headers,
      body: text === undefined ? undefined : JSON.parse(text),
    };
    requests.push(request);
    return respond(request);
  };
  return { fetch: fake, requests };
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

export interface MemoryIo extends CliIo {
  readonly stdout: MemorySink;
  readonly stderr: MemorySink;
}

export function memoryIo(
  options: { env?: Record<string, string>; fetch?: typeof fetch; stdin?: string } = {},
): MemoryIo {
  return {
    stdout: new MemorySink(),
    stderr: new MemorySink(),
    stdin: Readable.from([options.stdin ?? '']),
    env: { CARAVAN_URL: 'http://gateway.test', ...options.env },
    cwd: '/nonexistent-cwd',
    fetch:
      options.fetch ??
      (() => {
        throw new Error('no network in this test');
      }),
  };
}
