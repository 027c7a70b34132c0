// Identifier formats of SPEC §2, shared by validation, policies and the directory.

export const AGENCY_CODE = /^[A-Z]{2,8}(-[A-Z0-9]{2,10})?$/;
export const CROSSING_POINT_CODE = /^[A-Z]{2}-[A-Z0-9-]{2,24}$/;
export const GROUP_REF = /^group:[a-z0-9][a-z0-9-]{0,62}$/;

export const AGENCY_KINDS = [
  'border',
  'customs',
  'police',
  'drug-control',
  'regional-centre',
  'international',
] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const ROLES = ['publisher', 'recipient', 'analyst', 'admin', 'auditor', 'hub-admin'] as const;
export type Role = (typeof ROLES)[number];

/** The regional centre whose feed the aggregator reads (SPEC §8). */
export const REGIONAL_CENTRE = 'CARICC';

export interface Agency {
  readonly code: string;
  readonly name: string;
  readonly country?: string;
  readonly kind: AgencyKind;
  readonly groups: readonly string[];
}

export interface CrossingPoint {
  readonly code: string;
  readonly name: string;
  readonly country: string;
  readonly facing: string;
  readonly lat: number;
  readonly lon: number;
}

/** What the hub knows of agencies, groups and crossing points (SPEC §2). */
export interface Directory {
  readonly agencies: readonly Agency[];
  readonly crossingPoints: readonly CrossingPoint[];
}
