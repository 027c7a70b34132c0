import { setPolicy } from './validation.fixtures.spec.js';
import { chars, commandErrors, mutated, type Case } from './validation.test-helpers.spec.js';

const rule = { to: ['*'], types: ['*'], fields: ['*'] };

describe('policy.set', () => {
  it('accepts the baseline, an empty policy (deny all) and every recipient and type form', () => {
    expect(commandErrors('policy.set', setPolicy())).toEqual([]);
    expect(
      commandErrors(
        'policy.set',
        mutated(setPolicy, (b) => (b.rules = [])),
      ),
    ).toEqual([]);
    const forms = mutated(setPolicy, (b) => {
      b.rules = [
        {
          to: ['*', 'CARICC', 'TJ-DCA', 'group:customs'],
          types: ['*', 'seizure.reported', 'threat.*', 'threat.alert.*', 'policy.set'],
          fields: ['*', 'suspects[].nationality', 'items[].quantity', 'handling.tlp'],
        },
      ];
    });
    expect(commandErrors('policy.set', forms)).toEqual([]);
  });

  it('accepts 100 rules', () => {
    const body = mutated(setPolicy, (b) => (b.rules = Array.from({ length: 100 }, () => ({ ...rule }))));
    expect(commandErrors('policy.set', body)).toEqual([]);
  });

  const cases: Case[] = [
    ['commandId required', (b) => delete b.commandId, 'commandId', 'is required'],
    ['expectedVersion at least 0', (b) => (b.expectedVersion = -1), 'expectedVersion', 'must be at least 0'],
    ['rules required', (b) => delete b.rules, 'rules', 'is required'],
    ['rules an array', (b) => (b.rules = { ...rule }), 'rules', 'must be an array'],
    [
      'rules at most 100',
      (b) => (b.rules = Array.from({ length: 101 }, () => ({ ...rule }))),
      'rules',
      'must have at most 100 elements',
    ],
    ['rules[] objects', (b) => (b.rules[1] = '*'), 'rules[1]', 'must be an object'],
    ['rules[].to required', (b) => delete b.rules[0].to, 'rules[0].to', 'is required'],
    ['rules[].to not empty', (b) => (b.rules[0].to = []), 'rules[0].to', 'must have at least 1 element'],
    [
      'rules[].to agency codes',
      (b) => (b.rules[0].to = ['tj-dca']),
      'rules[0].to[0]',
      'must be an agency code, group:<name> or *',
    ],
    [
      'rules[].to group references',
      (b) => (b.rules[1].to = ['group:central-asia', 'group:Central Asia']),
      'rules[1].to[1]',
      'must be an agency code, group:<name> or *',
    ],
    [
      'rules[].types event types',
      (b) => (b.rules[0].types = ['seizure']),
      'rules[0].types[0]',
      'must be an event type or a pattern such as seizure.*',
    ],
    [
      'rules[].types patterns that match an event type',
      (b) => (b.rules[1].types = ['alert.*']),
      'rules[1].types[0]',
      'must be an event type or a pattern such as seizure.*',
    ],
    ['rules[].fields not empty', (b) => (b.rules[0].fields = []), 'rules[0].fields', 'must have at least 1 element'],
    [
      'rules[].fields paths',
      (b) => b.rules[0].fields.push('items..quantity'),
      'rules[0].fields[5]',
      'must be a payload path such as location, suspects[].nationality or *',
    ],
    [
      'rules[].fields path length',
      (b) => (b.rules[0].fields = [chars(201)]),
      'rules[0].fields[0]',
      'must be a payload path such as location, suspects[].nationality or *',
    ],
    [
      'rules[].drop without control characters',
      (b) => (b.rules[1].drop = ['narrative\u0000']),
      'rules[1].drop[0]',
      'must not contain control characters (only line feed and tab are allowed)',
    ],
    ['rules[].drop strings', (b) => (b.rules[1].drop = [7]), 'rules[1].drop[0]', 'must be a string'],
    [
      'rules[].pseudonymize paths',
      (b) => (b.rules[0].pseudonymize = ['conveyance registration']),
      'rules[0].pseudonymize[0]',
      'must be a payload path such as location, suspects[].nationality or *',
    ],
    [
      'rules[].generalize.location enumerated',
      (b) => (b.rules[0].generalize.location = 'city'),
      'rules[0].generalize.location',
      'must be one of: country, region',
    ],
    [
      'rules[].generalize.occurredAt enumerated',
      (b) => (b.rules[0].generalize.occurredAt = 'year'),
      'rules[0].generalize.occurredAt',
      'must be one of: day, week, month',
    ],
    [
      'unknown field in rules[].generalize',
      (b) => (b.rules[0].generalize.suspects = 'none'),
      'rules[0].generalize.suspects',
      'unknown field',
    ],
    ['unknown field in rules[]', (b) => (b.rules[1].except = ['RED']), 'rules[1].except', 'unknown field'],
    ['unknown top-level field', (b) => (b.agency = 'TJ-DCA'), 'agency', 'unknown field'],
  ];

  it.each(cases)('refuses a body breaking: %s', (_rule, mutate, path, message) => {
    expect(commandErrors('policy.set', mutated(setPolicy, mutate))).toEqual([{ path, message }]);
  });
});
