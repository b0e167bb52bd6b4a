import { QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import type { ConversationMemberDto, MemberRole, WebhookDto } from '@miyu/protocol';
import { createAppApiClient, createQueryClient } from '../../app/createAppContext';
import { createI18n } from '../../i18n';
import { ServicesProvider } from '../../lib/services';
import { FakeServer } from '../../test/fakeServer';
import { FakeSocket } from '../../test/fakeSocket';
import { GroupMembersDialog } from './components/GroupMembersDialog';

const ME = '0190a0a0-0000-7000-8000-000000000001';
const WANG = '0190a0a0-0000-7000-8000-000000000002';
const CONV = '0190a0a0-0000-7000-8000-0000000000c1';
const HOOKS = `/api/conversations/${CONV}/webhooks`;
const hookId = (n: number) => `0190b0b0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const SECRET = `whsec_${'s'.repeat(43)}`;
const NAMES: Record<string, string> = { [ME]: '我自己', [WANG]: '王五' };

function hook(overrides: Partial<WebhookDto>): WebhookDto {
  return {
    id: hookId(1),
    conversationId: CONV,
    name: '监控告警',
    avatarUrl: null,
    botUserId: hookId(101),
    createdBy: ME,
    createdAt: '2026-11-01T08:00:00.000Z',
    url: `/hooks/${hookId(1)}`,
    lastPostedAt: '2026-11-20T08:00:00.000Z',
    ...overrides,
  };
}

function renderDialog(server: FakeServer, myRole: MemberRole) {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false }, mutations: { retry: false } });
  const services = {
    api: createAppApiClient(queryClient, server.fetch),
    openSocket: () => new FakeSocket().asSocket(),
  };
  const member = (userId: string, role: MemberRole) =>
    ({ userId, role, joinedAt: '2026-11-01T08:00:00.000Z' }) as ConversationMemberDto;
  return render(
    <QueryClientProvider client={queryClient}>
      <ServicesProvider services={services}>
        <I18nextProvider i18n={createI18n('zh-CN')}>
          <GroupMembersDialog
            name="项目组"
            kind="group"
            conversationId={CONV}
            members={[member(ME, myRole), member(WANG, myRole === 'owner' ? 'member' : 'owner')]}
            currentUserId={ME}
            myRole={myRole}
            nameOf={(id) => NAMES[id] ?? '未知用户'}
            error={null}
            busy={false}
            onAdd={jest.fn()}
            onRemove={jest.fn()}
            onLeave={jest.fn()}
            onRename={jest.fn()}
            onRole={jest.fn()}
            onClose={jest.fn()}
          />
        </I18nextProvider>
      </ServicesProvider>
    </QueryClientProvider>,
  );
}

describe('group settings → integrations (incoming webhooks)', () => {
  const writeText = jest.fn(() => Promise.resolve());
  beforeEach(() => {
    writeText.mockClear();
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  });

  it('lets the owner list hooks and create one whose secret is shown only once', async () => {
    const hooks = [hook({})];
    const server = new FakeServer()
      .on(`GET ${HOOKS}`, () => ({ status: 200, body: hooks }))
      .on(`POST ${HOOKS}`, (request) => {
        const body = request.body as { name: string; avatarUrl?: string };
        const created = hook({
          id: hookId(2),
          name: body.name,
          avatarUrl: body.avatarUrl ?? null,
          url: `/hooks/${hookId(2)}`,
          lastPostedAt: null,
        });
        hooks.push(created);
        return { status: 201, body: { ...created, secret: SECRET } };
      });
    renderDialog(server, 'owner');

    expect(screen.getByRole('heading', { name: '集成 · 传入 Webhook' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: '传入 Webhook' });
    expect(within(table).getAllByRole('row')[1]).toHaveTextContent('监控告警');

    const form = screen.getByRole('form', { name: '创建 Webhook' });
    fireEvent.change(within(form).getByLabelText('名称'), { target: { value: 'CI 构建' } });
    fireEvent.change(within(form).getByLabelText(/头像地址/), { target: { value: 'https://ci.example.com/a.png' } });
    fireEvent.click(within(form).getByRole('button', { name: '创建 Webhook' }));

    expect(await screen.findByText('已创建 Webhook“CI 构建”')).toBeInTheDocument();
    expect(server.requestsTo(`POST ${HOOKS}`)[0]?.body).toEqual({
      name: 'CI 构建',
      avatarUrl: 'https://ci.example.com/a.png',
    });
    expect(screen.getByLabelText('密钥')).toHaveTextContent(SECRET);
    expect(screen.getByLabelText('Webhook 地址')).toHaveTextContent(`${location.origin}/hooks/${hookId(2)}`);
    fireEvent.click(screen.getByRole('button', { name: '复制密钥' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(SECRET));
    expect(await screen.findByText('已复制。')).toBeInTheDocument();

    // The list refreshes with the new hook; "Done" forgets the secret for good.
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    fireEvent.click(screen.getByRole('button', { name: '完成' }));
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
  });

  it('rotates a secret only after confirmation and shows the new one once', async () => {
    const server = new FakeServer()
      .on(`GET ${HOOKS}`, { status: 200, body: [hook({})] })
      .on(`POST ${HOOKS}/${hookId(1)}/rotate-secret`, { status: 200, body: { ...hook({}), secret: SECRET } });
    renderDialog(server, 'admin');

    fireEvent.click(await screen.findByRole('button', { name: '更换 监控告警 的密钥' }));
    expect(server.requestsTo(`POST ${HOOKS}/${hookId(1)}/rotate-secret`)).toHaveLength(0);
    const confirm = screen.getByRole('dialog', { name: '更换“监控告警”的密钥？' });
    fireEvent.click(within(confirm).getByRole('button', { name: '更换密钥' }));
    expect(await screen.findByText('“监控告警”的新密钥')).toBeInTheDocument();
    expect(screen.getByLabelText('密钥')).toHaveTextContent(SECRET);
    expect(server.requestsTo(`POST ${HOOKS}/${hookId(1)}/rotate-secret`)).toHaveLength(1);
  });

  it('deletes a hook after confirmation', async () => {
    const hooks = [hook({})];
    const server = new FakeServer()
      .on(`GET ${HOOKS}`, () => ({ status: 200, body: hooks }))
      .on(`DELETE ${HOOKS}/${hookId(1)}`, () => {
        hooks.splice(0);
        return { status: 204 };
      });
    renderDialog(server, 'owner');

    fireEvent.click(await screen.findByRole('button', { name: '删除 监控告警' }));
    const confirm = screen.getByRole('dialog', { name: '删除“监控告警”？' });
    fireEvent.click(within(confirm).getByRole('button', { name: '删除' }));
    expect(await screen.findByText('还没有 Webhook。')).toBeInTheDocument();
    expect(server.requestsTo(`DELETE ${HOOKS}/${hookId(1)}`)).toHaveLength(1);
  });

  it('is not shown to a plain member, who never asks for the hooks', () => {
    const server = new FakeServer().on(`GET ${HOOKS}`, { status: 200, body: [hook({})] });
    renderDialog(server, 'member');

    expect(screen.getByRole('list', { name: '成员列表' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: '集成 · 传入 Webhook' })).not.toBeInTheDocument();
    expect(screen.queryByRole('form', { name: '创建 Webhook' })).not.toBeInTheDocument();
    expect(server.requestsTo(`GET ${HOOKS}`)).toHaveLength(0);
  });
});
