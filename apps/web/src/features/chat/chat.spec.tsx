import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../../i18n';
import { Composer, MAX_MESSAGE_LENGTH } from './components/Composer';
import { AttachmentTooLargeError, checkSize } from './engine/attachments';
import { ConversationList } from './components/ConversationList';
import { Timeline } from './components/Timeline';
import { Watermark } from './components/Watermark';
import { watermarkText } from './components/watermarkText';
import type { ConversationView, PendingMessage } from './engine/chatEngine';
import type { StoredMessage } from './engine/deviceStore';

const ME = '0190a0a0-0000-7000-8000-000000000001';
const WANG = '0190a0a0-0000-7000-8000-000000000002';
const LI = '0190a0a0-0000-7000-8000-000000000003';
const CONV = '0190a0a0-0000-7000-8000-0000000000c1';
const NAMES: Record<string, string> = { [ME]: '我自己', [WANG]: '王五', [LI]: '李四' };
const nameOf = (id: string) => NAMES[id] ?? '未知用户';

function wrap(node: ReactNode) {
  return render(<I18nextProvider i18n={createI18n('zh-CN')}>{node}</I18nextProvider>);
}

let seq = 0;
function msg(partial: Partial<StoredMessage> & { body?: string }): StoredMessage {
  seq += 1;
  const { body, ...rest } = partial;
  return {
    conversationId: CONV,
    seq,
    serverTs: new Date(Date.now() - 60_000).toISOString(),
    clientMsgId: `0190a0a0-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    senderUserId: WANG,
    senderDeviceId: null,
    system: null,
    recalledAt: null,
    mentionsAll: false,
    content: body === undefined ? null : { type: 'text', body, mentions: [], replyTo: null },
    problem: null,
    ...rest,
  };
}

function conversation(partial: Partial<ConversationView>): ConversationView {
  return {
    id: CONV,
    kind: 'group',
    name: '项目组',
    topic: null,
    ownerId: ME,
    lastSeq: 3,
    memberCount: 3,
    myRole: 'owner',
    createdAt: new Date().toISOString(),
    readSeq: 0,
    unreadCount: 0,
    peerUserId: null,
    lastMessage: null,
    unread: 0,
    firstUnreadSeq: null,
    pinned: false,
    muted: false,
    activityAt: new Date().toISOString(),
    ...partial,
  };
}

describe('conversation list', () => {
  it('says how to start when there are no conversations', () => {
    wrap(
      <ConversationList
        conversations={[]}
        selectedId={null}
        currentUserId={ME}
        nameOf={nameOf}
        titleOf={(c) => c.name ?? ''}
        onSelect={jest.fn()}
      />,
    );
    expect(screen.getByText(/暂无会话/)).toBeInTheDocument();
  });

  it('shows each conversation with its decrypted preview, sender and unread count, and opens it', () => {
    const onSelect = jest.fn();
    const other = '0190a0a0-0000-7000-8000-0000000000c2';
    wrap(
      <ConversationList
        conversations={[
          conversation({ lastMessage: msg({ body: '下午三点开会' }), unread: 2 }),
          conversation({
            id: other,
            kind: 'direct',
            name: null,
            peerUserId: LI,
            lastMessage: msg({ senderUserId: LI, problem: 'waiting-for-key' }),
          }),
        ]}
        selectedId={other}
        currentUserId={ME}
        nameOf={nameOf}
        titleOf={(c) => c.name ?? nameOf(c.peerUserId ?? '')}
        onSelect={onSelect}
      />,
    );
    const list = screen.getByRole('list', { name: '会话列表' });
    const [group, direct] = within(list).getAllByRole('button');
    expect(group).toHaveTextContent('项目组');
    expect(group).toHaveTextContent('王五: 下午三点开会');
    expect(within(group!).getByText('2 条未读')).toBeInTheDocument();
    expect(direct).toHaveTextContent('李四');
    expect(direct).toHaveTextContent('暂时无法解密：正在等待密钥');
    expect(direct).toHaveAttribute('aria-current', 'true');
    fireEvent.click(group!);
    expect(onSelect).toHaveBeenCalledWith(CONV);
  });
});

describe('conversation list keyboard and flags', () => {
  it('moves between conversations with the arrow keys and marks pinned and muted ones', () => {
    const ids = ['c1', 'c2', 'c3'].map((c) => `0190a0a0-0000-7000-8000-0000000000${c}`);
    wrap(
      <ConversationList
        conversations={[
          conversation({ id: ids[0], name: '置顶的群', pinned: true }),
          conversation({ id: ids[1], name: '安静的群', muted: true, unread: 3 }),
          conversation({ id: ids[2], name: '普通群' }),
        ]}
        selectedId={null}
        currentUserId={ME}
        nameOf={nameOf}
        titleOf={(c) => c.name ?? ''}
        onSelect={jest.fn()}
      />,
    );
    const [a, b, c] = within(screen.getByRole('list', { name: '会话列表' })).getAllByRole('button');
    expect(a).toHaveTextContent('置顶');
    expect(b).toHaveTextContent('免打扰');
    a!.focus();
    fireEvent.keyDown(a!, { key: 'ArrowDown' });
    expect(b).toHaveFocus();
    fireEvent.keyDown(b!, { key: 'End' });
    expect(c).toHaveFocus();
    fireEvent.keyDown(c!, { key: 'ArrowUp' });
    expect(b).toHaveFocus();
  });
});

/** The Timeline props these tests do not vary. */
const base = {
  currentUserId: ME,
  nameOf,
  hasOlder: false,
  loadingOlder: false,
  onLoadOlder: jest.fn(),
  onRetry: jest.fn(),
};

describe('timeline', () => {
  it('groups messages by sender, separates days, and folds edits and reactions into their message', () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const first = msg({ body: '昨天的消息', serverTs: yesterday });
    const original = msg({ body: '原文' });
    const follow = msg({ body: '紧接着的一条' });
    const edit = msg({
      content: {
        type: 'edit',
        target: { clientMsgId: original.clientMsgId!, senderUserId: WANG },
        body: '改过的文字',
        mentions: [],
      },
    });
    const reaction = msg({
      senderUserId: ME,
      content: {
        type: 'reaction',
        target: { clientMsgId: original.clientMsgId!, senderUserId: WANG },
        emoji: '👍',
        remove: false,
      },
    });
    const system = msg({
      senderUserId: null,
      clientMsgId: null,
      system: { type: 'members_added', by: ME, userIds: [LI] },
    });
    wrap(<Timeline {...base} items={[first, original, follow, edit, reaction, system]} pending={[]} />);
    const log = screen.getByRole('log');
    expect(within(log).getByText('昨天')).toBeInTheDocument();
    expect(within(log).getByText('今天')).toBeInTheDocument();
    expect(within(log).getByText(/改过的文字/)).toBeInTheDocument();
    expect(within(log).getByText('(已编辑)', { exact: false })).toBeInTheDocument();
    expect(within(log).queryByText('原文')).not.toBeInTheDocument();
    expect(within(log).getByText('👍 1')).toBeInTheDocument();
    // "原文" and "紧接着的一条" are one group: the sender's name shows once yesterday and once today.
    expect([...log.querySelectorAll('.message__sender')].map((e) => e.textContent)).toEqual(['王五', '王五']);
    expect(within(log).getByText('我 邀请 李四 加入了群聊')).toBeInTheDocument();
  });

  it('shows recalled, undecryptable and not-yet-decryptable messages as placeholders, never crashing', () => {
    wrap(
      <Timeline
        {...base}
        items={[
          msg({ body: '被撤回的内容', recalledAt: new Date().toISOString() }),
          msg({ problem: 'waiting-for-key' }),
          msg({ problem: 'waiting-for-key', serverTs: new Date(Date.now() - 3_600_000).toISOString() }),
          msg({ problem: 'malformed', problemCode: 'MALFORMED' }),
          msg({ content: { type: 'unsupported', originalType: 'poll' } }),
        ]}
        pending={[]}
      />,
    );
    expect(screen.getByText('消息已撤回')).toBeInTheDocument();
    expect(screen.queryByText('被撤回的内容')).not.toBeInTheDocument();
    expect(screen.getByText('暂时无法解密：正在等待密钥')).toBeInTheDocument();
    expect(screen.getByText('无法解密此消息（原因 MALFORMED）')).toBeInTheDocument();
    // A key that never came turns "waiting" into a failure with its reason.
    expect(screen.getByText(/一直没有收到密钥（原因 UNKNOWN_SESSION）/)).toBeInTheDocument();
    expect(screen.getByText('此消息需要更新版本的密语才能查看')).toBeInTheDocument();
  });

  it('shows sending and failed messages, retries a failed one, and loads older messages', () => {
    const onRetry = jest.fn();
    const onLoadOlder = jest.fn();
    const pending = (state: PendingMessage['state'], body: string): PendingMessage => ({
      clientMsgId: `id-${body}`,
      conversationId: CONV,
      content: { type: 'text', body, mentions: [], replyTo: null },
      upload: null,
      mentionsAll: false,
      policyVersion: 0,
      flagged: [],
      createdAt: new Date().toISOString(),
      state,
      error: state === 'failed' ? 'NETWORK' : null,
    });
    wrap(
      <Timeline
        {...base}
        hasOlder
        onLoadOlder={onLoadOlder}
        onRetry={onRetry}
        items={[msg({ body: 'hello' })]}
        pending={[pending('sending', '路上'), pending('failed', '没发出去')]}
      />,
    );
    expect(screen.getByText('发送中')).toBeInTheDocument();
    expect(screen.getByText('发送失败')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: '重新发送' }));
    expect(onRetry).toHaveBeenCalledWith('id-没发出去');
    fireEvent.click(screen.getByRole('button', { name: '加载更早的消息' }));
    expect(onLoadOlder).toHaveBeenCalled();
  });
});

describe('read receipts on own messages', () => {
  it('shows sent, delivered and read in a direct chat', () => {
    const [a, b, c] = [
      msg({ senderUserId: ME, body: 'a' }),
      msg({ senderUserId: ME, body: 'b' }),
      msg({ senderUserId: ME, body: 'c' }),
    ];
    wrap(
      <Timeline
        {...base}
        direct
        items={[a, b, c]}
        pending={[]}
        receipts={
          new Map([
            [a.seq, { read: 1, delivered: 1, members: 1 }],
            [b.seq, { read: 0, delivered: 1, members: 1 }],
            [c.seq, { read: 0, delivered: 0, members: 1 }],
          ])
        }
      />,
    );
    expect([...document.querySelectorAll('.message__receipt')].map((e) => e.textContent)).toEqual([
      '已读',
      '已送达',
      '已发送',
    ]);
  });

  it('counts the unread members in a group and opens the lists', () => {
    const onOpen = jest.fn();
    const mine = msg({ senderUserId: ME, body: '通知' });
    const done = msg({ senderUserId: ME, body: '收到' });
    wrap(
      <Timeline
        {...base}
        items={[mine, done]}
        pending={[]}
        onOpenReceipts={onOpen}
        receipts={
          new Map([
            [mine.seq, { read: 3, delivered: 5, members: 5 }],
            [done.seq, { read: 5, delivered: 5, members: 5 }],
          ])
        }
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: '2 人未读' }));
    expect(onOpen).toHaveBeenCalledWith(mine);
    expect(screen.getByRole('button', { name: '全部已读' })).toBeInTheDocument();
  });
});

describe('files', () => {
  it('refuses a file over the limit before anything is uploaded', () => {
    expect(() => checkSize({ name: 'small.pdf', size: 1000 }, 100 * 1024)).not.toThrow();
    const error = (() => {
      try {
        checkSize({ name: '大文件.zip', size: 100 * 1024 }, 100 * 1024);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AttachmentTooLargeError);
    expect(error).toMatchObject({ fileName: '大文件.zip', maxBytes: 100 * 1024 });
  });

  it('shows an upload in progress and a received file with its size and a save button', () => {
    const received = msg({
      content: {
        type: 'attachment',
        caption: null,
        replyTo: null,
        attachments: [
          {
            blobId: '0190a0a0-0000-7000-8000-0000000000f1',
            name: '方案.pdf',
            mimeType: 'application/pdf',
            size: 2_621_440,
            chunkSize: 65536,
            key: new Uint8Array(32),
            digest: new Uint8Array(32),
          },
        ],
      },
    });
    wrap(
      <Timeline
        {...base}
        items={[received]}
        pending={[
          {
            clientMsgId: 'up-1',
            conversationId: CONV,
            content: { type: 'attachment', attachments: [], caption: null, replyTo: null },
            upload: { name: '截图.png', size: 2048, progress: 0.5 },
            mentionsAll: false,
            policyVersion: 0,
            flagged: [],
            createdAt: new Date().toISOString(),
            state: 'sending',
            error: null,
          },
        ]}
      />,
    );
    expect(screen.getByRole('progressbar', { name: '正在加密上传 截图.png' })).toHaveAttribute('value', '0.5');
    expect(screen.getByText('2.5 MB')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '保存 方案.pdf' })).toBeInTheDocument();
  });
});

describe('composer', () => {
  it('sends with Enter, keeps Shift+Enter as a new line, and ignores the Enter that confirms an IME candidate', async () => {
    const onSend = jest.fn();
    wrap(<Composer recipientName="王五" onSend={onSend} />);
    const box = screen.getByRole('textbox', { name: '输入消息' });
    fireEvent.change(box, { target: { value: 'nihao' } });
    fireEvent.keyDown(box, { key: 'Enter', isComposing: true });
    fireEvent.keyDown(box, { key: 'Enter', keyCode: 229 });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.change(box, { target: { value: '你好\n世界' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({ text: '你好\n世界', mentions: [], mentionsAll: false });
    await waitFor(() => expect(box).toHaveValue(''));
  });

  it('keeps the text when sending is refused (the word policy blocked it, or the writer did not confirm)', async () => {
    const onSend = jest.fn(async () => false);
    wrap(<Composer recipientName="王五" onSend={onSend} />);
    const box = screen.getByRole('textbox', { name: '输入消息' });
    fireEvent.change(box, { target: { value: '内部机密' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(onSend).toHaveBeenCalled());
    await act(async () => undefined);
    expect(box).toHaveValue('内部机密');
  });

  it('offers members and @all after "@", inserts the chosen one and sends its mention', () => {
    const onSend = jest.fn();
    wrap(
      <Composer
        recipientName="项目组"
        onSend={onSend}
        allowMentionAll
        members={[
          { userId: WANG, name: '王五' },
          { userId: LI, name: '李四' },
        ]}
      />,
    );
    const box = screen.getByRole('textbox', { name: '输入消息' });
    fireEvent.change(box, { target: { value: '请 @', selectionStart: 3 } });
    const list = screen.getByRole('listbox', { name: '提及成员' });
    expect(
      within(list)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['@所有人', '@王五', '@李四']);
    fireEvent.change(box, { target: { value: '请 @李', selectionStart: 4 } });
    expect(
      within(screen.getByRole('listbox'))
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['@李四']);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box).toHaveValue('请 @李四 ');
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.change(box, { target: { value: '请 @李四 看一下', selectionStart: 10 } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({
      text: '请 @李四 看一下',
      mentions: [{ userId: LI, start: 2, length: 3 }],
      mentionsAll: false,
    });
  });

  it('inserts an emoji from the picker', () => {
    wrap(<Composer recipientName="王五" onSend={jest.fn()} />);
    const box = screen.getByRole('textbox', { name: '输入消息' });
    fireEvent.change(box, { target: { value: '好的' } });
    fireEvent.click(screen.getByRole('button', { name: '表情' }));
    fireEvent.click(screen.getByRole('button', { name: '插入 👍' }));
    expect(box).toHaveValue('好的👍');
    expect(screen.queryByRole('group', { name: '表情' })).not.toBeInTheDocument();
  });

  it('refuses an empty or oversized message before sending and keeps the text', () => {
    const onSend = jest.fn();
    wrap(<Composer recipientName="王五" onSend={onSend} />);
    const box = screen.getByRole('textbox', { name: '输入消息' });
    const send = screen.getByRole('button', { name: '发送' });
    expect(send).toBeDisabled();
    fireEvent.change(box, { target: { value: '   ' } });
    expect(send).toBeDisabled();
    const long = 'x'.repeat(MAX_MESSAGE_LENGTH + 1);
    fireEvent.change(box, { target: { value: long } });
    expect(screen.getByRole('alert')).toHaveTextContent(`最多 ${MAX_MESSAGE_LENGTH} 个字符`);
    expect(send).toBeDisabled();
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect(box).toHaveValue(long);
  });
});

describe('watermark', () => {
  const viewer = { displayName: '王五', employeeNo: 'E1001', login: 'wang.wu' };
  it('shows the fields the org chose, in order, and nothing when it is off', () => {
    const day = new Date(2026, 10, 26);
    expect(watermarkText(viewer, undefined, day)).toBe('王五 E1001');
    expect(watermarkText(viewer, { watermarkEnabled: true, watermarkFields: ['login', 'date'] }, day)).toBe(
      'wang.wu 2026-11-26',
    );
    expect(
      watermarkText({ ...viewer, employeeNo: null }, { watermarkEnabled: true, watermarkFields: ['employeeNo'] }),
    ).toBeNull();
    expect(watermarkText(viewer, { watermarkEnabled: false, watermarkFields: ['name'] })).toBeNull();
  });

  it('tiles the viewer name over its container and comes back when removed or restyled', async () => {
    wrap(
      <div data-testid="pane">
        <Watermark text="王五 E1001" />
      </div>,
    );
    const layer = () => screen.getByTestId('pane').querySelector<HTMLElement>('[data-watermark]');
    expect(layer()).toHaveAttribute('data-watermark', '王五 E1001');
    // (jsdom does not parse the SVG background; the browser test checks the computed image.)
    expect(layer()!.style.getPropertyValue('position')).toBe('absolute');
    expect(layer()!.style.getPropertyPriority('position')).toBe('important');
    await act(async () => {
      layer()!.remove();
    });
    expect(layer()).not.toBeNull();
    await act(async () => {
      layer()!.style.setProperty('display', 'none', 'important');
    });
    expect(layer()!.style.display).toBe('block');
  });
});
