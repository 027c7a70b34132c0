// as-seen after a policy change (SPEC §9). The deliveries are recorded through @caravan/sharing-store
// exactly as the distributor records them (policy in force at the event's position, previous
// recipients of the aggregate, the aggregate's handling with the event applied, evaluateSharing,
// toSharedCopy, copyDigest), since this test must not depend on the distributor app.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ChainedEvent, DomainEvent, RecordedEvent, SharingRule } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { demoDirectory } from '@caravan/directory';
import { copyDigest, currentSeizure, evaluateSharing, toSharedCopy } from '@caravan/domain';
import { LedgerReader, LedgerWriter, ledgerSchema } from '@caravan/ledger-store';
import { SharingStore, sharingSchema } from '@caravan/sharing-store';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import { asSeen, type AsSeenSources } from './index.js';

const secret = 'as-seen-test-pseudonym-secret-0123456789';
const signingKeyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
interface Shown {
  readonly location: { readonly crossingPoint?: string };
  readonly suspects: ReadonlyArray<{ readonly documentNumber?: string }>;
  readonly transportMode?: string;
  readonly narrative?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const OLD_RULES: SharingRule[] = [
  {
    to: ['CARICC'],
    types: ['seizure.*'],
    fields: ['occurredAt', 'location', 'items', 'suspects[].documentNumber'],
    generalize: { location: 'region' },
    pseudonymize: ['suspects[].documentNumber'],
  },
];
const NEW_RULES: SharingRule[] = [{ to: ['CARICC'], types: ['seizure.*'], fields: ['*'], drop: ['narrative'] }];

function reported(seizureId: string): DomainEvent<'seizure.reported'> {
  return {
    type: 'seizure.reported',
    data: {
      seizureId,
      occurredAt: '2026-03-01T06:30:00.000Z',
      location: { country: 'TJ', crossingPoint: 'TJ-NIZHNY-PANJ', region: 'Khatlon', locationType: 'land-border' },
      direction: 'import',
      items: [{ category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg' }],
      transportMode: 'road',
      detectionMethod: 'canine',
      suspects: [{ fullName: 'Ivan Petrov', documentNumber: 'AC 1234567', role: 'driver' }],
      narrative: 'Тайник в запасном колесе',
      handling: { tlp: 'GREEN' },
    },
  };
}

describe('as-seen (SPEC §9) after a policy change', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let writer: LedgerWriter;
  let reader: LedgerReader;
  let store: SharingStore;
  let sources: AsSeenSources;
  const before = randomUUID();
  const after = randomUUID();
  const ids: Record<string, string> = {};
  let beforeAmendment = '';

  async function append(streamId: string, expectedVersion: number, event: DomainEvent): Promise<ChainedEvent> {
    const result = await writer.append({ streamId, expectedVersion, originator: 'TJ-DCA', events: [event] });
    return result.events[0]!;
  }

  // What the distributor does for one event, recorded through the sharing store.
  async function distribute(event: ChainedEvent): Promise<void> {
    const policy = await reader.policyAt(event.originator, event.position);
    const { events } = await reader.loadStream(event.streamId);
    const upTo = events.filter((e) => e.streamVersion <= event.streamVersion) as RecordedEvent[];
    const handling = currentSeizure(upTo)?.payload.handling;
    const versions = new Map<number, readonly SharingRule[]>();
    for await (const p of reader.readStream(`policy-${event.originator}`)) {
      if (p.type === 'policy.set') versions.set(p.streamVersion, p.payload.rules);
    }
    const deliveries = evaluateSharing({
      event,
      ...(handling ? { aggregate: { handling } } : {}),
      policy: policy ? { version: policy.streamVersion, rules: policy.payload.rules } : undefined,
      directory: demoDirectory,
      secret,
      previousRecipients: await store.recipientsOf(event.streamId),
      rulesOfVersion: (v) => versions.get(v),
    });
    await store.record(
      'distributor',
      event.position,
      deliveries.map((delivery) => {
        const copy = toSharedCopy(event, delivery);
        return { copy, paths: delivery.paths, digest: copyDigest(copy) };
      }),
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase('auditasseen');
    ds = await openDatabase({ url: db.url, schemas: [ledgerSchema, sharingSchema], poolSize: 4 });
    writer = new LedgerWriter(ds, { signingKeyPem });
    reader = new LedgerReader(ds);
    store = new SharingStore(ds);
    sources = {
      ledger: reader,
      disclosures: (query) => store.disclosures(query),
      directory: demoDirectory,
      secret,
    };

    const steps: Array<() => Promise<ChainedEvent>> = [
      () => append('policy-TJ-DCA', 0, { type: 'policy.set', data: { agency: 'TJ-DCA', rules: OLD_RULES } }),
      () => append(`seizure-${before}`, 0, reported(before)),
      () => append('policy-TJ-DCA', 1, { type: 'policy.set', data: { agency: 'TJ-DCA', rules: NEW_RULES } }),
      () => append(`seizure-${after}`, 0, reported(after)),
    ];
    for (const step of steps) await distribute(await step());
    ids['beforeReported'] = (await reader.loadStream(`seizure-${before}`)).events[0]!.eventId;
    ids['afterReported'] = (await reader.loadStream(`seizure-${after}`)).events[0]!.eventId;
    await sleep(20);
    beforeAmendment = new Date().toISOString();
    await sleep(20);
    const amended = await append(`seizure-${before}`, 1, {
      type: 'seizure.amended',
      data: {
        seizureId: before,
        changes: {
          items: [{ category: 'narcotic', substance: 'heroin', quantity: 14, unit: 'kg' }],
          transportMode: 'rail',
        },
        reason: 'reweighed',
      },
    });
    ids['beforeAmended'] = amended.eventId;
    await distribute(amended);
    await writer.close();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('rebuilds an event delivered before the change under the old policy, matching its digest', async () => {
    const seen = await asSeen(sources, { recipient: 'CARICC', eventId: ids['beforeReported']! });
    expect(seen).toMatchObject({ received: true, allMatch: true, aggregateId: `seizure-${before}` });
    expect(seen.copies.map((c) => [c.type, c.policyVersion, c.match])).toEqual([
      ['seizure.reported', 1, true],
      ['seizure.amended', 1, true],
    ]);
    const original = seen.copies[0]!.copy!.payload as unknown as Shown;
    // Old policy: region-generalised location, pseudonymised document number, no transport mode.
    expect(original.location).toEqual({ country: 'TJ', region: 'Khatlon', locationType: 'land-border' });
    expect(original.suspects[0]!.documentNumber).toMatch(/^psn_[a-z2-7]{26}$/);
    expect(original.transportMode).toBeUndefined();
    // The amendment follows the version that governed the original: transportMode stays withheld.
    expect(seen.copies[1]!.copy!.payload).toEqual({
      seizureId: before,
      changes: { items: [{ category: 'narcotic', substance: 'heroin', quantity: 14, unit: 'kg' }] },
    });
    expect(seen.shown?.payload['items']).toEqual([
      { category: 'narcotic', substance: 'heroin', quantity: 14, unit: 'kg' },
    ]);
  });

  it('rebuilds an event delivered after the change under the new policy, matching its digest', async () => {
    const seen = await asSeen(sources, { recipient: 'CARICC', eventId: ids['afterReported']! });
    expect(seen.allMatch).toBe(true);
    expect(seen.copies).toHaveLength(1);
    expect(seen.copies[0]).toMatchObject({ policyVersion: 2, match: true });
    const payload = seen.copies[0]!.copy!.payload as unknown as Shown;
    expect(payload.transportMode).toBe('road');
    expect(payload.location.crossingPoint).toBe('TJ-NIZHNY-PANJ');
    expect(payload.suspects[0]!.documentNumber).toBe('AC 1234567');
    expect(payload.narrative).toBeUndefined();
  });

  it('shows only what had been delivered by the given time', async () => {
    const seen = await asSeen(sources, { recipient: 'CARICC', eventId: ids['beforeAmended']!, at: beforeAmendment });
    expect(seen.copies.map((c) => c.type)).toEqual(['seizure.reported']);
    expect(seen.shown?.payload['items']).toEqual([
      { category: 'narcotic', substance: 'heroin', quantity: 12.5, unit: 'kg' },
    ]);
  });

  it('says so for an agency that received nothing', async () => {
    const seen = await asSeen(sources, { recipient: 'KZ-BS', eventId: ids['beforeReported']! });
    expect(seen).toMatchObject({ received: false, copies: [], allMatch: false });
    expect(seen.note).toContain('KZ-BS had received nothing');
  });

  it('reports a mismatch when the recorded digest is not that of the rebuilt copy', async () => {
    await ds.query(
      `UPDATE sharing_deliveries SET digest = repeat('0', 64) WHERE event_id = $1 AND recipient = 'CARICC'`,
      [ids['afterReported']],
    );
    const seen = await asSeen(sources, { recipient: 'CARICC', eventId: ids['afterReported']! });
    expect(seen.allMatch).toBe(false);
    expect(seen.copies[0]).toMatchObject({ match: false, recordedDigest: '0'.repeat(64) });
    expect(seen.copies[0]!.rebuiltDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an unknown event with not-found', async () => {
    await expect(asSeen(sources, { recipient: 'CARICC', eventId: randomUUID() })).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});
