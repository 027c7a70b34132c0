import type { Directory } from '@caravan/contracts';
import type { DataSource } from 'typeorm';
import { checkAgency, checkCrossingPoint } from './directory.repository.js';

/** How many rows a seed added; zero on every run after the first. */
export interface SeedResult {
  readonly agencies: number;
  readonly crossingPoints: number;
}

/**
 * Adds the directory's agencies and crossing points that are not there yet, in one transaction.
 * Rows that exist are left alone, so re-running the seed (every `caravan up --demo`) never undoes
 * what a hub-admin has since changed through the API.
 */
export async function seedDirectory(dataSource: DataSource, directory: Directory): Promise<SeedResult> {
  directory.agencies.forEach(checkAgency);
  directory.crossingPoints.forEach(checkCrossingPoint);
  return dataSource.transaction(async (manager) => {
    let agencies = 0;
    for (const a of directory.agencies) {
      const rows = await manager.query<unknown[]>(
        `INSERT INTO directory_agency (code, name, country, kind, groups) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO NOTHING RETURNING code`,
        [a.code, a.name, a.country ?? null, a.kind, [...new Set(a.groups)].sort()],
      );
      agencies += rows.length;
    }
    let crossingPoints = 0;
    for (const p of directory.crossingPoints) {
      const rows = await manager.query<unknown[]>(
        `INSERT INTO directory_crossing_point (code, name, country, facing, lat, lon) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (code) DO NOTHING RETURNING code`,
        [p.code, p.name, p.country, p.facing, p.lat, p.lon],
      );
      crossingPoints += rows.length;
    }
    return { agencies, crossingPoints };
  });
}
