// Turns a validation result into the value or a 400 problem with field errors.
import { CaravanError } from '@caravan/contracts';
import type { ValidationResult } from '@caravan/validation';

/** The validated value, or throws `invalid` with every field error. */
export function valueOrThrow<T>(result: ValidationResult<T>): T {
  if (result.ok) return result.value;
  throw new CaravanError('invalid', 'the request is invalid; see errors', result.errors);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Whether a path parameter is a UUID (anything else cannot name an object: 404 without a lookup). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
