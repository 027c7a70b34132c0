import { BadRequestException, InternalServerErrorException } from '@nestjs/common';
import { CaravanError } from '@caravan/contracts';
import { commandReplyFor } from './command-reply.js';
import { dispositionFor, PoisonMessageError } from './outcome.js';
import { subjectMatches } from './subject-match.js';

describe('dispositionFor: handler outcome → ack, nak with delay, or term', () => {
  it('acks a success', () => {
    expect(dispositionFor({ deliveryCount: 3 })).toEqual({ kind: 'ack' });
  });

  it('terms a poison message, a non-transient CaravanError and a 4xx rejection from a Nest pipe', () => {
    for (const error of [
      new PoisonMessageError('body is not JSON'),
      new CaravanError('invalid', 'bad'),
      new CaravanError('forbidden', 'no'),
      new CaravanError('version-conflict', 'stale'),
      new BadRequestException('quantity must be positive'),
    ]) {
      expect(dispositionFor({ error, deliveryCount: 1 }).kind).toBe('term');
    }
  });

  it('naks unavailable and unknown errors with an exponential back-off, capped', () => {
    const backoff = { initialDelayMs: 100, maxDelayMs: 1_000 };
    const delays = [1, 2, 3, 4, 5, 50].map((deliveryCount) => {
      const d = dispositionFor({ error: new CaravanError('unavailable', 'db down'), deliveryCount }, backoff);
      return d.kind === 'nak' ? d.delayMs : d.kind;
    });
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(dispositionFor({ error: new Error('ECONNREFUSED'), deliveryCount: 1 }).kind).toBe('nak');
    expect(dispositionFor({ error: new InternalServerErrorException('boom'), deliveryCount: 1 }).kind).toBe('nak');
    // What Nest's default filter leaves of an error: unknown, so retried rather than dropped.
    expect(
      dispositionFor({ error: { status: 'error', message: 'Internal server error' }, deliveryCount: 1 }).kind,
    ).toBe('nak');
  });
});

describe('commandReplyFor: the §6 reply shape', () => {
  it('replies ok with the accepted position, and nothing else', () => {
    const result = { eventId: 'e1', position: 5, streamVersion: 2, extra: 'x' };
    expect(commandReplyFor({ result })).toEqual({ ok: true, eventId: 'e1', position: 5, streamVersion: 2 });
  });

  it('keeps a CaravanError code, message and fields', () => {
    const error = new CaravanError('invalid', 'bad body', [{ path: 'items[0].quantity', message: 'must be > 0' }]);
    expect(commandReplyFor({ error })).toEqual({
      ok: false,
      error: { code: 'invalid', message: 'bad body', fields: [{ path: 'items[0].quantity', message: 'must be > 0' }] },
    });
  });

  it('hides the message of an unexpected error behind unavailable', () => {
    const reply = commandReplyFor({ error: new Error('password=hunter2 in connection string') });
    expect(reply).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(JSON.stringify(reply)).not.toContain('hunter2');
  });
});

describe('subjectMatches', () => {
  it.each([
    ['caravan.evt.>', 'caravan.evt.seizure.reported', true],
    ['caravan.evt.>', 'caravan.evt', false],
    ['caravan.evt.*.reported', 'caravan.evt.seizure.reported', true],
    ['caravan.evt.*', 'caravan.evt.seizure.reported', false],
    ['caravan.evt.seizure.reported', 'caravan.evt.seizure.reported', true],
    ['caravan.evt.seizure.reported', 'caravan.evt.seizure.amended', false],
    ['caravan.evt.seizure', 'caravan.evt.seizure.reported', false],
  ])('%s against %s is %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});
