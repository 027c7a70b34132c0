// Which DTO class each nested field holds, and which fields are normalised before validation.
// Bodies are turned into DTO instances by `toInstance` below rather than by class-transformer, so
// that a key such as `__proto__` can never reach an assignment and nothing is converted implicitly.
import { ValidateNested } from 'class-validator';
import { IsArrayOf, IsObjectValue, Rules } from './decorators.js';

type DtoClass = new () => object;

interface FieldSpec {
  nested?: () => DtoClass;
  normalize?: (value: unknown) => unknown;
}

const specs = new WeakMap<object, Map<string, FieldSpec>>();

function spec(target: object, propertyName: string | symbol): FieldSpec {
  let fields = specs.get(target.constructor);
  if (!fields) {
    fields = new Map();
    specs.set(target.constructor, fields);
  }
  const name = String(propertyName);
  const field = fields.get(name) ?? {};
  fields.set(name, field);
  return field;
}

function lookup(cls: object, field: string): FieldSpec | undefined {
  for (let c: object | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c) as object | null) {
    const found = specs.get(c)?.get(field);
    if (found) return found;
  }
  return undefined;
}

interface ResolvedField {
  readonly normalize: ((value: unknown) => unknown) | undefined;
  readonly nested: DtoClass | undefined;
}

// Every body walks the same few classes and keys: each (class, key) is resolved once. Decorators
// run when a class is defined, so nothing is added to a class after its first instance is built.
const resolved = new WeakMap<object, Map<string, ResolvedField>>();
const MAX_REMEMBERED_KEYS = 256;

function resolve(cls: DtoClass, key: string): ResolvedField {
  let fields = resolved.get(cls);
  if (!fields) {
    fields = new Map();
    resolved.set(cls, fields);
  }
  let field = fields.get(key);
  if (!field) {
    const found = lookup(cls, key);
    field = { normalize: found?.normalize, nested: found?.nested?.() };
    // Keys are the caller's: a class remembers only so many, whatever a body holds.
    if (found || fields.size < MAX_REMEMBERED_KEYS) fields.set(key, field);
  }
  return field;
}

/** A field holding one object of DTO class `type`, validated field by field. */
export function Nested(type: () => DtoClass): PropertyDecorator {
  return Rules(
    IsObjectValue(),
    (target, propertyName) => {
      spec(target, propertyName).nested = type;
    },
    ValidateNested({ message: 'must be an object' }),
  );
}

/** A field holding `min..max` objects of DTO class `type`, each validated field by field. */
export function NestedArray(type: () => DtoClass, min: number, max: number): PropertyDecorator {
  return Rules(
    IsArrayOf(min, max),
    IsObjectValue({ each: true }),
    (target, propertyName) => {
      spec(target, propertyName).nested = type;
    },
    ValidateNested({ each: true, message: 'must be an object' }),
  );
}

/** Rewrites a field's value before validation (e.g. TLP `WHITE` to `CLEAR`). */
export function Normalize(normalize: (value: unknown) => unknown): PropertyDecorator {
  return (target, propertyName) => {
    spec(target, propertyName).normalize = normalize;
  };
}

/** Keys that would reach an object's prototype if assigned; refused wherever they appear. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Builds a DTO instance from parsed JSON; values that are not objects are kept for validation to refuse. */
export function toInstance(cls: DtoClass, plain: Record<string, unknown>): object {
  const instance = new cls();
  for (const key of Object.keys(plain)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    const field = resolve(cls, key);
    let value = plain[key];
    if (field.normalize) value = field.normalize(value);
    const nested = field.nested;
    if (nested && isObject(value)) value = toInstance(nested, value);
    else if (nested && Array.isArray(value)) value = value.map((e) => (isObject(e) ? toInstance(nested, e) : e));
    // A declared field is already an own, writable data property (class fields are defined):
    // assigning it is the same as defining it, and much cheaper. Any other key is defined.
    if (Object.hasOwn(instance, key)) (instance as Record<string, unknown>)[key] = value;
    else Object.defineProperty(instance, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return instance;
}

/** The validated instance as plain JSON data: own fields only, absent fields left out. */
export function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) out[key] = toPlain(field);
  }
  return out;
}
