// Rules that hold for every body: its shape, keys that could reach a prototype, odd keys in paths.
import { COMMAND_NAMES, COUNTRY_CODES, isCountryCode } from '@caravan/contracts';
import { validateCommand } from './validate.js';
import { validateKeyCreation } from './validate.js';
import { parseRfc3339 } from './decorators.js';
import { CONTEXT, reportSeizure, type Body } from './validation.fixtures.spec.js';
import { commandErrors } from './validation.test-helpers.spec.js';

describe('any body', () => {
  const notObjects: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['an array', [reportSeizure()]],
    ['a string', JSON.stringify(reportSeizure())],
    ['a number', 42],
    ['a boolean', true],
  ];

  it.each(notObjects)('is refused with one error at path "" when it is %s', (_what, body) => {
    for (const name of COMMAND_NAMES) {
      expect(commandErrors(name, body)).toEqual([{ path: '', message: 'must be a JSON object' }]);
    }
    expect(validateKeyCreation(body)).toEqual({ ok: false, errors: [{ path: '', message: 'must be a JSON object' }] });
  });

  it('refuses __proto__ at the top level without touching any prototype', () => {
    const body = JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(reportSeizure()).slice(1)}`);
    expect(commandErrors('seizure.report', body)).toEqual([{ path: '__proto__', message: 'unknown field' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses __proto__, constructor and prototype at any depth', () => {
    const body = reportSeizure();
    body.location = JSON.parse(
      `{"constructor": {"prototype": {"polluted": true}}, ${JSON.stringify(body.location).slice(1)}`,
    );
    body.items[1] = JSON.parse(`{"__proto__": {"quantity": 5}, ${JSON.stringify(body.items[1]).slice(1)}`);
    body.suspects[0] = JSON.parse(`{"prototype": null, ${JSON.stringify(body.suspects[0]).slice(1)}`);
    expect(commandErrors('seizure.report', body)).toEqual([
      { path: 'location.constructor', message: 'unknown field' },
      { path: 'items[1].__proto__', message: 'unknown field' },
      { path: 'suspects[0].prototype', message: 'unknown field' },
    ]);
    expect(({} as Record<string, unknown>).quantity).toBeUndefined();
  });

  it("refuses keys named like Object.prototype's methods at any depth", () => {
    const body: Body = { ...reportSeizure(), hasOwnProperty: 'x' };
    body.location = { ...body.location, isPrototypeOf: 5 };
    body.items[2] = { ...body.items[2], __defineGetter__: 1, toString: 'y' };
    body.handling = { ...body.handling, propertyIsEnumerable: true };
    expect(commandErrors('seizure.report', body)).toEqual([
      { path: 'items[2].toString', message: 'unknown field' },
      { path: 'location.isPrototypeOf', message: 'unknown field' },
      { path: 'items[2].__defineGetter__', message: 'unknown field' },
      { path: 'handling.propertyIsEnumerable', message: 'unknown field' },
      { path: 'hasOwnProperty', message: 'unknown field' },
    ]);
  });

  it('does not let an own __proto__ key lend a missing field to the body', () => {
    const item = JSON.parse(
      '{"__proto__": {"quantity": 5}, "category": "narcotic", "substance": "opium", "unit": "kg"}',
    );
    const body = { ...reportSeizure(), items: [item] };
    expect(commandErrors('seizure.report', body)).toEqual([
      { path: 'items[0].__proto__', message: 'unknown field' },
      { path: 'items[0].quantity', message: 'is required' },
    ]);
  });

  it('quotes unknown keys that are not plain names, so a path never carries control characters', () => {
    const body = { ...reportSeizure(), 'evil\u0007key': 1 };
    expect(commandErrors('seizure.report', body)).toEqual([{ path: '["evil\\u0007key"]', message: 'unknown field' }]);
  });

  it('refuses JSON nested deeper than any payload, without exhausting the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const errors = commandErrors('seizure.report', { ...reportSeizure(), narrative: deep });
    expect(errors).toEqual([{ path: `narrative${'[0]'.repeat(32)}`, message: 'is nested too deeply' }]);
  });

  it('does not modify the body it was given', () => {
    const body = reportSeizure();
    body.handling.tlp = 'WHITE';
    const copy = structuredClone(body);
    validateCommand('seizure.report', body, CONTEXT);
    expect(body).toEqual(copy);
  });
});

describe('RFC 3339', () => {
  it.each([
    ['2025-03-14T08:30:00Z', Date.UTC(2025, 2, 14, 8, 30)],
    ['2025-03-14t08:30:00z', Date.UTC(2025, 2, 14, 8, 30)],
    ['2025-03-14T08:30:00.123456+05:00', Date.UTC(2025, 2, 14, 3, 30, 0, 123)],
    ['2024-02-29T23:59:59-12:00', Date.UTC(2024, 2, 1, 11, 59, 59)],
  ])('reads %s', (text, ms) => {
    expect(parseRfc3339(text)).toBe(ms);
  });

  it.each([
    '2025-03-14T08:30:00',
    '2025-03-14 08:30:00Z',
    '2025-03-14T08:30Z',
    '2025-13-01T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-03-14T08:60:00Z',
    '2025-03-14T08:30:60Z',
    '2025-03-14T08:30:00+24:00',
    '2025-03-14T08:30:00+0500',
    '20250314T083000Z',
  ])('refuses %s', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});

describe('ISO 3166-1 alpha-2', () => {
  it('knows the 249 assigned codes, the region included', () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    for (const code of ['AF', 'KZ', 'KG', 'TJ', 'TM', 'UZ', 'RU', 'CN', 'IR', 'PK'])
      expect(isCountryCode(code)).toBe(true);
  });

  it('refuses well-formed codes that are not assigned, and other shapes', () => {
    for (const code of ['XK', 'XX', 'UK', 'EU', 'AA', 'tj', 'TJK', '', 7]) expect(isCountryCode(code)).toBe(false);
  });
});
