import { CONTEXT, issueAlert, updateAlert, withdrawAlert, ALERT_ID } from './validation.fixtures.spec.js';
import { chars, commandErrors, mutated, type Case } from './validation.test-helpers.spec.js';
import { validateCommand } from './validate.js';

const indicator = { kind: 'phone', value: '+992 900 000 000' };

describe('alert.issue', () => {
  it('accepts the baseline', () => {
    expect(commandErrors('alert.issue', issueAlert())).toEqual([]);
  });

  it('returns a plain object with TLP WHITE read as CLEAR', () => {
    const result = validateCommand(
      'alert.issue',
      mutated(issueAlert, (b) => (b.handling.tlp = 'WHITE')),
      CONTEXT,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.value.handling.tlp).toBe('CLEAR');
    expect(Object.getPrototypeOf(result.value.area)).toBe(Object.prototype);
  });

  it('accepts every bound at its limit', () => {
    const body = mutated(issueAlert, (b) => {
      b.severity = 1;
      b.validFrom = '2025-01-01T00:00:00Z';
      b.validUntil = '2026-01-01T00:00:00Z';
      b.indicators = Array.from({ length: 200 }, () => ({ kind: 'name', value: chars(256) }));
      b.summary = chars(500);
      b.narrative = chars(8000);
      delete b.area.crossingPoints;
      delete b.relatedSeizures;
    });
    expect(commandErrors('alert.issue', body)).toEqual([]);
    expect(
      commandErrors(
        'alert.issue',
        mutated(issueAlert, (b) => (b.severity = 5)),
      ),
    ).toEqual([]);
  });

  const cases: Case[] = [
    ['commandId a UUID', (b) => (b.commandId = 'x'), 'commandId', 'must be a UUID'],
    ['alertId required', (b) => delete b.alertId, 'alertId', 'is required'],
    [
      'category enumerated',
      (b) => (b.category = 'drugs'),
      'category',
      'must be one of: trafficking-route, suspect-conveyance, person-of-interest, modus-operandi, precursor-diversion, weapons, terrorism, human-trafficking, other',
    ],
    ['severity >= 1', (b) => (b.severity = 0), 'severity', 'must be between 1 and 5'],
    ['severity <= 5', (b) => (b.severity = 6), 'severity', 'must be between 1 and 5'],
    ['severity whole', (b) => (b.severity = 2.5), 'severity', 'must be a whole number'],
    ['severity a number', (b) => (b.severity = '3'), 'severity', 'must be a whole number'],
    ['confidence enumerated', (b) => (b.confidence = 'certain'), 'confidence', 'must be one of: low, medium, high'],
    [
      'validFrom RFC 3339 with a time zone',
      (b) => (b.validFrom = '2025-06-01 00:00:00Z'),
      'validFrom',
      'must be an RFC 3339 date-time with a time zone, such as 2025-03-14T08:30:00Z',
    ],
    [
      'validUntil RFC 3339 with a time zone',
      (b) => (b.validUntil = 1756684800000),
      'validUntil',
      'must be an RFC 3339 date-time with a time zone, such as 2025-03-14T08:30:00Z',
    ],
    ['validUntil after validFrom', (b) => (b.validUntil = b.validFrom), 'validUntil', 'must be after validFrom'],
    [
      'validUntil after validFrom, offsets included',
      (b) => (b.validUntil = '2025-06-01T04:59:59+05:00'),
      'validUntil',
      'must be after validFrom',
    ],
    [
      'validUntil at most 365 days after validFrom',
      (b) => (b.validUntil = '2026-06-01T00:00:01Z'),
      'validUntil',
      'must be at most 365 days after validFrom',
    ],
    ['area required', (b) => delete b.area, 'area', 'is required'],
    ['area.countries at least 1', (b) => (b.area.countries = []), 'area.countries', 'must have at least 1 element'],
    [
      'area.countries real ISO countries',
      (b) => (b.area.countries = ['TJ', 'AFG']),
      'area.countries[1]',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'area.crossingPoints well-formed',
      (b) => (b.area.crossingPoints = ['TERMEZ']),
      'area.crossingPoints[0]',
      'must be a crossing point code such as TJ-NIZHNY-PANJ',
    ],
    [
      'area.crossingPoints in the directory',
      (b) => b.area.crossingPoints.push('KZ-ZHIBEK-ZHOLY'),
      'area.crossingPoints[2]',
      'is not a crossing point of the directory',
    ],
    ['unknown field in area', (b) => (b.area.regions = ['Khatlon']), 'area.regions', 'unknown field'],
    ['indicators required', (b) => delete b.indicators, 'indicators', 'is required'],
    [
      'indicators at most 200',
      (b) => (b.indicators = Array.from({ length: 201 }, () => ({ ...indicator }))),
      'indicators',
      'must have at most 200 elements',
    ],
    [
      'indicators[].kind enumerated',
      (b) => (b.indicators[0].kind = 'email'),
      'indicators[0].kind',
      'must be one of: vehicle-registration, document-number, phone, name, route, modus, other',
    ],
    [
      'indicators[].value <= 256',
      (b) => (b.indicators[1].value = chars(257)),
      'indicators[1].value',
      'must be at most 256 characters long',
    ],
    [
      'indicators[].value without control characters',
      (b) => (b.indicators[1].value = 'AF\u001fTJ'),
      'indicators[1].value',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    ['unknown field in indicators[]', (b) => (b.indicators[0].score = 3), 'indicators[0].score', 'unknown field'],
    [
      'relatedSeizures UUIDs',
      (b) => (b.relatedSeizures = [ALERT_ID, 'seizure-9']),
      'relatedSeizures[1]',
      'must be a UUID',
    ],
    ['summary required', (b) => delete b.summary, 'summary', 'is required'],
    ['summary <= 500', (b) => (b.summary = chars(501)), 'summary', 'must be at most 500 characters long'],
    ['narrative <= 8000', (b) => (b.narrative = chars(8001)), 'narrative', 'must be at most 8000 characters long'],
    [
      'handling.tlp enumerated',
      (b) => (b.handling.tlp = 'WHITE+STRICT'),
      'handling.tlp',
      'must be one of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED',
    ],
    ['unknown top-level field', (b) => (b.seizureId = ALERT_ID), 'seizureId', 'unknown field'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(commandErrors('alert.issue', mutated(issueAlert, mutate))).toEqual([{ path, message }]);
  });
});

describe('alert.update', () => {
  it('accepts the baseline, and validUntil alone (the domain compares it with the stored validFrom)', () => {
    expect(commandErrors('alert.update', updateAlert())).toEqual([]);
    const body = mutated(updateAlert, (b) => (b.changes = { validUntil: '2025-07-01T00:00:00Z' }));
    expect(commandErrors('alert.update', body)).toEqual([]);
  });

  const cases: Case[] = [
    ['alertId a UUID', (b) => (b.alertId = 'alert-1'), 'alertId', 'must be a UUID'],
    ['expectedVersion required', (b) => delete b.expectedVersion, 'expectedVersion', 'is required'],
    ['changes not empty', (b) => (b.changes = {}), 'changes', 'must name at least one field to change'],
    ['the alert id cannot change', (b) => (b.changes.alertId = ALERT_ID), 'changes.alertId', 'cannot be changed'],
    ['changes.severity <= 5', (b) => (b.changes.severity = 6), 'changes.severity', 'must be between 1 and 5'],
    [
      'changes.validUntil after changes.validFrom',
      (b) => Object.assign(b.changes, { validFrom: '2025-07-01T00:00:00Z', validUntil: '2025-06-30T00:00:00Z' }),
      'changes.validUntil',
      'must be after validFrom',
    ],
    [
      'changes.area.countries at least 1',
      (b) => (b.changes.area.countries = []),
      'changes.area.countries',
      'must have at least 1 element',
    ],
    [
      'changes.area.crossingPoints in the directory',
      (b) => (b.changes.area.crossingPoints = ['KG-DOSTUK']),
      'changes.area.crossingPoints[0]',
      'is not a crossing point of the directory',
    ],
    [
      'changes.indicators[].value without control characters',
      (b) =>
        (b.changes.indicators = [
          { kind: 'name', value: 'ok' },
          { kind: 'name', value: 'a\u007fb' },
        ]),
      'changes.indicators[1].value',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    ['changes.summary not null', (b) => (b.changes.summary = null), 'changes.summary', 'must be a string'],
    ['reason <= 1000', (b) => (b.reason = chars(1001)), 'reason', 'must be at most 1000 characters long'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(commandErrors('alert.update', mutated(updateAlert, mutate))).toEqual([{ path, message }]);
  });
});

describe('alert.withdraw', () => {
  it('accepts the baseline', () => {
    expect(commandErrors('alert.withdraw', withdrawAlert())).toEqual([]);
  });

  const cases: Case[] = [
    ['alertId a UUID', (b) => (b.alertId = null), 'alertId', 'must be a UUID'],
    ['expectedVersion whole', (b) => (b.expectedVersion = 2.1), 'expectedVersion', 'must be a whole number'],
    ['reason required', (b) => delete b.reason, 'reason', 'is required'],
    ['reason a string', (b) => (b.reason = ['ended']), 'reason', 'must be a string'],
    ['unknown field', (b) => (b.severity = 1), 'severity', 'unknown field'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(commandErrors('alert.withdraw', mutated(withdrawAlert, mutate))).toEqual([{ path, message }]);
  });
});
