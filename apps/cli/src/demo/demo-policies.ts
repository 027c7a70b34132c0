// Sharing policies of the demo agencies (SPEC §5, §11). Plausible and deliberately different:
// - every agency shares a working subset of its seizures with CARICC, named by code so that AMBER
//   reports reach it;
// - TJ-DCA and KG-DCA have a bilateral arrangement: each gives the other its full reports but the narrative;
// - UZ-CUS pseudonymises suspects' names and documents for everyone;
// - the Turkmen agencies generalise locations (region for CARICC, country for neighbours) and weeks;
// - KZ-DCA marks its intelligence-led reports TLP:RED releasable to CARICC and KG-DCA (see the
//   scenario) and its policy covers exactly those two.
import type { SharingRule } from '@caravan/contracts';

const SEIZURES = ['seizure.*'];
const ALERTS = ['threat.alert.*'];

/** The fields the regional centre needs for its views, as in the SPEC §5 example. */
const CARICC_FIELDS = [
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
];

/** Operational basics for neighbours: what was seized where and how, no people. */
const NEIGHBOUR_FIELDS = ['occurredAt', 'location', 'direction', 'items', 'transportMode', 'concealment', 'route'];

const toCaricc = (extra: Partial<SharingRule> = {}): SharingRule => ({
  to: ['CARICC'],
  types: SEIZURES,
  fields: CARICC_FIELDS,
  pseudonymize: ['suspects[].documentNumber', 'conveyance.registration'],
  ...extra,
});

const alertsTo = (to: string[], drop: string[] = ['narrative']): SharingRule => ({
  to,
  types: ALERTS,
  fields: ['*'],
  drop,
});

const standard = (): SharingRule[] => [
  toCaricc(),
  { to: ['group:central-asia'], types: SEIZURES, fields: NEIGHBOUR_FIELDS },
  alertsTo(['CARICC', 'group:central-asia']),
];

const bilateral = (partner: string): SharingRule[] => [
  toCaricc(),
  { to: [partner], types: ['*'], fields: ['*'], drop: ['narrative'] },
  { to: ['group:central-asia'], types: SEIZURES, fields: NEIGHBOUR_FIELDS },
  alertsTo(['CARICC', 'group:central-asia']),
];

const turkmen = (): SharingRule[] => [
  toCaricc({ generalize: { location: 'region' } }),
  {
    to: ['group:central-asia'],
    types: SEIZURES,
    fields: ['occurredAt', 'location', 'items', 'transportMode'],
    generalize: { location: 'country', occurredAt: 'week' },
  },
  alertsTo(['CARICC', 'group:afghan-border'], ['narrative', 'indicators']),
];

/** The outbound policy of each demo agency, keyed by agency code. */
export const DEMO_POLICIES: Readonly<Record<string, readonly SharingRule[]>> = {
  'AF-CNPA': [
    toCaricc(),
    { to: ['group:afghan-border'], types: SEIZURES, fields: [...NEIGHBOUR_FIELDS, 'detectionMethod'] },
    alertsTo(['CARICC', 'group:afghan-border', 'group:drug-control']),
  ],
  'TJ-BS': standard(),
  'TJ-CUS': standard(),
  'TJ-DCA': bilateral('KG-DCA'),
  'KG-DCA': bilateral('TJ-DCA'),
  'KG-BS': standard(),
  'KG-CUS': standard(),
  'UZ-BS': standard(),
  'UZ-DCA': standard(),
  'UZ-CUS': [
    toCaricc({
      fields: [...CARICC_FIELDS, 'suspects[].fullName'],
      pseudonymize: ['suspects[].fullName', 'suspects[].documentNumber', 'conveyance.registration'],
    }),
    {
      to: ['group:customs'],
      types: SEIZURES,
      fields: [...NEIGHBOUR_FIELDS, 'suspects[].fullName', 'suspects[].documentNumber', 'suspects[].nationality'],
      pseudonymize: ['suspects[].fullName', 'suspects[].documentNumber'],
    },
    alertsTo(['CARICC', 'group:central-asia']),
  ],
  'TM-BS': turkmen(),
  'TM-CUS': turkmen(),
  'TM-DCA': turkmen(),
  'KZ-BS': standard(),
  'KZ-CUS': standard(),
  'KZ-DCA': [
    toCaricc(),
    { to: ['KG-DCA'], types: SEIZURES, fields: ['*'], drop: ['narrative', 'suspects[].birthDate'] },
    alertsTo(['CARICC', 'KG-DCA', 'group:central-asia']),
  ],
};

/** Agencies whose events go out as TLP:RED and to whom (the scenario's handling, not policy). */
export const RED_RELEASABLE_TO: Readonly<Record<string, readonly string[]>> = {
  'KZ-DCA': ['CARICC', 'KG-DCA'],
};
