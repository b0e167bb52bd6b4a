import { parseEqualityFilter } from './scim-filter.js';
import { ScimError } from './scim-errors.js';

describe('parseEqualityFilter', () => {
  it('reads attr eq "value"', () => {
    expect(parseEqualityFilter('userName eq "alice"')).toEqual({ attribute: 'userName', value: 'alice' });
    expect(parseEqualityFilter('displayName eq "密语 😀"')).toEqual({ attribute: 'displayName', value: '密语 😀' });
  });

  it('refuses values SQL cannot compare: NUL and unpaired surrogates, raw or escaped', () => {
    for (const filter of ['userName eq "\\u0000"', 'userName eq "a\u0000"', 'externalId eq "x\\ud800"']) {
      expect(() => parseEqualityFilter(filter)).toThrow(ScimError);
    }
  });
});
