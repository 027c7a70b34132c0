// The demo scenario of SPEC §11: a few hundred seizures and alerts along the northern route
// (Afghanistan → Tajikistan/Uzbekistan/Turkmenistan → Kyrgyzstan → Kazakhstan) over several months
// of event time, with a few amendments, retractions and withdrawals, and one spike (methamphetamine
// in Kazakhstan in the current week) that the trends view must flag as an anomaly.
//
// Pure and deterministic: the same directory, seed and `now` give the same commands, byte for byte.
// Times are anchored to `now` (all in the past) so that the current week's views have data.
import type {
  AmendSeizure,
  Agency,
  CrossingPoint,
  Directory,
  Handling,
  IssueAlert,
  ReportSeizure,
  RetractSeizure,
  Route,
  SeizedItem,
  Suspect,
  TransportMode,
  WithdrawAlert,
  Concealment,
  DetectionMethod,
  LocationType,
} from '@caravan/contracts';
import { isoWeekOf, isoWeekStart } from '@caravan/domain';
import { RED_RELEASABLE_TO } from './demo-policies.js';
import { Prng } from './prng.js';

/** One command of the scenario, sent as `agency`. */
export type DemoStep =
  | { readonly command: 'seizure.report'; readonly agency: string; readonly body: ReportSeizure }
  | { readonly command: 'seizure.amend'; readonly agency: string; readonly body: AmendSeizure }
  | { readonly command: 'seizure.retract'; readonly agency: string; readonly body: RetractSeizure }
  | { readonly command: 'alert.issue'; readonly agency: string; readonly body: IssueAlert }
  | { readonly command: 'alert.withdraw'; readonly agency: string; readonly body: WithdrawAlert };

export interface ScenarioOptions {
  /** The clock the scenario is anchored to: every occurredAt lies before it. */
  readonly now: Date;
  readonly seed?: number;
  /** Weeks of event time, the current ISO week included. */
  readonly weeks?: number;
  readonly seizures?: number;
  readonly alerts?: number;
}

/** The scenario: its commands in publication order and the anomaly it plants. */
export interface DemoScenario {
  readonly steps: readonly DemoStep[];
  readonly spike: { readonly country: string; readonly substance: string; readonly week: string };
  readonly from: string;
  readonly to: string;
}

/** The seed `caravan demo` uses. */
export const DEMO_SEED = 20_250_601;

const DAY = 86_400_000;
const MINUTE = 60_000;

interface Profile {
  readonly substance: string;
  readonly category: SeizedItem['category'];
  readonly unit: SeizedItem['unit'];
  readonly min: number;
  readonly max: number;
  readonly purity?: readonly [number, number];
  readonly usdPerUnit: number;
  readonly weight: number;
}

// Wholesale values along the route are rough orders of magnitude; they only feed estimatedValueUsd.
const PROFILES: readonly Profile[] = [
  {
    substance: 'heroin',
    category: 'narcotic',
    unit: 'kg',
    min: 0.3,
    max: 45,
    purity: [25, 78],
    usdPerUnit: 18_000,
    weight: 30,
  },
  { substance: 'opium', category: 'narcotic', unit: 'kg', min: 1, max: 160, usdPerUnit: 2_500, weight: 17 },
  { substance: 'hashish', category: 'narcotic', unit: 'kg', min: 2, max: 650, usdPerUnit: 1_200, weight: 20 },
  {
    substance: 'methamphetamine',
    category: 'psychotropic',
    unit: 'kg',
    min: 0.1,
    max: 12,
    purity: [40, 90],
    usdPerUnit: 25_000,
    weight: 9,
  },
  {
    substance: 'tramadol',
    category: 'psychotropic',
    unit: 'tablets',
    min: 200,
    max: 120_000,
    usdPerUnit: 0.5,
    weight: 10,
  },
  { substance: 'acetic-anhydride', category: 'precursor', unit: 'l', min: 40, max: 6_000, usdPerUnit: 4, weight: 7 },
  { substance: 'cannabis', category: 'narcotic', unit: 'kg', min: 1, max: 300, usdPerUnit: 400, weight: 7 },
];

/**
 * The busiest crossing points of the route: most weeks, several agencies of the country seize the
 * corridor's main substance there in loads of similar size. That is what the regional centre's
 * crossings view can show: SPEC §8 small-cell protection hides any cell with fewer than 3 seizures,
 * a single agency, or two seizures making 85% of a total (loads within ±30% of the mean keep the
 * two largest of three under 80%). The background flow goes to the other crossing points, where it
 * is realistically sparse and therefore mostly suppressed.
 */
const CORRIDORS: readonly { readonly code: string; readonly substance: string; readonly mean: number }[] = [
  { code: 'TJ-NIZHNY-PANJ', substance: 'heroin', mean: 14 },
  { code: 'UZ-TERMEZ', substance: 'hashish', mean: 80 },
  { code: 'KG-KYZYL-ART', substance: 'heroin', mean: 7 },
  { code: 'KZ-KORDAY', substance: 'heroin', mean: 9 },
  { code: 'KZ-ZHIBEK-ZHOLY', substance: 'hashish', mean: 45 },
];

// Background weights of the other crossing points of the route; the rest of the directory gets 1.
const CROSSING_WEIGHTS: Readonly<Record<string, number>> = {
  'KG-AK-JOL': 5,
  'KG-DOSTUK': 4,
  'TJ-ISHKASHIM': 4,
  'TJ-KHOROG': 3,
  'TM-IMAM-NAZAR': 3,
  'TJ-FOTEHOBOD': 3,
  'UZ-GISHT-KUPRIK': 3,
};

const REGIONS: Readonly<Record<string, readonly string[]>> = {
  AF: ['Badakhshan', 'Kunduz', 'Balkh', 'Takhar', 'Jowzjan'],
  TJ: ['Khatlon', 'Gorno-Badakhshan', 'Sughd', 'Dushanbe'],
  UZ: ['Surxondaryo', 'Tashkent', 'Andijan', 'Samarqand'],
  TM: ['Lebap', 'Mary', 'Dashoguz', 'Ahal'],
  KG: ['Osh', 'Chuy', 'Batken', 'Bishkek'],
  KZ: ['Almaty', 'Zhambyl', 'Turkistan', 'Astana'],
};

const CROSSING_REGIONS: Readonly<Record<string, string>> = {
  'TJ-NIZHNY-PANJ': 'Khatlon',
  'TJ-ISHKASHIM': 'Gorno-Badakhshan',
  'TJ-KHOROG': 'Gorno-Badakhshan',
  'TJ-FOTEHOBOD': 'Sughd',
  'TJ-TURSUNZODA': 'Districts of Republican Subordination',
  'UZ-TERMEZ': 'Surxondaryo',
  'UZ-SARIOSIYO': 'Surxondaryo',
  'UZ-OYBEK': 'Tashkent',
  'UZ-GISHT-KUPRIK': 'Tashkent',
  'UZ-DUSTLIK': 'Andijan',
  'TM-IMAM-NAZAR': 'Lebap',
  'TM-FARAP': 'Lebap',
  'TM-SERHETABAT': 'Mary',
  'TM-DASHOGUZ': 'Dashoguz',
  'KG-KYZYL-ART': 'Osh',
  'KG-KARAMYK': 'Osh',
  'KG-DOSTUK': 'Osh',
  'KG-KARA-SUU': 'Osh',
  'KG-AK-JOL': 'Chuy',
  'KZ-KORDAY': 'Zhambyl',
  'KZ-ZHIBEK-ZHOLY': 'Turkistan',
};

/** Ordered paths of the northern route: origin, transit countries, destination. */
const ROUTES: readonly Route[] = [
  { origin: 'AF', transit: ['TJ', 'KG'], destination: 'KZ' },
  { origin: 'AF', transit: ['TJ', 'KG', 'KZ'], destination: 'RU' },
  { origin: 'AF', transit: ['UZ', 'KZ'], destination: 'RU' },
  { origin: 'AF', transit: ['TM', 'UZ', 'KZ'], destination: 'RU' },
  { origin: 'AF', transit: ['TJ', 'UZ'], destination: 'KZ' },
  { origin: 'AF', transit: ['UZ', 'KG'], destination: 'KZ' },
];

const FIRST_NAMES: Readonly<Record<string, readonly string[]>> = {
  AF: ['Ahmad', 'Mohammad Wali', 'Gul', 'Abdul Rahim', 'Najibullah', 'Zabihullah'],
  TJ: ['Jamshed', 'Rustam', 'Abdullo', 'Firuz', 'Davlat', 'Mehrangez'],
  UZ: ['Farhod', 'Oybek', 'Gulnora', 'Sherzod', 'Aziz', 'Dilnoza'],
  TM: ['Kerimberdi', 'Merdan', 'Annagul', 'Dovlet', 'Batyr'],
  KG: ['Bakyt', 'Ainura', 'Nurbek', 'Talant', 'Aibek'],
  KZ: ['Nurlan', 'Serik', 'Aigerim', 'Yerlan', 'Timur', 'Dmitri'],
  RU: ['Sergei', 'Andrei', 'Olga'],
};
const LAST_NAMES: Readonly<Record<string, readonly string[]>> = {
  AF: ['Noori', 'Ahmadi', 'Stanikzai', 'Hakimi', 'Rahmani'],
  TJ: ['Sharipov', 'Nazarov', 'Rahimov', 'Karimov', 'Saidova'],
  UZ: ['Yusupova', 'Tursunov', 'Aliev', 'Rakhmonov', 'Ismoilov'],
  TM: ['Atayev', 'Orazov', 'Berdiyeva', 'Hojayev'],
  KG: ['Asanov', 'Mamatova', 'Toktogulov', 'Sadyrov'],
  KZ: ['Omarov', 'Zhakupov', 'Kasymov', 'Sokolov', 'Nurpeisova'],
  RU: ['Ivanov', 'Petrov', 'Smirnova'],
};

const DETECTION: readonly (readonly [DetectionMethod, number])[] = [
  ['risk-profiling', 25],
  ['intelligence', 20],
  ['x-ray', 15],
  ['canine', 15],
  ['random-check', 10],
  ['joint-operation', 8],
  ['tip-off', 7],
];

interface Person extends Suspect {
  readonly fullName: string;
  readonly nationality: string;
}

interface Seizure {
  readonly at: number;
  readonly agency: string;
  readonly body: ReportSeizure;
}

interface Timed {
  readonly at: number;
  readonly order: number;
  readonly step: DemoStep;
}

/** Builds the scenario; throws if the directory lacks the agencies or crossing points it needs. */
export function generateScenario(directory: Directory, options: ScenarioOptions): DemoScenario {
  const rng = new Prng(options.seed ?? DEMO_SEED);
  const weeks = options.weeks ?? 20;
  const now = options.now.getTime();
  const latest = now - 30 * MINUTE;
  const currentWeekStart = isoWeekStart(isoWeekOf(options.now)).getTime();
  // The spike goes in the current week unless the week is only minutes old.
  const spikeWeekStart = latest - currentWeekStart > 2 * 3_600_000 ? currentWeekStart : currentWeekStart - 7 * DAY;
  const windowStart = spikeWeekStart - (weeks - 1) * 7 * DAY;
  const world = new World(directory, rng);
  const timed: Timed[] = [];
  let order = 0;
  const add = (at: number, step: DemoStep) => timed.push({ at, order: order++, step });

  const seizures: Seizure[] = [];
  const report = (seizure: Seizure) => {
    seizures.push(seizure);
    add(seizure.at, { command: 'seizure.report', agency: seizure.agency, body: seizure.body });
  };

  // The corridors: batches of 3 or 4 comparable loads, by different agencies, most weeks.
  for (const corridor of world.corridors()) {
    for (let week = windowStart; week <= spikeWeekStart; week += 7 * DAY) {
      if (!rng.chance(0.85)) continue;
      const end = Math.min(latest, week + 7 * DAY - 1);
      const first = rng.int(0, 2);
      const batch = rng.int(3, 4);
      for (let i = 0; i < batch; i++) {
        report(
          world.seizure(rng.int(week, end), {
            crossing: corridor.code,
            substance: corridor.substance,
            min: corridor.mean * 0.7,
            max: corridor.mean * 1.3,
            agencyIndex: first + i,
            single: true,
          }),
        );
      }
    }
  }

  // Background: the ordinary, scattered flow of the route.
  const count = options.seizures ?? 150;
  for (let i = 0; i < count; i++) report(world.seizure(rng.int(windowStart, latest), {}));

  // Kazakh methamphetamine: a steady trickle every week, then a surge in the spike week.
  const spikeWeek = isoWeekOf(new Date(spikeWeekStart));
  for (let week = windowStart; week < spikeWeekStart; week += 7 * DAY) {
    const n = rng.int(1, 2);
    for (let i = 0; i < n; i++) {
      report(
        world.seizure(rng.int(week, week + 7 * DAY - 1), {
          country: 'KZ',
          substance: 'methamphetamine',
          max: 2.5,
          inland: true,
          single: true,
        }),
      );
    }
  }
  const spikeEnd = Math.min(latest, spikeWeekStart + 7 * DAY - 1);
  for (let i = 0; i < 7; i++) {
    report(
      world.seizure(rng.int(spikeWeekStart, spikeEnd), {
        country: 'KZ',
        inland: true,
        substance: 'methamphetamine',
        min: 6,
        max: 14,
        agencyIndex: i,
        single: true,
      }),
    );
  }

  // Alerts, some pointing at earlier seizures.
  const alerts: { at: number; agency: string; body: IssueAlert }[] = [];
  for (let i = 0; i < (options.alerts ?? 40); i++) {
    const at = rng.int(windowStart, latest);
    const earlier = seizures.filter((s) => s.at < at);
    const alert = world.alert(at, earlier);
    alerts.push(alert);
    add(at, { command: 'alert.issue', agency: alert.agency, body: alert.body });
  }

  // Follow-ups: laboratory weights amend some reports, duplicates are retracted, alerts withdrawn.
  // Only the scattered flow: a corridor batch that lost a seizure would drop under the small-cell floor.
  const corridorCodes = new Set(CORRIDORS.map((c) => c.code));
  const background = seizures.filter(
    (s) =>
      !isMeth(s.body) &&
      s.at < latest - 3 * DAY &&
      (s.body.location.crossingPoint === undefined || !corridorCodes.has(s.body.location.crossingPoint)),
  );
  const [amended, retracted] = [rng.sample(background, 8), []] as [Seizure[], Seizure[]];
  for (const s of rng.sample(
    background.filter((b) => !amended.includes(b)),
    5,
  )) {
    retracted.push(s);
  }
  for (const s of amended) {
    const at = Math.min(latest, s.at + rng.int(1, 10) * DAY);
    add(at, { command: 'seizure.amend', agency: s.agency, body: world.amendment(s.body) });
  }
  for (const s of retracted) {
    const at = Math.min(latest, s.at + rng.int(1, 6) * DAY);
    add(at, {
      command: 'seizure.retract',
      agency: s.agency,
      body: {
        commandId: rng.uuid(),
        seizureId: s.body.seizureId,
        reason: rng.pick([
          'Duplicate of a report filed by the joint operation team',
          'Seizure recorded in error: the goods were lawful cargo after laboratory analysis',
          'Reported under the wrong case; re-reported by the investigating agency',
        ]),
      },
    });
  }
  for (const alert of rng.sample(
    alerts.filter((a) => a.at < latest - 7 * DAY),
    2,
  )) {
    add(Math.min(latest, alert.at + rng.int(2, 7) * DAY), {
      command: 'alert.withdraw',
      agency: alert.agency,
      body: {
        commandId: rng.uuid(),
        alertId: alert.body.alertId,
        reason: 'The conveyance was identified and searched; the threat is resolved',
      },
    });
  }

  timed.sort((a, b) => a.at - b.at || a.order - b.order);
  return {
    steps: timed.map((t) => t.step),
    spike: { country: 'KZ', substance: 'methamphetamine', week: spikeWeek },
    from: new Date(windowStart).toISOString(),
    to: new Date(latest).toISOString(),
  };
}

function isMeth(body: ReportSeizure): boolean {
  return body.items.some((item) => item.substance === 'methamphetamine');
}

interface SeizureWish {
  /** A crossing point code (a corridor); otherwise one is drawn from the background weights. */
  readonly crossing?: string;
  readonly country?: string;
  readonly inland?: boolean;
  /** One item, no cash or weapons alongside. */
  readonly single?: boolean;
  readonly substance?: string;
  readonly min?: number;
  readonly max?: number;
  /** Spreads a series over the country's agencies in turn. */
  readonly agencyIndex?: number;
}

// The directory-dependent choices, and the pools (people, vehicles) reused so that cases link.
class World {
  private readonly crossings: readonly (readonly [CrossingPoint, number])[];
  private readonly people: Person[];
  private readonly vehicles: { registration: string; country: string; kind: string }[];
  private readonly cases = new Map<string, number>();
  private readonly corridorCodes: ReadonlySet<string>;

  constructor(
    private readonly directory: Directory,
    private readonly rng: Prng,
  ) {
    const route = new Set(['AF', 'TJ', 'UZ', 'TM', 'KG', 'KZ']);
    this.crossings = directory.crossingPoints
      .filter((c) => route.has(c.country))
      .map((c) => [c, CROSSING_WEIGHTS[c.code] ?? 1] as const);
    if (this.crossings.length === 0) throw new Error('the directory has no crossing point on the northern route');
    this.corridorCodes = new Set(this.corridors().map((c) => c.code));
    this.people = Array.from({ length: 70 }, () => this.person());
    this.vehicles = Array.from({ length: 40 }, () => this.vehicle());
  }

  /** The corridors whose crossing point this directory has. */
  corridors(): typeof CORRIDORS {
    return CORRIDORS.filter((c) => this.crossings.some(([p]) => p.code === c.code));
  }

  seizure(at: number, wish: SeizureWish): Seizure {
    const rng = this.rng;
    const inland = wish.crossing === undefined && (wish.inland ?? rng.chance(0.2));
    const candidates = this.crossings.filter(
      ([c]) => !this.corridorCodes.has(c.code) && (wish.country === undefined || c.country === wish.country),
    );
    const crossing =
      wish.crossing !== undefined
        ? this.crossings.find(([c]) => c.code === wish.crossing)?.[0]
        : inland || candidates.length === 0
          ? undefined
          : rng.weighted(candidates);
    const country =
      crossing?.country ??
      wish.country ??
      rng.weighted([
        ['KZ', 30],
        ['KG', 20],
        ['TJ', 20],
        ['UZ', 15],
        ['AF', 15],
      ] as const);
    const agency = this.reporter(country, crossing !== undefined, wish.agencyIndex);
    const profile =
      wish.substance !== undefined
        ? (PROFILES.find((p) => p.substance === wish.substance) ?? PROFILES[0]!)
        : rng.weighted(
            PROFILES.filter((p) => !(country === 'KZ' && p.substance === 'methamphetamine')).map(
              (p) => [p, p.weight] as const,
            ),
          );
    const items = [this.item(profile, wish)];
    if (!wish.single && rng.chance(0.1)) {
      items.push({ category: 'currency', substance: 'cash-usd', quantity: rng.int(20, 1500) * 100, unit: 'units' });
    }
    if (!wish.single && rng.chance(0.04)) {
      items.push({ category: 'weapon', substance: 'pistol', quantity: rng.int(1, 3), unit: 'units' });
    }

    const postal = inland && profile.substance === 'tramadol' && rng.chance(0.6);
    const airport = inland && !postal && country !== 'AF' && rng.chance(0.15);
    const locationType: LocationType = crossing
      ? crossing.code === 'UZ-TERMEZ' && rng.chance(0.3)
        ? 'rail'
        : 'land-border'
      : postal
        ? 'postal'
        : airport
          ? 'airport'
          : 'inland';
    const transportMode = this.transport(crossing, locationType);
    // Only corridor seizures name their route: the routes view then summarises comparable loads that
    // small-cell protection lets the centre see. Scattered seizures leave the route unknown, as many
    // first reports do.
    const route = wish.crossing !== undefined ? this.route(country, crossing) : undefined;
    const seizureId = rng.uuid();
    const region = crossing ? CROSSING_REGIONS[crossing.code] : rng.pick(REGIONS[country] ?? ['Central']);
    const suspects = this.suspects(transportMode === 'postal' ? rng.int(0, 1) : rng.int(0, 3));
    const conveyance = this.conveyance(transportMode);
    const body: ReportSeizure = {
      commandId: rng.uuid(),
      seizureId,
      occurredAt: new Date(at).toISOString(),
      location: {
        country,
        ...(crossing ? { crossingPoint: crossing.code } : {}),
        ...(region ? { region } : {}),
        ...(crossing ? { lat: crossing.lat, lon: crossing.lon } : {}),
        locationType,
      },
      direction: this.direction(country, route, crossing),
      items,
      transportMode,
      ...(conveyance ? { conveyance } : {}),
      concealment: this.concealment(transportMode),
      detectionMethod: rng.weighted(DETECTION),
      ...(route ? { route } : {}),
      ...(suspects.length > 0 ? { suspects } : {}),
      caseReference: this.caseReference(agency, at),
      narrative: `${items[0]!.substance} (${items[0]!.quantity} ${items[0]!.unit}) found during ${transportMode} inspection${crossing ? ` at ${crossing.name}` : ''}.`,
      handling: this.handling(agency),
    };
    return { at, agency, body };
  }

  alert(at: number, earlier: readonly Seizure[]): { at: number; agency: string; body: IssueAlert } {
    const rng = this.rng;
    const issuers = this.directory.agencies.filter(
      (a) => a.country !== undefined && (a.kind === 'drug-control' || (a.kind === 'border' && rng.chance(0.3))),
    );
    const issuer = rng.pick(issuers.length > 0 ? issuers : this.directory.agencies);
    const country = issuer.country ?? 'TJ';
    const route = rng.pick(ROUTES);
    const countries = [...new Set([country, ...(route.transit ?? []).slice(0, 2)])].filter(
      (c) => c !== 'AF' || country === 'AF',
    );
    const points = this.crossings.map(([c]) => c).filter((c) => countries.includes(c.country));
    const crossingPoints = rng.sample(points, rng.int(0, Math.min(3, points.length))).map((c) => c.code);
    const category = rng.weighted([
      ['trafficking-route', 30],
      ['suspect-conveyance', 25],
      ['person-of-interest', 20],
      ['modus-operandi', 15],
      ['precursor-diversion', 10],
    ] as const);
    const vehicle = rng.pick(this.vehicles);
    const person = rng.pick(this.people);
    const path = [route.origin, ...(route.transit ?? []), route.destination].join('-');
    const indicators =
      category === 'suspect-conveyance'
        ? [{ kind: 'vehicle-registration' as const, value: vehicle.registration }]
        : category === 'person-of-interest'
          ? [
              { kind: 'name' as const, value: person.fullName },
              ...(person.documentNumber ? [{ kind: 'document-number' as const, value: person.documentNumber }] : []),
            ]
          : category === 'trafficking-route'
            ? [{ kind: 'route' as const, value: path }]
            : category === 'modus-operandi'
              ? [
                  {
                    kind: 'modus' as const,
                    value: rng.pick([
                      'heroin in truck fuel tanks',
                      'hashish in melon cargo',
                      'tramadol in postal parcels',
                      'couriers swallowing capsules',
                    ]),
                  },
                ]
              : [{ kind: 'other' as const, value: 'acetic anhydride declared as industrial solvent' }];
    const summary =
      category === 'trafficking-route'
        ? `Increased trafficking along ${path}`
        : category === 'suspect-conveyance'
          ? `Vehicle ${vehicle.registration} suspected of carrying narcotics across ${countries.join(', ')}`
          : category === 'person-of-interest'
            ? 'Courier organiser active on the northern route'
            : category === 'modus-operandi'
              ? `New concealment method seen in ${countries.join(', ')}`
              : 'Diversion of acetic anhydride towards Afghanistan';
    const related = rng
      .sample(
        earlier.filter((s) => s.agency === issuer.code),
        rng.int(0, 2),
      )
      .map((s) => s.body.seizureId);
    const validUntil = at + rng.int(30, 120) * DAY;
    const body: IssueAlert = {
      commandId: rng.uuid(),
      alertId: rng.uuid(),
      category,
      severity: rng.weighted([
        [2, 2],
        [3, 4],
        [4, 3],
        [5, 1],
      ] as const),
      confidence: rng.pick(['low', 'medium', 'high'] as const),
      validFrom: new Date(at).toISOString(),
      validUntil: new Date(validUntil).toISOString(),
      area: { countries, ...(crossingPoints.length > 0 ? { crossingPoints } : {}) },
      indicators,
      ...(related.length > 0 ? { relatedSeizures: related } : {}),
      summary,
      narrative: `${summary}. Reported by ${issuer.code} from field intelligence.`,
      handling: this.handling(issuer.code),
    };
    return { at, agency: issuer.code, body };
  }

  amendment(report: ReportSeizure): AmendSeizure {
    const rng = this.rng;
    const [first, ...rest] = report.items;
    const weighed = { ...first!, quantity: round(first!.quantity * rng.float(0.85, 1.1, 3), first!.unit) };
    const withPurity =
      weighed.category === 'narcotic' && weighed.substance === 'heroin'
        ? { ...weighed, purityPercent: rng.int(30, 75) }
        : weighed;
    return {
      commandId: rng.uuid(),
      seizureId: report.seizureId,
      expectedVersion: 1,
      changes: { items: [withPurity, ...rest] },
      reason: 'Net weight and purity from the forensic laboratory',
    };
  }

  private reporter(country: string, atCrossing: boolean, index?: number): string {
    const national = this.directory.agencies.filter(
      (a) => a.country === country && ['border', 'customs', 'drug-control', 'police'].includes(a.kind),
    );
    if (national.length === 0) throw new Error(`the directory has no national agency of ${country}`);
    if (index !== undefined) return national[index % national.length]!.code;
    const weight = (a: Agency) => (a.kind === 'drug-control' ? (atCrossing ? 1 : 4) : atCrossing ? 2 : 1);
    return this.rng.weighted(national.map((a) => [a.code, weight(a)] as const));
  }

  private item(profile: Profile, wish: SeizureWish): SeizedItem {
    const rng = this.rng;
    const min = wish.min ?? profile.min;
    const max = wish.max ?? profile.max;
    // Body couriers carry heroin by the gram.
    if (profile.substance === 'heroin' && wish.min === undefined && rng.chance(0.12)) {
      return {
        category: profile.category,
        substance: profile.substance,
        quantity: rng.int(250, 1400),
        unit: 'g',
        purityPercent: rng.int(30, 70),
      };
    }
    // Corridor loads are drawn uniformly around their mean (comparable sizes); the rest log-uniformly.
    if (wish.crossing !== undefined) {
      const quantity = round(rng.float(min, max, 2), profile.unit);
      return { category: profile.category, substance: profile.substance, quantity, unit: profile.unit };
    }
    const quantity = round(
      profile.unit === 'tablets' || profile.unit === 'units'
        ? rng.logUniform(min, max, 0)
        : rng.logUniform(min, max, 2),
      profile.unit,
    );
    return {
      category: profile.category,
      substance: profile.substance,
      quantity,
      unit: profile.unit,
      ...(profile.purity && rng.chance(0.5) ? { purityPercent: rng.int(profile.purity[0], profile.purity[1]) } : {}),
      ...(rng.chance(0.6) ? { estimatedValueUsd: Math.round(quantity * profile.usdPerUnit) } : {}),
    };
  }

  private transport(crossing: CrossingPoint | undefined, locationType: LocationType): TransportMode {
    const rng = this.rng;
    if (locationType === 'postal') return 'postal';
    if (locationType === 'airport') return 'air';
    if (locationType === 'rail') return 'rail';
    if (crossing?.code === 'TJ-ISHKASHIM' || crossing?.code === 'TJ-KHOROG') {
      return rng.weighted([
        ['foot', 3],
        ['pack-animal', 3],
        ['road', 2],
        ['river', 1],
      ] as const);
    }
    if (crossing?.facing === 'AF')
      return rng.weighted([
        ['road', 6],
        ['river', 2],
        ['foot', 2],
      ] as const);
    return rng.weighted([
      ['road', 9],
      ['rail', 1],
    ] as const);
  }

  private concealment(mode: TransportMode): Concealment {
    const rng = this.rng;
    switch (mode) {
      case 'road':
        return rng.weighted([
          ['vehicle-compartment', 5],
          ['cargo', 3],
          ['luggage', 1],
          ['body', 1],
        ] as const);
      case 'rail':
        return rng.weighted([
          ['cargo', 3],
          ['luggage', 2],
          ['vehicle-compartment', 1],
        ] as const);
      case 'air':
        return rng.weighted([
          ['natural-cavities', 2],
          ['luggage', 3],
          ['body', 1],
        ] as const);
      case 'postal':
        return 'parcel';
      case 'foot':
      case 'pack-animal':
        return rng.weighted([
          ['luggage', 3],
          ['body', 1],
          ['other', 1],
        ] as const);
      case 'river':
      case 'sea':
      case 'pipeline':
      case 'unknown':
        return rng.weighted([
          ['cargo', 2],
          ['other', 1],
          ['unknown', 1],
        ] as const);
    }
  }

  private conveyance(mode: TransportMode) {
    const rng = this.rng;
    if (mode === 'road') {
      const vehicle = rng.pick(this.vehicles);
      return { kind: vehicle.kind, registration: vehicle.registration, country: vehicle.country };
    }
    if (mode === 'rail') return { kind: 'freight-wagon', registration: String(rng.int(50_000_000, 59_999_999)) };
    if (mode === 'river') return { kind: 'inflatable-boat' };
    if (mode === 'air')
      return { kind: 'passenger-flight', registration: `${rng.pick(['KC', 'SZ', 'HY', 'QH'])} ${rng.int(100, 999)}` };
    return undefined;
  }

  private route(country: string, crossing: CrossingPoint | undefined): Route | undefined {
    const rng = this.rng;
    const path = (r: Route) => [r.origin, ...(r.transit ?? []), r.destination];
    const through = ROUTES.filter((r) => path(r).includes(country));
    // A crossing point faces one neighbour: keep the routes on which that neighbour is next to it.
    const adjacent = crossing
      ? through.filter((r) => {
          const p = path(r);
          const i = p.indexOf(country);
          return p[i - 1] === crossing.facing || p[i + 1] === crossing.facing;
        })
      : through;
    const candidates = adjacent.length > 0 ? adjacent : through;
    if (candidates.length === 0) return undefined;
    return rng.pick(candidates);
  }

  private direction(
    country: string,
    route: Route | undefined,
    crossing: CrossingPoint | undefined,
  ): ReportSeizure['direction'] {
    if (!route) return crossing ? (crossing.facing === 'AF' ? 'import' : 'transit') : 'inland';
    if (route.origin === country) return 'export';
    if (route.destination === country) return 'import';
    return 'transit';
  }

  private suspects(count: number): Suspect[] {
    const rng = this.rng;
    return rng.sample(this.people, count).map((person, i) => ({
      ...person,
      role:
        i === 0
          ? rng.weighted([
              ['courier', 4],
              ['driver', 3],
              ['organiser', 1],
            ] as const)
          : rng.pick(['courier', 'driver', 'recipient', 'other'] as const),
    }));
  }

  private person(): Person {
    const rng = this.rng;
    const nationality = rng.weighted([
      ['AF', 3],
      ['TJ', 4],
      ['UZ', 2],
      ['TM', 1],
      ['KG', 2],
      ['KZ', 2],
      ['RU', 1],
    ] as const);
    const year = rng.int(1965, 2003);
    const birthDate = `${year}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
    return {
      fullName: `${rng.pick(FIRST_NAMES[nationality]!)} ${rng.pick(LAST_NAMES[nationality]!)}`,
      nationality,
      birthDate,
      ...(rng.chance(0.8)
        ? { documentNumber: `${nationality === 'AF' ? 'P' : nationality.slice(0, 1)}${rng.int(1_000_000, 9_999_999)}` }
        : {}),
    };
  }

  private vehicle() {
    const rng = this.rng;
    const country = rng.weighted([
      ['AF', 2],
      ['TJ', 3],
      ['UZ', 2],
      ['KG', 2],
      ['KZ', 3],
      ['TM', 1],
    ] as const);
    const letters = () => String.fromCharCode(65 + rng.int(0, 25), 65 + rng.int(0, 25), 65 + rng.int(0, 25));
    const registration =
      country === 'KZ'
        ? `${rng.int(100, 999)} ${letters()} ${pad(rng.int(1, 17))}`
        : country === 'KG'
          ? `${pad(rng.int(1, 9))}KG ${rng.int(100, 999)} ${letters()}`
          : country === 'UZ'
            ? `${pad(rng.int(1, 95))} ${letters().slice(0, 1)} ${rng.int(100, 999)} ${letters().slice(0, 2)}`
            : country === 'TJ'
              ? `${rng.int(1000, 9999)} ${letters().slice(0, 2)} ${pad(rng.int(1, 9))}`
              : country === 'TM'
                ? `${letters().slice(0, 2)} ${rng.int(1000, 9999)}`
                : `KBL ${rng.int(10_000, 99_999)}`;
    return {
      registration,
      country,
      kind: rng.weighted([
        ['truck', 5],
        ['car', 3],
        ['minibus', 1],
      ] as const),
    };
  }

  private caseReference(agency: string, at: number): string {
    const next = (this.cases.get(agency) ?? 0) + 1;
    this.cases.set(agency, next);
    return `${agency}-${new Date(at).getUTCFullYear()}-${String(next).padStart(4, '0')}`;
  }

  private handling(agency: string): Handling {
    const rng = this.rng;
    const red = RED_RELEASABLE_TO[agency];
    if (red)
      return { tlp: 'RED', releasableTo: [...red], handlingCode: 'H2', sourceReliability: 'B', informationAccuracy: 2 };
    const tlp = rng.weighted([
      ['GREEN', 5],
      ['AMBER', 4],
      ['CLEAR', 1],
    ] as const);
    return {
      tlp,
      ...(tlp === 'AMBER' && rng.chance(0.4) ? { releasableTo: ['CARICC'] } : {}),
      ...(rng.chance(0.5) ? { handlingCode: rng.pick(['H0', 'H1', 'H2'] as const) } : {}),
      ...(rng.chance(0.6)
        ? { sourceReliability: rng.pick(['A', 'B', 'C'] as const), informationAccuracy: rng.pick([1, 2, 3] as const) }
        : {}),
    };
  }
}

function round(quantity: number, unit: SeizedItem['unit']): number {
  if (unit === 'tablets' || unit === 'units' || unit === 'persons') return Math.max(1, Math.round(quantity));
  return Math.max(0.01, Math.round(quantity * 100) / 100);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
