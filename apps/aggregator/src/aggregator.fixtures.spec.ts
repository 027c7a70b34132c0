// Shared by the aggregator's integration test and nothing else: a deterministic generator of a few
// hundred seizures and alerts along the northern route, an independent model of what the regional
// centre's views must show, and a feeder that publishes the centre's shared copies exactly as the
// distributor does (apps/distributor was not finished when this test was written).
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  REGIONAL_CENTRE,
  streamIds,
  subjects,
  type AgencyCode,
  type DomainEvent,
  type RecordedEvent,
  type SharingRule,
  type Topology,
} from '@caravan/contracts';
import { demoDirectory, DirectoryRepository } from '@caravan/directory';
import { currentAlert, currentSeizure, evaluateSharing, toSharedCopy } from '@caravan/domain';
import { LedgerReader, type LedgerWriter } from '@caravan/ledger-store';
import { publishToStream } from '@caravan/messaging';

/** One append the generator asks for, in order. */
export interface Step {
  readonly originator: AgencyCode;
  readonly streamId: string;
  readonly event: DomainEvent;
}

export const PUBLISHERS = ['TJ-DCA', 'TJ-BS', 'TJ-CUS', 'UZ-BS', 'UZ-CUS', 'KG-BS', 'KZ-BS', 'TM-BS'] as const;
/** Its policy generalises `location` to region for the centre: never counted at a crossing point. */
export const WITHHOLDER = 'TJ-CUS';
/** Sets no policy at all: the centre receives nothing of it. */
export const SILENT = 'KG-BS';
/** Stops sharing with the centre half-way (policy version 2 has no rules). */
export const QUITTER = 'TJ-DCA';

const SEIZURE_FIELDS = ['occurredAt', 'location', 'direction', 'items', 'transportMode', 'route'];

function policyRules(agency: AgencyCode): SharingRule[] {
  return [
    {
      to: [REGIONAL_CENTRE],
      types: ['seizure.*'],
      fields: SEIZURE_FIELDS,
      ...(agency === WITHHOLDER ? { generalize: { location: 'region' as const } } : {}),
    },
    { to: [REGIONAL_CENTRE, 'group:central-asia'], types: ['threat.alert.*'], fields: ['*'], drop: ['narrative'] },
  ];
}

/** mulberry32: the same sequence on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATALOGUE = [
  { category: 'narcotic', substance: 'heroin', units: ['kg', 'g'] },
  { category: 'narcotic', substance: 'opium', units: ['kg'] },
  { category: 'narcotic', substance: 'hashish', units: ['kg'] },
  { category: 'psychotropic', substance: 'tramadol', units: ['tablets'] },
  { category: 'precursor', substance: 'acetic-anhydride', units: ['l', 'ml'] },
] as const;

const REGIONS: Readonly<Record<string, string>> = {
  TJ: 'Khatlon',
  UZ: 'Surkhandarya',
  // Cyrillic and quoted on purpose: the rebuild's COPY must carry multi-byte text and JSON
  // escapes exactly as the aggregator's upserts do.
  KG: 'Osh',
  KZ: 'Almaty "Alatau" \\ district',
  TM: 'Лебап',
};

/** A few hundred reports, amendments, retractions, alerts, updates, withdrawals and policies. */
export function generateSteps(seizureCount = 260, seed = 7): Step[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const steps: Step[] = [];
  const base = Date.parse('2025-01-06T00:00:00Z'); // Monday of 2025-W02
  const time = () => new Date(base + Math.floor(random() * 84 * 86_400_000)).toISOString();
  const items = () =>
    Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
      const entry = pick(CATALOGUE);
      const unit = pick(entry.units);
      const quantity =
        unit === 'kg' || unit === 'l'
          ? Math.round((0.5 + random() * 50) * 10) / 10
          : unit === 'tablets'
            ? 100 + Math.floor(random() * 9_900)
            : 100 + Math.floor(random() * 4_900);
      return { category: entry.category, substance: entry.substance, quantity, unit };
    });
  const location = (agency: string) => {
    const country = agency.slice(0, 2);
    const points = demoDirectory.crossingPoints.filter((p) => p.country === country);
    const roll = random();
    if (roll < 0.7 && points.length > 0) {
      return { country, crossingPoint: pick(points).code, region: REGIONS[country]!, locationType: 'land-border' };
    }
    return roll < 0.85
      ? { country, region: REGIONS[country]!, locationType: 'inland' }
      : { country, locationType: 'inland' };
  };
  const route = () => {
    if (random() < 0.3) return undefined;
    const transit = ['TJ', 'UZ', 'KG'].filter(() => random() < 0.35);
    return { origin: 'AF', ...(transit.length > 0 ? { transit } : {}), destination: pick(['KZ', 'RU']) };
  };
  const handling = () => {
    const roll = random();
    return roll < 0.85
      ? { tlp: 'GREEN' }
      : roll < 0.95
        ? { tlp: 'AMBER', releasableTo: [] }
        : { tlp: 'RED', releasableTo: ['KZ-BS'] };
  };
  for (const agency of PUBLISHERS) {
    if (agency === SILENT) continue;
    steps.push({
      originator: agency,
      streamId: streamIds.policy(agency),
      event: { type: 'policy.set', data: { agency, rules: policyRules(agency) } },
    });
  }
  const live: Array<{ id: string; originator: string; agency: string }> = [];
  const alerts: Array<{ id: string; originator: string }> = [];
  for (let i = 0; i < seizureCount; i++) {
    if (i === Math.floor(seizureCount / 2)) {
      steps.push({
        originator: QUITTER,
        streamId: streamIds.policy(QUITTER),
        event: { type: 'policy.set', data: { agency: QUITTER, rules: [] } },
      });
    }
    const agency = pick(PUBLISHERS);
    const seizureId = randomUUIDFrom(random);
    const r = route();
    steps.push({
      originator: agency,
      streamId: streamIds.seizure(seizureId),
      event: {
        type: 'seizure.reported',
        data: {
          seizureId,
          occurredAt: time(),
          location: location(agency),
          direction: 'import',
          items: items(),
          transportMode: 'road',
          detectionMethod: 'x-ray',
          ...(r ? { route: r } : {}),
          handling: handling(),
        },
      },
    } as Step);
    live.push({ id: seizureId, originator: agency, agency });
    const roll = random();
    if (roll < 0.15 && live.length > 1) {
      const target = pick(live);
      const changes = random() < 0.5 ? { items: items() } : { location: location(target.agency), occurredAt: time() };
      steps.push({
        originator: target.originator,
        streamId: streamIds.seizure(target.id),
        event: { type: 'seizure.amended', data: { seizureId: target.id, changes, reason: 'corrected' } },
      } as Step);
    } else if (roll < 0.2 && live.length > 1) {
      const index = Math.floor(random() * live.length);
      const [target] = live.splice(index, 1);
      steps.push({
        originator: target!.originator,
        streamId: streamIds.seizure(target!.id),
        event: { type: 'seizure.retracted', data: { seizureId: target!.id, reason: 'duplicate report' } },
      });
    }
    if (i % 10 === 5) {
      const alertAgency = pick(PUBLISHERS);
      const alertId = randomUUIDFrom(random);
      const country = alertAgency.slice(0, 2);
      const points = demoDirectory.crossingPoints.filter((p) => p.country === country).map((p) => p.code);
      const from = Date.parse(time());
      steps.push({
        originator: alertAgency,
        streamId: streamIds.alert(alertId),
        event: {
          type: 'threat.alert.issued',
          data: {
            alertId,
            category: 'trafficking-route',
            severity: (1 + Math.floor(random() * 5)) as 1,
            confidence: 'medium',
            validFrom: new Date(from).toISOString(),
            validUntil: new Date(from + (7 + Math.floor(random() * 40)) * 86_400_000).toISOString(),
            area: { countries: [country], ...(points.length > 0 ? { crossingPoints: [pick(points)] } : {}) },
            indicators: [],
            summary: 'heroin convoys expected',
            narrative: 'internal detail',
            handling: { tlp: 'GREEN' },
          },
        },
      });
      alerts.push({ id: alertId, originator: alertAgency });
    }
    if (i % 25 === 20 && alerts.length > 0) {
      const target = pick(alerts);
      steps.push({
        originator: target.originator,
        streamId: streamIds.alert(target.id),
        event:
          random() < 0.5
            ? { type: 'threat.alert.updated', data: { alertId: target.id, changes: { severity: 5 }, reason: 'raised' } }
            : { type: 'threat.alert.withdrawn', data: { alertId: target.id, reason: 'over' } },
      });
    }
  }
  return steps;
}

function randomUUIDFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Appends the steps one by one, each with the stream version it expects. */
export async function appendSteps(writer: LedgerWriter, steps: readonly Step[]): Promise<void> {
  const versions = new Map<string, number>();
  for (const step of steps) {
    const expected = versions.get(step.streamId) ?? 0;
    await writer.append({
      streamId: step.streamId,
      expectedVersion: expected,
      originator: step.originator,
      events: [step.event],
      command: { commandId: randomUUID(), name: 'test', bodyHash: '0'.repeat(64) },
    });
    versions.set(step.streamId, expected + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// The independent model: what the centre may count, from the generated data and the SPEC alone.

/** A seizure as the centre should count it. */
export interface ExpectedSeizure {
  readonly seizureId: string;
  readonly originator: string;
  readonly locationKey: string;
  readonly crossingPoint: string | null;
  readonly country: string;
  readonly week: string;
  readonly occurredAt: string;
  /** `category/substance/unit` → quantity in the normalised unit. */
  readonly totals: ReadonlyMap<string, number>;
  readonly route: { origin: string | null; destination: string | null } | null;
}

/** What the views must show, computed without @caravan/domain's risk code. */
export interface ExpectedViews {
  readonly seizures: readonly ExpectedSeizure[];
  readonly alerts: ReadonlyMap<string, { severity: number; validFrom: string; validUntil: string; withdrawn: boolean }>;
}

// The model reads the generated payloads loosely: they are this file's own data.
/* eslint-disable @typescript-eslint/no-explicit-any */
export function expectedViews(steps: readonly Step[]): ExpectedViews {
  const sharing = new Set<string>();
  const seizures = new Map<string, { originator: string; payload: Record<string, any>; retracted: boolean }>();
  const alerts = new Map<string, { severity: number; validFrom: string; validUntil: string; withdrawn: boolean }>();
  for (const { originator, event } of steps) {
    const data = event.data as Record<string, any>;
    switch (event.type) {
      case 'policy.set':
        if ((data['rules'] as unknown[]).length > 0) sharing.add(originator);
        else sharing.delete(originator);
        break;
      case 'seizure.reported':
        // RED goes only to agencies in releasableTo, which never names the centre here.
        if (sharing.has(originator) && data['handling'].tlp !== 'RED') {
          seizures.set(data['seizureId'], { originator, payload: { ...data }, retracted: false });
        }
        break;
      case 'seizure.amended': {
        // Follow-ups reach whoever had the original, under the policy version that governed it.
        const s = seizures.get(data['seizureId']);
        if (s && !s.retracted) s.payload = { ...s.payload, ...data['changes'] };
        break;
      }
      case 'seizure.retracted': {
        const s = seizures.get(data['seizureId']);
        if (s) s.retracted = true;
        break;
      }
      case 'threat.alert.issued':
        if (sharing.has(originator)) {
          alerts.set(data['alertId'], {
            severity: data['severity'],
            validFrom: data['validFrom'],
            validUntil: data['validUntil'],
            withdrawn: false,
          });
        }
        break;
      case 'threat.alert.updated': {
        const a = alerts.get(data['alertId']);
        if (a && !a.withdrawn) a.severity = data['changes'].severity ?? a.severity;
        break;
      }
      case 'threat.alert.withdrawn': {
        const a = alerts.get(data['alertId']);
        if (a) a.withdrawn = true;
        break;
      }
    }
  }
  const out: ExpectedSeizure[] = [];
  for (const [seizureId, s] of seizures) {
    if (s.retracted) continue;
    const p = s.payload;
    const loc = p['location'];
    const crossingPoint = s.originator === WITHHOLDER ? null : (loc.crossingPoint ?? null);
    const locationKey = crossingPoint ?? (loc.region ? `${loc.country}/${loc.region}` : loc.country);
    const totals = new Map<string, number>();
    for (const item of p['items'] as Array<{ category: string; substance: string; quantity: number; unit: string }>) {
      const [unit, factor] =
        item.unit === 'g' ? ['kg', 1 / 1000] : item.unit === 'ml' ? ['l', 1 / 1000] : [item.unit, 1];
      const key = `${item.category}/${item.substance}/${unit}`;
      totals.set(key, (totals.get(key) ?? 0) + item.quantity * factor);
    }
    out.push({
      seizureId,
      originator: s.originator,
      locationKey,
      crossingPoint,
      country: loc.country,
      week: isoWeek(p['occurredAt']),
      occurredAt: p['occurredAt'],
      totals,
      route: p['route'] ? { origin: p['route'].origin ?? null, destination: p['route'].destination ?? null } : null,
    });
  }
  return { seizures: out, alerts };
}

/* eslint-enable @typescript-eslint/no-explicit-any */

/** ISO 8601 week of an instant (UTC), written out again here so the model does not share the domain's code. */
export function isoWeek(at: string): string {
  const d = new Date(at);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const dow = new Date(day).getUTCDay() || 7;
  const thursday = new Date(day + (4 - dow) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.ceil(((thursday.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// The feeder: the distributor's decision for each ledger event, published on caravan.share.

/** Publishes every copy the centre (and one other agency, which the aggregator must ignore) gets. */
export class ShareFeeder {
  private readonly seen = new Map<string, RecordedEvent[]>();
  private readonly recipients = new Map<string, Map<AgencyCode, number>>();
  private readonly policies = new Map<AgencyCode, Map<number, readonly SharingRule[]>>();
  /** The centre's copies in position order, as published. */
  readonly copies: ReturnType<typeof toSharedCopy>[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly secret: string,
    private readonly also: AgencyCode = 'KZ-BS',
  ) {}

  /** Decides every ledger event (the centre's copies end up in `copies`). */
  async decideAll(): Promise<void> {
    const directory = await new DirectoryRepository(this.dataSource).loadDirectory();
    const reader = new LedgerReader(this.dataSource);
    for await (const event of reader.readAll()) {
      if (event.type === 'policy.set') {
        const versions = this.policies.get(event.originator) ?? new Map();
        versions.set(event.streamVersion, event.payload.rules);
        this.policies.set(event.originator, versions);
        continue;
      }
      const history = [...(this.seen.get(event.streamId) ?? []), event];
      this.seen.set(event.streamId, history);
      const current = event.type.startsWith('seizure.') ? currentSeizure(history) : currentAlert(history);
      const policyEvent = await reader.policyAt(event.originator, event.position);
      const previous = this.recipients.get(event.streamId) ?? new Map<AgencyCode, number>();
      const deliveries = evaluateSharing({
        event,
        aggregate: current ? { handling: current.payload.handling } : undefined,
        policy: policyEvent ? { version: policyEvent.streamVersion, rules: policyEvent.payload.rules } : undefined,
        directory,
        secret: this.secret,
        previousRecipients: previous,
        rulesOfVersion: (v) => this.policies.get(event.originator)?.get(v),
      });
      for (const delivery of deliveries) {
        if (!previous.has(delivery.recipient)) previous.set(delivery.recipient, delivery.policyVersion);
        if (delivery.recipient === REGIONAL_CENTRE || delivery.recipient === this.also) {
          this.copies.push(toSharedCopy(event, delivery));
        }
      }
      this.recipients.set(event.streamId, previous);
    }
  }

  /** The centre's copies only. */
  centreCopies(): ReturnType<typeof toSharedCopy>[] {
    return this.copies.filter((c) => c.recipient === REGIONAL_CENTRE);
  }

  /** Publishes the decided copies `[from, to)` to a topology's share stream, as the distributor does. */
  async publish(nc: NatsConnection, topology: Topology, from = 0, to = this.copies.length): Promise<void> {
    for (const copy of this.copies.slice(from, to)) {
      await publishToStream(nc, subjects(topology).share(copy.recipient, copy.type), copy, {
        msgId: `${copy.eventId}:${copy.recipient}`,
        position: copy.position,
        type: copy.type,
        schemaVersion: copy.schemaVersion,
        policyVersion: copy.policyVersion,
      });
    }
  }
}
