import { render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import type { Locale } from '@miyu/protocol';
import { createI18n } from '../../i18n';
import { Timeline } from './components/Timeline';
import type { StoredMessage } from './engine/deviceStore';

const ME = '0190a0a0-0000-7000-8000-000000000001';
const WANG = '0190a0a0-0000-7000-8000-000000000002';
const BOT = '0190a0a0-0000-7000-8000-0000000000b1';
const CONV = '0190a0a0-0000-7000-8000-0000000000c1';
const NAMES: Record<string, string> = { [ME]: '我自己', [WANG]: '王五', [BOT]: 'CI' };

function wrap(node: ReactNode, locale: Locale = 'zh-CN') {
  return render(<I18nextProvider i18n={createI18n(locale)}>{node}</I18nextProvider>);
}

let seq = 0;
function msg(senderUserId: string, body: string): StoredMessage {
  seq += 1;
  return {
    conversationId: CONV,
    seq,
    serverTs: new Date(Date.now() - 60_000).toISOString(),
    clientMsgId: `0190a0a0-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    senderUserId,
    senderDeviceId: null,
    system: null,
    recalledAt: null,
    mentionsAll: false,
    content: { type: 'text', body, mentions: [], replyTo: null },
    problem: null,
  };
}

describe('the integration badge', () => {
  it('marks messages of a bot sender (incoming webhook) as not end-to-end from their origin, and nobody else', () => {
    wrap(
      <Timeline
        items={[msg(WANG, '人写的'), msg(BOT, 'Build #42 passed')]}
        pending={[]}
        currentUserId={ME}
        nameOf={(id) => NAMES[id] ?? '未知用户'}
        isBot={(id) => id === BOT}
        hasOlder={false}
        loadingOlder={false}
        onLoadOlder={jest.fn()}
        onRetry={jest.fn()}
      />,
      'en',
    );
    const badges = screen.getAllByTestId('bot-badge');
    expect(badges).toHaveLength(1);
    expect(badges[0]).toHaveTextContent('Integration');
    expect(badges[0]).toHaveAttribute('title', 'Sent by an integration, not end-to-end from its origin');
    const botMessage = screen.getByText('Build #42 passed').closest('li')!;
    expect(within(botMessage).getByTestId('bot-badge')).toBeInTheDocument();
    expect(within(screen.getByText('人写的').closest('li')!).queryByTestId('bot-badge')).not.toBeInTheDocument();
  });
});
