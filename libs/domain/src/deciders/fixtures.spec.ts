// Test-only fixtures for the decider tests (kept out of the build by the `.spec.ts` suffix).
import type { CommandMetadata } from './decider.js';
import type { SeizureReport, ThreatAlert } from '@caravan/contracts';

export const SEIZURE_ID = '6f1c7a52-4f7e-4d0a-9a51-2f4f7f6f0a01';
export const ALERT_ID = '0b9e2d7c-2c5a-4c8e-8f0e-6a7e5d4c3b02';
export const COMMAND_ID = 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0e13';
export const ORIGINATOR = 'TJ-DCA';
export const OTHER = 'UZ-CUS';
export const NOW = new Date('2026-03-10T12:00:00.000Z');

export const by = (agency: string, now = NOW): CommandMetadata => ({ agency, now });

export const report: SeizureReport = {
  seizureId: SEIZURE_ID,
  occurredAt: '2026-03-09T04:30:00.000Z',
  location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border' },
  direction: 'import',
  items: [{ category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg', purityPercent: 61 }],
  transportMode: 'road',
  conveyance: { kind: 'truck', registration: '1234 AB 01', country: 'TJ' },
  detectionMethod: 'intelligence',
  route: { origin: 'AF', transit: ['TJ'], destination: 'KZ' },
  suspects: [{ nationality: 'TJ', role: 'driver', documentNumber: 'A1234567' }],
  handling: { tlp: 'AMBER', releasableTo: ['CARICC'] },
};

export const alert: ThreatAlert = {
  alertId: ALERT_ID,
  category: 'suspect-conveyance',
  severity: 4,
  confidence: 'medium',
  validFrom: '2026-03-01T00:00:00.000Z',
  validUntil: '2026-06-01T00:00:00.000Z',
  area: { countries: ['TJ', 'UZ'], crossingPoints: ['TJ-NIZHNY-PANJ'] },
  indicators: [{ kind: 'vehicle-registration', value: '1234 AB 01' }],
  summary: 'Truck with hidden compartment expected on the Panj route',
  handling: { tlp: 'GREEN' },
};
