import { generateKeyPairSync } from 'node:crypto';
import type { ChainedEvent, RecordedEvent } from '@caravan/contracts';
import {
  ChainVerifier,
  GENESIS_HASH,
  canonicalJson,
  checkpointMessage,
  hashEvent,
  ledgerPublicKey,
  signCheckpoint,
  verifyChain,
  verifyCheckpoint,
} from './index.js';

const seizureId = '0b1e7c7e-2f6d-4b3a-9a51-5d2b8f7c9e10';
const base = {
  position: 1,
  eventId: '6f1c2a3b-1d2e-4f5a-8b9c-0d1e2f3a4b5c',
  type: 'seizure.retracted',
  schemaVersion: 1,
  streamId: `seizure-${seizureId}`,
  streamVersion: 2,
  originator: 'TJ-DCA',
  recordedAt: '2026-03-01T10:00:00.000Z',
  payload: { seizureId, reason: 'Dublicate — Душанбе report', z: 1.5e-7, a: 100 },
} as unknown as RecordedEvent;

function chainOf(count: number): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prev = GENESIS_HASH;
  for (let position = 1; position <= count; position++) {
    const event = { ...base, position, payload: { ...base.payload, reason: `r${position}` } } as RecordedEvent;
    prev = hashEvent(prev, event);
    events.push({ ...event, hash: prev });
  }
  return events;
}

describe('hash chain (SPEC §4)', () => {
  it('serialises per RFC 8785: sorted keys, no spaces, ES number form, UTF-8 kept', () => {
    expect(canonicalJson({ b: 1, a: [1.5e-7, 100, 'Душанбе'], c: { y: null, x: true } })).toBe(
      '{"a":[1.5e-7,100,"Душанбе"],"b":1,"c":{"x":true,"y":null}}',
    );
  });

  it('matches a vector computed independently (Python hashlib + json.dumps(sort_keys))', () => {
    // python3: sha256(b"\0"*32 + canonical.encode()).hexdigest(), then chained for position 2.
    const first = hashEvent(GENESIS_HASH, base);
    expect(first).toBe('de39ebff7660848c617ba7066ef1b21db08b4bfec1e61ecdd1225caa74755af8');
    expect(hashEvent(first, { ...base, position: 2 })).toBe(
      '05189c74799f3861c280880afe5e3bc3e74328b4d850e74987f327aaaebbd43c',
    );
  });

  it('leaves occurredAt and other extra fields out of the hash', () => {
    const withExtra = { ...base, occurredAt: '2026-02-01T00:00:00.000Z', hash: 'x' } as unknown as RecordedEvent;
    expect(hashEvent(GENESIS_HASH, withExtra)).toBe(hashEvent(GENESIS_HASH, base));
  });
});

describe('checkpoints', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  it('signs the documented message and verifies only with the matching key and content', () => {
    expect(checkpointMessage(1000, 'ab')).toBe('caravan-checkpoint:v1:1000:ab');
    const signature = signCheckpoint(privatePem, 1000, 'ab'.repeat(32));
    const pem = ledgerPublicKey(privatePem).pem;
    expect(verifyCheckpoint(pem, { position: 1000, hash: 'ab'.repeat(32), signature })).toBe(true);
    expect(verifyCheckpoint(pem, { position: 1001, hash: 'ab'.repeat(32), signature })).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifyCheckpoint(other, { position: 1000, hash: 'ab'.repeat(32), signature })).toBe(false);
  });

  it('exposes the raw 32-byte public key', () => {
    const { rawHex, pem } = ledgerPublicKey(privatePem);
    expect(rawHex).toMatch(/^[0-9a-f]{64}$/);
    expect(publicKey.export({ format: 'jwk' }).x).toBe(Buffer.from(rawHex, 'hex').toString('base64url'));
    expect(pem).toContain('BEGIN PUBLIC KEY');
  });

  it('verifies a whole history with its checkpoints', async () => {
    const events = chainOf(5);
    const checkpoints = [3, 5].map((p) => ({
      position: p,
      hash: events[p - 1]!.hash,
      signature: signCheckpoint(privatePem, p, events[p - 1]!.hash),
    }));
    const report = await verifyChain(events, { publicKey, checkpoints });
    expect(report).toEqual({ ok: true, events: 5, checkpoints: 2, lastPosition: 5, lastHash: events[4]!.hash });
  });

  it('names the first break: altered payload, missing line, swapped lines, forged checkpoint', async () => {
    const events = chainOf(5);
    const altered = events.map((e) => (e.position === 3 ? { ...e, payload: { ...e.payload, reason: 'x' } } : e));
    expect((await verifyChain(altered as ChainedEvent[])).firstBreak).toEqual({
      position: 3,
      reason: expect.stringContaining('hash mismatch'),
    });
    const missing = events.filter((e) => e.position !== 4);
    expect((await verifyChain(missing)).firstBreak).toEqual({
      position: 4,
      reason: expect.stringContaining('missing'),
    });
    const swapped = [events[0]!, events[2]!, events[1]!, events[3]!];
    expect((await verifyChain(swapped)).firstBreak?.position).toBe(2);
    const forged = { position: 5, hash: events[4]!.hash, signature: signCheckpoint(privatePem, 4, events[4]!.hash) };
    expect((await verifyChain(events, { publicKey, checkpoints: [forged] })).firstBreak).toEqual({
      position: 5,
      reason: expect.stringContaining('signature'),
    });
    const wrongHash = { position: 2, hash: events[3]!.hash, signature: signCheckpoint(privatePem, 2, events[3]!.hash) };
    expect((await verifyChain(events, { publicKey, checkpoints: [wrongHash] })).firstBreak?.reason).toContain(
      'but the chain has',
    );
  });

  it('can start after a trusted link', () => {
    const events = chainOf(4);
    const verifier = new ChainVerifier(undefined, { afterPosition: 2, prevHash: events[1]!.hash });
    expect(verifier.acceptEvent(events[2]!)).toBeUndefined();
    expect(verifier.acceptEvent(events[3]!)).toBeUndefined();
    expect(verifier.report()).toMatchObject({ ok: true, events: 2, lastPosition: 4 });
  });
});
