// Valid baseline bodies for the unit tests: each test mutates one field of a fresh copy.
import type { ValidationContext } from './validate.js';

/** A body as a test sees it: loosely typed on purpose, so that a test can write any wrong value into it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutations put wrong types into fields
export type Body = Record<string, any>;

export const NOW = new Date('2025-06-01T12:00:00Z');

export const CONTEXT: ValidationContext = {
  now: NOW,
  crossingPoints: [
    { code: 'TJ-NIZHNY-PANJ', country: 'TJ' },
    { code: 'UZ-TERMEZ', country: 'UZ' },
  ],
};

export const SEIZURE_ID = '3f1c2a9e-8b7d-4c6e-9a5f-1d2e3c4b5a69';
export const ALERT_ID = '7a4e1b2c-3d5f-4e6a-8b9c-0d1e2f3a4b5c';
export const COMMAND_ID = 'c0ffee00-1234-4abc-8def-0123456789ab';

export function reportSeizure(): Body {
  return {
    commandId: COMMAND_ID,
    seizureId: SEIZURE_ID,
    occurredAt: '2025-05-30T04:15:00+05:00',
    location: {
      country: 'TJ',
      crossingPoint: 'TJ-NIZHNY-PANJ',
      region: 'Khatlon',
      lat: 37.2,
      lon: 68.6,
      locationType: 'land-border',
    },
    direction: 'import',
    items: [
      {
        category: 'narcotic',
        substance: 'heroin',
        quantity: 12.5,
        unit: 'kg',
        purityPercent: 62,
        estimatedValueUsd: 0,
      },
      { category: 'precursor', substance: 'acetic-anhydride', quantity: 40, unit: 'l' },
      { category: 'psychotropic', substance: 'tramadol', quantity: 3000, unit: 'tablets' },
    ],
    transportMode: 'road',
    conveyance: { kind: 'truck', registration: '01 A 123 BC', country: 'AF' },
    concealment: 'vehicle-compartment',
    detectionMethod: 'x-ray',
    route: { origin: 'AF', transit: ['TJ', 'KG'], destination: 'KZ' },
    suspects: [
      {
        fullName: 'Ahmad Karimov',
        nationality: 'AF',
        birthDate: '1988-02-29',
        documentNumber: 'P1234567',
        role: 'driver',
      },
    ],
    caseReference: 'DCA-2025-0412',
    narrative: 'Found behind a false panel.\n\tTwo packages.',
    handling: {
      tlp: 'AMBER',
      releasableTo: ['CARICC', 'UZ-SCC'],
      handlingCode: 'H2',
      sourceReliability: 'B',
      informationAccuracy: 2,
    },
  };
}

export function amendSeizure(): Body {
  return {
    commandId: COMMAND_ID,
    seizureId: SEIZURE_ID,
    expectedVersion: 1,
    changes: {
      occurredAt: '2025-05-30T03:00:00Z',
      location: { country: 'UZ', crossingPoint: 'UZ-TERMEZ', locationType: 'river-port' },
      items: [{ category: 'narcotic', substance: 'opium', quantity: 3, unit: 'kg' }],
      handling: { tlp: 'GREEN' },
    },
    reason: 'Laboratory weighing',
  };
}

export function retractSeizure(): Body {
  return { commandId: COMMAND_ID, seizureId: SEIZURE_ID, expectedVersion: 2, reason: 'Reported twice' };
}

export function issueAlert(): Body {
  return {
    commandId: COMMAND_ID,
    alertId: ALERT_ID,
    category: 'suspect-conveyance',
    severity: 4,
    confidence: 'medium',
    validFrom: '2025-06-01T00:00:00Z',
    validUntil: '2025-09-01T00:00:00Z',
    area: { countries: ['TJ', 'UZ'], crossingPoints: ['TJ-NIZHNY-PANJ', 'UZ-TERMEZ'] },
    indicators: [
      { kind: 'vehicle-registration', value: '01 A 123 BC' },
      { kind: 'route', value: 'AF-TJ-KG-KZ' },
    ],
    relatedSeizures: [SEIZURE_ID],
    summary: 'White truck with a false panel behind the cab',
    narrative: 'Seen twice in May.',
    handling: { tlp: 'GREEN' },
  };
}

export function updateAlert(): Body {
  return {
    commandId: COMMAND_ID,
    alertId: ALERT_ID,
    expectedVersion: 3,
    changes: { severity: 5, area: { countries: ['KG'] }, indicators: [] },
    reason: 'New sighting',
  };
}

export function withdrawAlert(): Body {
  return { commandId: COMMAND_ID, alertId: ALERT_ID, reason: 'Threat ended' };
}

export function setPolicy(): Body {
  return {
    commandId: COMMAND_ID,
    expectedVersion: 0,
    rules: [
      {
        to: ['CARICC'],
        types: ['seizure.*'],
        fields: ['occurredAt', 'location', 'items', 'suspects[].nationality', 'conveyance.registration'],
        generalize: { location: 'region', occurredAt: 'week' },
        pseudonymize: ['conveyance.registration'],
      },
      { to: ['group:central-asia', 'UZ-SCC'], types: ['threat.alert.*'], fields: ['*'], drop: ['narrative'] },
    ],
  };
}

export function agencyRegistration(): Body {
  return {
    name: 'Drug Control Agency of Tajikistan',
    country: 'TJ',
    kind: 'drug-control',
    groups: ['group:central-asia'],
  };
}

export function crossingPointRegistration(): Body {
  return { name: 'Nizhny Panj', country: 'TJ', facing: 'AF', lat: 37.2, lon: 68.6 };
}

export function keyCreation(): Body {
  return { agency: 'TJ-DCA', roles: ['publisher', 'recipient'] };
}
