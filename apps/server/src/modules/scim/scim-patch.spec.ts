import { SCIM_SCHEMA } from '@miyu/protocol';
import { ScimError } from './scim-errors.js';
import { parseEqualityFilter } from './scim-filter.js';
import { applyPatch } from './scim-patch.js';
import { GROUP_DEFS, USER_DEFS } from './scim-schemas.js';

const ENTERPRISE = SCIM_SCHEMA.enterpriseUser;
const patch = (...Operations: Array<{ op: string; path?: string; value?: unknown }>) => ({
  schemas: [SCIM_SCHEMA.patchOp],
  Operations,
});

function scimTypeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScimError) return err.scimType ?? `status ${err.status}`;
    throw err;
  }
  return undefined;
}

describe('SCIM filters', () => {
  it('parses attr eq value with any case of operator, JSON strings and literals', () => {
    expect(parseEqualityFilter('userName eq "a\\"b"')).toEqual({ attribute: 'userName', value: 'a"b' });
    expect(parseEqualityFilter('active EQ true')).toEqual({ attribute: 'active', value: true });
    expect(parseEqualityFilter(`${SCIM_SCHEMA.user}:userName eq "x"`).attribute).toBe(`${SCIM_SCHEMA.user}:userName`);
  });

  it.each(['', 'userName', 'userName co "x"', 'a eq "x" and b eq "y"', 'userName eq x', '"x" eq userName', '((('])(
    'refuses %j as invalidFilter',
    (text) => {
      expect(scimTypeOf(() => parseEqualityFilter(text))).toBe('invalidFilter');
    },
  );
});

describe('SCIM PATCH', () => {
  const user = {
    userName: 'ann',
    emails: [{ value: 'ann@example.com', type: 'work', primary: true }],
    [ENTERPRISE]: { employeeNumber: '7' },
  };

  it('applies path-less objects, filtered paths (creating a missing element) and schema-qualified paths', () => {
    const out = applyPatch(
      USER_DEFS,
      user,
      patch(
        { op: 'Replace', value: { active: 'False', DisplayName: 'Ann', id: 'ignored' } },
        { op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'ann@corp.example' },
        { op: 'add', path: `${ENTERPRISE}:manager`, value: 'abc' },
        { op: 'remove', path: `${ENTERPRISE}:employeeNumber` },
        { op: 'add', path: 'addresses[type eq "work"].locality', value: 'ignored' },
      ),
    );
    expect(out).toEqual({
      userName: 'ann',
      active: 'False',
      displayName: 'Ann',
      emails: [{ value: 'ann@corp.example', type: 'work', primary: true }],
      phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
      [ENTERPRISE]: { manager: { value: 'abc' } },
    });
    expect(user.emails[0]!.value).toBe('ann@example.com');
  });

  it('adds, removes by filter and removes by value list for group members', () => {
    const group = { displayName: 'G', members: [{ value: 'a' }, { value: 'b' }] };
    expect(
      applyPatch(GROUP_DEFS, group, patch({ op: 'add', path: 'members', value: [{ value: 'c' }, { value: 'A' }] }))
        .members,
    ).toEqual([{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    expect(applyPatch(GROUP_DEFS, group, patch({ op: 'remove', path: 'members[value eq "a"]' })).members).toEqual([
      { value: 'b' },
    ]);
    expect(
      applyPatch(GROUP_DEFS, group, patch({ op: 'Remove', path: 'members', value: [{ value: 'b' }] })).members,
    ).toEqual([{ value: 'a' }]);
    expect(applyPatch(GROUP_DEFS, group, patch({ op: 'replace', path: 'members', value: [] })).members).toEqual([]);
  });

  it.each([
    [{ op: 'copy', path: 'title', value: 'x' }, 'invalidSyntax'],
    [{ op: 'remove' }, 'noTarget'],
    [{ op: 'add', path: 'title' }, 'invalidValue'],
    [{ op: 'add', value: [1] }, 'invalidValue'],
    [{ op: 'replace', path: 'nope', value: 1 }, 'invalidPath'],
    [{ op: 'replace', path: 'title[type eq "x"]', value: 1 }, 'invalidPath'],
    [{ op: 'replace', path: 'emails[type sw "x"].value', value: 1 }, 'invalidFilter'],
    [{ op: 'replace', path: 'emails[nope eq "x"].value', value: 1 }, 'invalidFilter'],
    [{ op: 'replace', path: 'meta', value: {} }, 'mutability'],
    [{ op: 'replace', path: 'urn:x:y:z', value: 1 }, 'invalidPath'],
  ])('refuses %j as %s', (op, scimType) => {
    expect(scimTypeOf(() => applyPatch(USER_DEFS, user, patch(op)))).toBe(scimType);
  });
});
