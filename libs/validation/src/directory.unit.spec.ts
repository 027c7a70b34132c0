import {
  validateAgencyRegistration,
  validateCrossingPointRegistration,
  validateKeyCreation,
  validateReasonBody,
} from './validate.js';
import { agencyRegistration, crossingPointRegistration, keyCreation } from './validation.fixtures.spec.js';
import { chars, errorsOf, mutated, type Case } from './validation.test-helpers.spec.js';

describe('agency registration', () => {
  it('accepts the baseline, and a regional centre without country', () => {
    expect(errorsOf(validateAgencyRegistration('TJ-DCA', agencyRegistration()))).toEqual([]);
    const centre = { name: 'CARICC', kind: 'regional-centre', groups: [] };
    expect(errorsOf(validateAgencyRegistration('CARICC', centre))).toEqual([]);
  });

  const cases: Case[] = [
    ['name required', (b) => delete b.name, 'name', 'is required'],
    ['name <= 200', (b) => (b.name = chars(201)), 'name', 'must be at most 200 characters long'],
    [
      'name without control characters',
      (b) => (b.name = 'DCA\u0007'),
      'name',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    [
      'country a real ISO country',
      (b) => (b.country = 'TA'),
      'country',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'country of a national agency required',
      (b) => delete b.country,
      'country',
      'is required for a drug-control agency',
    ],
    [
      'country matches the code prefix',
      (b) => (b.country = 'UZ'),
      'country',
      'must be TJ, the country of agency code TJ-DCA',
    ],
    [
      'kind enumerated',
      (b) => (b.kind = 'army'),
      'kind',
      'must be one of: border, customs, police, drug-control, regional-centre, international',
    ],
    ['groups required', (b) => delete b.groups, 'groups', 'is required'],
    [
      'groups references',
      (b) => (b.groups = ['central-asia']),
      'groups[0]',
      'must be a group such as group:central-asia',
    ],
    [
      'groups without duplicates',
      (b) => (b.groups = ['group:customs', 'group:customs']),
      'groups',
      'must not contain duplicates',
    ],
    ['unknown field', (b) => (b.code = 'TJ-DCA'), 'code', 'unknown field'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(errorsOf(validateAgencyRegistration('TJ-DCA', mutated(agencyRegistration, mutate)))).toEqual([
      { path, message },
    ]);
  });

  it('refuses a malformed agency code', () => {
    expect(errorsOf(validateAgencyRegistration('tj-dca', agencyRegistration()))).toEqual([
      { path: 'code', message: 'must be an agency code such as TJ-DCA or CARICC' },
    ]);
  });
});

describe('crossing point registration', () => {
  it('accepts the baseline', () => {
    expect(errorsOf(validateCrossingPointRegistration('TJ-NIZHNY-PANJ', crossingPointRegistration()))).toEqual([]);
  });

  const cases: Case[] = [
    ['name required', (b) => delete b.name, 'name', 'is required'],
    [
      'country a real ISO country',
      (b) => (b.country = 'TJK'),
      'country',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    [
      'country matches the code prefix',
      (b) => (b.country = 'UZ'),
      'country',
      'must be TJ, the country of crossing point TJ-NIZHNY-PANJ',
    ],
    [
      'facing a real ISO country',
      (b) => (b.facing = 'XX'),
      'facing',
      'must be an ISO 3166-1 alpha-2 country code such as TJ',
    ],
    ['facing another country', (b) => (b.facing = 'TJ'), 'facing', 'must differ from country'],
    ['lat required', (b) => delete b.lat, 'lat', 'is required'],
    ['lat -90..90', (b) => (b.lat = 100), 'lat', 'must be between -90 and 90'],
    ['lon -180..180', (b) => (b.lon = -180.1), 'lon', 'must be between -180 and 180'],
    ['unknown field', (b) => (b.code = 'TJ-NIZHNY-PANJ'), 'code', 'unknown field'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(
      errorsOf(validateCrossingPointRegistration('TJ-NIZHNY-PANJ', mutated(crossingPointRegistration, mutate))),
    ).toEqual([{ path, message }]);
  });

  it('refuses a malformed crossing point code', () => {
    expect(errorsOf(validateCrossingPointRegistration('NIZHNY-PANJ', crossingPointRegistration()))).toEqual([
      { path: 'code', message: 'must be a crossing point code such as TJ-NIZHNY-PANJ' },
    ]);
  });
});

describe('key creation', () => {
  it('accepts the baseline', () => {
    expect(errorsOf(validateKeyCreation(keyCreation()))).toEqual([]);
  });

  const cases: Case[] = [
    [
      'agency an agency code',
      (b) => (b.agency = 'Tajik DCA'),
      'agency',
      'must be an agency code such as TJ-DCA or CARICC',
    ],
    ['roles at least 1', (b) => (b.roles = []), 'roles', 'must have at least 1 element'],
    [
      'roles enumerated',
      (b) => (b.roles = ['publisher', 'root']),
      'roles[1]',
      'must be one of: publisher, recipient, analyst, admin, auditor, hub-admin',
    ],
    ['roles without duplicates', (b) => (b.roles = ['admin', 'admin']), 'roles', 'must not contain duplicates'],
    ['unknown field', (b) => (b.expiresAt = '2026-01-01T00:00:00Z'), 'expiresAt', 'unknown field'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(errorsOf(validateKeyCreation(mutated(keyCreation, mutate)))).toEqual([{ path, message }]);
  });
});

describe('reason body', () => {
  it('accepts a reason with line breaks and tabs', () => {
    expect(validateReasonBody({ reason: 'Duplicate of\n\tDCA-2025-0411' })).toEqual({
      ok: true,
      value: { reason: 'Duplicate of\n\tDCA-2025-0411' },
    });
  });

  const cases: Case[] = [
    ['reason required', (b) => delete b.reason, 'reason', 'is required'],
    ['reason <= 1000', (b) => (b.reason = chars(1001)), 'reason', 'must be at most 1000 characters long'],
    [
      'reason without control characters',
      (b) => (b.reason = 'x\u001by'),
      'reason',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    ['unknown field', (b) => (b.seizureId = 'x'), 'seizureId', 'unknown field'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(errorsOf(validateReasonBody(mutated(() => ({ reason: 'Reported twice' }), mutate)))).toEqual([
      { path, message },
    ]);
  });
});
