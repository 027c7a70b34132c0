import { CaravanError, type Agency, type CrossingPoint } from '@caravan/contracts';
import { demoDirectory } from './demo-directory.js';
import { checkAgency, checkCrossingPoint } from './directory.repository.js';

function refusedPaths(check: () => void): string[] {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(CaravanError);
    expect((error as CaravanError).code).toBe('invalid');
    return ((error as CaravanError).fields ?? []).map((f) => f.path);
  }
  throw new Error('accepted');
}

describe('demoDirectory', () => {
  const { agencies, crossingPoints } = demoDirectory;
  const byCode = new Map(agencies.map((a) => [a.code, a]));

  it('passes the directory rules, with unique codes', () => {
    agencies.forEach(checkAgency);
    crossingPoints.forEach(checkCrossingPoint);
    expect(byCode.size).toBe(agencies.length);
    expect(new Set(crossingPoints.map((p) => p.code)).size).toBe(crossingPoints.length);
  });

  it('has the border, customs and drug-control agency of each Central Asian state', () => {
    for (const country of ['KZ', 'KG', 'TJ', 'TM', 'UZ']) {
      expect(byCode.get(`${country}-BS`)).toMatchObject({ country, kind: 'border' });
      expect(byCode.get(`${country}-CUS`)).toMatchObject({ country, kind: 'customs' });
      expect(byCode.get(`${country}-DCA`)).toMatchObject({ country, kind: 'drug-control' });
    }
    expect(byCode.get('AF-CNPA')).toMatchObject({ country: 'AF', kind: 'drug-control' });
    const caricc = byCode.get('CARICC');
    expect(caricc).toMatchObject({ kind: 'regional-centre' });
    expect(caricc).not.toHaveProperty('country');
    expect(agencies).toHaveLength(17);
  });

  it('puts agencies in the groups policies name', () => {
    const members = (group: string) => agencies.filter((a) => a.groups.includes(group)).map((a) => a.code);
    expect(members('group:central-asia')).toHaveLength(15);
    expect(members('group:customs')).toEqual(['KZ-CUS', 'KG-CUS', 'TJ-CUS', 'TM-CUS', 'UZ-CUS']);
    expect(members('group:border')).toHaveLength(5);
    expect(members('group:drug-control')).toContain('AF-CNPA');
    expect(members('group:afghan-border').every((c) => /^(TJ|UZ|TM)-/.test(c))).toBe(true);
  });

  it('lists 15–25 crossing points of the northern route, in Central Asia, facing the right neighbours', () => {
    expect(crossingPoints.length).toBeGreaterThanOrEqual(15);
    expect(crossingPoints.length).toBeLessThanOrEqual(25);
    const facing = (code: string) => crossingPoints.find((p) => p.code === code)?.facing;
    expect(facing('TJ-NIZHNY-PANJ')).toBe('AF');
    expect(facing('TJ-ISHKASHIM')).toBe('AF');
    expect(facing('UZ-TERMEZ')).toBe('AF');
    expect(facing('TM-IMAM-NAZAR')).toBe('AF');
    expect(facing('TM-SERHETABAT')).toBe('AF');
    const pairs = new Set(crossingPoints.map((p) => `${p.country}>${p.facing}`));
    for (const pair of ['KG>TJ', 'KG>UZ', 'KZ>KG', 'KZ>UZ', 'UZ>KZ', 'UZ>TJ', 'UZ>KG']) expect(pairs).toContain(pair);
    for (const p of crossingPoints) {
      expect(p.lat).toBeGreaterThan(35);
      expect(p.lat).toBeLessThan(44);
      expect(p.lon).toBeGreaterThan(58);
      expect(p.lon).toBeLessThan(76);
    }
  });
});

describe('directory rules', () => {
  const agency: Agency = {
    code: 'TJ-DCA',
    name: 'Drug Control Agency',
    country: 'TJ',
    kind: 'drug-control',
    groups: [],
  };
  const point: CrossingPoint = { code: 'TJ-PANJ', name: 'Panj', country: 'TJ', facing: 'AF', lat: 37.2, lon: 68.6 };

  it('refuses a national agency whose code is not prefixed by its country', () => {
    expect(refusedPaths(() => checkAgency({ ...agency, country: 'UZ' }))).toEqual(['code']);
  });

  it('refuses malformed agency fields, one path each', () => {
    const bad = {
      code: 'tj-dca',
      name: ' ',
      country: 'TJK',
      kind: 'army',
      groups: ['central-asia'],
    } as unknown as Agency;
    expect(refusedPaths(() => checkAgency(bad))).toEqual(['code', 'name', 'country', 'kind', 'groups[0]']);
  });

  it('accepts an agency without a country (regional bodies)', () => {
    expect(() => checkAgency({ code: 'CARICC', name: 'CARICC', kind: 'regional-centre', groups: [] })).not.toThrow();
  });

  it('refuses a crossing point whose code prefix is not its country', () => {
    expect(refusedPaths(() => checkCrossingPoint({ ...point, country: 'UZ' }))).toEqual(['code']);
  });

  it('refuses a crossing point facing its own country, or off the globe', () => {
    expect(refusedPaths(() => checkCrossingPoint({ ...point, facing: 'TJ', lat: 91, lon: -181 }))).toEqual([
      'facing',
      'lat',
      'lon',
    ]);
    expect(refusedPaths(() => checkCrossingPoint({ ...point, code: 'TJ-X' }))).toEqual(['code']);
  });
});
