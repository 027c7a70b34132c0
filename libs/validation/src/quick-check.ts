// A verdict-only run of class-validator's own checks, for the common case of a valid body.
//
// class-validator's executor looks every class's metadata up again on each call (filtering the
// whole store, inheritance included), builds an error object for every property whether it fails
// or not, and finds each constraint's instance in its container by a linear search: for a seizure
// report that was most of the cost of validating it, paid once in the gateway and once in the
// ledger. Here each DTO class's metadata is read once (decorators are registered when a class is
// defined, before any instance of it exists) and the same validators are called in the same order
// under the same conditions, but the only answer is "no check failed" or "something failed".
//
// `validateWith` trusts a `true` and otherwise runs class-validator itself, so every error message
// still comes from class-validator; a class this file does not fully understand (a metadata type
// it does not know, an asynchronous constraint) simply gets no plan and always takes that path.
import { getMetadataStorage, ValidationTypes, type MetadataStorage, type ValidationArguments } from 'class-validator';

/** A DTO class, as class-validator's metadata store takes it. */
type DtoClass = Parameters<MetadataStorage['getTargetValidationMetadatas']>[0];

interface Constraint {
  validate(value: unknown, args: ValidationArguments): unknown;
}

interface CustomCheck {
  readonly validateIf: ((object: object, value: unknown) => boolean) | undefined;
  readonly each: boolean;
  readonly constraints: unknown[];
  /** Each constraint instance's `validate`, bound to it (looked up once, not per call). */
  readonly validators: readonly ((value: unknown, args: ValidationArguments) => unknown)[];
}

interface PropertyPlan {
  readonly name: string;
  /** `object.constructor.name`, as class-validator passes it in the arguments. */
  readonly targetName: string;
  readonly conditions: readonly ((object: object, value: unknown) => boolean)[];
  readonly checks: readonly CustomCheck[];
  /** Whether the property's value is validated as nested objects (ValidateNested). */
  readonly nested: boolean;
}

interface ClassPlan {
  readonly properties: readonly PropertyPlan[];
  /** Own-key lookup of the whitelist (only properties with metadata may appear). */
  readonly known: ReadonlySet<string>;
}

const plans = new WeakMap<DtoClass, ClassPlan | null>();

const HANDLED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.NESTED_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
]);

/** The class's checks in class-validator's order, or null when some of them are not understood here. */
function planOf(cls: DtoClass): ClassPlan | null {
  const cached = plans.get(cls);
  if (cached !== undefined) return cached;
  const storage = getMetadataStorage();
  // The arguments validateSync passes for options without groups and without `always`.
  const metadatas = storage.getTargetValidationMetadatas(cls, undefined as unknown as string, false, false, undefined);
  let plan: ClassPlan | null = null;
  if (metadatas.length > 0 && metadatas.every((m) => HANDLED.has(m.type))) {
    const grouped = storage.groupByPropertyName(metadatas);
    let understood = true;
    const properties = Object.keys(grouped).map((name): PropertyPlan => {
      const group = grouped[name]!;
      const checks = group
        .filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION)
        .map((m): CustomCheck => {
          const constraints = storage.getTargetValidatorConstraints(m.constraintCls);
          if (constraints.some((c) => c.async)) understood = false;
          return {
            validateIf: m.validateIf,
            each: m.each,
            constraints: m.constraints,
            validators: constraints.map((c) => {
              const instance = c.instance as Constraint;
              return instance.validate.bind(instance);
            }),
          };
        });
      return {
        name,
        targetName: cls.name,
        conditions: group
          .filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION)
          .map((m) => m.constraints[0] as (object: object, value: unknown) => boolean),
        checks,
        nested: group.some((m) => m.type === ValidationTypes.NESTED_VALIDATION),
      };
    });
    if (understood) plan = { properties, known: new Set(properties.map((p) => p.name)) };
  }
  plans.set(cls, plan);
  return plan;
}

/** The fields a DTO class validates (its whitelist), or undefined for an object of no such class. */
export function validatedFields(cls: DtoClass): ReadonlySet<string> | undefined {
  return planOf(cls)?.known;
}

/**
 * True when class-validator (`whitelist`, `forbidNonWhitelisted`, `forbidUnknownValues`) would
 * report no error for `instance`; false when it would, or when this cannot tell.
 */
export function passesAllChecks(instance: object): boolean {
  const plan = planOf(instance.constructor);
  if (!plan) return false;
  const record = instance as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!plan.known.has(key)) return false;
  for (const property of plan.properties) {
    if (!propertyPasses(instance, record[property.name], property)) return false;
  }
  return true;
}

function propertyPasses(object: object, value: unknown, property: PropertyPlan): boolean {
  if (value instanceof Promise) return false;
  for (const condition of property.conditions) if (!condition(object, value)) return true;
  for (const check of property.checks) {
    if (check.validateIf && !check.validateIf(object, value)) continue;
    const args: ValidationArguments = {
      targetName: property.targetName,
      property: property.name,
      object,
      value,
      constraints: check.constraints,
    };
    for (const validate of check.validators) {
      const elements = check.each ? collection(value) : undefined;
      if (elements) {
        for (const element of elements) if (!accepted(validate(element, args))) return false;
      } else if (!accepted(validate(value, args))) return false;
    }
  }
  return !property.nested || nestedPasses(value);
}

// An asynchronous verdict is not awaited by validateSync: leave such a value to class-validator.
const accepted = (verdict: unknown): boolean => !!verdict && !(verdict instanceof Promise);

// What class-validator walks element by element: arrays, Sets, and a Map's values.
function collection(value: unknown): readonly unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return [...value.values()];
  return undefined;
}

// class-validator's nestedValidations: a collection element by element, an object by its own
// class's checks, anything else is an error; undefined is skipped.
function nestedPasses(value: unknown): boolean {
  if (value === undefined) return true;
  const elements = collection(value);
  if (elements) return elements.every(nestedPasses);
  return value instanceof Object && passesAllChecks(value);
}
