// The CLI's only way to the hub: the gateway's HTTP API (SPEC §7). Small on purpose: JSON in and
// out, problem+json turned into one-line errors, streams handed back as byte iterables.
import { CliError } from '../cli-error.js';
import { renderProblem } from './problem.js';

/** Where the gateway is when CARAVAN_URL is not set. */
export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';

/** A non-2xx answer from the gateway. */
export class GatewayError extends CliError {
  constructor(
    readonly status: number,
    readonly body: unknown,
    statusText = '',
  ) {
    super(renderProblem(status, body, statusText));
    this.name = 'GatewayError';
  }
}

export type Query = Readonly<Record<string, string | number | undefined>>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** A JSON answer with its status and headers (201 vs 200 matters for replayed commands). */
export interface JsonResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface GatewayClientOptions {
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly fetch?: typeof fetch;
}

export class GatewayClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(options: GatewayClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  /** The same gateway under another agency's key. */
  withKey(apiKey: string): GatewayClient {
    return new GatewayClient({ baseUrl: this.baseUrl, apiKey, fetch: this.fetchFn });
  }

  url(path: string, query?: Query): string {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  async get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.json<T>('GET', path, options)).body;
  }

  async post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return (await this.json<T>('POST', path, { ...options, body })).body;
  }

  async put<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return (await this.json<T>('PUT', path, { ...options, body })).body;
  }

  async patch<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return (await this.json<T>('PATCH', path, { ...options, body })).body;
  }

  async delete<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return (await this.json<T>('DELETE', path, { ...options, body })).body;
  }

  /** One request whose answer is JSON (or empty); throws GatewayError on a non-2xx status. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<JsonResponse<T>> {
    const response = await this.send(method, path, options, 'application/json');
    const text = await response.text();
    const body = text ? parseJson(text) : undefined;
    if (!response.ok) throw new GatewayError(response.status, body ?? text, response.statusText);
    return { status: response.status, headers: response.headers, body: body as T };
  }

  /** A request whose answer is a stream (NDJSON, SSE); the caller reads `response.body`. */
  async stream(path: string, options: RequestOptions & { readonly accept: string }): Promise<Response> {
    const response = await this.send('GET', path, options, options.accept);
    if (!response.ok) {
      const text = await response.text();
      throw new GatewayError(response.status, text ? parseJson(text) : text, response.statusText);
    }
    return response;
  }

  private async send(method: string, path: string, options: RequestOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept, ...options.headers };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const url = this.url(path, options.query);
    try {
      return await this.fetchFn(url, { method, headers, body, signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new CliError(
        `cannot reach the gateway at ${this.baseUrl} (${causeOf(error)}): start it with \`caravan up\` or set CARAVAN_URL`,
      );
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
