// Server-Sent Events for one recipient: copies in position order with `id:` = position, resumed
// from Last-Event-ID, woken by deliveries (not by polling), with heartbeats. Backpressure: when the
// socket buffer is full the loop waits for 'drain' before reading more, so a slow client holds at
// most one page in memory; one that stays stalled past the limit is disconnected and resumes later
// with Last-Event-ID.
import type { ServerResponse } from 'node:http';
import type { SharedCopy } from '@caravan/contracts';
import type { FeedSource } from './feed-source.js';

export interface SseOptions {
  readonly recipient: string;
  readonly after: number;
  readonly types?: readonly string[];
  readonly heartbeatMs: number;
  /** How long a client may leave the socket buffer full before it is disconnected. */
  readonly stallLimitMs: number;
  readonly pageSize: number;
}

/** One SSE frame for a copy; JSON has no raw newlines, so `data:` is a single line. */
export function sseFrame(copy: SharedCopy): string {
  return `id: ${copy.position}\nevent: ${copy.type}\ndata: ${JSON.stringify(copy)}\n\n`;
}

/** Streams until the client goes away or the source fails; never throws after headers are sent. */
export async function streamFeed(res: ServerResponse, source: FeedSource, options: SseOptions): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  let open = true;
  let wake: (() => void) | undefined;
  let pending = true; // something may be waiting: query at least once
  const signal = (): void => {
    pending = true;
    wake?.();
  };
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  void closed.then(() => {
    open = false;
    wake?.();
  });
  const unsubscribe = source.onDelivered(options.recipient, signal);
  const heartbeat = setInterval(() => {
    // A comment line keeps proxies from timing the connection out; the re-check covers a lost wake-up.
    if (res.writableLength === 0) res.write(': heartbeat\n\n');
    signal();
  }, options.heartbeatMs);
  let cursor = options.after;
  try {
    while (open) {
      if (!pending) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      pending = false;
      const page = await source.page({
        recipient: options.recipient,
        after: cursor,
        limit: options.pageSize,
        ...(options.types ? { types: options.types } : {}),
      });
      for (const copy of page) {
        if (!open) return;
        const flushed = res.write(sseFrame(copy));
        cursor = copy.position;
        if (!flushed && !(await drained(res, closed, options.stallLimitMs))) {
          res.destroy();
          return;
        }
      }
      if (page.length === options.pageSize) pending = true;
    }
  } catch {
    // The source failed (database away): end the stream; the client resumes with Last-Event-ID.
    if (open) res.end();
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
  }
}

async function drained(res: ServerResponse, closed: Promise<void>, limitMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    new Promise<boolean>((resolve) => res.once('drain', () => resolve(true))),
    closed.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), limitMs);
    }),
  ]);
  clearTimeout(timer);
  return result;
}
