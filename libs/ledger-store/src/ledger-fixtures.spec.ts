// Shared by this lib's tests only (not exported): keys and sample events. Pure.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { DomainEvent } from '@caravan/contracts';

export function ledgerKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

export function seizureReported(seizureId: string = randomUUID(), note = 'heroin'): DomainEvent<'seizure.reported'> {
  return {
    type: 'seizure.reported',
    data: {
      seizureId,
      occurredAt: '2026-03-01T06:30:00.000Z',
      location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', locationType: 'land-border' },
      direction: 'import',
      items: [{ category: 'narcotic', substance: note, quantity: 12.5, unit: 'kg', purityPercent: 61 }],
      transportMode: 'road',
      detectionMethod: 'canine',
      narrative: 'Тайник в запасном колесе',
      handling: { tlp: 'AMBER', releasableTo: ['CARICC'] },
    },
  };
}

export function seizureRetracted(seizureId: string, reason = 'duplicate report'): DomainEvent<'seizure.retracted'> {
  return { type: 'seizure.retracted', data: { seizureId, reason } };
}

export function policySet(agency: string, substanceRule: string): DomainEvent<'policy.set'> {
  return {
    type: 'policy.set',
    data: { agency, rules: [{ to: ['CARICC'], types: [substanceRule], fields: ['*'] }] },
  };
}
