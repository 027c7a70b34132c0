import { ALERT_CATEGORIES, CONFIDENCE_LEVELS, INDICATOR_KINDS } from '@caravan/contracts';
import {
  IsAfterField,
  IsArrayOf,
  IsAtLeast,
  IsCountryCode,
  IsCrossingPointCode,
  IsIntegerValue,
  IsInRange,
  IsNotEmptyObject,
  IsOneOf,
  IsRfc3339,
  IsText,
  IsUniqueArray,
  IsUuid,
  Optional,
  Partial,
  Required,
  Rules,
} from './decorators.js';
import { HandlingDto } from './handling.dto.js';
import { LIMITS, MAX_ALERT_DAYS } from './limits.js';
import { Nested, NestedArray } from './nesting.js';

/** `area` of an alert (SPEC §3.4). */
export class AlertAreaDto {
  @Rules(Required(), IsArrayOf(1, LIMITS.areaCountries), IsCountryCode({ each: true }), IsUniqueArray())
  countries!: string[];

  @Rules(Optional(), IsArrayOf(0, LIMITS.areaCrossingPoints), IsCrossingPointCode({ each: true }), IsUniqueArray())
  crossingPoints?: string[];
}

/** One element of `indicators` (SPEC §3.4). */
export class IndicatorDto {
  @Rules(Required(), IsOneOf(INDICATOR_KINDS))
  kind!: string;

  @Rules(Required(), IsText(LIMITS.indicatorValue))
  value!: string;
}

/**
 * Every field of an alert but its id; required here, optional in the `@Partial()` subclass used
 * for updates, where each given field is checked exactly as here.
 */
export class AlertFieldsDto {
  @Rules(Required(), IsOneOf(ALERT_CATEGORIES))
  category!: string;

  @Rules(Required(), IsIntegerValue(), IsInRange(1, 5))
  severity!: number;

  @Rules(Required(), IsOneOf(CONFIDENCE_LEVELS))
  confidence!: string;

  @Rules(Required(), IsRfc3339())
  validFrom!: string;

  @Rules(Required(), IsRfc3339(), IsAfterField('validFrom', MAX_ALERT_DAYS))
  validUntil!: string;

  @Rules(Required(), Nested(() => AlertAreaDto))
  area!: AlertAreaDto;

  @Rules(Required(), NestedArray(() => IndicatorDto, 0, LIMITS.indicators))
  indicators!: IndicatorDto[];

  @Rules(Optional(), IsArrayOf(0, LIMITS.relatedSeizures), IsUuid({ each: true }), IsUniqueArray())
  relatedSeizures?: string[];

  @Rules(Required(), IsText(LIMITS.summary))
  summary!: string;

  @Rules(Optional(), IsText(LIMITS.narrative))
  narrative?: string;

  @Rules(Required(), Nested(() => HandlingDto))
  handling!: HandlingDto;
}

/** `changes` of an update: a partial alert without its id (SPEC §3.5). */
@Partial('alertId')
export class AlertChangesDto extends AlertFieldsDto {}

/** The body of `alert.issue` / `POST /v1/alerts`: the §3.4 payload plus `commandId`. */
export class IssueAlertDto extends AlertFieldsDto {
  @Rules(Required(), IsUuid())
  commandId!: string;

  @Rules(Required(), IsUuid())
  alertId!: string;
}

/** The body of `alert.update` (SPEC §3.5, §6). */
export class UpdateAlertDto {
  @Rules(Required(), IsUuid())
  commandId!: string;

  @Rules(Required(), IsUuid())
  alertId!: string;

  @Rules(Required(), IsIntegerValue(), IsAtLeast(1))
  expectedVersion!: number;

  @Rules(Required(), Nested(() => AlertChangesDto), IsNotEmptyObject())
  changes!: AlertChangesDto;

  @Rules(Required(), IsText(LIMITS.reason))
  reason!: string;
}

/** The body of `alert.withdraw` (SPEC §3.5, §6). */
export class WithdrawAlertDto {
  @Rules(Required(), IsUuid())
  commandId!: string;

  @Rules(Required(), IsUuid())
  alertId!: string;

  @Rules(Optional(), IsIntegerValue(), IsAtLeast(1))
  expectedVersion?: number;

  @Rules(Required(), IsText(LIMITS.reason))
  reason!: string;
}
