import { RateLimiter } from '../auth/rate-limiter.js';
import { bodyForTarget, parseIfMatch } from '../commands/command-http.js';
import { feedParams, streamParams } from '../feed/feed-params.js';
import { isJsonContentType } from './json-body.js';

describe('RateLimiter', () => {
  it('allows a burst, refuses with Retry-After, and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 2, perSecond: 1 }, () => now);
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('other').allowed).toBe(true);
    now = 1000;
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
  });
});

describe('isJsonContentType', () => {
  it('accepts JSON in UTF-8 only', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/merge-patch+json')).toBe(true);
    expect(isJsonContentType('application/json; charset=latin1')).toBe(false);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});

describe('If-Match and target bodies', () => {
  it('reads a stream version in the usual spellings and demands one when required', () => {
    expect(parseIfMatch('3', true)).toBe(3);
    expect(parseIfMatch('"3"', true)).toBe(3);
    expect(parseIfMatch('W/"12"', true)).toBe(12);
    expect(parseIfMatch(undefined, false)).toBeUndefined();
    expect(() => parseIfMatch(undefined, true)).toThrow(/If-Match/);
    expect(() => parseIfMatch('0', true)).toThrow();
    expect(() => parseIfMatch('*', true)).toThrow();
  });

  it('folds the path id and version into the body, refusing a different one', () => {
    expect(bodyForTarget({ reason: 'r' }, { seizureId: 'a', expectedVersion: 2 })).toEqual({
      reason: 'r',
      seizureId: 'a',
      expectedVersion: 2,
    });
    expect(() => bodyForTarget({ seizureId: 'b' }, { seizureId: 'a' })).toThrow();
    expect(bodyForTarget(undefined, { seizureId: 'a' }, { defaultCommandId: true })).toEqual({
      seizureId: 'a',
      commandId: expect.any(String),
    });
  });
});

describe('feed parameters', () => {
  it('defaults, bounds and globs', () => {
    expect(feedParams({})).toEqual({ after: 0, limit: 100 });
    expect(feedParams({ after: '5', limit: '1000', types: 'seizure.*,threat.alert.issued' })).toEqual({
      after: 5,
      limit: 1000,
      types: ['seizure.*', 'threat.alert.issued'],
    });
    for (const bad of [{ limit: '0' }, { limit: '1001' }, { after: '-1' }, { types: "x'; --" }, { other: '1' }]) {
      expect(() => feedParams(bad)).toThrow();
    }
  });

  it('resumes from Last-Event-ID before after=', () => {
    expect(streamParams({ after: '3' }, '9')).toEqual({ after: 9 });
    expect(streamParams({ after: '3' }, undefined)).toEqual({ after: 3 });
    expect(() => streamParams({}, 'abc')).toThrow();
  });
});
