// Structural validation of a sharing policy (SPEC §5). Whether a named agency or group exists is a
// question for the directory and is answered in the domain, not here.
import { AGENCY_CODE, EVENT_TYPES, GENERALIZE_LOCATION, GENERALIZE_OCCURRED_AT, GROUP_REF } from '@caravan/contracts';
import {
  Check,
  IsArrayOf,
  IsAtLeast,
  IsIntegerValue,
  IsOneOf,
  IsStringValue,
  IsUuid,
  NoControlChars,
  Optional,
  Required,
  Rules,
} from './decorators.js';
import { LIMITS } from './limits.js';
import { Nested, NestedArray } from './nesting.js';

/** A recipient in `to`: an agency code, `group:<name>` or `*`. */
export function isRecipientRef(value: unknown): boolean {
  return typeof value === 'string' && (value === '*' || AGENCY_CODE.test(value) || GROUP_REF.test(value));
}

/** An event type or a glob over event types: `seizure.reported`, `seizure.*`, `threat.alert.*`, `*`. */
export function isEventTypePattern(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (value === '*' || (EVENT_TYPES as readonly string[]).includes(value)) return true;
  if (!value.endsWith('.*')) return false;
  const prefix = value.slice(0, -1);
  return EVENT_TYPES.some((type) => type.startsWith(prefix));
}

const PAYLOAD_PATH = /^(\*|[A-Za-z][A-Za-z0-9]*(\[\])?(\.[A-Za-z][A-Za-z0-9]*(\[\])?)*)$/;

/** A payload path as policies write it: `location`, `suspects[].nationality`, or `*`. */
export function isPayloadPath(value: unknown): boolean {
  return typeof value === 'string' && value.length <= LIMITS.pathLength && PAYLOAD_PATH.test(value);
}

const PATH_MESSAGE = 'must be a payload path such as location, suspects[].nationality or *';

function Paths(min: number): PropertyDecorator {
  return Rules(
    IsArrayOf(min, LIMITS.rulePaths),
    IsStringValue({ each: true }),
    NoControlChars({ each: true }),
    Check('isPayloadPath', isPayloadPath, PATH_MESSAGE, { each: true }),
  );
}

/** `generalize` of a sharing rule (SPEC §5). */
export class GeneralizeDto {
  @Rules(Optional(), IsOneOf(GENERALIZE_LOCATION))
  location?: string;

  @Rules(Optional(), IsOneOf(GENERALIZE_OCCURRED_AT))
  occurredAt?: string;
}

/** One rule of a sharing policy (SPEC §5). */
export class SharingRuleDto {
  @Rules(
    Required(),
    IsArrayOf(1, LIMITS.ruleRecipients),
    Check('isRecipient', isRecipientRef, 'must be an agency code, group:<name> or *', { each: true }),
  )
  to!: string[];

  @Rules(
    Required(),
    IsArrayOf(1, LIMITS.ruleTypes),
    Check('isEventTypePattern', isEventTypePattern, 'must be an event type or a pattern such as seizure.*', {
      each: true,
    }),
  )
  types!: string[];

  @Rules(Required(), Paths(1))
  fields!: string[];

  @Rules(Optional(), Paths(0))
  drop?: string[];

  @Rules(Optional(), Nested(() => GeneralizeDto))
  generalize?: GeneralizeDto;

  @Rules(Optional(), Paths(0))
  pseudonymize?: string[];
}

/** The body of `policy.set` / `PUT /v1/policies/{agency}` (SPEC §3.6, §5). */
export class SetPolicyDto {
  @Rules(Required(), IsUuid())
  commandId!: string;

  @Rules(Optional(), IsIntegerValue(), IsAtLeast(0))
  expectedVersion?: number;

  @Rules(Required(), NestedArray(() => SharingRuleDto, 0, LIMITS.policyRules))
  rules!: SharingRuleDto[];
}
