import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { ApiTokenDto, UserDto } from '@miyu/protocol';
import { renderApp } from '../../../test/renderApp';
import { apiError, type FakeServer, signedInServer } from '../../../test/fakeServer';
import { tokenScopesFor, tokenState } from './utils/tokenScopes';

const tokenId = (n: number) => `0190e0e0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const SECRET = `miyu_pat_${'x'.repeat(43)}`;

function token(overrides: Partial<ApiTokenDto>): ApiTokenDto {
  return {
    id: tokenId(1),
    kind: 'personal',
    ownerUserId: tokenId(99),
    name: '季度导出',
    scopes: ['compliance:export'],
    createdAt: '2026-11-01T08:00:00.000Z',
    expiresAt: '2099-01-01T08:00:00.000Z',
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

function tokensServer(role: UserDto['role'], tokens: ApiTokenDto[]): FakeServer {
  return signedInServer({ role }).on('GET /api/tokens', () => ({ status: 200, body: tokens }));
}

describe('token scopes', () => {
  it('follow the role, and a token is revoked, expired or active', () => {
    expect(tokenScopesFor('auditor')).toEqual(['compliance:export', 'audit:read']);
    expect(tokenScopesFor('admin')).toEqual(['audit:read']);
    expect(tokenScopesFor('member')).toEqual([]);
    const now = Date.parse('2026-11-25T00:00:00.000Z');
    expect(tokenState(token({}), now)).toBe('active');
    expect(tokenState(token({ expiresAt: '2026-11-24T00:00:00.000Z' }), now)).toBe('expired');
    expect(
      tokenState(token({ expiresAt: '2026-11-24T00:00:00.000Z', revokedAt: '2026-11-20T00:00:00.000Z' }), now),
    ).toBe('revoked');
  });
});

describe('settings → API tokens', () => {
  const writeText = jest.fn(() => Promise.resolve());
  beforeEach(() => {
    writeText.mockClear();
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  });

  it('lists the tokens, creates one with the auditor scopes and shows it only once', async () => {
    const tokens = [
      token({ lastUsedAt: '2026-11-20T08:00:00.000Z' }),
      token({ id: tokenId(2), name: '旧令牌', scopes: ['audit:read'], revokedAt: '2026-11-10T08:00:00.000Z' }),
    ];
    const server = tokensServer('auditor', tokens).on('POST /api/tokens', (request) => {
      const body = request.body as { name: string; scopes: ApiTokenDto['scopes'] };
      const created = token({ id: tokenId(3), name: body.name, scopes: body.scopes });
      tokens.unshift(created);
      return { status: 201, body: { ...created, token: SECRET } };
    });
    renderApp({ server, path: '/settings/tokens' });

    expect(await screen.findByRole('heading', { level: 1, name: 'API 令牌' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'API 令牌' })).toHaveAttribute('aria-current', 'page');
    const table = await screen.findByRole('table', { name: '我的令牌' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('季度导出');
    expect(rows[0]).toHaveTextContent('compliance:export');
    expect(rows[0]).toHaveTextContent('有效');
    expect(rows[1]).toHaveTextContent('已撤销');
    expect(within(rows[1]!).queryByRole('button')).not.toBeInTheDocument();

    // Both auditor scopes are offered; none is ticked for you.
    const exportScope = screen.getByRole('checkbox', { name: /^compliance:export/ });
    const auditScope = screen.getByRole('checkbox', { name: /^audit:read/ });
    expect(exportScope).not.toBeChecked();
    expect(auditScope).not.toBeChecked();
    fireEvent.click(screen.getByRole('button', { name: '新建令牌' }));
    expect(await screen.findByText('请输入名称。')).toBeInTheDocument();
    expect(screen.getByText('请至少选择一项权限。')).toBeInTheDocument();
    expect(server.requestsTo('POST /api/tokens')).toHaveLength(0);

    fireEvent.change(screen.getByRole('textbox', { name: '名称' }), { target: { value: ' 2026 Q4 导出 ' } });
    fireEvent.click(auditScope);
    fireEvent.click(exportScope);
    fireEvent.change(screen.getByRole('combobox', { name: '有效期' }), { target: { value: '90' } });
    fireEvent.click(screen.getByRole('button', { name: '新建令牌' }));

    const created = await screen.findByRole('region', { name: '令牌“2026 Q4 导出”已创建' });
    expect(within(created).getByLabelText('新令牌')).toHaveTextContent(SECRET);
    expect(within(created).getByRole('status')).toHaveTextContent('它只显示这一次');
    const post = server.requestsTo('POST /api/tokens')[0];
    expect(post?.body).toEqual({
      name: '2026 Q4 导出',
      scopes: ['compliance:export', 'audit:read'],
      expiresInDays: 90,
    });
    expect(post?.headers['x-csrf-token']).toBe('csrf-token-1');

    fireEvent.click(within(created).getByRole('button', { name: '复制' }));
    expect(await within(created).findByText('已复制到剪贴板。')).toBeInTheDocument();
    expect(writeText).toHaveBeenCalledWith(SECRET);
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));

    fireEvent.click(within(created).getByRole('button', { name: '我已保存，完成' }));
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
    // The form is back, empty.
    expect(screen.getByRole('textbox', { name: '名称' })).toHaveValue('');
  });

  it('offers admins the audit scope only, and shows a refusal by its code', async () => {
    const server = tokensServer('admin', []).on('POST /api/tokens', apiError(403, 'API_TOKEN_SCOPE_FORBIDDEN'));
    renderApp({ server, path: '/settings/tokens' });

    expect(await screen.findByText('还没有令牌。')).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: /^audit:read/ })).toBeChecked();
    expect(screen.queryByRole('checkbox', { name: /^compliance:export/ })).not.toBeInTheDocument();
    fireEvent.change(screen.getByRole('textbox', { name: '名称' }), { target: { value: '检查点' } });
    fireEvent.click(screen.getByRole('button', { name: '新建令牌' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('你的角色不能创建带这些权限的令牌。');
    expect(server.requestsTo('POST /api/tokens')[0]?.body).toEqual({
      name: '检查点',
      scopes: ['audit:read'],
      expiresInDays: 30,
    });
  });

  it('tells members they have no token scopes, and lets them revoke what they still have', async () => {
    const tokens = [token({})];
    const server = tokensServer('member', tokens).on(`DELETE /api/tokens/${tokenId(1)}`, () => {
      tokens[0] = { ...tokens[0]!, revokedAt: '2026-11-25T00:00:00.000Z' };
      return { status: 204 };
    });
    renderApp({ server, path: '/settings/tokens' });

    expect(await screen.findByText(/你的角色没有可用的令牌权限/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '新建令牌' })).not.toBeInTheDocument();

    fireEvent.click(await screen.findByRole('button', { name: '撤销令牌：季度导出' }));
    const dialog = screen.getByRole('dialog', { name: '撤销这个令牌？' });
    expect(dialog).toHaveTextContent('使用“季度导出”的工具将立即无法访问');
    fireEvent.click(within(dialog).getByRole('button', { name: '撤销' }));
    await waitFor(() => expect(screen.getByRole('table', { name: '我的令牌' })).toHaveTextContent('已撤销'));
    expect(server.requestsTo(`DELETE /api/tokens/${tokenId(1)}`)).toHaveLength(1);
    expect(screen.queryByRole('button', { name: '撤销令牌：季度导出' })).not.toBeInTheDocument();
  });
});

describe('admin → integrations: service tokens', () => {
  it('creates a service token with the service scopes, lists it apart from personal tokens, shows it once', async () => {
    const tokens: ApiTokenDto[] = [];
    const server = signedInServer({ role: 'admin' })
      .on('GET /api/admin/service-tokens', () => ({ status: 200, body: tokens }))
      .on('POST /api/admin/service-tokens', (request) => {
        const body = request.body as { name: string; scopes: ApiTokenDto['scopes']; expiresInDays: number };
        expect(body.expiresInDays).toBe(730);
        const created = token({ id: tokenId(7), kind: 'service', name: body.name, scopes: body.scopes });
        tokens.unshift(created);
        return { status: 201, body: { ...created, token: SECRET } };
      });
    renderApp({ server, path: '/admin/integrations' });

    expect(await screen.findByRole('heading', { level: 1, name: '集成与机器人' })).toBeInTheDocument();
    for (const scope of ['directory:read', 'bot:post', 'scim:provision', 'audit:read'])
      expect(screen.getByRole('checkbox', { name: new RegExp(`^${scope}`) })).toBeInTheDocument();
    expect(screen.queryByRole('checkbox', { name: /^compliance:export/ })).not.toBeInTheDocument();
    fireEvent.change(screen.getByRole('textbox', { name: '名称' }), { target: { value: 'Okta 同步' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /^scim:provision/ }));
    fireEvent.change(screen.getByRole('combobox', { name: '有效期' }), { target: { value: '730' } });
    fireEvent.click(screen.getByRole('button', { name: '新建令牌' }));
    const created = await screen.findByRole('region', { name: '令牌“Okta 同步”已创建' });
    expect(within(created).getByLabelText('新令牌')).toHaveTextContent(SECRET);
    const table = await screen.findByRole('table', { name: '服务令牌' });
    expect(within(table).getAllByRole('row')[1]).toHaveTextContent('scim:provision');
  });
});
