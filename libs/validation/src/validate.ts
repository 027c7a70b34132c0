// The framework-free front door: a body in, either the normalised plain value or one FieldError per
// offending field out. The gateway and the ledger's NATS handlers call these same functions, so
// HTTP and NATS refuse exactly the same payloads with exactly the same messages.
import { validateSync, type ValidationError } from 'class-validator';
import {
  AGENCY_CODE,
  CROSSING_POINT_CODE,
  isCommandName,
  isCountryCode,
  type Agency,
  type CommandBodies,
  type CommandName,
  type CrossingPoint,
  type FieldError,
  type Role,
} from '@caravan/contracts';
import { AmendSeizureDto, ReportSeizureDto, RetractSeizureDto } from './seizure.dto.js';
import { IssueAlertDto, UpdateAlertDto, WithdrawAlertDto } from './alert.dto.js';
import { SetPolicyDto } from './policy.dto.js';
import { AgencyRegistrationDto, CrossingPointRegistrationDto, KeyCreationDto } from './directory.dto.js';
import { ReasonBodyDto } from './handling.dto.js';
import { immutableIdOf, isPlainObject, parseRfc3339, splitIndexedMessage } from './decorators.js';
import { FORBIDDEN_KEYS, toInstance, toPlain } from './nesting.js';
import { CLOCK_SKEW_MS } from './limits.js';
import { passesAllChecks, validatedFields } from './quick-check.js';

/** What validation needs from outside the body: the clock and the directory's crossing points. */
export interface ValidationContext {
  readonly now: Date;
  readonly crossingPoints: readonly Pick<CrossingPoint, 'code' | 'country'>[];
}

/** The outcome of validating one body: the normalised plain value, or every field error. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

type DtoClass = new () => object;
type Plain = Record<string, unknown>;
type ContextCheck = (value: Plain, errors: FieldError[]) => void;

// Keys come from the caller and are echoed in error paths: anything but a plain name is quoted and
// shortened, so a path never carries control characters or a megabyte of key.
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const join = (parent: string, key: string): string => {
  if (!PLAIN_KEY.test(key) || key.length > 64) return `${parent}[${JSON.stringify(key.slice(0, 64))}]`;
  return parent ? `${parent}.${key}` : key;
};

// No payload of SPEC §3 nests deeper than a few levels; refusing deeper JSON up front keeps every
// recursive walk below far from the stack limit, whatever a 256 KiB body holds.
const MAX_DEPTH = 32;

/** Reports prototype keys at any depth; returns false when the body nests deeper than MAX_DEPTH. */
function scanKeys(value: unknown, path: string, depth: number, errors: FieldError[]): boolean {
  if (depth > MAX_DEPTH) {
    errors.push({ path, message: 'is nested too deeply' });
    return false;
  }
  if (Array.isArray(value)) {
    return value.every((element, index) => scanKeys(element, `${path}[${index}]`, depth + 1, errors));
  }
  if (!isPlainObject(value)) return true;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) errors.push({ path: join(path, key), message: 'unknown field' });
    else if (!scanKeys(value[key], join(path, key), depth + 1, errors)) return false;
  }
  return true;
}

/** Whether `scanKeys` would find nothing to report: the same walk, without building paths. */
function nothingToScan(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const element of value) if (!nothingToScan(element, depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(value)) return true;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key) || !nothingToScan(value[key], depth + 1)) return false;
  }
  return true;
}

// class-validator's whitelist looks a key up in a plain object, so a key named like a method of
// Object.prototype (`hasOwnProperty`, `isPrototypeOf`, …) passes it and is kept unvalidated. SPEC §3
// refuses unknown fields: these are reported here like any other.
function prototypeNamedKeys(value: unknown, path: string, errors: FieldError[]): void {
  if (Array.isArray(value)) {
    value.forEach((element, index) => prototypeNamedKeys(element, `${path}[${index}]`, errors));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const known = validatedFields(value.constructor);
  if (!known) return;
  for (const [key, field] of Object.entries(value)) {
    if (!known.has(key) && key in Object.prototype) errors.push({ path: join(path, key), message: 'unknown field' });
    else prototypeNamedKeys(field, join(path, key), errors);
  }
}

function flatten(error: ValidationError, parent: string, errors: FieldError[]): void {
  const path = Array.isArray(error.target) ? `${parent}[${error.property}]` : join(parent, error.property);
  const constraints = error.constraints ?? {};
  if ('whitelistValidation' in constraints) {
    const id = immutableIdOf(error.target);
    errors.push({ path, message: id === error.property ? 'cannot be changed' : 'unknown field' });
  } else {
    // A field's checks run in registration order; the first failure is the one a person needs to read.
    const first = Object.values(constraints)[0];
    const indexed = first === undefined ? undefined : splitIndexedMessage(first);
    if (indexed) for (const i of indexed.indices) errors.push({ path: `${path}[${i}]`, message: indexed.message });
    else if (first !== undefined) {
      // The field as a whole is wrong (not an object, too many elements): its insides are noise.
      errors.push({ path, message: first });
      return;
    }
  }
  for (const child of error.children ?? []) flatten(child, path, errors);
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(e.path) && seen.add(e.path));
}

function validateWith<T>(cls: DtoClass, body: unknown, check?: ContextCheck): ValidationResult<T> {
  if (!isPlainObject(body)) return { ok: false, errors: [{ path: '', message: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  if (!nothingToScan(body, 0) && !scanKeys(body, '', 0, errors)) return { ok: false, errors };
  const instance = toInstance(cls, body);
  // The quick verdict answers for a valid body; whenever something fails, class-validator itself
  // runs and says what (see quick-check.ts).
  if (!passesAllChecks(instance)) {
    const structural = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: true, value: false },
    });
    for (const error of structural) flatten(error, '', errors);
    prototypeNamedKeys(instance, '', errors);
  }
  const value = toPlain(instance) as Plain;
  check?.(value, errors);
  const all = dedupe(errors);
  return all.length === 0 ? { ok: true, value: value as T } : { ok: false, errors: all };
}

// Context checks run on whatever is well-formed, even when other fields failed, so a caller sees
// every problem at once; a field that already failed structurally keeps its first error (dedupe).

function occurredAtCheck(context: ValidationContext, prefix: string): ContextCheck {
  return (value, errors) => {
    const at = parseRfc3339(value.occurredAt);
    if (at !== undefined && at > context.now.getTime() + CLOCK_SKEW_MS) {
      errors.push({ path: join(prefix, 'occurredAt'), message: 'must not be in the future' });
    }
  };
}

function crossingPointCheck(context: ValidationContext, prefix: string): ContextCheck {
  return (value, errors) => {
    const location = value.location;
    if (!isPlainObject(location)) return;
    const code = location.crossingPoint;
    if (typeof code !== 'string' || !CROSSING_POINT_CODE.test(code)) return;
    const path = join(join(prefix, 'location'), 'crossingPoint');
    const known = context.crossingPoints.find((c) => c.code === code);
    if (!known) errors.push({ path, message: 'is not a crossing point of the directory' });
    else if (isCountryCode(location.country) && known.country !== location.country) {
      errors.push({ path, message: `lies in ${known.country}, not in location.country ${location.country}` });
    }
  };
}

function seizureChecks(context: ValidationContext, prefix: string): ContextCheck {
  const checks = [occurredAtCheck(context, prefix), crossingPointCheck(context, prefix)];
  return (value, errors) => checks.forEach((check) => check(value, errors));
}

function alertChecks(context: ValidationContext, prefix: string): ContextCheck {
  return (value, errors) => {
    const area = value.area;
    if (!isPlainObject(area) || !Array.isArray(area.crossingPoints)) return;
    area.crossingPoints.forEach((code, index) => {
      if (typeof code !== 'string' || !CROSSING_POINT_CODE.test(code)) return;
      if (!context.crossingPoints.some((c) => c.code === code)) {
        errors.push({
          path: `${join(join(prefix, 'area'), 'crossingPoints')}[${index}]`,
          message: 'is not a crossing point of the directory',
        });
      }
    });
  };
}

function inChanges(check: ContextCheck): ContextCheck {
  return (value, errors) => {
    if (isPlainObject(value.changes)) check(value.changes, errors);
  };
}

const COMMANDS: {
  readonly [N in CommandName]: { readonly dto: DtoClass; readonly check?: (c: ValidationContext) => ContextCheck };
} = {
  'seizure.report': { dto: ReportSeizureDto, check: (c) => seizureChecks(c, '') },
  'seizure.amend': { dto: AmendSeizureDto, check: (c) => inChanges(seizureChecks(c, 'changes')) },
  'seizure.retract': { dto: RetractSeizureDto },
  'alert.issue': { dto: IssueAlertDto, check: (c) => alertChecks(c, '') },
  'alert.update': { dto: UpdateAlertDto, check: (c) => inChanges(alertChecks(c, 'changes')) },
  'alert.withdraw': { dto: WithdrawAlertDto },
  'policy.set': { dto: SetPolicyDto },
};

/**
 * Validates the body of command `name` (SPEC §3, §6) and returns it as plain data with TLP `WHITE`
 * read as `CLEAR`, or one error per offending field.
 */
export function validateCommand<N extends CommandName>(
  name: N,
  body: unknown,
  context: ValidationContext,
): ValidationResult<CommandBodies[N]> {
  if (!isCommandName(name)) throw new TypeError(`unknown command ${String(name)}`);
  const { dto, check } = COMMANDS[name];
  return validateWith<CommandBodies[N]>(dto, body, check?.(context));
}

const NATIONAL_KINDS: ReadonlySet<string> = new Set(['border', 'customs', 'police', 'drug-control']);

/**
 * Validates `PUT /v1/agencies/{code}`: the body, plus its agreement with the code (a national
 * agency has a country, and a two-letter code prefix is that country).
 */
export function validateAgencyRegistration(code: string, body: unknown): ValidationResult<Omit<Agency, 'code'>> {
  const result = validateWith<Omit<Agency, 'code'>>(AgencyRegistrationDto, body, (value, errors) => {
    if (!AGENCY_CODE.test(code)) {
      errors.push({ path: 'code', message: 'must be an agency code such as TJ-DCA or CARICC' });
      return;
    }
    const prefix = code.split('-')[0] ?? '';
    if (typeof value.kind === 'string' && NATIONAL_KINDS.has(value.kind) && value.country === undefined) {
      errors.push({ path: 'country', message: `is required for a ${value.kind} agency` });
    } else if (typeof value.country === 'string' && prefix.length === 2 && prefix !== value.country) {
      errors.push({ path: 'country', message: `must be ${prefix}, the country of agency code ${code}` });
    }
  });
  return result;
}

/** Validates `PUT /v1/crossing-points/{code}`: the body, and that the code's prefix is its country. */
export function validateCrossingPointRegistration(
  code: string,
  body: unknown,
): ValidationResult<Omit<CrossingPoint, 'code'>> {
  return validateWith<Omit<CrossingPoint, 'code'>>(CrossingPointRegistrationDto, body, (value, errors) => {
    if (!CROSSING_POINT_CODE.test(code)) {
      errors.push({ path: 'code', message: 'must be a crossing point code such as TJ-NIZHNY-PANJ' });
    } else if (typeof value.country === 'string' && code.slice(0, 2) !== value.country) {
      errors.push({ path: 'country', message: `must be ${code.slice(0, 2)}, the country of crossing point ${code}` });
    }
  });
}

/** Validates `POST /v1/keys`. */
export function validateKeyCreation(body: unknown): ValidationResult<{ agency: string; roles: Role[] }> {
  return validateWith(KeyCreationDto, body);
}

/** Validates a `{reason}` body (`DELETE /v1/seizures/{id}`, `DELETE /v1/alerts/{id}`). */
export function validateReasonBody(body: unknown): ValidationResult<{ reason: string }> {
  return validateWith(ReasonBodyDto, body);
}
