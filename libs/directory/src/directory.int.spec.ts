import { CaravanError } from '@caravan/contracts';
import { openDatabase } from '@caravan/database';
import { createTestDatabase, type TestDatabase } from '@caravan/testing';
import type { DataSource } from 'typeorm';
import { demoDirectory } from './demo-directory.js';
import { directorySchema } from './directory.schema.js';
import { DirectoryRepository } from './directory.repository.js';
import { seedDirectory } from './seed-directory.js';

const byCode = <T extends { code: string }>(rows: readonly T[]) =>
  [...rows].sort((a, b) => a.code.localeCompare(b.code));

describe('agency directory on PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let repository: DirectoryRepository;

  beforeAll(async () => {
    db = await createTestDatabase('directory');
    dataSource = await openDatabase({ url: db.url, schemas: [directorySchema] });
    repository = new DirectoryRepository(dataSource);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('seeds the demo directory once; later runs add and change nothing', async () => {
    expect(await seedDirectory(dataSource, demoDirectory)).toEqual({
      agencies: demoDirectory.agencies.length,
      crossingPoints: demoDirectory.crossingPoints.length,
    });
    const loaded = await repository.loadDirectory();
    expect(loaded.agencies).toEqual(
      byCode(demoDirectory.agencies).map((a) => ({ ...a, groups: [...a.groups].sort() })),
    );
    expect(loaded.crossingPoints).toEqual(byCode(demoDirectory.crossingPoints));

    await repository.upsertAgency({
      code: 'TJ-DCA',
      name: 'Renamed by the hub-admin',
      country: 'TJ',
      kind: 'drug-control',
      groups: [],
    });
    expect(await seedDirectory(dataSource, demoDirectory)).toEqual({ agencies: 0, crossingPoints: 0 });
    expect(await repository.getAgency('TJ-DCA')).toMatchObject({ name: 'Renamed by the hub-admin', groups: [] });
    expect(await repository.listAgencies()).toHaveLength(demoDirectory.agencies.length);
  });

  it('lists the members of a group', async () => {
    expect(await repository.membersOfGroup('group:customs')).toEqual([
      'KG-CUS',
      'KZ-CUS',
      'TJ-CUS',
      'TM-CUS',
      'UZ-CUS',
    ]);
    expect(await repository.membersOfGroup('group:nobody')).toEqual([]);
  });

  it('registers and updates an agency, with or without a country', async () => {
    await repository.upsertAgency({ code: 'UNODC', name: 'UNODC', kind: 'international', groups: ['group:partners'] });
    await repository.upsertAgency({
      code: 'UNODC',
      name: 'United Nations Office on Drugs and Crime',
      kind: 'international',
      groups: ['group:partners', 'group:drug-control', 'group:partners'],
    });
    expect(await repository.getAgency('UNODC')).toEqual({
      code: 'UNODC',
      name: 'United Nations Office on Drugs and Crime',
      kind: 'international',
      groups: ['group:drug-control', 'group:partners'],
    });
    expect(await repository.membersOfGroup('group:partners')).toEqual(['UNODC']);
    expect(await repository.getAgency('NOPE')).toBeUndefined();
  });

  it('registers and updates a crossing point', async () => {
    const point = { code: 'KZ-KAIRAK', name: 'Kairak', country: 'KZ', facing: 'KG', lat: 42.8, lon: 73.9 };
    await repository.upsertCrossingPoint(point);
    await repository.upsertCrossingPoint({ ...point, name: 'Kairak (Merke)', lat: 42.85 });
    const listed = await repository.listCrossingPoints();
    expect(listed.find((p) => p.code === 'KZ-KAIRAK')).toEqual({ ...point, name: 'Kairak (Merke)', lat: 42.85 });
  });

  it('refuses a crossing point whose code prefix is not its country, and writes nothing', async () => {
    const wrong = { code: 'UZ-ELSEWHERE', name: 'Elsewhere', country: 'TJ', facing: 'AF', lat: 37, lon: 68 };
    await expect(repository.upsertCrossingPoint(wrong)).rejects.toMatchObject({ code: 'invalid' });
    await expect(repository.upsertCrossingPoint(wrong)).rejects.toBeInstanceOf(CaravanError);
    expect((await repository.listCrossingPoints()).map((p) => p.code)).not.toContain('UZ-ELSEWHERE');
  });

  it('holds the same rules in the tables, for rows written by any other path', async () => {
    await expect(
      dataSource.query(
        `INSERT INTO directory_crossing_point (code, name, country, facing, lat, lon) VALUES ('UZ-RAW', 'Raw', 'TJ', 'AF', 37, 68)`,
      ),
    ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23514' }) });
    await expect(
      dataSource.query(
        `INSERT INTO directory_agency (code, name, country, kind) VALUES ('TJ-RAW', 'Raw', 'UZ', 'border')`,
      ),
    ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23514' }) });
  });
});
