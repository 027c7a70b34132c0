// `caravan feed`: the caller's redacted copies, paged (SPEC §7 GET /v1/feed) or live (SSE, with
// Last-Event-ID resume after any disconnect so nothing is missed or printed twice).
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { GatewayError, type GatewayClient } from '../http/gateway-client.js';
import { textLines } from '../http/lines.js';
import { SseParser } from '../http/sse.js';
import { commaList, nonNegativeInteger, positiveInteger } from '../input.js';
import { rowsOf } from '../format/risk-views.js';

interface FeedOptions {
  readonly follow?: boolean;
  readonly types?: string[];
  readonly after?: number;
  readonly limit?: number;
}

const PAGE = 1000;
const RETRY_MS = [500, 1000, 2000, 5000];

export function registerFeed(program: Command, context: CliContext): void {
  program
    .command('feed')
    .description("print the caller's feed (its copies of other agencies' events), one JSON line each")
    .option('-f, --follow', 'keep the stream open and print new events as they arrive (SSE)')
    .option('--types <globs>', 'only these event types, comma-separated (seizure.*,threat.alert.issued)', commaList)
    .option('--after <position>', 'start after this ledger position', nonNegativeInteger)
    .option('--limit <n>', 'stop after n events', positiveInteger)
    .addHelpText(
      'after',
      `
With --follow a dropped connection is resumed from the last position printed (Last-Event-ID).
Stop with Ctrl-C.

Examples:
  caravan feed --types 'seizure.*' --after 120
  caravan feed --follow`,
    )
    .action(async (options: FeedOptions) => {
      const client = context.client('agency');
      if (options.follow) await follow(context, client, options);
      else await pages(context, client, options);
    });
}

async function pages(context: CliContext, client: GatewayClient, options: FeedOptions): Promise<void> {
  let after = options.after ?? 0;
  let printed = 0;
  for (;;) {
    const remaining = options.limit === undefined ? PAGE : Math.min(PAGE, options.limit - printed);
    if (remaining <= 0) return;
    const body = await client.get<unknown>('/v1/feed', {
      query: { after, limit: remaining, types: options.types?.join(',') },
    });
    const items = rowsOf(body, 'events');
    for (const item of items) context.io.stdout.write(`${JSON.stringify(item)}\n`);
    printed += items.length;
    const next = nextCursor(body, items);
    if (items.length === 0 || next === undefined || next <= after) return;
    after = next;
  }
}

/** The cursor after a page: its `next`, else the last item's position. */
export function nextCursor(body: unknown, items: readonly Readonly<Record<string, unknown>>[]): number | undefined {
  const next = (body as { next?: unknown } | null)?.next;
  if (typeof next === 'number') return next;
  if (typeof next === 'string' && /^\d+$/.test(next)) return Number(next);
  const last = items.at(-1)?.position;
  return typeof last === 'number' ? last : undefined;
}

async function follow(context: CliContext, client: GatewayClient, options: FeedOptions): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let lastId = options.after === undefined ? undefined : String(options.after);
  let printed = 0;
  let failures = 0;
  try {
    while (!stop.signal.aborted) {
      try {
        const response = await client.stream('/v1/feed/stream', {
          accept: 'text/event-stream',
          query: { types: options.types?.join(',') },
          headers: lastId === undefined ? {} : { 'last-event-id': lastId },
          signal: stop.signal,
        });
        failures = 0;
        const parser = new SseParser();
        if (!response.body) throw new Error('the gateway sent no stream');
        for await (const line of textLines(response.body)) {
          const message = parser.push(line);
          if (!message) continue;
          if (message.id !== undefined) lastId = message.id;
          context.io.stdout.write(`${message.data}\n`);
          printed += 1;
          if (options.limit !== undefined && printed >= options.limit) return;
        }
        // The server closed the stream (a restart, a proxy timeout): resume shortly, from lastId.
        await sleep(RETRY_MS[0] ?? 500, stop.signal);
      } catch (error) {
        if (stop.signal.aborted) return;
        // A refusal (bad key, missing role) will not get better by retrying; a dropped line will.
        if (error instanceof GatewayError && error.status < 500 && error.status !== 429) throw error;
        const delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 5000;
        failures += 1;
        context.io.stderr.write(`caravan: feed interrupted, resuming after position ${lastId ?? 0} in ${delay} ms\n`);
        await sleep(delay, stop.signal);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
