// The shared vocabulary of validation decorators. Each decorator registers its checks in the order a
// reader would apply them (type first, then format, then bounds): a field reports only its first
// failing check, so that each field gets one clear message. Every check tolerates a value of the
// wrong type (an earlier check reports that), because all checks of a field run.
import { isUUID, registerDecorator, ValidateIf, type ValidationArguments } from 'class-validator';
import { AGENCY_CODE, CROSSING_POINT_CODE, isCountryCode } from '@caravan/contracts';

type Test = (value: unknown, object: object) => boolean;

/** Options shared by the checks that can apply to every element of an array. */
export interface EachOption {
  /** Apply the check to every element of an array; the error names the offending indices. */
  readonly each?: boolean;
}

// A message of the form `[1,3] must be …` tells the error flattener which elements failed, so a
// bad element of a primitive array gets its own path (`route.transit[1]`).
const INDEX_PREFIX = /^\[(\d+(?:,\d+)*)\] /;

/** Splits an element-level message produced with `{ each: true }` into indices and text. */
export function splitIndexedMessage(message: string): { indices: number[]; message: string } | undefined {
  const match = INDEX_PREFIX.exec(message);
  if (!match?.[1]) return undefined;
  return { indices: match[1].split(',').map(Number), message: message.slice(match[0].length) };
}

function badIndices(value: unknown, test: (element: unknown) => boolean): number[] {
  if (!Array.isArray(value)) return [];
  const bad: number[] = [];
  value.forEach((element, index) => {
    if (!test(element)) bad.push(index);
  });
  return bad;
}

/** Registers one named check on a property; the building block of every decorator below. */
export function Check(name: string, test: Test, message: string, options: EachOption = {}): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: options.each
          ? (args: ValidationArguments) =>
              `[${badIndices(args.value, (e) => test(e, args.object)).join(',')}] ${message}`
          : message,
      },
      validator: {
        validate: (value: unknown, args?: ValidationArguments) =>
          options.each
            ? badIndices(value, (e) => test(e, args?.object ?? {})).length === 0
            : test(value, args?.object ?? {}),
      },
    });
  };
}

/** Applies several property decorators in the order given (TypeScript would apply stacked ones bottom-up). */
export function Rules(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, propertyName) => {
    for (const decorate of decorators) decorate(target, propertyName);
  };
}

const PARTIAL = Symbol.for('caravan.validation.partial');

/**
 * Marks a DTO class whose fields are all optional: an amendment's or update's `changes`. `idField`
 * names the aggregate id, which such a class never accepts (it cannot be changed).
 */
export function Partial(idField: string): ClassDecorator {
  return (target) => {
    Object.defineProperty(target, PARTIAL, { value: idField });
  };
}

/** The aggregate id field that a `@Partial()` instance refuses, if `object` is one. */
export function immutableIdOf(object: unknown): string | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const id = (object.constructor as unknown as Record<symbol, unknown>)[PARTIAL];
  return typeof id === 'string' ? id : undefined;
}

function isPartial(object: object): boolean {
  return immutableIdOf(object) !== undefined;
}

/**
 * The field must be present, except inside a `@Partial()` class, where a given field is checked as
 * strictly as in the original and a missing one is skipped.
 */
export function Required(): PropertyDecorator {
  return Rules(
    ValidateIf((object: object, value: unknown) => value !== undefined || !isPartial(object)),
    Check('required', (value) => value !== undefined, 'is required'),
  );
}

/** The field may be absent; `null` is not absence and is checked (and refused) like any value. */
export function Optional(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value is a JSON object (not null, not an array). */
export function IsObjectValue(options?: EachOption): PropertyDecorator {
  return Check('isObject', isPlainObject, 'must be an object', options);
}

/** The value is an array with `min..max` elements. */
export function IsArrayOf(min: number, max: number): PropertyDecorator {
  return Rules(
    Check('isArray', (value) => Array.isArray(value), 'must be an array'),
    Check(
      'arrayMinSize',
      (value) => Array.isArray(value) && value.length >= min,
      min === 1 ? 'must have at least 1 element' : `must have at least ${min} elements`,
    ),
    Check('arrayMaxSize', (value) => Array.isArray(value) && value.length <= max, `must have at most ${max} elements`),
  );
}

/** No element of the array appears twice. */
export function IsUniqueArray(): PropertyDecorator {
  return Check(
    'arrayUnique',
    (value) => !Array.isArray(value) || new Set(value).size === value.length,
    'must not contain duplicates',
  );
}

/** The value is a string. */
export function IsStringValue(options?: EachOption): PropertyDecorator {
  return Check('isString', (value) => typeof value === 'string', 'must be a string', options);
}

// C0 and C1 controls and DEL, except tab and line feed (SPEC §3).
const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** True when the string holds a control character other than `\n` and `\t`. */
export function hasControlChars(value: string): boolean {
  return CONTROL_CHARS.test(value);
}

/** A string holds no control character other than `\n` and `\t` (SPEC §3). */
export function NoControlChars(options?: EachOption): PropertyDecorator {
  return Check(
    'noControlChars',
    (value) => typeof value !== 'string' || !hasControlChars(value),
    'must not contain control characters (only line feed and tab are allowed)',
    options,
  );
}

// With the `u` flag a surrogate pair is one code point, so only an unpaired half matches.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Length in Unicode code points, so a limit means the same for Cyrillic and Latin text. */
export function codePoints(value: string): number {
  // What [...value].length counts (a surrogate pair is one, a lone half is one), without the array.
  let count = 0;
  for (let i = 0; i < value.length; i++, count++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}

/**
 * A free-text field: a string without control characters, not blank, at most `max` code points.
 */
export function IsText(max: number, options?: EachOption): PropertyDecorator {
  return Rules(
    IsStringValue(options),
    NoControlChars(options),
    Check(
      'wellFormed',
      (value) => typeof value !== 'string' || !LONE_SURROGATE.test(value),
      'must be valid Unicode text',
      options,
    ),
    Check('notBlank', (value) => typeof value !== 'string' || value.trim() !== '', 'must not be empty', options),
    Check(
      'maxLength',
      // A string has at least as many UTF-16 units as code points: most need no counting.
      (value) => typeof value !== 'string' || value.length <= max || codePoints(value) <= max,
      `must be at most ${max} characters long`,
      options,
    ),
  );
}

function pattern(name: string, regex: RegExp, message: string, options?: EachOption): PropertyDecorator {
  return Check(name, (value) => typeof value === 'string' && regex.test(value), message, options);
}

/** An agency code such as `TJ-DCA` or `CARICC` (SPEC §2). */
export function IsAgencyCode(options?: EachOption): PropertyDecorator {
  return pattern('isAgencyCode', AGENCY_CODE, 'must be an agency code such as TJ-DCA or CARICC', options);
}

/** An officially assigned ISO 3166-1 alpha-2 country code, upper case. */
export function IsCountryCode(options?: EachOption): PropertyDecorator {
  return Check(
    'isCountryCode',
    (value) => isCountryCode(value),
    'must be an ISO 3166-1 alpha-2 country code such as TJ',
    options,
  );
}

/** A crossing-point code such as `TJ-NIZHNY-PANJ` (format only; the directory is checked by context). */
export function IsCrossingPointCode(options?: EachOption): PropertyDecorator {
  return pattern(
    'isCrossingPointCode',
    CROSSING_POINT_CODE,
    'must be a crossing point code such as TJ-NIZHNY-PANJ',
    options,
  );
}

/** A UUID (any RFC 9562 version), the form of every id and `commandId`. */
export function IsUuid(options?: EachOption): PropertyDecorator {
  return Check('isUuid', (value) => typeof value === 'string' && isUUID(value, 'all'), 'must be a UUID', options);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Milliseconds since the epoch of an RFC 3339 date-time with a time zone, or undefined when the
 * string is not one. Leap seconds (`:60`) are refused: JavaScript time cannot represent them.
 */
export function parseRfc3339(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  // A body's date is read by several checks in a row (format, lower bound, not in the future).
  if (value === lastParsed.value) return lastParsed.ms;
  const ms = parseRfc3339Uncached(value);
  lastParsed = { value, ms };
  return ms;
}

let lastParsed: { value: string | undefined; ms: number | undefined } = { value: undefined, ms: undefined };

function parseRfc3339Uncached(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[9] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return undefined;
  const ms = Date.parse(value.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}

/** An RFC 3339 date-time with a time zone (`Z` or `±hh:mm`), naming a real instant. */
export function IsRfc3339(): PropertyDecorator {
  return Check(
    'isRfc3339',
    (value) => parseRfc3339(value) !== undefined,
    'must be an RFC 3339 date-time with a time zone, such as 2025-03-14T08:30:00Z',
  );
}

/** The RFC 3339 instant is not before `earliest` (an RFC 3339 string). */
export function IsNotBefore(earliest: string): PropertyDecorator {
  const limit = Date.parse(earliest);
  return Check(
    'notBefore',
    (value) => (parseRfc3339(value) ?? limit) >= limit,
    `must not be before ${earliest.slice(0, 10)}`,
  );
}

/**
 * The RFC 3339 instant is after the one in sibling field `other`, by at most `maxDays` days. Skipped
 * when the sibling is absent or malformed (that field then has its own error).
 */
export function IsAfterField(other: string, maxDays: number): PropertyDecorator {
  const siblingTime = (object: object) => parseRfc3339((object as Record<string, unknown>)[other]);
  return Rules(
    Check(
      'isAfter',
      (value, object) => {
        const from = siblingTime(object);
        const until = parseRfc3339(value);
        return from === undefined || until === undefined || until > from;
      },
      `must be after ${other}`,
    ),
    Check(
      'maxSpan',
      (value, object) => {
        const from = siblingTime(object);
        const until = parseRfc3339(value);
        return from === undefined || until === undefined || until - from <= maxDays * 86_400_000;
      },
      `must be at most ${maxDays} days after ${other}`,
    ),
  );
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that exists (no 2023-02-29). */
export function IsIsoDate(): PropertyDecorator {
  return Check(
    'isIsoDate',
    (value) => {
      const m = typeof value === 'string' ? ISO_DATE.exec(value) : null;
      return m !== null && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
    },
    'must be a real date in the form YYYY-MM-DD',
  );
}

/** One of the listed values; the message lists them so the caller can fix the field. */
export function IsOneOf(values: readonly (string | number)[], options?: EachOption): PropertyDecorator {
  return Check(
    'isOneOf',
    (value) => (values as readonly unknown[]).includes(value),
    `must be one of: ${values.join(', ')}`,
    options,
  );
}

/** A finite JSON number. */
export function IsNumberValue(): PropertyDecorator {
  return Check('isNumber', (value) => typeof value === 'number' && Number.isFinite(value), 'must be a number');
}

/** A whole JSON number. */
export function IsIntegerValue(): PropertyDecorator {
  return Check(
    'isInteger',
    (value) => typeof value === 'number' && Number.isSafeInteger(value),
    'must be a whole number',
  );
}

/** A number within `min..max`, bounds included. */
export function IsInRange(min: number, max: number): PropertyDecorator {
  return Check(
    'inRange',
    (value) => typeof value !== 'number' || (value >= min && value <= max),
    `must be between ${min} and ${max}`,
  );
}

/** A number strictly greater than `min`. */
export function IsGreaterThan(min: number): PropertyDecorator {
  return Check('greaterThan', (value) => typeof value !== 'number' || value > min, `must be greater than ${min}`);
}

/** A number at least `min`. */
export function IsAtLeast(min: number): PropertyDecorator {
  return Check('atLeast', (value) => typeof value !== 'number' || value >= min, `must be at least ${min}`);
}

/** A string with no upper-case letters (any script). */
export function IsLowerCase(): PropertyDecorator {
  return Check(
    'isLowerCase',
    (value) => typeof value !== 'string' || value === value.toLowerCase(),
    'must be lower-case',
  );
}

/** An object with at least one field. */
export function IsNotEmptyObject(): PropertyDecorator {
  return Check(
    'notEmptyObject',
    (value) => !isPlainObject(value) || Object.values(value).some((field) => field !== undefined),
    'must name at least one field to change',
  );
}
