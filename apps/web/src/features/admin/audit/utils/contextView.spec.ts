import { contextView, formatValue } from './contextView';

describe('contextView', () => {
  it('compares before/after objects key by key, a missing side counting as a change', () => {
    const view = contextView({
      version: 8,
      before: { pattern: '赌博', action: 'block', tags: ['a'] },
      after: { pattern: '赌博', action: 'warn', tags: ['a'], category: '违法' },
    });
    expect(view.diff?.map((r) => [r.key, r.changed])).toEqual([
      ['pattern', false],
      ['action', true],
      ['tags', false],
      ['category', true],
    ]);
    expect(view.diff?.[3]).toMatchObject({ hasBefore: false, hasAfter: true, after: '违法' });
    expect(view.rest).toEqual([{ key: 'version', value: 8 }]);
  });

  it('shows what was deleted when only `before` is recorded', () => {
    const view = contextView({ change: 'rule_deleted', before: { pattern: 'x' } });
    expect(view.diff).toEqual([
      { key: 'pattern', before: 'x', after: undefined, hasBefore: true, hasAfter: false, changed: true },
    ]);
  });

  it('makes one row of single before/after values (a role, a status)', () => {
    const view = contextView({ userId: 'u1', before: 'member', after: 'admin' });
    expect(view.diff).toEqual([
      { key: null, before: 'member', after: 'admin', hasBefore: true, hasAfter: true, changed: true },
    ]);
    expect(view.rest).toEqual([{ key: 'userId', value: 'u1' }]);
  });

  it('reads `changes: { field: { before, after } }`', () => {
    const view = contextView({
      changes: { displayName: { before: '李雷', after: '李雷雷' }, managerId: { after: 'm1' } },
      source: 'profile',
    });
    expect(view.diff?.map((r) => [r.key, r.before, r.after, r.changed])).toEqual([
      ['displayName', '李雷', '李雷雷', true],
      ['managerId', undefined, 'm1', true],
    ]);
    expect(view.rest).toEqual([{ key: 'source', value: 'profile' }]);
  });

  it('lists everything else as keys and values', () => {
    expect(contextView({ changes: {}, count: 2 })).toEqual({
      diff: null,
      rest: [
        { key: 'changes', value: {} },
        { key: 'count', value: 2 },
      ],
    });
    expect(contextView(null)).toEqual({ diff: null, rest: [] });
  });

  it('formats values: strings as they are, the rest as JSON', () => {
    expect(formatValue('a b')).toBe('a b');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(null)).toBe('null');
    expect(formatValue({ a: 1 })).toBe('{\n  "a": 1\n}');
  });
});
