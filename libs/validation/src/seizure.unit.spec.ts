import { amendSeizure, CONTEXT, NOW, reportSeizure, retractSeizure, SEIZURE_ID } from './validation.fixtures.spec.js';
import { chars, commandErrors, mutated, type Case } from './validation.test-helpers.spec.js';
import { validateCommand } from './validate.js';

const minutesFromNow = (m: number) => new Date(NOW.getTime() + m * 60_000).toISOString();
const item = { category: 'narcotic', substance: 'opium', quantity: 1, unit: 'kg' };

describe('seizure.report', () => {
  it('accepts the baseline', () => {
    expect(commandErrors('seizure.report', reportSeizure())).toEqual([]);
  });

  it('returns a plain object with TLP WHITE read as CLEAR', () => {
    const body = mutated(reportSeizure, (b) => (b.handling.tlp = 'WHITE'));
    const result = validateCommand('seizure.report', body, CONTEXT);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.value.handling.tlp).toBe('CLEAR');
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.value.location)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.value.items[0])).toBe(Object.prototype);
    expect(result.value).toEqual({ ...reportSeizure(), handling: { ...reportSeizure().handling, tlp: 'CLEAR' } });
  });

  it('accepts every bound at its limit', () => {
    const body = mutated(reportSeizure, (b) => {
      b.occurredAt = minutesFromNow(4);
      b.items = Array.from({ length: 50 }, () => ({ ...item, purityPercent: 100, estimatedValueUsd: 0 }));
      b.items[1].purityPercent = 0;
      b.suspects = Array.from({ length: 50 }, () => ({ role: 'courier' }));
      b.caseReference = chars(64);
      b.narrative = chars(7999, 'ж') + '\u{1F42B}';
      b.location = { country: 'KZ', lat: -90, lon: 180, locationType: 'inland' };
      b.suspects[0].birthDate = '2000-02-29';
      b.handling = { tlp: 'RED' };
    });
    expect(commandErrors('seizure.report', body)).toEqual([]);
  });

  it('accepts the earliest allowed occurredAt and a seizure without crossing point or suspects', () => {
    const body = mutated(reportSeizure, (b) => {
      b.occurredAt = '1990-01-01T00:00:00Z';
      delete b.location.crossingPoint;
      delete b.suspects;
      b.suspects = [];
    });
    expect(commandErrors('seizure.report', body)).toEqual([]);
  });

  const cases: Case[] = [
    ['commandId required', (b) => delete b.commandId, 'commandId', 'is required'],
    ['commandId a UUID', (b) => (b.commandId = 'cmd-1'), 'commandId', 'must be a UUID'],
    ['seizureId a UUID', (b) => (b.seizureId = 42), 'seizureId', 'must be a UUID'],
    [
      'occurredAt with a time zone',
      (b) => (b.occurredAt = '2025-05-30T04:15:00'),
      'occurredAt',
      'must be an RFC 3339 date-time with a time zone, such as 2025-03-14T08:30:00Z',
    ],
    [
      'occurredAt a date-time, not a date',
      (b) => (b.occurredAt = '2025-05-30'),
      'occurredAt',
      'must be an RFC 3339 date-time with a time zone, such as 2025-03-14T08:30:00Z',
    ],
    [
      'occurredAt a real date',
      (b) => (b.occurredAt = '2025-02-29T10:00:00Z'),
      'occurredAt',
      'must be an RFC 3339 date-time with a time zone, such as 2025-03-14T08:30:00Z',
    ],
    [
      'occurredAt a real time',
      (b) => (b.occurredAt = '2025-05-30T24:00:00Z'),
      'occurredAt',
      'must be an RFC 3339 date-time with a time zone, such as 2025-03-14T08:30:00Z',
    ],
    [
      'occurredAt not in the future',
      (b) => (b.occurredAt = minutesFromNow(6)),
      'occurredAt',
      'must not be in the future',
    ],
    [
      'occurredAt not in the future, offsets included',
      (b) => (b.occurredAt = '2025-06-01T17:06:00+05:00'),
      'occurredAt',
      'must not be in the future',
    ],
    [
      'occurredAt not before 1990',
      (b) => (b.occurredAt = '1989-12-31T23:59:59Z'),
      'occurredAt',
      'must not be before 1990-01-01',
    ],
    ['location required', (b) => delete b.location, 'location', 'is required'],
    ['location an object', (b) => (b.location = 'Nizhny Panj'), 'location', 'must be an object'],
    [
      'location.country a real ISO country',
      (b) => (b.location.country = 'XX'),
      'location.country',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'location.country upper case',
      (b) => (b.location.country = 'tj'),
      'location.country',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'location.crossingPoint well-formed',
      (b) => (b.location.crossingPoint = 'Nizhny Panj'),
      'location.crossingPoint',
      'must be a crossing point code such as TJ-NIZHNY-PANJ',
    ],
    [
      'location.crossingPoint in the directory',
      (b) => (b.location.crossingPoint = 'TJ-PANJI-POYON'),
      'location.crossingPoint',
      'is not a crossing point of the directory',
    ],
    [
      'location.crossingPoint in location.country',
      (b) => (b.location.crossingPoint = 'UZ-TERMEZ'),
      'location.crossingPoint',
      'lies in UZ, not in location.country TJ',
    ],
    [
      'location.region length',
      (b) => (b.location.region = chars(129)),
      'location.region',
      'must be at most 128 characters long',
    ],
    ['location.region not blank', (b) => (b.location.region = '  '), 'location.region', 'must not be empty'],
    ['location.lat <= 90', (b) => (b.location.lat = 90.01), 'location.lat', 'must be between -90 and 90'],
    ['location.lat >= -90', (b) => (b.location.lat = -91), 'location.lat', 'must be between -90 and 90'],
    ['location.lat a number', (b) => (b.location.lat = '37.2'), 'location.lat', 'must be a number'],
    ['location.lon <= 180', (b) => (b.location.lon = 180.5), 'location.lon', 'must be between -180 and 180'],
    ['location.lon >= -180', (b) => (b.location.lon = -181), 'location.lon', 'must be between -180 and 180'],
    [
      'location.locationType enumerated',
      (b) => (b.location.locationType = 'border'),
      'location.locationType',
      'must be one of: land-border, airport, seaport, river-port, rail, inland, postal',
    ],
    ['unknown field in location', (b) => (b.location.city = 'Panj'), 'location.city', 'unknown field'],
    [
      'direction enumerated',
      (b) => (b.direction = 'IMPORT'),
      'direction',
      'must be one of: import, export, transit, inland',
    ],
    ['items required', (b) => delete b.items, 'items', 'is required'],
    ['items an array', (b) => (b.items = item), 'items', 'must be an array'],
    ['items at least 1', (b) => (b.items = []), 'items', 'must have at least 1 element'],
    [
      'items at most 50',
      (b) => (b.items = Array.from({ length: 51 }, () => ({ ...item }))),
      'items',
      'must have at most 50 elements',
    ],
    ['items elements objects', (b) => (b.items[1] = 'heroin'), 'items[1]', 'must be an object'],
    ['items[].quantity > 0', (b) => (b.items[2].quantity = 0), 'items[2].quantity', 'must be greater than 0'],
    ['items[].quantity not negative', (b) => (b.items[0].quantity = -1), 'items[0].quantity', 'must be greater than 0'],
    ['items[].quantity a number', (b) => (b.items[0].quantity = '12'), 'items[0].quantity', 'must be a number'],
    ['items[].quantity required', (b) => delete b.items[1].quantity, 'items[1].quantity', 'is required'],
    [
      'items[].unit enumerated',
      (b) => (b.items[0].unit = 'lb'),
      'items[0].unit',
      'must be one of: kg, g, l, ml, tablets, units, persons',
    ],
    [
      'items[].category enumerated',
      (b) => (b.items[0].category = 'drugs'),
      'items[0].category',
      'must be one of: narcotic, psychotropic, precursor, weapon, ammunition, explosive, currency, persons, wildlife, other',
    ],
    [
      'items[].substance lower-case',
      (b) => (b.items[0].substance = 'Heroin'),
      'items[0].substance',
      'must be lower-case',
    ],
    ['items[].substance not blank', (b) => (b.items[0].substance = ''), 'items[0].substance', 'must not be empty'],
    [
      'items[].substance length',
      (b) => (b.items[0].substance = chars(65)),
      'items[0].substance',
      'must be at most 64 characters long',
    ],
    [
      'items[].purityPercent <= 100',
      (b) => (b.items[0].purityPercent = 100.1),
      'items[0].purityPercent',
      'must be between 0 and 100',
    ],
    [
      'items[].purityPercent >= 0',
      (b) => (b.items[0].purityPercent = -1),
      'items[0].purityPercent',
      'must be between 0 and 100',
    ],
    [
      'items[].estimatedValueUsd >= 0',
      (b) => (b.items[0].estimatedValueUsd = -0.01),
      'items[0].estimatedValueUsd',
      'must be at least 0',
    ],
    ['unknown field in items[]', (b) => (b.items[1].agency = 'TJ-DCA'), 'items[1].agency', 'unknown field'],
    [
      'transportMode enumerated',
      (b) => (b.transportMode = 'car'),
      'transportMode',
      'must be one of: road, rail, air, sea, river, foot, pack-animal, postal, pipeline, unknown',
    ],
    ['conveyance an object', (b) => (b.conveyance = ['truck']), 'conveyance', 'must be an object'],
    ['conveyance.kind required', (b) => delete b.conveyance.kind, 'conveyance.kind', 'is required'],
    [
      'conveyance.registration length',
      (b) => (b.conveyance.registration = chars(33)),
      'conveyance.registration',
      'must be at most 32 characters long',
    ],
    [
      'conveyance.country a real ISO country',
      (b) => (b.conveyance.country = 'AFG'),
      'conveyance.country',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'concealment enumerated',
      (b) => (b.concealment = 'hidden'),
      'concealment',
      'must be one of: natural-cavities, body, luggage, vehicle-compartment, cargo, parcel, other, unknown',
    ],
    ['detectionMethod required', (b) => delete b.detectionMethod, 'detectionMethod', 'is required'],
    [
      'route.origin a real ISO country',
      (b) => (b.route.origin = 'XK'),
      'route.origin',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'route.transit elements real ISO countries',
      (b) => (b.route.transit = ['TJ', 'KG', 'UK']),
      'route.transit[2]',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'route.transit at most 20',
      (b) => (b.route.transit = Array.from({ length: 21 }, () => 'TJ')),
      'route.transit',
      'must have at most 20 elements',
    ],
    [
      'route.destination a real ISO country',
      (b) => (b.route.destination = 'kz'),
      'route.destination',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'suspects at most 50',
      (b) => (b.suspects = Array.from({ length: 51 }, () => ({}))),
      'suspects',
      'must have at most 50 elements',
    ],
    [
      'suspects[].birthDate a real date',
      (b) => (b.suspects[0].birthDate = '1987-02-29'),
      'suspects[0].birthDate',
      'must be a real date in the form YYYY-MM-DD',
    ],
    [
      'suspects[].birthDate YYYY-MM-DD',
      (b) => (b.suspects[0].birthDate = '1988-02-29T00:00:00Z'),
      'suspects[0].birthDate',
      'must be a real date in the form YYYY-MM-DD',
    ],
    [
      'suspects[].nationality a real ISO country',
      (b) => (b.suspects[0].nationality = 'Afghan'),
      'suspects[0].nationality',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'suspects[].role enumerated',
      (b) => (b.suspects[0].role = 'boss'),
      'suspects[0].role',
      'must be one of: courier, driver, organiser, recipient, other',
    ],
    [
      'suspects[].fullName without control characters',
      (b) => (b.suspects[0].fullName = 'Ahmad\u0007Karimov'),
      'suspects[0].fullName',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    [
      'suspects[].fullName length',
      (b) => (b.suspects[0].fullName = chars(201)),
      'suspects[0].fullName',
      'must be at most 200 characters long',
    ],
    [
      'suspects[].documentNumber length',
      (b) => (b.suspects[0].documentNumber = chars(65)),
      'suspects[0].documentNumber',
      'must be at most 64 characters long',
    ],
    ['unknown field in suspects[]', (b) => (b.suspects[0].photo = 'x'), 'suspects[0].photo', 'unknown field'],
    [
      'caseReference <= 64',
      (b) => (b.caseReference = chars(65)),
      'caseReference',
      'must be at most 64 characters long',
    ],
    ['caseReference not null', (b) => (b.caseReference = null), 'caseReference', 'must be a string'],
    ['narrative <= 8000', (b) => (b.narrative = chars(8001)), 'narrative', 'must be at most 8000 characters long'],
    [
      'narrative without carriage return',
      (b) => (b.narrative = 'line\r\nline'),
      'narrative',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    [
      'narrative without NUL',
      (b) => (b.narrative = 'a\u0000b'),
      'narrative',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    [
      'narrative without C1 controls',
      (b) => (b.narrative = 'a\u0085b'),
      'narrative',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    [
      'narrative valid Unicode',
      (b) => (b.narrative = 'half a pair: \ud83d'),
      'narrative',
      'must be valid Unicode text',
    ],
    ['handling required', (b) => delete b.handling, 'handling', 'is required'],
    ['handling.tlp required', (b) => delete b.handling.tlp, 'handling.tlp', 'is required'],
    [
      'handling.tlp enumerated',
      (b) => (b.handling.tlp = 'amber'),
      'handling.tlp',
      'must be one of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED',
    ],
    [
      'handling.releasableTo agency codes',
      (b) => (b.handling.releasableTo = ['CARICC', 'uz-scc']),
      'handling.releasableTo[1]',
      'must be an agency code such as TJ-DCA or CARICC',
    ],
    [
      'handling.releasableTo without duplicates',
      (b) => (b.handling.releasableTo = ['CARICC', 'CARICC']),
      'handling.releasableTo',
      'must not contain duplicates',
    ],
    [
      'handling.handlingCode enumerated',
      (b) => (b.handling.handlingCode = 'H4'),
      'handling.handlingCode',
      'must be one of: H0, H1, H2, H3',
    ],
    [
      'handling.sourceReliability enumerated',
      (b) => (b.handling.sourceReliability = 'D'),
      'handling.sourceReliability',
      'must be one of: A, B, C, X',
    ],
    [
      'handling.informationAccuracy 1..4',
      (b) => (b.handling.informationAccuracy = 5),
      'handling.informationAccuracy',
      'must be one of: 1, 2, 3, 4',
    ],
    [
      'handling.informationAccuracy a number, not a string',
      (b) => (b.handling.informationAccuracy = '2'),
      'handling.informationAccuracy',
      'must be one of: 1, 2, 3, 4',
    ],
    [
      'unknown field in handling',
      (b) => (b.handling.classification = 'secret'),
      'handling.classification',
      'unknown field',
    ],
    ['unknown top-level field', (b) => (b.originator = 'TJ-DCA'), 'originator', 'unknown field'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(commandErrors('seizure.report', mutated(reportSeizure, mutate))).toEqual([{ path, message }]);
  });

  it('reports one error per offending field, at every depth at once', () => {
    const body = mutated(reportSeizure, (b) => {
      b.items[2].quantity = 0;
      b.suspects[0].birthDate = '1990-13-01';
      b.handling.tlp = 'BLACK';
      b.location.crossingPoint = 'TJ-UNKNOWN';
    });
    expect(commandErrors('seizure.report', body).map((e) => e.path)).toEqual([
      'items[2].quantity',
      'suspects[0].birthDate',
      'handling.tlp',
      'location.crossingPoint',
    ]);
  });

  it('checks crossing points against the directory given in the context', () => {
    const body = reportSeizure();
    expect(commandErrors('seizure.report', body, { ...CONTEXT, crossingPoints: [] })).toEqual([
      { path: 'location.crossingPoint', message: 'is not a crossing point of the directory' },
    ]);
  });

  it('takes "now" from the context', () => {
    const body = mutated(reportSeizure, (b) => (b.occurredAt = '2025-06-01T12:10:00Z'));
    expect(commandErrors('seizure.report', body, { ...CONTEXT, now: new Date('2025-06-01T12:05:00Z') })).toEqual([]);
    expect(commandErrors('seizure.report', body, { ...CONTEXT, now: new Date('2025-06-01T12:04:59Z') })).toEqual([
      { path: 'occurredAt', message: 'must not be in the future' },
    ]);
  });
});

describe('seizure.amend', () => {
  it('accepts the baseline, and a change of a single optional field', () => {
    expect(commandErrors('seizure.amend', amendSeizure())).toEqual([]);
    const one = mutated(amendSeizure, (b) => (b.changes = { caseReference: 'DCA-2025-0413' }));
    expect(commandErrors('seizure.amend', one)).toEqual([]);
  });

  it('reads TLP WHITE in changes as CLEAR', () => {
    const result = validateCommand(
      'seizure.amend',
      mutated(amendSeizure, (b) => (b.changes.handling.tlp = 'WHITE')),
      CONTEXT,
    );
    expect(result.ok && result.value.changes.handling?.tlp).toBe('CLEAR');
  });

  const cases: Case[] = [
    ['commandId a UUID', (b) => (b.commandId = ''), 'commandId', 'must be a UUID'],
    ['seizureId required', (b) => delete b.seizureId, 'seizureId', 'is required'],
    ['expectedVersion required', (b) => delete b.expectedVersion, 'expectedVersion', 'is required'],
    ['expectedVersion whole', (b) => (b.expectedVersion = 1.5), 'expectedVersion', 'must be a whole number'],
    ['expectedVersion at least 1', (b) => (b.expectedVersion = 0), 'expectedVersion', 'must be at least 1'],
    ['expectedVersion a number', (b) => (b.expectedVersion = '1'), 'expectedVersion', 'must be a whole number'],
    ['changes required', (b) => delete b.changes, 'changes', 'is required'],
    ['changes an object', (b) => (b.changes = []), 'changes', 'must be an object'],
    ['changes not empty', (b) => (b.changes = {}), 'changes', 'must name at least one field to change'],
    [
      'the seizure id cannot change',
      (b) => (b.changes.seizureId = SEIZURE_ID),
      'changes.seizureId',
      'cannot be changed',
    ],
    ['unknown field in changes', (b) => (b.changes.commandId = SEIZURE_ID), 'changes.commandId', 'unknown field'],
    [
      'changes.occurredAt not in the future',
      (b) => (b.changes.occurredAt = minutesFromNow(60)),
      'changes.occurredAt',
      'must not be in the future',
    ],
    [
      'changes.occurredAt not before 1990',
      (b) => (b.changes.occurredAt = '1980-01-01T00:00:00Z'),
      'changes.occurredAt',
      'must not be before 1990-01-01',
    ],
    [
      'changes.location replaced whole: country required',
      (b) => delete b.changes.location.country,
      'changes.location.country',
      'is required',
    ],
    [
      'changes.location.crossingPoint in the directory',
      (b) => (b.changes.location.crossingPoint = 'UZ-AYVAJ'),
      'changes.location.crossingPoint',
      'is not a crossing point of the directory',
    ],
    [
      'changes.location.crossingPoint in changes.location.country',
      (b) => (b.changes.location.country = 'TJ'),
      'changes.location.crossingPoint',
      'lies in UZ, not in location.country TJ',
    ],
    ['changes.items not empty', (b) => (b.changes.items = []), 'changes.items', 'must have at least 1 element'],
    [
      'changes.items[].quantity > 0',
      (b) => (b.changes.items[0].quantity = 0),
      'changes.items[0].quantity',
      'must be greater than 0',
    ],
    [
      'changes.suspects[].fullName without control characters',
      (b) => (b.changes.suspects = [{ role: 'courier' }, { fullName: 'x\u001by' }]),
      'changes.suspects[1].fullName',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    [
      'a given required field is not null',
      (b) => (b.changes.direction = null),
      'changes.direction',
      'must be one of: import, export, transit, inland',
    ],
    [
      'changes.handling.tlp required when handling changes',
      (b) => (b.changes.handling = { handlingCode: 'H1' }),
      'changes.handling.tlp',
      'is required',
    ],
    [
      'changes.narrative <= 8000',
      (b) => (b.changes.narrative = chars(8001)),
      'changes.narrative',
      'must be at most 8000 characters long',
    ],
    ['reason required', (b) => delete b.reason, 'reason', 'is required'],
    ['reason not blank', (b) => (b.reason = ' \n '), 'reason', 'must not be empty'],
    ['reason <= 1000', (b) => (b.reason = chars(1001)), 'reason', 'must be at most 1000 characters long'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(commandErrors('seizure.amend', mutated(amendSeizure, mutate))).toEqual([{ path, message }]);
  });
});

describe('seizure.retract', () => {
  it('accepts the baseline, with or without expectedVersion', () => {
    expect(commandErrors('seizure.retract', retractSeizure())).toEqual([]);
    expect(
      commandErrors(
        'seizure.retract',
        mutated(retractSeizure, (b) => delete b.expectedVersion),
      ),
    ).toEqual([]);
  });

  const cases: Case[] = [
    ['commandId required', (b) => delete b.commandId, 'commandId', 'is required'],
    ['seizureId a UUID', (b) => (b.seizureId = 'seizure-1'), 'seizureId', 'must be a UUID'],
    ['expectedVersion at least 1', (b) => (b.expectedVersion = -2), 'expectedVersion', 'must be at least 1'],
    ['reason required', (b) => delete b.reason, 'reason', 'is required'],
    [
      'reason without control characters',
      (b) => (b.reason = 'dup\u0008'),
      'reason',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    ['unknown field', (b) => (b.changes = {}), 'changes', 'unknown field'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(commandErrors('seizure.retract', mutated(retractSeizure, mutate))).toEqual([{ path, message }]);
  });
});
