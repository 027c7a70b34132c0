// The quick verdict against class-validator itself: it must say "passes" for every valid body (or
// it saves nothing), and never for a body class-validator would refuse (or it would let errors
// through). Bodies are the fixtures and random mutations of them.
import fc from 'fast-check';
import { validateSync } from 'class-validator';
import { codePoints } from './decorators.js';
import { AgencyRegistrationDto, CrossingPointRegistrationDto, KeyCreationDto } from './directory.dto.js';
import { IssueAlertDto, UpdateAlertDto, WithdrawAlertDto } from './alert.dto.js';
import { ReasonBodyDto } from './handling.dto.js';
import { toInstance } from './nesting.js';
import { SetPolicyDto } from './policy.dto.js';
import { passesAllChecks } from './quick-check.js';
import { AmendSeizureDto, ReportSeizureDto, RetractSeizureDto } from './seizure.dto.js';
import {
  agencyRegistration,
  amendSeizure,
  crossingPointRegistration,
  issueAlert,
  keyCreation,
  reportSeizure,
  retractSeizure,
  setPolicy,
  updateAlert,
  withdrawAlert,
  type Body,
} from './validation.fixtures.spec.js';

type DtoClass = new () => object;

const CASES: readonly [string, DtoClass, () => Body][] = [
  ['seizure.report', ReportSeizureDto, reportSeizure],
  ['seizure.amend', AmendSeizureDto, amendSeizure],
  ['seizure.retract', RetractSeizureDto, retractSeizure],
  ['alert.issue', IssueAlertDto, issueAlert],
  ['alert.update', UpdateAlertDto, updateAlert],
  ['alert.withdraw', WithdrawAlertDto, withdrawAlert],
  ['policy.set', SetPolicyDto, setPolicy],
  ['agency', AgencyRegistrationDto, agencyRegistration],
  ['crossing point', CrossingPointRegistrationDto, crossingPointRegistration],
  ['key', KeyCreationDto, keyCreation],
  ['reason', ReasonBodyDto, () => ({ reason: 'entered twice' })],
];

// The options validateWith gives class-validator.
const classValidatorErrors = (instance: object) =>
  validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: true, value: false },
  });

/** Every place in a body a mutation can touch: the path to an object or array, and one of its keys. */
function places(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((element, i) => [[...path, i], ...places(element, [...path, i])]);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, element]) => [[...path, key], ...places(element, [...path, key])]);
}

const KEYS = ['tlp', 'country', 'items', 'reason', 'changes', 'seizureId', 'hasOwnProperty', 'toString', 'x', ''];
const HOSTILE = fc.constantFrom<unknown>(
  null,
  '',
  ' ',
  'WHITE',
  'a\u0000b',
  '\ud800',
  'x'.repeat(300),
  -1,
  0,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  true,
  [],
  [null],
  {},
  { tlp: 'RED' },
  '2025-02-30T00:00:00Z',
  '1980-01-01T00:00:00Z',
  '00000000-0000-0000-0000-000000000000',
);
const VALUE = fc.oneof(HOSTILE, fc.jsonValue({ maxDepth: 3 }));

type Mutation =
  | { readonly kind: 'set'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'add'; readonly at: number; readonly key: string; readonly value: unknown };

const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: VALUE }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), key: fc.constantFrom(...KEYS), value: VALUE }),
);

function apply(body: Body, mutation: Mutation): Body {
  const targets = places(body);
  const path = targets[mutation.at % Math.max(1, targets.length)] ?? [];
  let parent: Body = body;
  for (const step of path.slice(0, -1)) parent = parent[step] as Body;
  const last = path[path.length - 1];
  if (last === undefined) return body;
  switch (mutation.kind) {
    case 'set':
      parent[last] = structuredClone(mutation.value);
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 'add': {
      const holder = parent[last];
      if (typeof holder === 'object' && holder !== null && !Array.isArray(holder)) {
        (holder as Body)[mutation.key] = structuredClone(mutation.value);
      } else parent[mutation.key] = structuredClone(mutation.value);
      break;
    }
  }
  return body;
}

describe('the quick verdict', () => {
  it.each(CASES)('passes the valid %s fixture, which class-validator passes too', (_name, cls, fixture) => {
    const instance = toInstance(cls, fixture());
    expect(classValidatorErrors(instance)).toEqual([]);
    expect(passesAllChecks(instance)).toBe(true);
  });

  it.each(CASES)('never passes a mutated %s body that class-validator refuses', (_name, cls, fixture) => {
    let refused = 0;
    fc.assert(
      fc.property(fc.array(MUTATION, { minLength: 1, maxLength: 3 }), (mutations) => {
        const body = mutations.reduce(apply, fixture());
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
        const instance = toInstance(cls, body);
        const errors = classValidatorErrors(instance);
        if (errors.length > 0) refused += 1;
        if (passesAllChecks(instance)) expect(errors).toEqual([]);
      }),
      { numRuns: 200, seed: 5 },
    );
    // The mutations do reach the checks: most of them break the body.
    expect(refused).toBeGreaterThan(60);
  });

  it('refuses what class-validator cannot validate at all: an object of no DTO class', () => {
    expect(passesAllChecks({ reason: 'x' })).toBe(false);
    expect(classValidatorErrors({ reason: 'x' })).not.toEqual([]);
  });
});

describe('codePoints', () => {
  it('counts what the string iterator yields, lone surrogates included', () => {
    const utf16 = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
      .map((units) => String.fromCharCode(...units));
    fc.assert(
      fc.property(fc.oneof(utf16, fc.string({ unit: 'binary' })), (text) => {
        expect(codePoints(text)).toBe([...text].length);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
