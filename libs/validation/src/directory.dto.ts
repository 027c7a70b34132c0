import { AGENCY_KINDS, GROUP_REF, ROLES } from '@caravan/contracts';
import {
  Check,
  IsAgencyCode,
  IsArrayOf,
  IsCountryCode,
  IsInRange,
  IsNumberValue,
  IsOneOf,
  IsText,
  IsUniqueArray,
  Optional,
  Required,
  Rules,
} from './decorators.js';
import { LIMITS } from './limits.js';

/** The body of `PUT /v1/agencies/{code}` (SPEC §7). */
export class AgencyRegistrationDto {
  @Rules(Required(), IsText(LIMITS.name))
  name!: string;

  @Rules(Optional(), IsCountryCode())
  country?: string;

  @Rules(Required(), IsOneOf(AGENCY_KINDS))
  kind!: string;

  @Rules(
    Required(),
    IsArrayOf(0, LIMITS.groups),
    Check(
      'isGroupRef',
      (value) => typeof value === 'string' && GROUP_REF.test(value),
      'must be a group such as group:central-asia',
      {
        each: true,
      },
    ),
    IsUniqueArray(),
  )
  groups!: string[];
}

/** The body of `PUT /v1/crossing-points/{code}` (SPEC §2, §7). */
export class CrossingPointRegistrationDto {
  @Rules(Required(), IsText(LIMITS.name))
  name!: string;

  @Rules(Required(), IsCountryCode())
  country!: string;

  @Rules(
    Required(),
    IsCountryCode(),
    Check(
      'facesAnother',
      (value, object) => value !== (object as { country?: unknown }).country,
      'must differ from country',
    ),
  )
  facing!: string;

  @Rules(Required(), IsNumberValue(), IsInRange(-90, 90))
  lat!: number;

  @Rules(Required(), IsNumberValue(), IsInRange(-180, 180))
  lon!: number;
}

/** The body of `POST /v1/keys` (SPEC §7). */
export class KeyCreationDto {
  @Rules(Required(), IsAgencyCode())
  agency!: string;

  @Rules(Required(), IsArrayOf(1, ROLES.length), IsOneOf(ROLES, { each: true }), IsUniqueArray())
  roles!: string[];
}
