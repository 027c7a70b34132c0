import type { MigrationInterface, QueryRunner } from 'typeorm';

// The directory is data (SPEC §2). The CHECKs repeat the formats of @caravan/contracts so that a row
// written by any path (a psql session, a future app) still holds a usable code.
export class CreateDirectory1764000000100 implements MigrationInterface {
  name = 'CreateDirectory1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE directory_agency (
        code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{2,8}(-[A-Z0-9]{2,10})?$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        country     text CHECK (country ~ '^[A-Z]{2}$'),
        kind        text NOT NULL CHECK (kind IN ('border', 'customs', 'police', 'drug-control',
                                                  'regional-centre', 'international')),
        groups      text[] NOT NULL DEFAULT '{}',
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CHECK (country IS NULL OR left(code, 3) = country || '-')
      )`);
    await q.query('CREATE INDEX directory_agency_groups ON directory_agency USING gin (groups)');
    await q.query(`
      CREATE TABLE directory_crossing_point (
        code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}-[A-Z0-9-]{2,24}$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        country     text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
        facing      text NOT NULL CHECK (facing ~ '^[A-Z]{2}$' AND facing <> country),
        lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        lon         double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CHECK (left(code, 3) = country || '-')
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE directory_crossing_point');
    await q.query('DROP TABLE directory_agency');
  }
}
