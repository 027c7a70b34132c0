// streamFeed over an in-memory source and a real (loopback) HTTP response, so backpressure and
// framing are the real Node behaviour; the PostgreSQL-backed source is covered in flows.int.spec.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SharedCopy } from '@caravan/contracts';
import type { FeedQuery, FeedSource } from './feed-source.js';
import { sseFrame, streamFeed } from './sse-writer.js';

function copy(position: number): SharedCopy {
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type: 'seizure.reported',
    schemaVersion: 1,
    streamId: `seizure-${position}`,
    streamVersion: 1,
    position,
    originator: 'TJ-DCA',
    recordedAt: '2026-03-01T00:00:00.000Z',
    recipient: 'KZ-BS',
    policyVersion: 1,
    payload: { seizureId: String(position), narrative: 'line one\nline two' },
  };
}

class MemorySource implements FeedSource {
  copies: SharedCopy[] = [];
  private listeners = new Set<() => void>();
  async page(q: FeedQuery): Promise<SharedCopy[]> {
    return this.copies.filter((c) => c.position > q.after).slice(0, q.limit);
  }
  async copiesOfStream(): Promise<SharedCopy[]> {
    return [];
  }
  onDelivered(_recipient: string, listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  deliver(c: SharedCopy): void {
    this.copies.push(c);
    for (const l of this.listeners) l();
  }
  get listening(): number {
    return this.listeners.size;
  }
  async close(): Promise<void> {}
}

let server: Server;
let source: MemorySource;
let url: string;

beforeEach(async () => {
  source = new MemorySource();
  server = createServer((req, res) => {
    const after = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('after') ?? 0);
    void streamFeed(res, source, { recipient: 'KZ-BS', after, heartbeatMs: 60_000, stallLimitMs: 60_000, pageSize: 2 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function readIds(after: number, count: number, onOpen?: () => void): Promise<string[]> {
  const controller = new AbortController();
  const res = await fetch(`${url}/?after=${after}`, { signal: controller.signal });
  onOpen?.();
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const ids: string[] = [];
  while (ids.length < count) {
    const { value } = await reader.read();
    text += decoder.decode(value, { stream: true });
    ids.splice(0, ids.length, ...[...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]!));
  }
  controller.abort();
  return ids;
}

it('frames a copy as one event whose data is a single JSON line', () => {
  const frame = sseFrame(copy(7));
  expect(frame.startsWith('id: 7\nevent: seizure.reported\ndata: {')).toBe(true);
  expect(frame.endsWith('}\n\n')).toBe(true);
  expect(frame.split('\n')).toHaveLength(5);
});

it('sends every copy after the resume point across pages, then the ones delivered later, once each', async () => {
  for (const p of [1, 2, 3, 4, 5]) source.copies.push(copy(p));
  const ids = await readIds(2, 5, () => {
    setTimeout(() => {
      source.deliver(copy(6));
      source.deliver(copy(8));
    }, 100);
  });
  expect(ids).toEqual(['3', '4', '5', '6', '8']);
});

it('stops listening for deliveries when the client disconnects', async () => {
  source.copies.push(copy(1));
  await readIds(0, 1);
  for (let i = 0; i < 50 && source.listening > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(source.listening).toBe(0);
});
