import { HANDLING_CODES, INFORMATION_ACCURACY, SOURCE_RELIABILITY, TLP_LEVELS } from '@caravan/contracts';
import { IsAgencyCode, IsArrayOf, IsOneOf, IsUniqueArray, IsText, Optional, Required, Rules } from './decorators.js';
import { Normalize } from './nesting.js';
import { LIMITS } from './limits.js';

// TLP 1.0's WHITE became CLEAR in TLP 2.0; SPEC §3 accepts the old name and records the new one.
const tlpAlias = (value: unknown) => (value === 'WHITE' ? 'CLEAR' : value);

/** `handling` of a seizure or alert (SPEC §3.1). */
export class HandlingDto {
  @Normalize(tlpAlias)
  @Rules(Required(), IsOneOf(TLP_LEVELS))
  tlp!: string;

  @Rules(Optional(), IsArrayOf(0, LIMITS.releasableTo), IsAgencyCode({ each: true }), IsUniqueArray())
  releasableTo?: string[];

  @Rules(Optional(), IsOneOf(HANDLING_CODES))
  handlingCode?: string;

  @Rules(Optional(), IsOneOf(SOURCE_RELIABILITY))
  sourceReliability?: string;

  @Rules(Optional(), IsOneOf(INFORMATION_ACCURACY))
  informationAccuracy?: number;
}

/** `{reason}`: the body of a retraction or withdrawal, and part of amendments and updates. */
export class ReasonBodyDto {
  @Rules(Required(), IsText(LIMITS.reason))
  reason!: string;
}
