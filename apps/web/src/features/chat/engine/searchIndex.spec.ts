import type { StoredMessage } from './deviceStore';
import { normalise, SearchIndex, terms } from './searchIndex';

const CONV_A = '0190a0a0-0000-7000-8000-0000000000a1';
const CONV_B = '0190a0a0-0000-7000-8000-0000000000b1';
const WANG = '0190a0a0-0000-7000-8000-000000000002';
const LI = '0190a0a0-0000-7000-8000-000000000003';

let seq = 0;
function text(body: string, extra: Partial<StoredMessage> = {}): StoredMessage {
  seq += 1;
  return {
    conversationId: CONV_A,
    seq,
    serverTs: new Date(Date.UTC(2026, 10, 1, 0, seq)).toISOString(),
    clientMsgId: `0190a0a0-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    senderUserId: WANG,
    senderDeviceId: null,
    system: null,
    recalledAt: null,
    mentionsAll: false,
    content: { type: 'text', body, mentions: [], replyTo: null },
    problem: null,
    ...extra,
  };
}

describe('local search index', () => {
  it('normalises full-width characters, case and invisible characters', () => {
    expect(normalise('ＡＢＣ１２３\u200b敏感')).toBe('abc123敏感');
  });

  it('indexes CJK by bigrams and Latin words by prefix', () => {
    expect([...terms('敏感词 report')].sort()).toEqual(
      ['感', '感词', '敏', '敏感', '词', 'r', 're', 'rep', 'repo', 'repor', 'report'].sort(),
    );
  });

  it('finds a CJK substring inside a longer word (敏感 finds 敏感词), newest first', () => {
    const index = new SearchIndex();
    index.add([text('这是敏感词过滤的测试'), text('无关的消息'), text('敏感信息请勿外传')]);
    const hits = index.search('敏感');
    expect(hits.map((h) => h.text)).toEqual(['敏感信息请勿外传', '这是敏感词过滤的测试']);
    expect(index.search('感词').map((h) => h.text)).toEqual(['这是敏感词过滤的测试']);
    expect(index.search('词过滤测试')).toEqual([]); // terms present, phrase is not
  });

  it('matches Latin words by prefix, case-insensitively, and full-width input', () => {
    const index = new SearchIndex();
    index.add([text('Quarterly REPORT is ready'), text('report2026 draft')]);
    expect(index.search('repo').map((h) => h.text)).toHaveLength(2);
    expect(index.search('ＲＥＰＯＲＴ is').map((h) => h.text)).toEqual(['Quarterly REPORT is ready']);
  });

  it('filters by conversation, sender and date', () => {
    const index = new SearchIndex();
    const early = text('项目进度', { serverTs: '2026-01-05T08:00:00.000Z' });
    index.add([early, text('项目进度更新', { conversationId: CONV_B, senderUserId: LI })]);
    expect(index.search('项目', { conversationId: CONV_B }).map((h) => h.text)).toEqual(['项目进度更新']);
    expect(index.search('项目', { senderUserId: WANG }).map((h) => h.text)).toEqual(['项目进度']);
    expect(index.search('项目', { from: '2026-06-01T00:00:00.000Z' }).map((h) => h.text)).toEqual(['项目进度更新']);
  });

  it('follows edits and drops recalled messages', () => {
    const index = new SearchIndex();
    const original = text('会议改到周三');
    index.add([original]);
    index.add([
      text('', {
        content: {
          type: 'edit',
          target: { clientMsgId: original.clientMsgId!, senderUserId: WANG },
          body: '会议改到周四',
          mentions: [],
        },
      }),
    ]);
    expect(index.search('周三')).toEqual([]);
    expect(index.search('周四').map((h) => h.message.seq)).toEqual([original.seq]);
    index.add([{ ...original, recalledAt: new Date().toISOString() }]);
    expect(index.search('会议')).toEqual([]);
  });
});
