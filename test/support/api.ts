// A small HTTP client for the gateway (SPEC §7), as an agency's own system would use it, plus an SSE
// reader and a bounded poll.

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly key?: string,
  ) {}

  withKey(key: string): Api {
    return new Api(this.baseUrl, key);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.key ? { authorization: `Bearer ${this.key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // NDJSON and plain text stay as text.
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = unknown>(path: string): Promise<ApiAnswer<T>> {
    return this.request<T>('GET', path);
  }

  /** The request must answer `expected`; otherwise the error names the method, path and problem. */
  async expect<T = unknown>(
    expected: number | readonly number[],
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T> {
    const answer = await this.request<T>(method, path, body, headers);
    const allowed = typeof expected === 'number' ? [expected] : expected;
    if (!allowed.includes(answer.status)) {
      throw new Error(
        `${method} ${path} answered ${answer.status}, expected ${allowed.join('|')}: ${JSON.stringify(answer.body)}`,
      );
    }
    return answer.body;
  }
}

/** One Server-Sent Event. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

/** Reads an SSE response until `count` events arrived or `timeoutMs` passed; resolves with what came. */
export async function readSse(
  url: string,
  key: string,
  options: { count: number; timeoutMs: number; lastEventId?: string },
): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  const events: SseEvent[] = [];
  let status = 0;
  let contentType: string | null = null;
  try {
    const response = await fetch(url, {
      headers: {
        authorization: `Bearer ${key}`,
        accept: 'text/event-stream',
        ...(options.lastEventId !== undefined ? { 'last-event-id': options.lastEventId } : {}),
      },
      signal: abort.signal,
    });
    status = response.status;
    contentType = response.headers.get('content-type');
    if (!response.body || status !== 200) return { status, contentType, events };
    const decoder = new TextDecoder();
    let buffer = '';
    let current: { id?: string; event?: string; data: string[] } = { data: [] };
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (current.data.length > 0) {
            events.push({ id: current.id, event: current.event, data: current.data.join('\n') });
            if (events.length >= options.count) return { status, contentType, events };
          }
          current = { data: [] };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') current.id = value;
          else if (field === 'event') current.event = value;
          else if (field === 'data') current.data.push(value);
        }
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { status, contentType, events };
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs` with the
 * last thing it saw. The hub is asynchronous between its stages; tests wait for outcomes, never sleep.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * For "stays absent" checks: samples `probe` for `windowMs` and returns every value seen, so a test can
 * assert that none of them shows the outcome. Bounded, and only used where the full hub is shown,
 * elsewhere in the suite, to reach that outcome well within the same window.
 */
export async function sampleFor<T>(probe: () => Promise<T>, windowMs: number, intervalMs = 250): Promise<T[]> {
  const seen: T[] = [];
  const deadline = Date.now() + windowMs;
  do {
    seen.push(await probe());
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  } while (Date.now() < deadline);
  return seen;
}
