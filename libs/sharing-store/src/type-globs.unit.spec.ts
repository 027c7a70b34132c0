import { globToLike } from './type-globs.js';

describe('globToLike', () => {
  it('turns * into % and keeps the rest literal', () => {
    expect(globToLike('seizure.*')).toBe('seizure.%');
    expect(globToLike('*')).toBe('%');
    expect(globToLike('threat.alert.issued')).toBe('threat.alert.issued');
  });

  it('escapes LIKE wildcards written in a type', () => {
    expect(globToLike('a_b%c')).toBe('a\\_b\\%c');
  });
});
