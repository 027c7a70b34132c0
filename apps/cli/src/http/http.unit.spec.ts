import { textLines } from './lines.js';
import { SseParser } from './sse.js';
import { GatewayClient, GatewayError } from './gateway-client.js';
import { json, scriptedFetch } from '../memory-io.test-support.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* chunks(...parts: (string | Uint8Array)[]) {
  for (const part of parts) yield part;
}

describe('textLines', () => {
  it('splits across chunk boundaries, strips CR, keeps a last unterminated line', async () => {
    expect(await collect(textLines(chunks('{"a":1}\r\n{"b"', ':2}\n\n{"c":3}')))).toEqual([
      '{"a":1}',
      '{"b":2}',
      '',
      '{"c":3}',
    ]);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = Buffer.from('Тәжікстан\n', 'utf8');
    expect(await collect(textLines(chunks(bytes.subarray(0, 3), bytes.subarray(3))))).toEqual(['Тәжікстан']);
  });
});

describe('SseParser', () => {
  it('dispatches on a blank line with id, event and multi-line data; skips comments', () => {
    const parser = new SseParser();
    const lines = [': heartbeat', 'id: 41', 'event: seizure.reported', 'data: {"a":', 'data: 1}', ''];
    const out = lines.map((l) => parser.push(l)).filter(Boolean);
    expect(out).toEqual([{ id: '41', event: 'seizure.reported', data: '{"a":\n1}' }]);
    expect(parser.lastEventId).toBe('41');
  });

  it('keeps the last id for events that carry none, and ignores blocks without data', () => {
    const parser = new SseParser();
    parser.push('id: 7');
    expect(parser.push('')).toBeUndefined();
    parser.push('data:x');
    expect(parser.push('')).toEqual({ id: '7', event: 'message', data: 'x' });
  });
});

describe('GatewayClient', () => {
  it('sends the bearer key and JSON, drops empty query values', async () => {
    const { fetch, requests } = scriptedFetch(() => json(201, { eventId: 'e', position: 3, streamVersion: 1 }));
    const client = new GatewayClient({ baseUrl: 'http://gw.test/', apiKey: 'cvn_k', fetch });
    const answer = await client.json('POST', '/v1/seizures', { body: { a: 1 }, query: { x: 1, y: undefined, z: '' } });
    expect(answer.status).toBe(201);
    expect(requests[0]!.url.href).toBe('http://gw.test/v1/seizures?x=1');
    expect(requests[0]!.headers).toMatchObject({ authorization: 'Bearer cvn_k', 'content-type': 'application/json' });
    expect(requests[0]!.body).toEqual({ a: 1 });
  });

  it('turns a problem+json answer into a one-line GatewayError with the status', async () => {
    const { fetch } = scriptedFetch(() =>
      json(403, { title: 'Forbidden', status: 403, detail: 'key lacks role analyst' }),
    );
    const client = new GatewayClient({ baseUrl: 'http://gw.test', apiKey: 'cvn_k', fetch });
    const error = await client.get('/v1/risk/crossings').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(403);
    expect((error as GatewayError).message).toBe('403 Forbidden: key lacks role analyst');
  });
});
