import { childPath, depthOf, descendantsPattern, isSelfOrAncestor, MAX_DEPARTMENT_DEPTH } from './department-path.js';

const id = (n: number) => n.toString(16).padStart(32, '0');

describe('department paths', () => {
  it('appends a child to its parent path and measures depth', () => {
    const root = childPath(null, id(1));
    const child = childPath(root, id(2));
    expect(child).toBe(`${id(1)}.${id(2)}`);
    expect(depthOf(child)).toBe(2);
    expect(descendantsPattern(root)).toBe(`${id(1)}.%`);
  });

  it('detects moves into the own subtree (cycles) without matching id prefixes', () => {
    const a = id(1);
    expect(isSelfOrAncestor(a, `${a}.${id(2)}`)).toBe(true);
    expect(isSelfOrAncestor(a, a)).toBe(true);
    expect(isSelfOrAncestor(a, `${a}0.${id(2)}`)).toBe(false);
  });

  it('refuses bad ids and trees deeper than the limit', () => {
    expect(() => childPath(null, 'Not-An-Id')).toThrow();
    let path: string | null = null;
    for (let i = 1; i <= MAX_DEPARTMENT_DEPTH; i++) path = childPath(path, id(i));
    expect(() => childPath(path, id(99))).toThrow(/at most 25/);
  });
});
