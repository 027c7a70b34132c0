import { createHash, createHmac } from 'node:crypto';
import type {
  Directory,
  Handling,
  RecordedEvent,
  SeizureReport,
  SharingRule,
  ThreatAlert,
  Tlp,
} from '@caravan/contracts';
import {
  copyDigest,
  evaluateSharing,
  knownPaths,
  normalizeIdentifier,
  previewPolicy,
  pseudonymize,
  toSharedCopy,
  validatePolicy,
  type Delivery,
  type SharingInput,
} from './index.js';

const SECRET = 'hub-pseudonym-secret';
const seizureId = '0b1e7c7e-2f6d-4b3a-9a51-5d2b8f7c9e10';
const alertId = '7a9d3c21-5b6e-4f70-9c1d-2e3f4a5b6c7d';

// Groups spelled both ways on purpose: the directory may store `group:x` or `x`.
const directory: Directory = {
  agencies: [
    {
      code: 'TJ-DCA',
      name: 'Drug Control Agency',
      country: 'TJ',
      kind: 'drug-control',
      groups: ['group:central-asia'],
    },
    { code: 'KZ-BS', name: 'Border Service', country: 'KZ', kind: 'border', groups: ['central-asia', 'border'] },
    { code: 'UZ-SCC', name: 'State Customs', country: 'UZ', kind: 'customs', groups: ['group:central-asia'] },
    { code: 'CARICC', name: 'Regional centre', kind: 'regional-centre', groups: ['regional'] },
    { code: 'AF-CNPA', name: 'Counter-narcotics', country: 'AF', kind: 'police', groups: [] },
  ],
  crossingPoints: [],
};

const report: SeizureReport = {
  seizureId,
  occurredAt: '2026-03-04T22:15:00.000Z',
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
    { category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg', purityPercent: 61 },
    { category: 'precursor', substance: 'acetic-anhydride', quantity: 40, unit: 'l' },
  ],
  transportMode: 'road',
  conveyance: { kind: 'truck', registration: '01 AB 123', country: 'TJ' },
  concealment: 'vehicle-compartment',
  detectionMethod: 'canine',
  route: { origin: 'AF', transit: ['TJ'], destination: 'KZ' },
  suspects: [
    { fullName: 'Ali Valiev', nationality: 'TJ', documentNumber: 'P 1234567', role: 'driver' },
    { nationality: 'AF', role: 'courier' },
  ],
  caseReference: 'DCA-2026-0042',
  narrative: 'Informant said the load came via Shirkhan Bandar.',
  handling: { tlp: 'GREEN', handlingCode: 'H2', sourceReliability: 'B' },
};

const alert: ThreatAlert = {
  alertId,
  category: 'suspect-conveyance',
  severity: 4,
  confidence: 'high',
  validFrom: '2026-03-01T00:00:00.000Z',
  validUntil: '2026-04-01T00:00:00.000Z',
  area: { countries: ['TJ', 'UZ'] },
  indicators: [{ kind: 'vehicle-registration', value: '01 AB 123' }],
  summary: 'Trucks with double floors',
  narrative: 'Source: liaison officer',
  handling: { tlp: 'GREEN' },
};

let position = 0;
function recorded(type: string, payload: unknown, occurredAt?: string): RecordedEvent {
  position += 1;
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    streamId: type.startsWith('seizure') ? `seizure-${seizureId}` : `alert-${alertId}`,
    streamVersion: 1,
    position,
    originator: 'TJ-DCA',
    recordedAt: '2026-03-05T08:00:00.000Z',
    ...(occurredAt ? { occurredAt } : {}),
    payload,
  } as unknown as RecordedEvent;
}

function reported(handling: Handling = report.handling, extra: Partial<SeizureReport> = {}): RecordedEvent {
  return recorded('seizure.reported', { ...report, ...extra, handling }, report.occurredAt);
}

function share(event: RecordedEvent, rules: readonly SharingRule[], extra: Partial<SharingInput> = {}): Delivery[] {
  return evaluateSharing({ event, policy: { version: 3, rules }, directory, secret: SECRET, ...extra });
}

function to(deliveries: readonly Delivery[], recipient: string): Delivery | undefined {
  return deliveries.find((d) => d.recipient === recipient);
}

function recipients(deliveries: readonly Delivery[]): string[] {
  return deliveries.map((d) => d.recipient);
}

const all = (recipient: string[], types: string[] = ['seizure.*']): SharingRule => ({
  to: recipient,
  types,
  fields: ['*'],
});

describe('recipients and rule matching', () => {
  it('delivers nothing at all to an agency no rule matches (default deny, not even existence)', () => {
    const deliveries = share(reported(), [all(['KZ-BS'])]);
    expect(recipients(deliveries)).toEqual(['KZ-BS']);
    expect(share(reported(), [])).toEqual([]);
    expect(evaluateSharing({ event: reported(), policy: undefined, directory, secret: SECRET })).toEqual([]);
  });

  it('never sends the originator its own event, even through * or its own code', () => {
    const deliveries = share(reported(), [all(['*']), all(['TJ-DCA'])]);
    expect(recipients(deliveries)).toEqual(['AF-CNPA', 'CARICC', 'KZ-BS', 'UZ-SCC']);
  });

  it('reaches members of a group (either spelling in the directory) and nobody else', () => {
    const deliveries = share(reported(), [all(['group:central-asia'])]);
    expect(recipients(deliveries)).toEqual(['KZ-BS', 'UZ-SCC']);
  });

  it('reaches every directory agency with *, and no agency outside the directory', () => {
    const deliveries = share(reported(), [all(['*'])]);
    expect(recipients(deliveries)).toEqual(['AF-CNPA', 'CARICC', 'KZ-BS', 'UZ-SCC']);
  });

  it('lets the first matching rule win, in the order written', () => {
    const rules: SharingRule[] = [
      { to: ['KZ-BS'], types: ['seizure.*'], fields: ['direction'] },
      { to: ['*'], types: ['seizure.*'], fields: ['*'] },
    ];
    const deliveries = share(reported(), rules);
    expect(to(deliveries, 'KZ-BS')?.paths).toEqual(['direction', 'handling.tlp', 'seizureId']);
    expect(to(deliveries, 'UZ-SCC')?.paths).toContain('narrative');
    const reversed = share(reported(), [...rules].reverse());
    expect(to(reversed, 'KZ-BS')?.paths).toContain('narrative');
  });

  it('matches a rule only for the event types its patterns name', () => {
    const rules: SharingRule[] = [
      { to: ['KZ-BS'], types: ['threat.alert.*'], fields: ['*'] },
      { to: ['UZ-SCC'], types: ['seizure.reported'], fields: ['direction'] },
      { to: ['CARICC'], types: ['*'], fields: ['direction'] },
    ];
    expect(recipients(share(reported(), rules))).toEqual(['CARICC', 'UZ-SCC']);
    const issued = recorded('threat.alert.issued', alert);
    expect(recipients(share(issued, rules))).toEqual(['CARICC', 'KZ-BS']);
  });

  it('never shares policy.set events', () => {
    const event = recorded('policy.set', { agency: 'TJ-DCA', rules: [] });
    expect(share(event, [all(['*'], ['*'])])).toEqual([]);
  });
});

describe('field selection', () => {
  it('keeps only the named dotted paths, [] reaching into every element, and lists leaf paths sorted', () => {
    const rule: SharingRule = {
      to: ['KZ-BS'],
      types: ['seizure.*'],
      fields: ['location.country', 'suspects[].role', 'items[].quantity', 'route'],
    };
    const delivered = to(share(reported(), [rule]), 'KZ-BS');
    expect(delivered?.payload).toEqual({
      seizureId,
      location: { country: 'TJ' },
      suspects: [{ role: 'driver' }, { role: 'courier' }],
      items: [{ quantity: 12.5 }, { quantity: 40 }],
      route: { origin: 'AF', transit: ['TJ'], destination: 'KZ' },
      handling: { tlp: 'GREEN' },
    });
    expect(delivered?.paths).toEqual([
      'handling.tlp',
      'items[].quantity',
      'location.country',
      'route.destination',
      'route.origin',
      'route.transit',
      'seizureId',
      'suspects[].role',
    ]);
  });

  it('keeps every field with *', () => {
    expect(to(share(reported(), [all(['KZ-BS'])]), 'KZ-BS')?.payload).toEqual(report);
  });

  it('removes drop paths after fields, element by element', () => {
    const rule: SharingRule = {
      to: ['KZ-BS'],
      types: ['seizure.*'],
      fields: ['*'],
      drop: ['narrative', 'suspects[].fullName', 'location.lat', 'location.lon'],
    };
    const payload = to(share(reported(), [rule]), 'KZ-BS')?.payload as unknown as SeizureReport;
    expect(payload.narrative).toBeUndefined();
    expect(payload.suspects?.[0]).toEqual({ nationality: 'TJ', documentNumber: 'P 1234567', role: 'driver' });
    expect(payload.location).toEqual({
      country: 'TJ',
      crossingPoint: 'TJ-NIZHNY-PANJ',
      region: 'Khatlon',
      locationType: 'land-border',
    });
    expect(payload.caseReference).toBe('DCA-2026-0042');
  });

  it('always delivers the aggregate id and handling.tlp, whatever fields and drop say', () => {
    const rule: SharingRule = { to: ['KZ-BS'], types: ['*'], fields: [], drop: ['*'] };
    expect(to(share(reported(), [rule]), 'KZ-BS')?.payload).toEqual({ seizureId, handling: { tlp: 'GREEN' } });
    const issued = recorded('threat.alert.issued', alert);
    expect(to(share(issued, [rule]), 'KZ-BS')?.payload).toEqual({ alertId, handling: { tlp: 'GREEN' } });
  });

  it('delivers the rest of handling only where the rule names it', () => {
    const rule: SharingRule = { to: ['KZ-BS'], types: ['*'], fields: ['handling.handlingCode'] };
    expect(to(share(reported(), [rule]), 'KZ-BS')?.payload.handling).toEqual({ tlp: 'GREEN', handlingCode: 'H2' });
  });
});

describe('transforms', () => {
  const rule = (generalize: SharingRule['generalize']): SharingRule => ({
    to: ['KZ-BS'],
    types: ['seizure.*'],
    fields: ['location', 'occurredAt'],
    generalize,
  });
  const payloadFor = (generalize: SharingRule['generalize'], event = reported()) =>
    to(share(event, [rule(generalize)]), 'KZ-BS')?.payload;

  it('generalises location to the country', () => {
    expect(payloadFor({ location: 'country' })?.location).toEqual({ country: 'TJ' });
  });

  it('generalises location to country, region and location type (no crossing point, no coordinates)', () => {
    expect(payloadFor({ location: 'region' })?.location).toEqual({
      country: 'TJ',
      region: 'Khatlon',
      locationType: 'land-border',
    });
  });

  it('generalises occurredAt to the UTC day, ISO week or month', () => {
    expect(payloadFor({ occurredAt: 'day' })?.occurredAt).toBe('2026-03-04');
    expect(payloadFor({ occurredAt: 'week' })?.occurredAt).toBe('2026-W10');
    expect(payloadFor({ occurredAt: 'month' })?.occurredAt).toBe('2026-03');
    expect(payloadFor({})?.occurredAt).toBe(report.occurredAt);
  });

  it('puts days near new year in the ISO week of their Thursday', () => {
    const week = (occurredAt: string) =>
      payloadFor({ occurredAt: 'week' }, reported(report.handling, { occurredAt }))?.occurredAt;
    expect(week('2024-12-30T10:00:00Z')).toBe('2025-W01');
    expect(week('2021-01-03T10:00:00Z')).toBe('2020-W53');
    expect(week('2026-01-01T00:00:00Z')).toBe('2026-W01');
    expect(week('2027-01-03T12:00:00+05:00')).toBe('2026-W53');
  });

  describe('pseudonymize', () => {
    // Written apart from the implementation: HMAC from node:crypto, base32 bit by bit from RFC 4648.
    const rfc4648 = (bytes: Buffer): string => {
      const bits = [...bytes].map((byte) => byte.toString(2).padStart(8, '0')).join('');
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
      let out = '';
      for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
      return out;
    };
    const expected = (normalised: string) =>
      'psn_' + rfc4648(createHmac('sha256', SECRET).update(normalised, 'utf8').digest()).toLowerCase().slice(0, 26);

    it('checks the test encoder against the RFC 4648 vectors', () => {
      expect(rfc4648(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
      expect(rfc4648(Buffer.from('fo'))).toBe('MZXQ');
    });

    it('turns a value into psn_ + 26 base32 characters of its normalised HMAC', () => {
      expect(pseudonymize('P 1234567', SECRET)).toBe(expected('p 1234567'));
      expect(pseudonymize('P 1234567', SECRET)).toMatch(/^psn_[a-z2-7]{26}$/);
    });

    it('normalises with NFKC, lower case, collapsed inner whitespace and trimming', () => {
      expect(normalizeIdentifier('  ＡＢ\u00a0 \t12３  ')).toBe('ab 123');
      const token = pseudonymize('ab 123', SECRET);
      expect(pseudonymize('  ＡＢ\u00a0 \t12３  ', SECRET)).toBe(token);
      expect(pseudonymize('AB 123', SECRET)).toBe(token);
      expect(pseudonymize('AB123', SECRET)).not.toBe(token);
      expect(pseudonymize('ab 123', 'another-secret')).not.toBe(token);
    });

    it('replaces the selected values, element by element, with the same token for every recipient', () => {
      const rules: SharingRule[] = [
        {
          to: ['*'],
          types: ['seizure.*'],
          fields: ['suspects[].documentNumber', 'conveyance.registration'],
          pseudonymize: ['suspects[].documentNumber', 'conveyance.registration'],
        },
      ];
      const deliveries = share(reported(), rules);
      const payload = to(deliveries, 'KZ-BS')?.payload;
      expect(payload).toEqual({
        seizureId,
        suspects: [{ documentNumber: expected('p 1234567') }, {}],
        conveyance: { registration: expected('01 ab 123') },
        handling: { tlp: 'GREEN' },
      });
      expect(to(deliveries, 'CARICC')?.payload).toEqual(payload);
      expect(to(deliveries, 'KZ-BS')?.paths).toEqual([
        'conveyance.registration',
        'handling.tlp',
        'seizureId',
        'suspects[].documentNumber',
      ]);
    });
  });
});

describe('TLP caps', () => {
  const groupRule: SharingRule = { to: ['group:central-asia'], types: ['seizure.*'], fields: ['direction'] };
  const namedRule: SharingRule = { to: ['CARICC'], types: ['seizure.*'], fields: ['direction'] };
  const starRule: SharingRule = { to: ['*'], types: ['seizure.*'], fields: ['direction'] };
  const withTlp = (tlp: Tlp, releasableTo?: string[]) => reported({ tlp, ...(releasableTo ? { releasableTo } : {}) });

  it('lets the rules decide for CLEAR, GREEN and WHITE', () => {
    for (const tlp of ['CLEAR', 'GREEN', 'WHITE'] as Tlp[]) {
      expect(recipients(share(withTlp(tlp), [groupRule, namedRule]))).toEqual(['CARICC', 'KZ-BS', 'UZ-SCC']);
    }
  });

  it('for AMBER and AMBER+STRICT keeps only agencies a matching rule names by code or releasableTo lists', () => {
    for (const tlp of ['AMBER', 'AMBER+STRICT'] as Tlp[]) {
      expect(recipients(share(withTlp(tlp), [groupRule, namedRule]))).toEqual(['CARICC']);
      expect(recipients(share(withTlp(tlp, ['KZ-BS']), [groupRule, namedRule]))).toEqual(['CARICC', 'KZ-BS']);
      // releasableTo does not replace a rule: an agency no rule covers still gets nothing.
      expect(recipients(share(withTlp(tlp, ['AF-CNPA']), [groupRule]))).toEqual([]);
    }
  });

  it('gates the winning rule, so a later rule naming the agency cannot widen an AMBER event', () => {
    const wide: SharingRule = { to: ['KZ-BS'], types: ['seizure.*'], fields: ['*'] };
    expect(recipients(share(withTlp('AMBER'), [groupRule, wide]))).toEqual([]);
    expect(to(share(withTlp('GREEN'), [groupRule, wide]), 'KZ-BS')?.paths).toEqual([
      'direction',
      'handling.tlp',
      'seizureId',
    ]);
  });

  it('for RED keeps only agencies in releasableTo that a matching rule also covers', () => {
    expect(recipients(share(withTlp('RED'), [starRule]))).toEqual([]);
    expect(recipients(share(withTlp('RED'), [namedRule]))).toEqual([]);
    expect(recipients(share(withTlp('RED', ['KZ-BS', 'AF-CNPA']), [groupRule, namedRule]))).toEqual(['KZ-BS']);
    expect(recipients(share(withTlp('RED', ['KZ-BS', 'AF-CNPA']), [starRule]))).toEqual(['AF-CNPA', 'KZ-BS']);
  });

  it('fails closed on an unknown TLP', () => {
    expect(share(withTlp('BLUE' as Tlp), [starRule])).toEqual([]);
  });
});

describe('follow-ups', () => {
  const amended = (changes: unknown, reason = 'Weight re-measured by the lab') =>
    recorded('seizure.amended', { seizureId, changes, reason });
  const retracted = recorded('seizure.retracted', { seizureId, reason: 'Entered twice' });
  const green = { handling: { tlp: 'GREEN' } as Handling };
  const v1: SharingRule[] = [{ to: ['KZ-BS'], types: ['seizure.*'], fields: ['items[].quantity', 'narrative'] }];
  const v3: SharingRule[] = [{ to: ['UZ-SCC'], types: ['seizure.reported'], fields: ['items', 'location'] }];
  const rulesOfVersion = (version: number) => (version === 1 ? v1 : undefined);

  it('applies the rule to changes with paths relative to the seizure payload', () => {
    const event = amended({ items: [{ category: 'narcotic', substance: 'heroin', quantity: 11, unit: 'kg' }] });
    const deliveries = share(event, v1, { aggregate: green });
    expect(to(deliveries, 'KZ-BS')?.payload).toEqual({
      seizureId,
      changes: { items: [{ quantity: 11 }] },
      reason: 'Weight re-measured by the lab',
    });
    expect(to(deliveries, 'KZ-BS')?.paths).toEqual(['changes.items[].quantity', 'reason', 'seizureId']);
  });

  it('delivers reason only where the rule releases narrative', () => {
    const rules: SharingRule[] = [{ to: ['KZ-BS'], types: ['seizure.*'], fields: ['items'] }];
    const delivered = to(share(amended({ direction: 'export' }), rules, { aggregate: green }), 'KZ-BS');
    expect(delivered?.payload).toEqual({ seizureId, changes: {} });
    const dropped: SharingRule[] = [{ to: ['KZ-BS'], types: ['seizure.*'], fields: ['*'], drop: ['narrative'] }];
    expect(to(share(retracted, dropped, { aggregate: green }), 'KZ-BS')?.payload).toEqual({ seizureId });
  });

  it('keeps the always-delivered tlp inside changes when handling changes', () => {
    const event = amended({ handling: { tlp: 'AMBER', releasableTo: ['UZ-SCC'] } });
    const delivered = to(
      share(event, v3, { aggregate: { handling: { tlp: 'AMBER', releasableTo: ['UZ-SCC'] } } }),
      'UZ-SCC',
    );
    expect(delivered?.payload).toEqual({ seizureId, changes: { handling: { tlp: 'AMBER' } } });
  });

  it('follows the original to its recipients under their version, plus agencies newly eligible now', () => {
    const event = amended({ items: [{ category: 'narcotic', substance: 'heroin', quantity: 11, unit: 'kg' }] });
    const deliveries = share(event, v3, {
      aggregate: green,
      previousRecipients: new Map([['KZ-BS', 1]]),
      rulesOfVersion,
    });
    expect(deliveries.map((d) => [d.recipient, d.policyVersion])).toEqual([
      ['KZ-BS', 1],
      ['UZ-SCC', 3],
    ]);
    expect(to(deliveries, 'KZ-BS')?.payload.changes).toEqual({ items: [{ quantity: 11 }] });
    expect(to(deliveries, 'UZ-SCC')?.payload.changes).toEqual({
      items: [{ category: 'narcotic', substance: 'heroin', quantity: 11, unit: 'kg' }],
    });
  });

  it('with skipPaths leaves paths empty and every recipient, version and payload unchanged', () => {
    const event = amended({ items: [{ category: 'narcotic', substance: 'heroin', quantity: 11, unit: 'kg' }] });
    const extra = { aggregate: green, previousRecipients: new Map([['KZ-BS', 1]]), rulesOfVersion };
    const original = reported();
    const rules = [all(['*'])];
    for (const [e, r] of [
      [event, v3],
      [original, rules],
    ] as const) {
      const full = share(e, r, extra);
      const skipped = share(e, r, { ...extra, skipPaths: true });
      expect(full.length).toBeGreaterThan(0);
      expect(full.every((d) => d.paths.length > 0)).toBe(true);
      expect(skipped).toEqual(full.map((d) => ({ ...d, paths: [] })));
    }
  });

  it('with reusePayload delivers the same copies and leaves the event as it was', () => {
    const rules: SharingRule[] = [
      {
        to: ['KZ-BS'],
        types: ['seizure.*'],
        fields: ['*'],
        drop: ['suspects[].fullName', 'narrative'],
        generalize: { location: 'region', occurredAt: 'week' },
        pseudonymize: ['conveyance.registration', 'suspects[].documentNumber'],
      },
      { to: ['UZ-SCC'], types: ['seizure.*'], fields: ['items', 'handling', 'route'] },
      { to: ['AF-CNPA'], types: ['seizure.*'], fields: ['*'], generalize: { location: 'country' } },
      all(['CARICC']),
    ];
    const changes = {
      items: [{ category: 'narcotic', substance: 'heroin', quantity: 11, unit: 'kg' }],
      location: report.location,
      handling: { tlp: 'AMBER', releasableTo: ['KZ-BS'] },
    };
    for (const event of [reported(), amended(changes)]) {
      // As the rebuild holds it: plain JSON, parsed from the ledger row.
      const json = JSON.stringify(event.payload);
      const input = { aggregate: green, previousRecipients: new Map([['UZ-SCC', 3]]) };
      const parsed = { ...event, payload: JSON.parse(json) } as RecordedEvent;
      const reused = share(parsed, rules, { ...input, reusePayload: true });
      expect(reused.length).toBe(4);
      // Equal down to key order, so the JSON published or stored is the same text.
      expect(JSON.stringify(reused)).toBe(JSON.stringify(share(event, rules, input)));
      // Not one field of the event changed, though the deliveries share parts of it.
      expect(JSON.stringify(parsed.payload)).toBe(json);
    }
  });

  it('delivers a retraction as its own event to everyone who had the original', () => {
    const deliveries = share(retracted, [], {
      aggregate: green,
      previousRecipients: new Map([
        ['KZ-BS', 1],
        ['TJ-DCA', 1],
      ]),
      rulesOfVersion,
    });
    expect(deliveries).toEqual([
      {
        recipient: 'KZ-BS',
        policyVersion: 1,
        payload: { seizureId, reason: 'Entered twice' },
        paths: ['reason', 'seizureId'],
      },
    ]);
  });

  it('withholds the changes, but not the follow-up, from a previous recipient the current TLP excludes', () => {
    const red = { handling: { tlp: 'RED', releasableTo: ['UZ-SCC'] } as Handling };
    const event = amended({ handling: red.handling, direction: 'export' });
    const deliveries = share(event, v3, {
      aggregate: red,
      previousRecipients: new Map([['KZ-BS', 1]]),
      rulesOfVersion,
    });
    expect(to(deliveries, 'KZ-BS')?.payload).toEqual({ seizureId, changes: { handling: { tlp: 'RED' } } });
    expect(recipients(deliveries)).toEqual(['KZ-BS', 'UZ-SCC']);
  });

  it('takes TLP for a follow-up from the aggregate, and refuses to guess without it', () => {
    const event = amended({ direction: 'export' });
    expect(recipients(share(event, v3, { aggregate: { handling: { tlp: 'AMBER' } } }))).toEqual(['UZ-SCC']);
    const group: SharingRule[] = [{ to: ['group:central-asia'], types: ['seizure.*'], fields: ['*'] }];
    expect(recipients(share(event, group, { aggregate: { handling: { tlp: 'AMBER' } } }))).toEqual([]);
    expect(() => share(event, v3)).toThrow(expect.objectContaining({ code: 'invalid' }));
  });

  it('refuses to decide when the version that governed the original is unknown', () => {
    const run = () => share(retracted, v3, { aggregate: green, previousRecipients: new Map([['KZ-BS', 2]]) });
    expect(run).toThrow(expect.objectContaining({ code: 'unavailable' }));
  });

  it('handles alert updates and withdrawals the same way', () => {
    const rules: SharingRule[] = [{ to: ['KZ-BS'], types: ['threat.alert.issued'], fields: ['severity', 'summary'] }];
    const updated = recorded('threat.alert.updated', {
      alertId,
      changes: { severity: 5, narrative: 'new source' },
      reason: 'confirmed',
    });
    expect(to(share(updated, rules, { aggregate: green }), 'KZ-BS')?.payload).toEqual({
      alertId,
      changes: { severity: 5 },
    });
    const withdrawn = recorded('threat.alert.withdrawn', { alertId, reason: 'over' });
    expect(
      share(withdrawn, [], { aggregate: green, previousRecipients: new Map([['CARICC', 3]]) }).map((d) => d.payload),
    ).toEqual([{ alertId }]);
  });
});

describe('validatePolicy', () => {
  it('accepts the example policy of SPEC §5', () => {
    const rules: SharingRule[] = [
      {
        to: ['CARICC'],
        types: ['seizure.*'],
        fields: [
          'occurredAt',
          'location',
          'direction',
          'items',
          'transportMode',
          'concealment',
          'detectionMethod',
          'route',
          'suspects[].nationality',
          'suspects[].role',
          'suspects[].documentNumber',
          'conveyance.registration',
        ],
        generalize: { location: 'region' },
        pseudonymize: ['suspects[].documentNumber', 'conveyance.registration'],
      },
      { to: ['group:central-asia'], types: ['threat.alert.*'], fields: ['*'], drop: ['narrative'] },
    ];
    expect(validatePolicy(rules, directory)).toEqual([]);
  });

  it('names each offending entry', () => {
    const rules = [
      { to: ['KZ-BS'], types: ['seizure.*'], fields: ['direction'] },
      {
        to: ['XX-NOPE', 'group:nobody', 'lower', '*'],
        types: ['seizure.*', 'seizure.rep*', 'policy.set', 'threat.alert.*'],
        fields: ['direction', 'location.city', 'suspects.role', 'indicators[].value', 'summary'],
        drop: ['narrative', 'suspects[].age'],
        generalize: { location: 'city', occurredAt: 'year' },
        pseudonymize: ['caseReference', 'items[].quantity', 'location', 'suspects[].fullName', 'summary'],
      },
      { to: [], types: [], fields: [] },
    ] as unknown as SharingRule[];
    expect(validatePolicy(rules, directory).map((e) => e.path)).toEqual([
      'rules[1].to[0]',
      'rules[1].to[1]',
      'rules[1].to[2]',
      'rules[1].types[1]',
      'rules[1].types[2]',
      'rules[1].fields[1]',
      'rules[1].fields[2]',
      'rules[1].drop[1]',
      'rules[1].generalize.location',
      'rules[1].generalize.occurredAt',
      'rules[1].pseudonymize[0]',
      'rules[1].pseudonymize[1]',
      'rules[1].pseudonymize[2]',
      'rules[1].pseudonymize[3]',
      'rules[2].to',
      'rules[2].types',
    ]);
  });

  it('checks paths against the payloads of the types the rule names', () => {
    const seizureOnly = [{ to: ['KZ-BS'], types: ['seizure.reported'], fields: ['summary'] }];
    expect(validatePolicy(seizureOnly, directory).map((e) => e.path)).toEqual(['rules[0].fields[0]']);
    const alertOnly = [{ to: ['KZ-BS'], types: ['threat.alert.issued'], fields: ['summary', 'indicators[].value'] }];
    expect(validatePolicy(alertOnly, directory)).toEqual([]);
  });

  it('refuses a pseudonymised path that fields do not select or drop removes', () => {
    const rules: SharingRule[] = [
      {
        to: ['KZ-BS'],
        types: ['seizure.*'],
        fields: ['suspects'],
        drop: ['suspects[].fullName'],
        pseudonymize: ['suspects[].documentNumber', 'suspects[].fullName', 'conveyance.registration'],
      },
    ];
    expect(validatePolicy(rules, directory).map((e) => e.path)).toEqual([
      'rules[0].pseudonymize[1]',
      'rules[0].pseudonymize[2]',
    ]);
  });

  it('knows every field of §3.1 and §3.4', () => {
    expect(knownPaths('seizure')).toEqual(
      expect.arrayContaining(['suspects[].documentNumber', 'route.transit', 'handling.releasableTo', 'location.lat']),
    );
    expect(knownPaths('alert')).toEqual(expect.arrayContaining(['indicators[].value', 'area.crossingPoints']));
    expect(knownPaths('seizure')).not.toContain('seizureId');
  });
});

describe('shared copy and digest', () => {
  it('carries the envelope, the recipient, the policy version and the payload', () => {
    const event = reported();
    const delivery = to(share(event, [all(['KZ-BS'])]), 'KZ-BS')!;
    const copy = toSharedCopy(event, delivery);
    expect(copy).toEqual({
      eventId: event.eventId,
      type: 'seizure.reported',
      schemaVersion: 1,
      streamId: `seizure-${seizureId}`,
      streamVersion: 1,
      position: event.position,
      originator: 'TJ-DCA',
      recordedAt: '2026-03-05T08:00:00.000Z',
      occurredAt: report.occurredAt,
      recipient: 'KZ-BS',
      policyVersion: 3,
      payload: report,
    });
  });

  it('shows in the envelope only the occurredAt the payload delivers', () => {
    const event = reported();
    const generalized: SharingRule = {
      to: ['KZ-BS'],
      types: ['*'],
      fields: ['occurredAt'],
      generalize: { occurredAt: 'month' },
    };
    expect(toSharedCopy(event, to(share(event, [generalized]), 'KZ-BS')!).occurredAt).toBe('2026-03');
    const withheld: SharingRule = { to: ['KZ-BS'], types: ['*'], fields: ['direction'] };
    expect(toSharedCopy(event, to(share(event, [withheld]), 'KZ-BS')!)).not.toHaveProperty('occurredAt');
  });

  it('digests the RFC 8785 form of the copy', () => {
    const event = reported();
    const delivery = to(share(event, [{ to: ['KZ-BS'], types: ['*'], fields: ['direction'] }]), 'KZ-BS')!;
    const copy = toSharedCopy(event, delivery);
    // Keys sorted by code unit, no whitespace: written out by hand, apart from the implementation.
    const canonical =
      `{"eventId":"${event.eventId}","originator":"TJ-DCA",` +
      `"payload":{"direction":"import","handling":{"tlp":"GREEN"},"seizureId":"${seizureId}"},` +
      `"policyVersion":3,"position":${event.position},"recipient":"KZ-BS","recordedAt":"2026-03-05T08:00:00.000Z",` +
      `"schemaVersion":1,"streamId":"seizure-${seizureId}","streamVersion":1,"type":"seizure.reported"}`;
    expect(copyDigest(copy)).toBe(createHash('sha256').update(canonical, 'utf8').digest('hex'));
    expect(copyDigest(copy)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('previewPolicy', () => {
  it('shows every other directory agency what it would get, or that it would get nothing', () => {
    const draft: SharingRule[] = [{ to: ['CARICC'], types: ['seizure.*'], fields: ['direction'] }];
    const preview = previewPolicy(
      draft,
      { originator: 'TJ-DCA', type: 'seizure.reported', payload: report },
      directory,
      SECRET,
    );
    expect(preview).toEqual([
      { agency: 'KZ-BS', delivered: false },
      { agency: 'UZ-SCC', delivered: false },
      {
        agency: 'CARICC',
        delivered: true,
        payload: { seizureId, direction: 'import', handling: { tlp: 'GREEN' } },
        paths: ['direction', 'handling.tlp', 'seizureId'],
      },
      { agency: 'AF-CNPA', delivered: false },
    ]);
  });
});
