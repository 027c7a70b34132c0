import {
  CONCEALMENTS,
  DETECTION_METHODS,
  DIRECTIONS,
  ITEM_CATEGORIES,
  LOCATION_TYPES,
  SUSPECT_ROLES,
  TRANSPORT_MODES,
  UNITS,
} from '@caravan/contracts';
import {
  IsArrayOf,
  IsAtLeast,
  IsCountryCode,
  IsCrossingPointCode,
  IsGreaterThan,
  IsInRange,
  IsIntegerValue,
  IsIsoDate,
  IsLowerCase,
  IsNotBefore,
  IsNotEmptyObject,
  IsNumberValue,
  IsOneOf,
  IsRfc3339,
  IsText,
  IsUuid,
  Optional,
  Partial,
  Required,
  Rules,
} from './decorators.js';
import { HandlingDto } from './handling.dto.js';
import { EARLIEST_OCCURRED_AT, LIMITS } from './limits.js';
import { Nested, NestedArray } from './nesting.js';

/** `location` of a seizure (SPEC §3.1). */
export class SeizureLocationDto {
  @Rules(Required(), IsCountryCode())
  country!: string;

  @Rules(Optional(), IsCrossingPointCode())
  crossingPoint?: string;

  @Rules(Optional(), IsText(LIMITS.region))
  region?: string;

  @Rules(Optional(), IsNumberValue(), IsInRange(-90, 90))
  lat?: number;

  @Rules(Optional(), IsNumberValue(), IsInRange(-180, 180))
  lon?: number;

  @Rules(Required(), IsOneOf(LOCATION_TYPES))
  locationType!: string;
}

/** One element of `items` (SPEC §3.1). */
export class SeizedItemDto {
  @Rules(Required(), IsOneOf(ITEM_CATEGORIES))
  category!: string;

  @Rules(Required(), IsText(LIMITS.substance), IsLowerCase())
  substance!: string;

  @Rules(Required(), IsNumberValue(), IsGreaterThan(0))
  quantity!: number;

  @Rules(Required(), IsOneOf(UNITS))
  unit!: string;

  @Rules(Optional(), IsNumberValue(), IsInRange(0, 100))
  purityPercent?: number;

  @Rules(Optional(), IsNumberValue(), IsAtLeast(0))
  estimatedValueUsd?: number;
}

/** `conveyance` (SPEC §3.1). */
export class ConveyanceDto {
  @Rules(Required(), IsText(LIMITS.conveyanceKind))
  kind!: string;

  @Rules(Optional(), IsText(LIMITS.registration))
  registration?: string;

  @Rules(Optional(), IsCountryCode())
  country?: string;
}

/** `route` (SPEC §3.1). */
export class RouteDto {
  @Rules(Optional(), IsCountryCode())
  origin?: string;

  @Rules(Optional(), IsArrayOf(0, LIMITS.transit), IsCountryCode({ each: true }))
  transit?: string[];

  @Rules(Optional(), IsCountryCode())
  destination?: string;
}

/** One element of `suspects` (SPEC §3.1). */
export class SuspectDto {
  @Rules(Optional(), IsText(LIMITS.fullName))
  fullName?: string;

  @Rules(Optional(), IsCountryCode())
  nationality?: string;

  @Rules(Optional(), IsIsoDate())
  birthDate?: string;

  @Rules(Optional(), IsText(LIMITS.documentNumber))
  documentNumber?: string;

  @Rules(Optional(), IsOneOf(SUSPECT_ROLES))
  role?: string;
}

/**
 * Every field of a seizure but its id. Required fields are required here and optional in the
 * `@Partial()` subclass used for amendments, where each given field is checked exactly as here.
 */
export class SeizureFieldsDto {
  @Rules(Required(), IsRfc3339(), IsNotBefore(EARLIEST_OCCURRED_AT))
  occurredAt!: string;

  @Rules(Required(), Nested(() => SeizureLocationDto))
  location!: SeizureLocationDto;

  @Rules(Required(), IsOneOf(DIRECTIONS))
  direction!: string;

  @Rules(Required(), NestedArray(() => SeizedItemDto, 1, LIMITS.items))
  items!: SeizedItemDto[];

  @Rules(Required(), IsOneOf(TRANSPORT_MODES))
  transportMode!: string;

  @Rules(Optional(), Nested(() => ConveyanceDto))
  conveyance?: ConveyanceDto;

  @Rules(Optional(), IsOneOf(CONCEALMENTS))
  concealment?: string;

  @Rules(Required(), IsOneOf(DETECTION_METHODS))
  detectionMethod!: string;

  @Rules(Optional(), Nested(() => RouteDto))
  route?: RouteDto;

  @Rules(Optional(), NestedArray(() => SuspectDto, 0, LIMITS.suspects))
  suspects?: SuspectDto[];

  @Rules(Optional(), IsText(LIMITS.caseReference))
  caseReference?: string;

  @Rules(Optional(), IsText(LIMITS.narrative))
  narrative?: string;

  @Rules(Required(), Nested(() => HandlingDto))
  handling!: HandlingDto;
}

/** `changes` of an amendment: a partial seizure without its id (SPEC §3.2). */
@Partial('seizureId')
export class SeizureChangesDto extends SeizureFieldsDto {}

/** The body of `seizure.report` / `POST /v1/seizures`: the §3.1 payload plus `commandId`. */
export class ReportSeizureDto extends SeizureFieldsDto {
  @Rules(Required(), IsUuid())
  commandId!: string;

  @Rules(Required(), IsUuid())
  seizureId!: string;
}

/** The body of `seizure.amend` (SPEC §3.2, §6). */
export class AmendSeizureDto {
  @Rules(Required(), IsUuid())
  commandId!: string;

  @Rules(Required(), IsUuid())
  seizureId!: string;

  @Rules(Required(), IsIntegerValue(), IsAtLeast(1))
  expectedVersion!: number;

  @Rules(Required(), Nested(() => SeizureChangesDto), IsNotEmptyObject())
  changes!: SeizureChangesDto;

  @Rules(Required(), IsText(LIMITS.reason))
  reason!: string;
}

/** The body of `seizure.retract` (SPEC §3.3, §6). */
export class RetractSeizureDto {
  @Rules(Required(), IsUuid())
  commandId!: string;

  @Rules(Required(), IsUuid())
  seizureId!: string;

  @Rules(Optional(), IsIntegerValue(), IsAtLeast(1))
  expectedVersion?: number;

  @Rules(Required(), IsText(LIMITS.reason))
  reason!: string;
}
