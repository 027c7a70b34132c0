// The order and shape rules of an export (SPEC §4), on a chain built in memory.
import { generateKeyPairSync } from 'node:crypto';
import type { ChainedEvent, RecordedEvent } from '@caravan/contracts';
import { GENESIS_HASH, hashEvent, ledgerPublicKey, signCheckpoint } from '@caravan/domain';
import { checkpointLine, describeVerification, eventLine, publicKeyLine, verifyExport } from './index.js';

const signingKey = generateKeyPairSync('ed25519').privateKey;
const key = ledgerPublicKey(signingKey);

function chain(count: number): ChainedEvent[] {
  let prev = GENESIS_HASH;
  return Array.from({ length: count }, (_, i) => {
    const event = {
      position: i + 1,
      eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      type: 'seizure.retracted',
      schemaVersion: 1,
      streamId: `seizure-${i}`,
      streamVersion: 2,
      originator: 'TJ-DCA',
      recordedAt: '2026-03-01T10:00:00.000Z',
      payload: { seizureId: `${i}`, reason: `r${i}` },
    } as unknown as RecordedEvent;
    prev = hashEvent(prev, event);
    return { ...event, hash: prev };
  });
}

const events = chain(4);
const checkpoint = (p: number) =>
  checkpointLine({
    position: p,
    hash: events[p - 1]!.hash,
    signature: signCheckpoint(signingKey, p, events[p - 1]!.hash),
  });
const verify = (text: string, publicKeyPem?: string) => verifyExport([text], publicKeyPem ? { publicKeyPem } : {});
const body = events.map(eventLine).join('');

describe('verifyExport order and shape rules', () => {
  it('cannot check checkpoints without any key, and says so', async () => {
    const result = await verify(body + checkpoint(4));
    expect(result.firstBreak?.reason).toContain('no public key given and the export has no key line');
    expect(result.key.source).toBe('none');
  });

  it('verifies events alone, reporting them as unsigned and the export as incomplete', async () => {
    const result = await verify(body, key.pem);
    expect(result).toMatchObject({ ok: true, events: 4, signedUpTo: 0, complete: false });
    expect(describeVerification(result)).toContain('positions 1..4 are chained but not covered by a checkpoint');
  });

  it('refuses an event after the checkpoints and anything after the key line', async () => {
    const late = await verify(
      events.slice(0, 3).map(eventLine).join('') + checkpoint(2) + eventLine(events[3]!),
      key.pem,
    );
    expect(late.firstBreak?.reason).toContain('event after the checkpoints');
    const trailing = await verify(body + checkpoint(4) + publicKeyLine(key) + '{"x":1}\n', key.pem);
    expect(trailing.firstBreak?.reason).toContain('after the public key line');
  });

  it('refuses an envelope occurredAt that differs from the payload (it is outside the hash)', async () => {
    const line = eventLine({ ...events[0]!, occurredAt: '2026-01-01T00:00:00.000Z' });
    const result = await verify(line, key.pem);
    expect(result.firstBreak).toMatchObject({ position: 1, reason: expect.stringContaining('occurredAt differs') });
  });

  it('refuses a repeated event and a checkpoint out of order', async () => {
    const repeated = await verify(eventLine(events[0]!) + eventLine(events[1]!) + eventLine(events[1]!), key.pem);
    expect(repeated.firstBreak).toMatchObject({ position: 3, reason: expect.stringContaining('position 2 again') });
    const backwards = await verify(body + checkpoint(4) + checkpoint(2), key.pem);
    expect(backwards.firstBreak).toMatchObject({
      position: 2,
      reason: expect.stringContaining('is not after checkpoint 4'),
    });
  });

  it('accepts CRLF line ends and blank lines', async () => {
    const text = (body + checkpoint(4) + publicKeyLine(key)).replace(/\n/g, '\r\n\r\n');
    expect(await verify(text, key.pem)).toMatchObject({ ok: true, events: 4, checkpoints: 1, complete: true });
  });
});
