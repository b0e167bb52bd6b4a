import { webcrypto } from 'node:crypto';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router';
import {
  AUDIT_CHECKPOINT_CONTEXT,
  type AuditEntry,
  type AuditEntryDto,
  type SignedAuditCheckpoint,
  type UserDto,
} from '@miyu/protocol';
import {
  canonicalJson,
  ed25519GenerateKeyPair,
  ed25519Sign,
  MemoryMerkleTree,
  merkleLeafHash,
  ready,
  toBase64Url,
  toHex,
  utf8Encode,
} from '@miyu/crypto';
import { App } from '../../../app/App';
import { createAppApiClient, createQueryClient } from '../../../app/createAppContext';
import { createI18n } from '../../../i18n';
import { FakeSocket } from '../../../test/fakeSocket';
import { ADMIN_ID, type FakeServer, makeUser, signedInServer } from '../../../test/fakeServer';
import { renderApp } from '../../../test/renderApp';
import { EXPORT_COUNT_HEADER } from './api/auditExport';

const uuid = (n: number) => `0190d0d0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const PERSON_ID = uuid(1);
const DEPARTMENT_ID = uuid(2);
const ZERO = '0'.repeat(64);

function makeEntry(seq: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    v: 1,
    seq,
    time: '2026-11-20T08:00:00.000Z',
    actor: { userId: PERSON_ID, name: '李雷', deviceId: null, ip: '10.0.0.7', userAgent: 'Chromium' },
    action: 'auth.sign_in',
    entity: { type: 'user', id: PERSON_ID, name: '李雷' },
    context: null,
    result: { ok: true, reason: null },
    prev: seq === 1 ? ZERO : 'ab'.repeat(32),
    ...overrides,
  };
}

function dto(entry: AuditEntry, departmentId: string | null = DEPARTMENT_ID): AuditEntryDto {
  return { entry, departmentId, leafHash: 'cd'.repeat(32) };
}

// A failed sign-in is made by nobody known: the account tried is its object.
const FAILED_SIGN_IN = dto(
  makeEntry(3, {
    actor: { userId: null, name: null, deviceId: null, ip: '10.0.0.9', userAgent: 'curl' },
    entity: { type: 'user', id: PERSON_ID, name: 'lilei' },
    result: { ok: false, reason: 'AUTH_INVALID_CREDENTIALS' },
    context: { cause: 'bad_credentials' },
  }),
  null,
);
const ROLE_CHANGE = dto(
  makeEntry(2, {
    action: 'user.role_changed',
    actor: { userId: ADMIN_ID, name: '王小明', deviceId: null, ip: '10.0.0.1', userAgent: null },
    context: {
      before: { role: 'member', status: 'active' },
      after: { role: 'admin', status: 'active' },
      via: 'console',
    },
  }),
);
const SIGN_IN = dto(makeEntry(1));

const CHECKPOINT: SignedAuditCheckpoint = {
  checkpoint: { v: 1, size: 3, root: 'ef'.repeat(32), time: '2026-11-20T08:01:00.000Z' },
  signature: 'c2ln',
  // 32 zero bytes: SHA-256 66687aad…925
  publicKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
};

/** An audit log that filters by result and actor, a page at a time. */
function auditServer(items: AuditEntryDto[] = [FAILED_SIGN_IN, ROLE_CHANGE, SIGN_IN], role: UserDto['role'] = 'admin') {
  return signedInServer({ role })
    .on('GET /api/audit/entries', (request) => {
      const result = request.query.get('result');
      const actorId = request.query.get('actorId');
      const hits = items.filter(
        (item) =>
          (!result || item.entry.result.ok === (result === 'success')) &&
          (!actorId || item.entry.actor.userId === actorId),
      );
      const sorted = request.query.get('sort') === 'oldest' ? [...hits].reverse() : hits;
      const offset = Number(request.query.get('offset'));
      const limit = Number(request.query.get('limit'));
      return { status: 200, body: { items: sorted.slice(offset, offset + limit), total: hits.length } };
    })
    .on('GET /api/audit/checkpoint', { status: 200, body: CHECKPOINT })
    .on(`GET /api/directory/departments/${DEPARTMENT_ID}`, {
      status: 200,
      body: {
        department: {
          id: DEPARTMENT_ID,
          parentId: null,
          name: '研发部',
          nameEn: null,
          code: null,
          sortOrder: 0,
          depth: 0,
          headUserId: null,
          hidden: false,
        },
        breadcrumbs: [],
        head: null,
        children: [],
        memberCount: 1,
        recursiveMemberCount: 1,
        group: null,
      },
    });
}

function LocationProbe() {
  const location = useLocation();
  return (
    <output data-testid="location">
      {location.pathname}
      {location.search}
    </output>
  );
}

/** renderApp, plus the current URL in `data-testid="location"` (the filters live in the query string). */
function renderWithLocation(server: FakeServer, path: string) {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({
    queries: { ...queryClient.getDefaultOptions().queries, retry: false },
    mutations: { retry: false },
  });
  const services = {
    api: createAppApiClient(queryClient, server.fetch),
    openSocket: () => new FakeSocket().asSocket(),
  };
  return render(
    <App
      queryClient={queryClient}
      i18n={createI18n('zh-CN')}
      services={services}
      router={(routes) => (
        <MemoryRouter initialEntries={[path]}>
          {routes}
          <LocationProbe />
        </MemoryRouter>
      )}
    />,
  );
}

const currentQuery = () => new URLSearchParams(screen.getByTestId('location').textContent?.split('?')[1] ?? '');
const lastListRequest = (server: FakeServer) => server.requestsTo('GET /api/audit/entries').at(-1);

describe('admin → audit log: search', () => {
  it('lists entries: time, person and address, translated action, object and result', async () => {
    const server = auditServer();
    renderApp({ server, path: '/admin/audit' });
    expect(await screen.findByRole('heading', { name: '审计日志', level: 1 })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: '审计记录' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('未登录者');
    expect(rows[0]).toHaveTextContent('10.0.0.9');
    expect(rows[0]).toHaveTextContent('登录');
    expect(rows[0]).toHaveTextContent('lilei');
    expect(rows[0]).toHaveTextContent('失败 · AUTH_INVALID_CREDENTIALS');
    expect(rows[1]).toHaveTextContent('更改角色');
    expect(rows[1]).toHaveTextContent('账号');
    expect(rows[2]).toHaveTextContent('成功');
    expect(screen.getByText('共 3 条记录')).toBeInTheDocument();
    expect(lastListRequest(server)?.query.get('sort')).toBe('newest');
    expect(lastListRequest(server)?.query.get('limit')).toBe('50');
  });

  it('puts every filter in the URL and in the request, and clears them', async () => {
    const server = auditServer().on('GET /api/admin/users', (request) => ({
      status: 200,
      body: {
        items:
          request.query.get('q') === '李' ? [makeUser({ id: PERSON_ID, displayName: '李雷', login: 'lilei' })] : [],
        total: 1,
      },
    }));
    renderWithLocation(server, '/admin/audit');
    await screen.findByRole('table', { name: '审计记录' });

    fireEvent.change(screen.getByRole('combobox', { name: '结果' }), { target: { value: 'failure' } });
    await waitFor(() => expect(lastListRequest(server)?.query.get('result')).toBe('failure'));
    expect(currentQuery().get('result')).toBe('failure');
    expect(await screen.findByText('共 1 条记录')).toBeInTheDocument();

    const action = screen.getByRole('combobox', { name: '操作' });
    expect(within(action).getByRole('group', { name: '登录与安全' })).toBeInTheDocument();
    fireEvent.change(action, { target: { value: 'auth.sign_in' } });
    fireEvent.change(screen.getByLabelText('开始日期'), { target: { value: '2026-11-01' } });
    fireEvent.change(screen.getByLabelText('结束日期'), { target: { value: '2026-11-20' } });
    await waitFor(() => expect(lastListRequest(server)?.query.get('to')).toBe(new Date(2026, 10, 21).toISOString()));
    expect(lastListRequest(server)?.query.get('from')).toBe(new Date(2026, 10, 1).toISOString());
    expect(lastListRequest(server)?.query.get('action')).toBe('auth.sign_in');
    expect(currentQuery().get('from')).toBe('2026-11-01');
    expect(currentQuery().get('to')).toBe('2026-11-20');

    // The person picker searches accounts (admins may) and shows the choice as a chip.
    fireEvent.change(screen.getByRole('searchbox', { name: '操作人' }), { target: { value: '李' } });
    const found = await screen.findByRole('list', { name: '搜索到的人员' });
    fireEvent.click(within(found).getByRole('button', { name: /李雷/ }));
    expect(await screen.findByRole('button', { name: '移除操作人筛选：李雷' })).toBeInTheDocument();
    await waitFor(() => expect(lastListRequest(server)?.query.get('actorId')).toBe(PERSON_ID));
    expect(currentQuery().get('actor')).toBe(PERSON_ID);
    expect(currentQuery().get('actorName')).toBe('李雷');

    // Any other object is filtered by its id, applied when the field is left.
    fireEvent.change(screen.getByRole('combobox', { name: '对象类型' }), { target: { value: 'conversation' } });
    const entityId = screen.getByRole('textbox', { name: /对象 ID/ });
    fireEvent.change(entityId, { target: { value: ' c-42 ' } });
    await waitFor(() => expect(lastListRequest(server)?.query.get('entityType')).toBe('conversation'));
    expect(lastListRequest(server)?.query.get('entityId')).toBeNull();
    fireEvent.blur(entityId);
    await waitFor(() => expect(lastListRequest(server)?.query.get('entityId')).toBe('c-42'));
    expect(currentQuery().get('entityId')).toBe('c-42');

    // An account (the object of a sign-in, a role change, …) is picked like a person; the type change drops the id.
    fireEvent.change(screen.getByRole('combobox', { name: '对象类型' }), { target: { value: 'user' } });
    fireEvent.change(screen.getByRole('searchbox', { name: '账号' }), { target: { value: '李' } });
    fireEvent.click(
      within(await screen.findByRole('list', { name: '搜索到的人员' })).getByRole('button', { name: /李雷/ }),
    );
    expect(await screen.findByRole('button', { name: '移除账号筛选：李雷' })).toBeInTheDocument();
    await waitFor(() => expect(lastListRequest(server)?.query.get('entityId')).toBe(PERSON_ID));
    expect(lastListRequest(server)?.query.get('entityType')).toBe('user');
    expect(currentQuery().get('entityName')).toBe('李雷');

    fireEvent.change(screen.getByRole('combobox', { name: '排序' }), { target: { value: 'oldest' } });
    await waitFor(() => expect(lastListRequest(server)?.query.get('sort')).toBe('oldest'));
    expect(currentQuery().get('sort')).toBe('oldest');

    fireEvent.click(screen.getByRole('button', { name: '清除筛选' }));
    await waitFor(() => expect(currentQuery().toString()).toBe(''));
    // The unfiltered first page is still cached from the start.
    expect(await screen.findByText('共 3 条记录')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: /对象 ID/ })).toHaveValue('');
    expect(screen.getByRole('searchbox', { name: '操作人' })).toHaveValue('');
    expect(screen.queryByRole('searchbox', { name: '账号' })).not.toBeInTheDocument();
  });

  it('reads a shared link: filters, the person chip, the department chip and the page', async () => {
    const items = Array.from({ length: 60 }, (_, i) => dto(makeEntry(60 - i, { result: { ok: false, reason: 'X' } })));
    const server = auditServer(items);
    renderWithLocation(
      server,
      `/admin/audit?actor=${PERSON_ID}&actorName=%E6%9D%8E%E9%9B%B7&result=failure&department=${DEPARTMENT_ID}&page=2&action=nonsense`,
    );
    await screen.findByRole('table', { name: '审计记录' });
    const request = lastListRequest(server)?.query;
    expect(request?.get('actorId')).toBe(PERSON_ID);
    expect(request?.get('departmentId')).toBe(DEPARTMENT_ID);
    expect(request?.get('result')).toBe('failure');
    expect(request?.get('offset')).toBe('50');
    // Anything malformed in a link is dropped, not sent.
    expect(request?.get('action')).toBeNull();
    expect(screen.getByRole('button', { name: '移除操作人筛选：李雷' })).toBeInTheDocument();
    expect(await screen.findByText('部门：研发部')).toBeInTheDocument();
    expect(screen.getByText('第 51–60 位，共 60 位')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: '上一页' }));
    await waitFor(() => expect(lastListRequest(server)?.query.get('offset')).toBe('0'));
    expect(currentQuery().get('page')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: '移除部门筛选：研发部' }));
    await waitFor(() => expect(lastListRequest(server)?.query.get('departmentId')).toBeNull());
    expect(currentQuery().get('department')).toBeNull();
  });
});

describe('admin → audit log: entry detail', () => {
  it('shows every field and the context as a before/after diff with the changed keys marked', async () => {
    const server = auditServer().on('GET /api/audit/entries/2', { status: 200, body: ROLE_CHANGE });
    renderWithLocation(server, '/admin/audit');
    fireEvent.click(await screen.findByRole('button', { name: '第 2 条记录的详情' }));
    const dialog = screen.getByRole('dialog', { name: '审计记录 #2' });
    expect(currentQuery().get('entry')).toBe('2');
    expect(dialog).toHaveTextContent('更改角色');
    expect(dialog).toHaveTextContent('user.role_changed');
    expect(dialog).toHaveTextContent('10.0.0.1');
    expect(dialog).toHaveTextContent(DEPARTMENT_ID);
    expect(dialog).toHaveTextContent('cd'.repeat(32));
    expect(dialog).toHaveTextContent('ab'.repeat(32));

    const diff = within(dialog).getByRole('table', { name: '修改前后（1 处变化）' });
    const role = within(diff).getByRole('row', { name: /^role/ });
    expect(role).toHaveClass('is-changed');
    expect(role).toHaveTextContent('已变化');
    expect(
      within(role)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['member', 'admin']);
    const status = within(diff).getByRole('row', { name: /^status/ });
    expect(status).not.toHaveClass('is-changed');
    expect(status).not.toHaveTextContent('已变化');
    // Keys beside before/after are listed as they are.
    expect(within(dialog).getByText('via')).toBeInTheDocument();
    expect(within(dialog).getByText('console')).toBeInTheDocument();

    // "Only this person" filters by the entry's actor and closes the detail.
    fireEvent.click(within(dialog).getByRole('button', { name: '只看此人' }));
    await waitFor(() => expect(lastListRequest(server)?.query.get('actorId')).toBe(ADMIN_ID));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(currentQuery().get('actorName')).toBe('王小明');
    expect(currentQuery().get('entry')).toBeNull();
  });

  it('lists a context without before/after as keys and values, and marks the first entry', async () => {
    const first = dto(makeEntry(1, { context: { login: 'lilei', attempts: 3 } }));
    const server = auditServer([first]).on('GET /api/audit/entries/1', { status: 200, body: first });
    renderApp({ server, path: '/admin/audit?entry=1' });
    const dialog = await screen.findByRole('dialog', { name: '审计记录 #1' });
    await waitFor(() => expect(within(dialog).getByText('lilei')).toBeInTheDocument());
    expect(within(dialog).queryByRole('table')).not.toBeInTheDocument();
    expect(within(dialog).getByText('attempts')).toBeInTheDocument();
    expect(within(dialog).getByText('日志的第一条记录')).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: '关闭' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows a single changed value (a role) as one before/after row', async () => {
    const change = dto(makeEntry(4, { action: 'user.role_changed', context: { before: 'member', after: 'auditor' } }));
    const server = auditServer([change]).on('GET /api/audit/entries/4', { status: 200, body: change });
    renderApp({ server, path: '/admin/audit?entry=4' });
    const dialog = await screen.findByRole('dialog', { name: '审计记录 #4' });
    const diff = await within(dialog).findByRole('table', { name: '修改前后（1 处变化）' });
    const value = within(diff).getByRole('row', { name: /^值/ });
    expect(
      within(value)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['member', 'auditor']);
  });

  it('verifies the inclusion of an entry in this browser, and says when the entry does not match', async () => {
    await ready();
    const entries = [makeEntry(1), ROLE_CHANGE.entry, FAILED_SIGN_IN.entry];
    const leaves = entries.map((entry) => merkleLeafHash(utf8Encode(canonicalJson(entry))));
    const tree = MemoryMerkleTree.fromLeafHashes(leaves);
    const keys = ed25519GenerateKeyPair();
    const body = { v: 1 as const, size: 3, root: toHex(tree.root()), time: '2026-11-20T08:01:00.000Z' };
    const signed: SignedAuditCheckpoint = {
      checkpoint: body,
      signature: toBase64Url(ed25519Sign(keys.secretKey, utf8Encode(AUDIT_CHECKPOINT_CONTEXT + canonicalJson(body)))),
      publicKey: toBase64Url(keys.publicKey),
    };
    const item = { entry: ROLE_CHANGE.entry, departmentId: null, leafHash: toHex(leaves[1]!) };
    const tampered = { ...item, entry: { ...item.entry, result: { ok: false, reason: 'EDITED' } } };
    let served: AuditEntryDto = item;
    const server = auditServer()
      .on('GET /api/audit/checkpoint', { status: 200, body: signed })
      .on('GET /api/audit/entries/2', () => ({ status: 200, body: served }))
      .on('GET /api/audit/proofs/inclusion', (request) => ({
        status: 200,
        body: {
          seq: 2,
          treeSize: Number(request.query.get('size')),
          leafHash: toHex(leaves[1]!),
          proof: tree.inclusionProof(1, Number(request.query.get('size'))).map(toHex),
        },
      }));
    const view = renderApp({ server, path: '/admin/audit?entry=2' });
    let dialog = await screen.findByRole('dialog', { name: '审计记录 #2' });
    fireEvent.click(await within(dialog).findByRole('button', { name: '验证收录' }));
    expect(
      await within(dialog).findByText('已在本浏览器中验证：第 2 条记录收录在 3 条记录的签名树中，内容与哈希一致。'),
    ).toBeInTheDocument();
    expect(within(dialog).getByText('证明：2 个哈希，树大小 3 条')).toBeInTheDocument();
    expect(server.requestsTo('GET /api/audit/proofs/inclusion')[0]?.query.get('size')).toBe('3');
    view.unmount();

    served = tampered;
    renderApp({ server, path: '/admin/audit?entry=2' });
    dialog = await screen.findByRole('dialog', { name: '审计记录 #2' });
    await waitFor(() => expect(dialog).toHaveTextContent('EDITED'));
    fireEvent.click(within(dialog).getByRole('button', { name: '验证收录' }));
    expect(await within(dialog).findByText('记录内容与叶子哈希不符；')).toBeInTheDocument();
    expect(within(dialog).queryByText('检查点的签名与其公钥不符；')).not.toBeInTheDocument();
  });
});

describe('admin → audit log: checkpoint', () => {
  const original = Object.getOwnPropertyDescriptor(globalThis.crypto, 'subtle');
  beforeAll(() => {
    Object.defineProperty(globalThis.crypto, 'subtle', { value: webcrypto.subtle, configurable: true });
  });
  afterAll(() => {
    if (original) Object.defineProperty(globalThis.crypto, 'subtle', original);
    else Reflect.deleteProperty(globalThis.crypto, 'subtle');
  });

  it('shows the tree size, the shortened root, the time, the key fingerprint and the verify command', async () => {
    renderApp({ server: auditServer(), path: '/admin/audit' });
    const card = await screen.findByRole('region', { name: '签名检查点' });
    await waitFor(() => expect(card).toHaveTextContent('3 条记录'));
    expect(within(card).getByText('efefefefefef…efefefef')).toHaveAttribute('title', 'ef'.repeat(32));
    expect(within(card).getByRole('button', { name: '复制根哈希' })).toBeInTheDocument();
    await waitFor(() => expect(card).toHaveTextContent('6668 7aad f862 bd77 6c8f c18b 8e9f 8e20'));
    expect(card).toHaveTextContent('npm run audit:verify -- <file>');
  });
});

describe('admin → audit log: auditors', () => {
  it('see the audit log and no other admin section, and search people in the directory', async () => {
    const server = auditServer(undefined, 'auditor').on('GET /api/directory/search', {
      status: 200,
      body: {
        items: [
          {
            id: PERSON_ID,
            displayName: '李雷',
            employeeNo: 'E100',
            title: null,
            match: 'prefix',
            primaryDepartment: { id: DEPARTMENT_ID, name: '研发部' },
          },
        ],
        hasMore: false,
      },
    });
    renderWithLocation(server, '/admin');
    expect(await screen.findByRole('heading', { name: '审计日志', level: 1 })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/admin/audit');
    expect(screen.getByRole('navigation', { name: '主导航' })).toContainElement(
      screen.getByRole('link', { name: '管理后台' }),
    );
    const subnav = screen.getByRole('navigation', { name: '管理后台导航' });
    expect(
      within(subnav)
        .getAllByRole('link')
        .map((link) => link.textContent),
    ).toEqual(['审计日志']);

    fireEvent.change(screen.getByRole('searchbox', { name: '操作人' }), { target: { value: '李' } });
    const found = await screen.findByRole('list', { name: '搜索到的人员' });
    expect(found).toHaveTextContent('E100 · 研发部');
    expect(server.requestsTo('GET /api/admin/users')).toHaveLength(0);
  });

  it('get a "not allowed" page for the other admin sections', async () => {
    const server = auditServer(undefined, 'auditor');
    renderApp({ server, path: '/admin/users' });
    expect(await screen.findByText('你没有执行此操作的权限。')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: '用户管理' })).toBeInTheDocument();
    const subnav = screen.getByRole('navigation', { name: '管理后台导航' });
    expect(
      within(subnav)
        .getAllByRole('link')
        .map((link) => link.textContent),
    ).toEqual(['审计日志']);
    expect(server.requestsTo('GET /api/admin/users')).toHaveLength(0);
  });
});

/** A response whose body the test feeds chunk by chunk; reads fail with AbortError once the request is aborted. */
class StreamedResponse {
  private readonly queue: Array<Uint8Array | null> = [];
  private waiting: {
    resolve: (r: { done: boolean; value?: Uint8Array }) => void;
    reject: (e: unknown) => void;
  } | null = null;
  private aborted = false;

  constructor(
    readonly headers: Record<string, string>,
    signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => {
      this.aborted = true;
      this.waiting?.reject(new DOMException('aborted', 'AbortError'));
      this.waiting = null;
    });
  }

  push(chunk: string | Uint8Array | null): void {
    const value = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    if (this.waiting) {
      this.waiting.resolve(value === null ? { done: true } : { done: false, value });
      this.waiting = null;
    } else this.queue.push(value);
  }

  asResponse(): Response {
    const headers = new Map(Object.entries(this.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const reader = {
      read: () =>
        new Promise<{ done: boolean; value?: Uint8Array }>((resolve, reject) => {
          if (this.aborted) return reject(new DOMException('aborted', 'AbortError'));
          if (this.queue.length > 0) {
            const value = this.queue.shift() ?? null;
            return resolve(value === null ? { done: true } : { done: false, value });
          }
          this.waiting = { resolve, reject };
        }),
    };
    return {
      ok: true,
      status: 200,
      headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
      body: { getReader: () => reader },
      text: async () => '',
    } as unknown as Response;
  }
}

describe('admin → audit log: export', () => {
  const originalFetch = globalThis.fetch;
  const { createObjectURL, revokeObjectURL } = URL;
  let saved: Array<{ blob: Blob; name: string }>;
  let clickSpy: jest.SpyInstance;

  beforeEach(() => {
    saved = [];
    let lastBlob: Blob | null = null;
    URL.createObjectURL = jest.fn((blob: Blob) => {
      lastBlob = blob;
      return 'blob:audit-export';
    });
    URL.revokeObjectURL = jest.fn();
    clickSpy = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      if (lastBlob) saved.push({ blob: lastBlob, name: this.download });
    });
  });

  afterEach(() => {
    globalThis.fetch = originalFetch;
    URL.createObjectURL = createObjectURL;
    URL.revokeObjectURL = revokeObjectURL;
    clickSpy.mockRestore();
  });

  /** Sends the export through `stream`, recording the request. */
  function serveExport(headers: Record<string, string>) {
    const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
    let stream: StreamedResponse | null = null;
    globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), init });
      stream = new StreamedResponse(headers, init?.signal ?? new AbortController().signal);
      return stream.asResponse();
    }) as typeof fetch;
    return { calls, stream: () => stream! };
  }

  it('streams a JSONL export for the current filter with "N of M entries", then saves it', async () => {
    const exported = serveExport({
      [EXPORT_COUNT_HEADER]: '3',
      'Content-Type': 'application/x-ndjson',
      'Content-Disposition': 'attachment; filename="miyu-audit-20261120.jsonl"',
    });
    renderApp({
      server: auditServer(),
      path: `/admin/audit?result=failure&entityType=user&entityId=${PERSON_ID}&entityName=lilei`,
    });
    expect(await screen.findByText('共 1 条记录符合筛选条件。导出操作本身也会记入审计日志。')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: '导出 JSONL' }));

    const bar = await screen.findByRole('progressbar', { name: '正在导出 JSONL' });
    expect(exported.calls).toHaveLength(1);
    const url = new URL(exported.calls[0]!.url, 'http://localhost');
    expect(url.pathname).toBe('/api/audit/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      format: 'jsonl',
      result: 'failure',
      entityType: 'user',
      entityId: PERSON_ID,
    });
    expect(exported.calls[0]!.init?.credentials).toBe('same-origin');
    expect(await screen.findByText('0 / 3 条记录')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '导出 CSV（zip）' })).toBeDisabled();

    await act(async () => exported.stream().push('{"type":"header","v":1}\n{"seq":1}\n{"se'));
    expect(await screen.findByText('1 / 3 条记录')).toBeInTheDocument();
    expect(bar).toHaveAttribute('value', '1');
    expect(bar).toHaveAttribute('max', '3');
    await act(async () => exported.stream().push('q":2}\n{"seq":3}\n{"type":"end"}\n'));
    expect(await screen.findByText('3 / 3 条记录')).toBeInTheDocument();
    await act(async () => exported.stream().push(null));

    expect(await screen.findByText('已保存 miyu-audit-20261120.jsonl（3 条记录）。')).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(saved).toHaveLength(1);
    expect(saved[0]!.name).toBe('miyu-audit-20261120.jsonl');
    expect(saved[0]!.blob.size).toBe(
      '{"type":"header","v":1}\n{"seq":1}\n{"seq":2}\n{"seq":3}\n{"type":"end"}\n'.length,
    );
  });

  it('counts a CSV zip in megabytes and cancels it', async () => {
    const exported = serveExport({ [EXPORT_COUNT_HEADER]: '12000', 'Content-Type': 'application/zip' });
    renderApp({ server: auditServer(), path: '/admin/audit' });
    fireEvent.click(await screen.findByRole('button', { name: '导出 CSV（zip）' }));
    expect(await screen.findByRole('progressbar', { name: '正在导出 CSV（zip）' })).not.toHaveAttribute('value');
    await act(async () => exported.stream().push(new Uint8Array(1.5 * 1024 * 1024)));
    expect(await screen.findByText('已接收 1.5 MB · 共 12000 条记录')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: '取消' }));
    expect(await screen.findByText('已取消导出。')).toBeInTheDocument();
    expect(exported.calls[0]!.init?.signal?.aborted).toBe(true);
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(saved).toHaveLength(0);
    expect(screen.getByRole('button', { name: '导出 CSV（zip）' })).toBeEnabled();
  });

  it('explains a refused export', async () => {
    globalThis.fetch = jest.fn(
      async () =>
        ({
          ok: false,
          status: 403,
          headers: { get: () => null },
          text: async () => JSON.stringify({ error: { code: 'FORBIDDEN', message: 'no' } }),
        }) as unknown as Response,
    ) as typeof fetch;
    renderApp({ server: auditServer(), path: '/admin/audit' });
    fireEvent.click(await screen.findByRole('button', { name: '导出 JSONL' }));
    expect(await screen.findByText('你没有执行此操作的权限。')).toBeInTheDocument();
  });
});
