// Reads and writes of the agency directory (SPEC §2). Works on a DataSource or, for callers that
// need it inside their own transaction, an EntityManager: both answer `query`.
import {
  AGENCY_CODE,
  AGENCY_KINDS,
  CaravanError,
  CROSSING_POINT_CODE,
  GROUP_REF,
  type Agency,
  type CrossingPoint,
  type Directory,
  type FieldError,
} from '@caravan/contracts';

/** Anything that runs SQL: a TypeORM DataSource, EntityManager or QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

interface AgencyRow {
  code: string;
  name: string;
  country: string | null;
  kind: Agency['kind'];
  groups: string[];
}
interface CrossingPointRow {
  code: string;
  name: string;
  country: string;
  facing: string;
  lat: number;
  lon: number;
}

const COUNTRY = /^[A-Z]{2}$/;

export class DirectoryRepository {
  constructor(private readonly db: Queryable) {}

  /** Registers an agency or replaces what the directory says of it. */
  async upsertAgency(agency: Agency): Promise<void> {
    checkAgency(agency);
    await this.db.query(
      `INSERT INTO directory_agency (code, name, country, kind, groups) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, country = EXCLUDED.country, kind = EXCLUDED.kind,
         groups = EXCLUDED.groups, updated_at = now()`,
      [agency.code, agency.name, agency.country ?? null, agency.kind, uniqueSorted(agency.groups)],
    );
  }

  async getAgency(code: string): Promise<Agency | undefined> {
    const rows = (await this.db.query(
      'SELECT code, name, country, kind, groups FROM directory_agency WHERE code = $1',
      [code],
    )) as AgencyRow[];
    return rows[0] && toAgency(rows[0]);
  }

  async listAgencies(): Promise<Agency[]> {
    const rows = (await this.db.query(
      'SELECT code, name, country, kind, groups FROM directory_agency ORDER BY code',
    )) as AgencyRow[];
    return rows.map(toAgency);
  }

  /** Agency codes in `group` (`group:<name>`), sorted. */
  async membersOfGroup(group: string): Promise<string[]> {
    const rows = (await this.db.query(
      'SELECT code FROM directory_agency WHERE groups @> ARRAY[$1::text] ORDER BY code',
      [group],
    )) as { code: string }[];
    return rows.map((r) => r.code);
  }

  /** Registers a crossing point or replaces what the directory says of it. */
  async upsertCrossingPoint(point: CrossingPoint): Promise<void> {
    checkCrossingPoint(point);
    await this.db.query(
      `INSERT INTO directory_crossing_point (code, name, country, facing, lat, lon) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, country = EXCLUDED.country, facing = EXCLUDED.facing,
         lat = EXCLUDED.lat, lon = EXCLUDED.lon, updated_at = now()`,
      [point.code, point.name, point.country, point.facing, point.lat, point.lon],
    );
  }

  async listCrossingPoints(): Promise<CrossingPoint[]> {
    const rows = (await this.db.query(
      'SELECT code, name, country, facing, lat, lon FROM directory_crossing_point ORDER BY code',
    )) as CrossingPointRow[];
    return rows.map(toCrossingPoint);
  }

  /** The whole directory, as policies, validation and the aggregator take it. */
  async loadDirectory(): Promise<Directory> {
    const [agencies, crossingPoints] = [await this.listAgencies(), await this.listCrossingPoints()];
    return { agencies, crossingPoints };
  }
}

/** Refuses an agency whose fields break SPEC §2, naming each offending field. */
export function checkAgency(agency: Agency): void {
  const errors: FieldError[] = [];
  if (!AGENCY_CODE.test(agency.code)) errors.push({ path: 'code', message: 'is not an agency code (e.g. TJ-DCA)' });
  if (!agency.name.trim() || agency.name.length > 200)
    errors.push({ path: 'name', message: 'must be 1 to 200 characters' });
  if (agency.country !== undefined) {
    if (!COUNTRY.test(agency.country)) errors.push({ path: 'country', message: 'must be an ISO 3166-1 alpha-2 code' });
    else if (!agency.code.startsWith(`${agency.country}-`)) {
      errors.push({
        path: 'code',
        message: `a national agency's code must start with its country (${agency.country}-)`,
      });
    }
  }
  if (!(AGENCY_KINDS as readonly string[]).includes(agency.kind)) {
    errors.push({ path: 'kind', message: `must be one of ${AGENCY_KINDS.join(', ')}` });
  }
  agency.groups.forEach((group, i) => {
    if (!GROUP_REF.test(group)) errors.push({ path: `groups[${i}]`, message: 'must look like group:central-asia' });
  });
  if (errors.length > 0) throw new CaravanError('invalid', `agency ${agency.code} is not valid`, errors);
}

/** Refuses a crossing point whose fields break SPEC §2, including a code not prefixed by its country. */
export function checkCrossingPoint(point: CrossingPoint): void {
  const errors: FieldError[] = [];
  if (!CROSSING_POINT_CODE.test(point.code)) {
    errors.push({ path: 'code', message: 'is not a crossing point code (e.g. TJ-NIZHNY-PANJ)' });
  }
  if (!point.name.trim() || point.name.length > 200)
    errors.push({ path: 'name', message: 'must be 1 to 200 characters' });
  if (!COUNTRY.test(point.country)) {
    errors.push({ path: 'country', message: 'must be an ISO 3166-1 alpha-2 code' });
  } else if (!point.code.startsWith(`${point.country}-`)) {
    errors.push({ path: 'code', message: `must start with the country it lies in (${point.country}-)` });
  }
  if (!COUNTRY.test(point.facing)) errors.push({ path: 'facing', message: 'must be an ISO 3166-1 alpha-2 code' });
  else if (point.facing === point.country) errors.push({ path: 'facing', message: 'must be a neighbouring country' });
  if (!(Math.abs(point.lat) <= 90)) errors.push({ path: 'lat', message: 'must be between -90 and 90' });
  if (!(Math.abs(point.lon) <= 180)) errors.push({ path: 'lon', message: 'must be between -180 and 180' });
  if (errors.length > 0) throw new CaravanError('invalid', `crossing point ${point.code} is not valid`, errors);
}

function toAgency(row: AgencyRow): Agency {
  return {
    code: row.code,
    name: row.name,
    ...(row.country !== null ? { country: row.country } : {}),
    kind: row.kind,
    groups: row.groups,
  };
}

function toCrossingPoint(row: CrossingPointRow): CrossingPoint {
  return { code: row.code, name: row.name, country: row.country, facing: row.facing, lat: row.lat, lon: row.lon };
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
