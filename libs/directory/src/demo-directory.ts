// The demo directory of SPEC §11: the border, customs and drug-control agencies of the five Central
// Asian states, an Afghan counter-narcotics agency and CARICC, with crossing points of the northern
// route (Afghanistan → Tajikistan/Uzbekistan/Turkmenistan → Kyrgyzstan → Kazakhstan). Names follow
// the real bodies; coordinates are approximate (a few km), enough for maps and risk views.
import type { Agency, AgencyKind, CrossingPoint, Directory } from '@caravan/contracts';

const STATES = {
  KZ: {
    border: 'Border Service of the National Security Committee of the Republic of Kazakhstan',
    customs: 'State Revenue Committee (Customs) of the Ministry of Finance of the Republic of Kazakhstan',
    drugs: 'Department for Combating Drug Crime of the Ministry of Internal Affairs of the Republic of Kazakhstan',
  },
  KG: {
    border: 'Border Service of the State Committee for National Security of the Kyrgyz Republic',
    customs: 'State Customs Service under the Ministry of Finance of the Kyrgyz Republic',
    drugs: 'Service for Combating Drug Trafficking of the Ministry of Internal Affairs of the Kyrgyz Republic',
  },
  TJ: {
    border: 'Border Troops of the State Committee for National Security of the Republic of Tajikistan',
    customs: 'Customs Service under the Government of the Republic of Tajikistan',
    drugs: 'Drug Control Agency under the President of the Republic of Tajikistan',
  },
  TM: {
    border: 'State Border Service of Turkmenistan',
    customs: 'State Customs Service of Turkmenistan',
    drugs: 'Department for Combating Drug Trafficking of the Ministry of Internal Affairs of Turkmenistan',
  },
  UZ: {
    border: 'Border Troops of the State Security Service of the Republic of Uzbekistan',
    customs: 'Customs Committee under the Ministry of Economy and Finance of the Republic of Uzbekistan',
    drugs: 'National Information and Analytical Centre on Drug Control under the Cabinet of Ministers of Uzbekistan',
  },
} as const;

// States whose agencies face Afghanistan directly: the first line of the northern route.
const FRONTLINE = new Set(['TJ', 'UZ', 'TM']);

function nationalAgencies(): Agency[] {
  return Object.entries(STATES).flatMap(([country, names]) => {
    const common = [
      'group:central-asia',
      'group:caricc-members',
      ...(FRONTLINE.has(country) ? ['group:afghan-border'] : []),
    ];
    const agency = (suffix: string, name: string, kind: AgencyKind, group: string): Agency => ({
      code: `${country}-${suffix}`,
      name,
      country,
      kind,
      groups: [...common, group].sort(),
    });
    return [
      agency('BS', names.border, 'border', 'group:border'),
      agency('CUS', names.customs, 'customs', 'group:customs'),
      agency('DCA', names.drugs, 'drug-control', 'group:drug-control'),
    ];
  });
}

/** Crossing points: code prefix = the country it lies in, `facing` = the neighbour across the line. */
export const DEMO_CROSSING_POINTS: readonly CrossingPoint[] = [
  // Afghanistan → Tajikistan
  {
    code: 'TJ-NIZHNY-PANJ',
    name: 'Nizhny Panj (Panji Poyon) bridge',
    country: 'TJ',
    facing: 'AF',
    lat: 37.21,
    lon: 68.61,
  },
  { code: 'TJ-ISHKASHIM', name: 'Ishkashim bridge', country: 'TJ', facing: 'AF', lat: 36.73, lon: 71.61 },
  { code: 'TJ-KHOROG', name: 'Khorog (Tem) bridge', country: 'TJ', facing: 'AF', lat: 37.5, lon: 71.52 },
  // Afghanistan → Uzbekistan
  {
    code: 'UZ-TERMEZ',
    name: 'Termez – Hairatan Friendship Bridge',
    country: 'UZ',
    facing: 'AF',
    lat: 37.23,
    lon: 67.43,
  },
  // Afghanistan → Turkmenistan
  { code: 'TM-IMAM-NAZAR', name: 'Imam Nazar – Aqina', country: 'TM', facing: 'AF', lat: 37.05, lon: 65.63 },
  { code: 'TM-SERHETABAT', name: 'Serhetabat – Torghundi', country: 'TM', facing: 'AF', lat: 35.27, lon: 62.34 },
  // Tajikistan ↔ Uzbekistan
  {
    code: 'TJ-FOTEHOBOD',
    name: 'Fotehobod (Khujand – Tashkent road)',
    country: 'TJ',
    facing: 'UZ',
    lat: 40.48,
    lon: 69.27,
  },
  { code: 'TJ-TURSUNZODA', name: 'Tursunzoda – Sariosiyo', country: 'TJ', facing: 'UZ', lat: 38.53, lon: 68.1 },
  { code: 'UZ-OYBEK', name: 'Oybek (Tashkent – Khujand road)', country: 'UZ', facing: 'TJ', lat: 40.47, lon: 69.23 },
  { code: 'UZ-SARIOSIYO', name: 'Sariosiyo – Tursunzoda', country: 'UZ', facing: 'TJ', lat: 38.52, lon: 68.06 },
  // Turkmenistan → Uzbekistan
  {
    code: 'TM-FARAP',
    name: 'Farap – Alat (Turkmenabat – Bukhara road)',
    country: 'TM',
    facing: 'UZ',
    lat: 39.28,
    lon: 63.67,
  },
  { code: 'TM-DASHOGUZ', name: 'Dashoguz – Shavat', country: 'TM', facing: 'UZ', lat: 41.82, lon: 60.1 },
  // Tajikistan / Uzbekistan → Kyrgyzstan
  { code: 'KG-KYZYL-ART', name: 'Kyzyl-Art pass (Pamir Highway)', country: 'KG', facing: 'TJ', lat: 39.35, lon: 73.33 },
  { code: 'KG-KARAMYK', name: 'Karamyk (Alay valley)', country: 'KG', facing: 'TJ', lat: 39.47, lon: 72.65 },
  { code: 'KG-DOSTUK', name: 'Dostuk (Osh – Andijan road)', country: 'KG', facing: 'UZ', lat: 40.58, lon: 72.7 },
  { code: 'KG-KARA-SUU', name: 'Kara-Suu', country: 'KG', facing: 'UZ', lat: 40.7, lon: 72.87 },
  { code: 'UZ-DUSTLIK', name: 'Dustlik (Andijan – Osh road)', country: 'UZ', facing: 'KG', lat: 40.57, lon: 72.66 },
  // Kyrgyzstan / Uzbekistan → Kazakhstan
  { code: 'KG-AK-JOL', name: 'Ak-Jol (Bishkek – Almaty road)', country: 'KG', facing: 'KZ', lat: 43.02, lon: 74.7 },
  { code: 'KZ-KORDAY', name: 'Korday (Almaty – Bishkek road)', country: 'KZ', facing: 'KG', lat: 43.04, lon: 74.71 },
  {
    code: 'UZ-GISHT-KUPRIK',
    name: 'Gisht Kuprik (Tashkent – Shymkent road)',
    country: 'UZ',
    facing: 'KZ',
    lat: 41.43,
    lon: 69.35,
  },
  {
    code: 'KZ-ZHIBEK-ZHOLY',
    name: 'Zhibek Zholy (Shymkent – Tashkent road)',
    country: 'KZ',
    facing: 'UZ',
    lat: 41.44,
    lon: 69.36,
  },
];

/** The demo agencies: 15 national ones, AF-CNPA and CARICC. */
export const DEMO_AGENCIES: readonly Agency[] = [
  ...nationalAgencies(),
  {
    code: 'AF-CNPA',
    name: 'Counter Narcotics Police of Afghanistan',
    country: 'AF',
    kind: 'drug-control',
    groups: ['group:drug-control'],
  },
  {
    code: 'CARICC',
    name: 'Central Asian Regional Information and Coordination Centre for combating illicit drug trafficking',
    kind: 'regional-centre',
    groups: ['group:regional-centres'],
  },
];

/** The seed of SPEC §11, for `caravan demo`, `caravan up --demo`, tests and benchmarks. */
export const demoDirectory: Directory = { agencies: DEMO_AGENCIES, crossingPoints: DEMO_CROSSING_POINTS };
