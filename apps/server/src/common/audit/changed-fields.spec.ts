import { changedFields } from './changed-fields.js';

describe('changedFields', () => {
  const before = { name: 'a', topic: null as string | null, fields: ['x', 'y'], on: true };

  it('lists only the given fields whose value changed, with before and after', () => {
    expect(changedFields(before, { name: 'b', topic: 't', on: true }, ['name', 'topic', 'on'])).toEqual({
      name: { before: 'a', after: 'b' },
      topic: { before: null, after: 't' },
    });
    expect(changedFields(before, { name: 'b' }, ['topic'])).toBeNull();
  });

  it('compares arrays by value and ignores fields the patch leaves out', () => {
    expect(changedFields(before, { fields: ['x', 'y'] }, ['fields', 'name'])).toBeNull();
    expect(changedFields(before, { fields: ['y'] }, ['fields'])).toEqual({
      fields: { before: ['x', 'y'], after: ['y'] },
    });
  });
});
