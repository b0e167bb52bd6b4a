import { ALL, collectMentions, insertMention, mentionQuery, segments } from './mentions';

describe('mentions', () => {
  it('finds the "@query" before the caret only at a word start and without spaces', () => {
    expect(mentionQuery('hi @wa', 6)).toEqual({ start: 3, query: 'wa' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('mail@example', 12)).toBeNull();
    expect(mentionQuery('@wang wu', 8)).toBeNull();
  });

  it('inserts the chosen name and keeps the rest of the text', () => {
    expect(insertMention('请 @li 看', 2, 5, '李四')).toEqual({ text: '请 @李四  看', caret: 6 });
  });

  it('keeps only the mentions still in the text when it is sent, with their offsets', () => {
    const picked = [
      { userId: 'a', name: '王五' },
      { userId: 'b', name: '李四' },
      { userId: ALL, name: '所有人' },
    ];
    expect(collectMentions('@王五 和 @王五，请看', picked, '所有人')).toEqual({
      mentions: [
        { userId: 'a', start: 0, length: 3 },
        { userId: 'a', start: 6, length: 3 },
      ],
      mentionsAll: false,
    });
    expect(collectMentions('@所有人 开会', picked, '所有人').mentionsAll).toBe(true);
  });

  it('splits a body into text and mentions for highlighting, ignoring ranges outside it', () => {
    expect(
      segments('请 @李四 看', [
        { userId: 'b', start: 2, length: 3 },
        { userId: 'x', start: 40, length: 2 },
      ]),
    ).toEqual([
      { text: '请 ', userId: null },
      { text: '@李四', userId: 'b' },
      { text: ' 看', userId: null },
    ]);
  });
});
