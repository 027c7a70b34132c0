// The small world of the e2e story, set up only through the public HTTP API as a hub admin and the
// agencies' own administrators would: a handful of agencies and crossing points, one key per role
// holder, and outbound policies that make the right recipients (and only them) get the right fields.
import { randomUUID } from 'node:crypto';
import { Api } from './api.js';

/** The agencies of the story and why each one is there. */
export const AGENCIES = {
  /** Reports the seizures; shares a bilateral full copy with KZ-BS and a statistical one with CARICC. */
  publisher: 'TJ-DCA',
  /** A second Tajik reporter, so that the regional cell summarises two agencies (SPEC §8). */
  second: 'TJ-BS',
  /** Gets TJ-DCA's seizures under a bilateral rule, by HTTP, SSE and its own NATS user. */
  partner: 'KZ-BS',
  /** Matched by no rule: must receive nothing at all. */
  unmatched: 'UZ-SCC',
  /** The regional centre: its shared feed drives the risk views. */
  centre: 'CARICC',
  /** Hub-wide auditor. */
  oversight: 'AUDIT',
} as const;

export const CROSSING = 'TJ-NIZHNY-PANJ';

const DIRECTORY = {
  agencies: {
    'TJ-DCA': {
      name: 'Drug Control Agency of Tajikistan',
      country: 'TJ',
      kind: 'drug-control',
      groups: ['group:central-asia'],
    },
    'TJ-BS': { name: 'Border Service of Tajikistan', country: 'TJ', kind: 'border', groups: ['group:central-asia'] },
    'KZ-BS': { name: 'Border Service of Kazakhstan', country: 'KZ', kind: 'border', groups: ['group:central-asia'] },
    'UZ-SCC': {
      name: 'State Customs Committee of Uzbekistan',
      country: 'UZ',
      kind: 'customs',
      groups: ['group:customs'],
    },
    CARICC: { name: 'Regional centre', kind: 'regional-centre', groups: [] },
    AUDIT: { name: 'Oversight body', kind: 'international', groups: [] },
  },
  crossingPoints: {
    'TJ-NIZHNY-PANJ': { name: 'Nizhny Panj', country: 'TJ', facing: 'AF', lat: 37.2, lon: 68.6 },
    'TJ-ISHKASHIM': { name: 'Ishkashim', country: 'TJ', facing: 'AF', lat: 36.7, lon: 71.6 },
  },
} as const;

/** What the centre may see of TJ agencies' seizures: no names, documents, narrative or case numbers. */
export const CENTRE_FIELDS = [
  'occurredAt',
  'location',
  'direction',
  'items',
  'transportMode',
  'detectionMethod',
  'route',
  'suspects[].nationality',
];

/** TJ-DCA's policy: the centre gets statistics; KZ-BS everything but the narrative, documents pseudonymised. */
export const PUBLISHER_POLICY = {
  rules: [
    { to: ['CARICC'], types: ['seizure.*'], fields: CENTRE_FIELDS },
    {
      to: ['KZ-BS'],
      types: ['seizure.*'],
      fields: ['*'],
      drop: ['narrative'],
      pseudonymize: ['suspects[].documentNumber'],
    },
  ],
};

/** TJ-BS shares with the centre only. */
export const SECOND_POLICY = { rules: [{ to: ['CARICC'], types: ['seizure.*'], fields: CENTRE_FIELDS }] };

export interface StoryKeys {
  /** TJ-DCA: publisher, recipient, admin, analyst. */
  readonly publisher: string;
  readonly second: string;
  /** KZ-BS: recipient. */
  readonly partner: string;
  /** UZ-SCC: recipient, analyst. */
  readonly unmatched: string;
  /** CARICC: recipient, analyst. */
  readonly centre: string;
  /** AUDIT: auditor. */
  readonly auditor: string;
}

/** Registers the directory, creates the keys and sets both policies. */
export async function setUpStory(url: string, adminKey: string): Promise<StoryKeys> {
  const keys = await setUpDirectory(url, adminKey);
  await setPolicy(url, keys.publisher, AGENCIES.publisher, PUBLISHER_POLICY);
  await setPolicy(url, keys.second, AGENCIES.second, SECOND_POLICY);
  return keys;
}

/** The hub admin's part only: directory and keys (no ledger involved). */
export async function setUpDirectory(url: string, adminKey: string): Promise<StoryKeys> {
  const admin = new Api(url, adminKey);
  for (const [code, agency] of Object.entries(DIRECTORY.agencies)) {
    await admin.expect([200, 201], 'PUT', `/v1/agencies/${code}`, agency);
  }
  for (const [code, point] of Object.entries(DIRECTORY.crossingPoints)) {
    await admin.expect([200, 201], 'PUT', `/v1/crossing-points/${code}`, point);
  }
  const key = async (agency: string, roles: string[]) =>
    (await admin.expect<{ keyId: string; key: string }>(201, 'POST', '/v1/keys', { agency, roles })).key;
  const keys: StoryKeys = {
    publisher: await key(AGENCIES.publisher, ['publisher', 'recipient', 'admin', 'analyst']),
    second: await key(AGENCIES.second, ['publisher', 'recipient', 'admin']),
    partner: await key(AGENCIES.partner, ['recipient', 'admin']),
    unmatched: await key(AGENCIES.unmatched, ['recipient', 'analyst', 'admin']),
    centre: await key(AGENCIES.centre, ['recipient', 'analyst']),
    auditor: await key(AGENCIES.oversight, ['auditor']),
  };
  return keys;
}

export async function setPolicy(url: string, key: string, agency: string, policy: unknown): Promise<void> {
  await new Api(url, key).expect([200, 201], 'PUT', `/v1/policies/${agency}`, {
    commandId: randomUUID(),
    ...(policy as object),
  });
}

/** Thursday 10:00 UTC of last ISO week: every seizure of a test lands in one weekly cell. */
export function lastWeekThursday(now = new Date()): Date {
  const day = (now.getUTCDay() + 6) % 7; // Monday 0
  const monday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - day);
  return new Date(monday - 4 * 86_400_000 + 10 * 3_600_000);
}

/** A complete §3.1 seizure with every field a policy might keep or drop. */
export function seizure(overrides: { quantity?: number; hour?: number; documentNumber?: string } = {}) {
  const occurredAt = new Date(lastWeekThursday().getTime() + (overrides.hour ?? 0) * 3_600_000);
  return {
    commandId: randomUUID(),
    seizureId: randomUUID(),
    occurredAt: occurredAt.toISOString(),
    location: {
      country: 'TJ',
      crossingPoint: CROSSING,
      region: 'Khatlon',
      lat: 37.2,
      lon: 68.6,
      locationType: 'land-border',
    },
    direction: 'import',
    items: [
      { category: 'narcotic', substance: 'heroin', quantity: overrides.quantity ?? 10, unit: 'kg', purityPercent: 60 },
    ],
    transportMode: 'road',
    conveyance: { kind: 'truck', registration: '01 123 ABC', country: 'TJ' },
    concealment: 'vehicle-compartment',
    detectionMethod: 'x-ray',
    route: { origin: 'AF', transit: ['TJ'], destination: 'KZ' },
    suspects: [
      {
        fullName: 'Test Courier',
        nationality: 'AF',
        documentNumber: overrides.documentNumber ?? 'P1234567',
        role: 'courier',
      },
    ],
    caseReference: 'TJ-2026-0001',
    narrative: 'Found behind the fuel tank after an x-ray alert.',
    handling: { tlp: 'GREEN' },
  };
}

/** A shared copy as the feed, SSE and NATS carry it (SPEC §3 envelope + redacted payload). */
export interface Copy {
  readonly eventId: string;
  readonly type: string;
  readonly position: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly originator: string;
  readonly recipient: string;
  readonly policyVersion: number;
  readonly payload: Record<string, unknown>;
}

/** Every copy the agency of `key` has in its HTTP feed. */
export async function feedOf(url: string, key: string): Promise<Copy[]> {
  const copies: Copy[] = [];
  let after = 0;
  for (;;) {
    const page = await new Api(url, key).expect<{ events: Copy[]; next: number }>(
      200,
      'GET',
      `/v1/feed?after=${after}&limit=1000`,
    );
    copies.push(...page.events);
    if (page.events.length === 0 || page.next <= after) return copies;
    after = page.next;
  }
}

type CrossingCell = {
  locationKey: string;
  suppressed: boolean;
  seizures?: number;
  totals?: { substance: string; unit: string; quantity: number }[];
};

/** The centre's crossings cell of CROSSING, if the view has one. */
export async function crossingCell(url: string, centreKey: string): Promise<CrossingCell | undefined> {
  const view = await new Api(url, centreKey).expect<{ items: CrossingCell[] }>(200, 'GET', '/v1/risk/crossings');
  return view.items.find((i) => i.locationKey === CROSSING);
}

/** Heroin in kg of a cell, when shown. */
export function heroinKg(cell: CrossingCell | undefined): number | undefined {
  return cell?.totals?.find((t) => t.substance === 'heroin' && t.unit === 'kg')?.quantity;
}

/** `{"msg":"ledger verified","position":N…}`: the auditor's continuous verification, as the hub logs it. */
export function verifiedPositions(output: string): number[] {
  return [...output.matchAll(/"msg":"ledger verified","position":(\d+)/g)].map((m) => Number(m[1]));
}
