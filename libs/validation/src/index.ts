// @caravan/validation: every payload of SPEC §3 and every directory body of SPEC §7, checked with
// class-validator at the edges (HTTP gateway and NATS command handlers alike).
export type { ValidationContext, ValidationResult } from './validate.js';
export {
  validateCommand,
  validateAgencyRegistration,
  validateCrossingPointRegistration,
  validateKeyCreation,
  validateReasonBody,
} from './validate.js';
export type { EachOption } from './decorators.js';
export {
  Check,
  Rules,
  Required,
  Optional,
  Partial,
  IsObjectValue,
  IsArrayOf,
  IsUniqueArray,
  IsStringValue,
  NoControlChars,
  hasControlChars,
  IsText,
  IsAgencyCode,
  IsCountryCode,
  IsCrossingPointCode,
  IsUuid,
  IsRfc3339,
  parseRfc3339,
  IsNotBefore,
  IsAfterField,
  IsIsoDate,
  IsOneOf,
  IsNumberValue,
  IsIntegerValue,
  IsInRange,
  IsGreaterThan,
  IsAtLeast,
  IsLowerCase,
  IsNotEmptyObject,
} from './decorators.js';
export { Nested, NestedArray, Normalize } from './nesting.js';
export { LIMITS, EARLIEST_OCCURRED_AT, CLOCK_SKEW_MS, MAX_ALERT_DAYS } from './limits.js';
export { HandlingDto, ReasonBodyDto } from './handling.dto.js';
export {
  SeizureLocationDto,
  SeizedItemDto,
  ConveyanceDto,
  RouteDto,
  SuspectDto,
  SeizureFieldsDto,
  SeizureChangesDto,
  ReportSeizureDto,
  AmendSeizureDto,
  RetractSeizureDto,
} from './seizure.dto.js';
export {
  AlertAreaDto,
  IndicatorDto,
  AlertFieldsDto,
  AlertChangesDto,
  IssueAlertDto,
  UpdateAlertDto,
  WithdrawAlertDto,
} from './alert.dto.js';
export {
  GeneralizeDto,
  SharingRuleDto,
  SetPolicyDto,
  isRecipientRef,
  isEventTypePattern,
  isPayloadPath,
} from './policy.dto.js';
export { AgencyRegistrationDto, CrossingPointRegistrationDto, KeyCreationDto } from './directory.dto.js';
