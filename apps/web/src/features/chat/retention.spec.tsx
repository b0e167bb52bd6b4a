import { fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import type { ConversationMemberDto, ConversationRetention, Locale } from '@miyu/protocol';
import { createI18n } from '../../i18n';
import { Composer } from './components/Composer';
import { ConversationList } from './components/ConversationList';
import { GroupMembersDialog } from './components/GroupMembersDialog';
import { RetentionNotice } from './components/RetentionBanner';
import { Timeline } from './components/Timeline';
import type { ConversationView, PendingMessage } from './engine/chatEngine';
import type { StoredMessage } from './engine/deviceStore';

const ME = '0190a0a0-0000-7000-8000-000000000001';
const WANG = '0190a0a0-0000-7000-8000-000000000002';
const LI = '0190a0a0-0000-7000-8000-000000000003';
const CONV = '0190a0a0-0000-7000-8000-0000000000c1';
const NAMES: Record<string, string> = { [ME]: '我自己', [WANG]: '王五', [LI]: '李四' };
const nameOf = (id: string) => NAMES[id] ?? '未知用户';
const HELD = new Set([LI]);

function wrap(node: ReactNode, locale: Locale = 'zh-CN') {
  return render(<I18nextProvider i18n={createI18n(locale)}>{node}</I18nextProvider>);
}

function retention(partial: Partial<ConversationRetention>): ConversationRetention {
  return {
    conversationId: CONV,
    retained: false,
    since: null,
    keyId: null,
    encryptionKey: null,
    organisationName: '示例集团',
    heldUserIds: [],
    ...partial,
  };
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

const timelineBase = {
  currentUserId: ME,
  nameOf,
  hasOlder: false,
  loadingOlder: false,
  onLoadOlder: jest.fn(),
  onRetry: jest.fn(),
};

describe('the retention banner', () => {
  it('shows in a retained conversation, naming the organisation, and explains who can read on request', () => {
    wrap(
      <RetentionNotice
        retention={retention({ retained: true, since: '2026-03-01T00:00:00.000Z', organisationName: '示例集团' })}
      />,
    );
    const banner = screen.getByTestId('retention-banner');
    expect(banner).toHaveTextContent('此会话中的消息由 示例集团 留存');
    expect(banner).toHaveAttribute('title', expect.stringContaining('合规负责人'));
    const more = within(banner).getByRole('button', { name: '这是什么？' });
    expect(more).toHaveAttribute('aria-expanded', 'false');
    expect(within(banner).queryByText(/离线合规私钥/)).not.toBeInTheDocument();
    fireEvent.click(more);
    expect(more).toHaveAttribute('aria-expanded', 'true');
    expect(within(banner).getByText(/离线合规私钥/)).toHaveTextContent('会话中的每个人都会看到这条提示');
  });

  it('is absent in a conversation that is not retained, or whose retention is not known yet', () => {
    const { rerender } = wrap(<RetentionNotice retention={retention({ retained: false })} />);
    expect(screen.queryByTestId('retention-banner')).not.toBeInTheDocument();
    rerender(
      <I18nextProvider i18n={createI18n('zh-CN')}>
        <RetentionNotice retention={undefined} />
      </I18nextProvider>,
    );
    expect(screen.queryByTestId('retention-banner')).not.toBeInTheDocument();
  });

  it('reads in English', () => {
    wrap(<RetentionNotice retention={retention({ retained: true, organisationName: 'Acme Holdings' })} />, 'en');
    expect(screen.getByTestId('retention-banner')).toHaveTextContent(
      'Messages in this conversation are retained by Acme Holdings',
    );
  });

  it('falls back to a generic name when the organisation name is empty', () => {
    wrap(<RetentionNotice retention={retention({ retained: true, organisationName: '  ' })} />);
    expect(screen.getByTestId('retention-banner')).toHaveTextContent('此会话中的消息由 你的组织 留存');
  });
});

describe('the legal-hold marker', () => {
  const member = (userId: string, role: ConversationMemberDto['role'] = 'member') =>
    ({ userId, role, joinedAt: new Date().toISOString() }) as ConversationMemberDto;

  it('marks people under hold in the member list, and nobody else', () => {
    wrap(
      <GroupMembersDialog
        name="项目组"
        kind="group"
        members={[member(ME, 'owner'), member(WANG), member(LI)]}
        currentUserId={ME}
        myRole="owner"
        nameOf={nameOf}
        heldUserIds={HELD}
        error={null}
        busy={false}
        onAdd={jest.fn()}
        onRemove={jest.fn()}
        onLeave={jest.fn()}
        onRename={jest.fn()}
        onRole={jest.fn()}
        onClose={jest.fn()}
      />,
    );
    const items = within(screen.getByRole('list', { name: '成员列表' })).getAllByRole('listitem');
    const held = items.filter((li) => within(li).queryByTestId('legal-hold-badge'));
    expect(held).toHaveLength(1);
    expect(held[0]).toHaveTextContent('李四');
    const badge = within(held[0]!).getByTestId('legal-hold-badge');
    expect(badge).toHaveTextContent('法律保全');
    expect(badge).toHaveAttribute('title', expect.stringContaining('不会按保留期限删除'));
  });

  it('marks them in the @mention suggestions and on their direct chat', () => {
    wrap(
      <>
        <Composer
          recipientName="项目组"
          onSend={jest.fn()}
          heldUserIds={HELD}
          members={[
            { userId: WANG, name: '王五' },
            { userId: LI, name: '李四' },
          ]}
        />
        <ConversationList
          conversations={[
            {
              id: CONV,
              kind: 'direct',
              name: null,
              topic: null,
              ownerId: null,
              lastSeq: 0,
              memberCount: 2,
              myRole: 'member',
              createdAt: new Date().toISOString(),
              readSeq: 0,
              unreadCount: 0,
              peerUserId: LI,
              lastMessage: null,
              unread: 0,
              firstUnreadSeq: null,
              pinned: false,
              muted: false,
              activityAt: new Date().toISOString(),
            } as ConversationView,
          ]}
          selectedId={null}
          currentUserId={ME}
          nameOf={nameOf}
          titleOf={() => '李四'}
          onSelect={jest.fn()}
          heldUserIds={HELD}
        />
      </>,
    );
    fireEvent.change(screen.getByRole('textbox', { name: '输入消息' }), { target: { value: '@', selectionStart: 1 } });
    const [wang, li] = within(screen.getByRole('listbox', { name: '提及成员' })).getAllByRole('option');
    expect(within(wang!).queryByTestId('legal-hold-badge')).not.toBeInTheDocument();
    expect(within(li!).getByTestId('legal-hold-badge')).toBeInTheDocument();
    const row = within(screen.getByRole('list', { name: '会话列表' })).getByRole('button');
    expect(within(row).getByTestId('legal-hold-badge')).toHaveTextContent('法律保全');
  });
});

describe('the escrow warning', () => {
  it('is red on a message whose compliance copy does not match or is missing, and nowhere else', () => {
    wrap(
      <Timeline
        {...timelineBase}
        items={[
          msg({ body: '篡改过的', escrow: 'mismatch' }),
          msg({ body: '没有副本', escrow: 'missing' }),
          msg({ body: '正常留存', escrow: 'valid' }),
          msg({ body: '无法核对', escrow: 'unverifiable' }),
          msg({ body: '未留存', escrow: 'none' }),
          msg({ body: '以前存的消息' }),
        ]}
        pending={[]}
      />,
    );
    const warnings = screen.getAllByTestId('escrow-warning');
    expect(warnings).toHaveLength(2);
    const owner = (el: HTMLElement) => el.closest('li')!;
    expect(owner(warnings[0]!)).toHaveTextContent('篡改过的');
    expect(warnings[0]).toHaveTextContent('此消息的合规副本与发送的内容不一致——发送者的应用可能被篡改。');
    expect(owner(warnings[1]!)).toHaveTextContent('没有副本');
    expect(warnings[1]).toHaveTextContent('此消息发送时缺少本会话要求的合规副本。');
  });

  it('follows an edit whose copy does not match, and is not shown on a recalled message', () => {
    const original = msg({ body: '原文', escrow: 'valid' });
    const edit = msg({
      escrow: 'mismatch',
      content: {
        type: 'edit',
        target: { clientMsgId: original.clientMsgId!, senderUserId: WANG },
        body: '改过的文字',
        mentions: [],
      },
    });
    const recalled = msg({ body: '撤回的', escrow: 'missing', recalledAt: new Date().toISOString() });
    wrap(<Timeline {...timelineBase} items={[original, edit, recalled]} pending={[]} />, 'en');
    const [warning, ...others] = screen.getAllByTestId('escrow-warning');
    expect(others).toHaveLength(0);
    expect(warning!.closest('li')).toHaveTextContent('改过的文字');
    expect(warning).toHaveTextContent(
      'This message’s compliance copy does not match what was sent — the sender’s app may be modified.',
    );
  });

  it('says why a send in a retained conversation failed when no compliance copy could be added', () => {
    const failed: PendingMessage = {
      clientMsgId: 'id-1',
      conversationId: CONV,
      content: { type: 'text', body: '留存会话里的话', mentions: [], replyTo: null },
      upload: null,
      mentionsAll: false,
      policyVersion: 0,
      flagged: [],
      createdAt: new Date().toISOString(),
      state: 'failed',
      error: 'ESCROW_REQUIRED',
    };
    wrap(<Timeline {...timelineBase} items={[]} pending={[failed]} />);
    expect(screen.getByRole('status')).toHaveTextContent('发送失败');
    expect(screen.getByRole('status')).toHaveTextContent('无法为消息附加合规副本');
  });
});
