import fc from 'fast-check';
import type { Directory, RecordedEvent, SharingRule } from '@caravan/contracts';
import { evaluateSharing, knownPaths, type Delivery } from './index.js';

// Checks evaluateSharing against a second, deliberately plain reading of SPEC §5, written here from
// the spec and sharing no code with the implementation: for random (policy, event, recipient)
// triples, the recipient gets a copy exactly when the reference says so, its leaf paths are exactly
// the payload's leaf paths the policy allows (never one more), and the TLP caps hold.

const SECRET = 'property-secret';
const CODES = ['TJ-DCA', 'KZ-BS', 'UZ-SCC', 'CARICC', 'AF-CNPA'] as const;
const GROUPS: Record<string, string[]> = {
  'TJ-DCA': ['central-asia', 'drug-control'],
  'KZ-BS': ['central-asia', 'border'],
  'UZ-SCC': ['central-asia', 'customs'],
  CARICC: ['regional'],
  'AF-CNPA': [],
};
const directory: Directory = {
  agencies: CODES.map((code) => ({ code, name: code, kind: 'border', groups: GROUPS[code]!.map((g) => `group:${g}`) })),
  crossingPoints: [],
};

// ---- the reference ---------------------------------------------------------------------------

const segmentsOf = (path: string) => path.replaceAll('[]', '').split('.');
const isPrefix = (prefix: string[], of: string[]) =>
  prefix.length <= of.length && prefix.every((segment, i) => of[i] === segment);
const names = (paths: readonly string[], leaf: string) =>
  paths.some((path) => path === '*' || isPrefix(segmentsOf(path), segmentsOf(leaf)));

function typeMatch(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, pattern.length - 1));
  return pattern === type;
}

function reaches(entry: string, recipient: string): boolean {
  if (entry === recipient || entry === '*') return true;
  return entry.startsWith('group:') && GROUPS[recipient]!.includes(entry.slice('group:'.length));
}

function winningRule(rules: readonly SharingRule[], recipient: string, type: string): SharingRule | undefined {
  for (const rule of rules) {
    if (rule.types.some((t) => typeMatch(t, type)) && rule.to.some((e) => reaches(e, recipient))) return rule;
  }
  return undefined;
}

function tlpLetsThrough(tlp: string, releasableTo: readonly string[], rule: SharingRule, recipient: string): boolean {
  if (tlp === 'CLEAR' || tlp === 'WHITE' || tlp === 'GREEN') return true;
  if (tlp === 'AMBER' || tlp === 'AMBER+STRICT') return releasableTo.includes(recipient) || rule.to.includes(recipient);
  if (tlp === 'RED') return releasableTo.includes(recipient);
  return false;
}

/** Whether a body leaf path (relative to the seizure/alert payload) reaches the recipient. */
function allowedLeaf(rule: SharingRule, leaf: string): boolean {
  if (!names(rule.fields, leaf) || names(rule.drop ?? [], leaf)) return false;
  const segments = segmentsOf(leaf);
  if (segments[0] === 'location' && rule.generalize?.location) {
    const kept = rule.generalize.location === 'country' ? ['country'] : ['country', 'region', 'locationType'];
    return kept.includes(segments[1] ?? '');
  }
  return true;
}

function leaves(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    if (value.length === 0 || value.some((v) => typeof v !== 'object' || v === null)) out.push(path);
    for (const v of value) if (typeof v === 'object' && v !== null) out.push(...leaves(v, `${path}[]`));
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  }
  return [path];
}

interface Expected {
  readonly delivered: boolean;
  readonly paths: string[];
}

function reference(rules: readonly SharingRule[], event: GeneratedEvent, recipient: string): Expected {
  const none = { delivered: false, paths: [] };
  if (recipient === event.originator) return none;
  const original = event.type === 'seizure.amended' ? 'seizure.reported' : 'threat.alert.issued';
  let rule = winningRule(rules, recipient, event.type);
  if (!rule && (event.type === 'seizure.amended' || event.type === 'threat.alert.updated')) {
    rule = winningRule(rules, recipient, original);
  }
  if (!rule || !tlpLetsThrough(event.handling.tlp, event.handling.releasableTo ?? [], rule, recipient)) return none;
  const idKey = event.type.startsWith('seizure') ? 'seizureId' : 'alertId';
  const expected = new Set<string>([idKey]);
  if (event.type === 'seizure.reported' || event.type === 'threat.alert.issued') {
    for (const leaf of leaves(event.payload))
      if (leaf === 'handling.tlp' || allowedLeaf(rule, leaf)) expected.add(leaf);
  } else {
    const { changes } = event.payload as { changes: Record<string, unknown> };
    for (const leaf of leaves(changes)) {
      if (leaf === 'handling.tlp' || allowedLeaf(rule, leaf)) expected.add(`changes.${leaf}`);
    }
    if (allowedLeaf(rule, 'narrative')) expected.add('reason');
  }
  return { delivered: true, paths: [...expected].sort() };
}

// ---- generators ------------------------------------------------------------------------------

const iso2 = fc.constantFrom('TJ', 'AF', 'UZ', 'KZ', 'KG', 'TM');
const text = fc.constantFrom('Ali Valiev', ' P 123 ', 'ＡＢ 12', 'heroin', 'x', 'Khatlon', '01 AB 123');
const tlp = fc.constantFrom('CLEAR', 'WHITE', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED');
const handling = fc.record(
  {
    tlp,
    releasableTo: fc.subarray([...CODES]),
    handlingCode: fc.constantFrom('H0', 'H2'),
    sourceReliability: fc.constantFrom('A', 'X'),
  },
  { requiredKeys: ['tlp'] },
);
const instant = fc
  .integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

const seizureBody = {
  occurredAt: instant,
  location: fc.record(
    {
      country: iso2,
      crossingPoint: fc.constant('TJ-NIZHNY-PANJ'),
      region: text,
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lon: fc.integer({ min: -180, max: 180 }),
      locationType: fc.constantFrom('land-border', 'rail'),
    },
    { requiredKeys: ['country', 'locationType'] },
  ),
  direction: fc.constantFrom('import', 'transit'),
  items: fc.array(
    fc.record(
      {
        category: fc.constantFrom('narcotic', 'precursor'),
        substance: text,
        quantity: fc.integer({ min: 1, max: 1000 }),
        unit: fc.constantFrom('kg', 'l'),
        purityPercent: fc.integer({ min: 0, max: 100 }),
        estimatedValueUsd: fc.integer({ min: 0, max: 10 ** 6 }),
      },
      { requiredKeys: ['category', 'substance', 'quantity', 'unit'] },
    ),
    { minLength: 1, maxLength: 3 },
  ),
  transportMode: fc.constantFrom('road', 'air'),
  conveyance: fc.record({ kind: text, registration: text, country: iso2 }, { requiredKeys: ['kind'] }),
  concealment: fc.constantFrom('body', 'cargo'),
  detectionMethod: fc.constantFrom('canine', 'x-ray'),
  route: fc.record(
    { origin: iso2, transit: fc.array(iso2, { maxLength: 3 }), destination: iso2 },
    { requiredKeys: [] },
  ),
  suspects: fc.array(
    fc.record(
      { fullName: text, nationality: iso2, birthDate: fc.constant('1980-01-02'), documentNumber: text, role: text },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
  caseReference: text,
  narrative: text,
  handling,
};
const seizureRequired = [
  'occurredAt',
  'location',
  'direction',
  'items',
  'transportMode',
  'detectionMethod',
  'handling',
];

const alertBody = {
  category: fc.constantFrom('weapons', 'other'),
  severity: fc.integer({ min: 1, max: 5 }),
  confidence: fc.constantFrom('low', 'high'),
  validFrom: instant,
  validUntil: instant,
  area: fc.record(
    { countries: fc.array(iso2, { minLength: 1, maxLength: 3 }), crossingPoints: fc.array(text) },
    {
      requiredKeys: ['countries'],
    },
  ),
  indicators: fc.array(fc.record({ kind: fc.constantFrom('phone', 'name'), value: text }), { maxLength: 3 }),
  relatedSeizures: fc.array(fc.uuid(), { maxLength: 2 }),
  summary: text,
  narrative: text,
  handling,
};
const alertRequired = [
  'category',
  'severity',
  'confidence',
  'validFrom',
  'validUntil',
  'area',
  'indicators',
  'summary',
  'handling',
];

type Handling = { tlp: string; releasableTo?: string[] };
interface GeneratedEvent {
  readonly type: 'seizure.reported' | 'threat.alert.issued' | 'seizure.amended' | 'threat.alert.updated';
  readonly originator: string;
  readonly payload: Record<string, unknown>;
  /** The TLP that governs: the payload's for an original, the aggregate's for a follow-up. */
  readonly handling: Handling;
}

const originator = fc.constantFrom(...CODES);
const seizure = fc.record(seizureBody, { requiredKeys: seizureRequired as (keyof typeof seizureBody)[] });
const alert = fc.record(alertBody, { requiredKeys: alertRequired as (keyof typeof alertBody)[] });

const event: fc.Arbitrary<GeneratedEvent> = fc.oneof(
  fc.record({ body: seizure, originator, id: fc.uuid() }).map(({ body, originator, id }) => ({
    type: 'seizure.reported' as const,
    originator,
    payload: { seizureId: id, ...body },
    handling: body.handling,
  })),
  fc.record({ body: alert, originator, id: fc.uuid() }).map(({ body, originator, id }) => ({
    type: 'threat.alert.issued' as const,
    originator,
    payload: { alertId: id, ...body },
    handling: body.handling,
  })),
  fc
    .record({
      changes: fc.record(seizureBody, { requiredKeys: [] }),
      originator,
      id: fc.uuid(),
      current: handling,
      reason: text,
    })
    .map(({ changes, originator, id, current, reason }) => ({
      type: 'seizure.amended' as const,
      originator,
      payload: { seizureId: id, changes, reason },
      handling: current,
    })),
  fc
    .record({
      changes: fc.record(alertBody, { requiredKeys: [] }),
      originator,
      id: fc.uuid(),
      current: handling,
      reason: text,
    })
    .map(({ changes, originator, id, current, reason }) => ({
      type: 'threat.alert.updated' as const,
      originator,
      payload: { alertId: id, changes, reason },
      handling: current,
    })),
);

const pathPool = [...new Set([...knownPaths('seizure'), ...knownPaths('alert')])];
const textPaths = [
  'suspects[].documentNumber',
  'suspects[].fullName',
  'conveyance.registration',
  'caseReference',
  'narrative',
  'location.region',
  'indicators[].value',
  'summary',
  'route.transit',
  'area.crossingPoints',
];
const rule: fc.Arbitrary<SharingRule> = fc.record(
  {
    to: fc.subarray([...CODES, 'group:central-asia', 'group:border', 'group:regional', '*'], { minLength: 1 }),
    types: fc.subarray(['*', 'seizure.*', 'seizure.reported', 'seizure.amended', 'threat.*', 'threat.alert.issued'], {
      minLength: 1,
    }),
    fields: fc.oneof(fc.constant(['*']), fc.subarray(pathPool, { maxLength: 8 })),
    drop: fc.subarray(pathPool, { maxLength: 4 }),
    generalize: fc.record(
      { location: fc.constantFrom('country', 'region'), occurredAt: fc.constantFrom('day', 'week', 'month') },
      { requiredKeys: [] },
    ),
    pseudonymize: fc.subarray(textPaths, { maxLength: 3 }),
  },
  { requiredKeys: ['to', 'types', 'fields'] },
);

function recorded(generated: GeneratedEvent): RecordedEvent {
  return {
    eventId: '00000000-0000-4000-8000-000000000001',
    type: generated.type,
    schemaVersion: 1,
    streamId: 's',
    streamVersion: 1,
    position: 1,
    originator: generated.originator,
    recordedAt: '2026-01-01T00:00:00.000Z',
    payload: generated.payload,
  } as unknown as RecordedEvent;
}

function valuesAt(value: unknown, segments: readonly string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((element) => valuesAt(element, segments));
  if (segments.length === 0) return [value];
  if (typeof value !== 'object' || value === null) return [];
  const [head, ...rest] = segments;
  return head! in value ? valuesAt((value as Record<string, unknown>)[head!], rest) : [];
}

describe('sharing against the reference reading of SPEC §5', () => {
  it('delivers exactly what the policy allows, honours TLP caps and denies by default', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 4 }), event, fc.constantFrom(...CODES), (rules, generated, recipient) => {
        const deliveries: Delivery[] = evaluateSharing({
          event: recorded(generated),
          aggregate: { handling: generated.handling as never },
          policy: { version: 7, rules },
          directory,
          secret: SECRET,
        });
        const delivered = deliveries.find((d) => d.recipient === recipient);
        const expected = reference(rules, generated, recipient);

        // Default deny and first-match: a copy exists exactly when the reference finds a rule the TLP lets through.
        expect(delivered !== undefined).toBe(expected.delivered);
        if (!delivered) return;
        expect(delivered.policyVersion).toBe(7);

        // No delivered path outside what the policy allows, and nothing allowed lost.
        const outside = delivered.paths.filter((path) => !expected.paths.includes(path));
        expect(outside).toEqual([]);
        expect([...delivered.paths].sort()).toEqual(expected.paths);
        expect([...new Set(leaves(delivered.payload))].sort()).toEqual(expected.paths);

        // TLP caps, checked straight from TLP 2.0 as SPEC §5 states them.
        const { tlp: level, releasableTo = [] } = generated.handling;
        if (level === 'RED') expect(releasableTo).toContain(recipient);
        if (level === 'AMBER' || level === 'AMBER+STRICT') {
          const named = rules.some((r) => r.to.includes(recipient));
          expect(named || releasableTo.includes(recipient)).toBe(true);
        }

        // Values are the originator's own unless a transform was asked for.
        const body = delivered.payload.changes ?? delivered.payload;
        const source = (generated.payload.changes ?? generated.payload) as Record<string, unknown>;
        const winner =
          winningRule(rules, recipient, generated.type) ??
          winningRule(
            rules,
            recipient,
            generated.type.startsWith('seizure') ? 'seizure.reported' : 'threat.alert.issued',
          )!;
        for (const path of new Set(leaves(body))) {
          const mine = valuesAt(body, segmentsOf(path));
          const theirs = valuesAt(source, segmentsOf(path));
          if (names(winner.pseudonymize ?? [], path) && path !== 'handling.tlp') {
            for (const token of mine.flat()) expect(token).toMatch(/^psn_[a-z2-7]{26}$/);
          } else if (path === 'occurredAt' && winner.generalize?.occurredAt) {
            expect(mine[0]).toMatch(/^\d{4}-(\d{2}|W\d{2}|\d{2}-\d{2})$/);
          } else {
            expect(mine).toEqual(theirs);
          }
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
