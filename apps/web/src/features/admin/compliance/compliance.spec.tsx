import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type {
  ComplianceKeyDto,
  ComplianceOverview,
  CompliancePublicKeyFile,
  DepartmentNodeDto,
  RetentionRunDto,
  RetentionScopeDto,
} from '@miyu/protocol';
import { renderApp } from '../../../test/renderApp';
import { ADMIN_ID, apiError, type FakeServer, makeUser, signedInServer } from '../../../test/fakeServer';
import { readKeyFile } from './utils/keyFile';

const BASE = '/api/compliance';
const uuid = (kind: string, n: number) => `0190d0d0-0000-7000-8000-${kind}${String(n).padStart(8, '0')}`;
const KEY_A = uuid('0a0a', 1);
const KEY_B = uuid('0a0a', 2);
const SCOPE_ORG = uuid('0b0b', 1);
const SCOPE_HOLD = uuid('0b0b', 2);
const POLICY_ORG = uuid('0c0c', 1);
const DEPT_SALES = uuid('0d0d', 1);
const PERSON = uuid('0e0e', 1);
const KEY32 = 'A'.repeat(43);
const FP_OLD = '1a2b 3c4d 5e6f 7a8b 9c0d 1e2f 3a4b 5c6d';
const FP_ACTIVE = 'aaaa bbbb cccc dddd eeee ffff 0000 1111';
const FP_NEW = '0123 4567 89ab cdef 0123 4567 89ab cdef';

function key(overrides: Partial<ComplianceKeyDto>): ComplianceKeyDto {
  return {
    id: KEY_A,
    encryptionKey: KEY32,
    signingKey: KEY32,
    fingerprint: FP_ACTIVE,
    label: null,
    createdAt: '2026-10-01T08:00:00.000Z',
    createdBy: ADMIN_ID,
    retiredAt: null,
    active: true,
    escrowedSessions: 0,
    ...overrides,
  };
}

function scope(overrides: Partial<RetentionScopeDto>): RetentionScopeDto {
  return {
    id: SCOPE_ORG,
    kind: 'org',
    targetId: null,
    targetName: null,
    legalHold: false,
    startsAt: '2026-10-02T00:00:00.000Z',
    note: null,
    createdAt: '2026-10-02T00:00:00.000Z',
    createdBy: ADMIN_ID,
    endedAt: null,
    ...overrides,
  };
}

const LAST_RUN: RetentionRunDto = {
  ranAt: '2026-11-24T02:00:00.000Z',
  deletedMessages: 120,
  deletedAttachments: 7,
  conversations: 5,
  keptForHold: 33,
};

function fullOverview(): ComplianceOverview {
  return {
    settings: { organisationName: '示例集团' },
    keys: [
      key({
        id: KEY_B,
        fingerprint: FP_OLD,
        label: '2025 年密钥',
        createdAt: '2025-09-01T08:00:00.000Z',
        retiredAt: '2026-10-01T08:00:00.000Z',
        active: false,
        escrowedSessions: 42,
      }),
      key({ label: '2026 年密钥', escrowedSessions: 7 }),
    ],
    scopes: [
      scope({}),
      scope({
        id: SCOPE_HOLD,
        kind: 'user',
        targetId: PERSON,
        targetName: '李雷',
        legalHold: true,
        note: '案件 2026-17',
        endedAt: '2026-11-01T00:00:00.000Z',
      }),
    ],
    policies: [
      {
        id: POLICY_ORG,
        scope: 'org',
        departmentId: null,
        departmentName: null,
        days: 365,
        updatedAt: '2026-10-03T00:00:00.000Z',
      },
    ],
    lastRun: LAST_RUN,
  };
}

function emptyOverview(): ComplianceOverview {
  return { settings: { organisationName: '' }, keys: [], scopes: [], policies: [], lastRun: null };
}

function publicKeyFile(fingerprint = FP_NEW): CompliancePublicKeyFile {
  return {
    format: 'miyu-compliance-public-key-v1',
    encryptionKey: 'B'.repeat(43),
    signingKey: 'C'.repeat(43),
    fingerprint,
    createdAt: '2026-11-20T08:00:00.000Z',
  };
}

function complianceServer(overview: ComplianceOverview): FakeServer {
  return signedInServer().on(`GET ${BASE}/overview`, () => ({ status: 200, body: overview }));
}

function chooseKeyFile(contents: string, name = 'compliance-key.public.json') {
  const file = new File([contents], name, { type: 'application/json' });
  fireEvent.change(screen.getByLabelText('公钥文件'), { target: { files: [file] } });
  return file;
}

describe('reading the key file', () => {
  it('accepts the public key file and names what is wrong with anything else', () => {
    const good = publicKeyFile();
    expect(readKeyFile(JSON.stringify(good))).toEqual({ kind: 'ok', key: good });
    expect(readKeyFile('  ')).toEqual({ kind: 'empty' });
    expect(readKeyFile('{not json')).toEqual({ kind: 'problem', problem: 'json' });
    expect(readKeyFile(JSON.stringify({ format: 'miyu-compliance-private-key-v1', ciphertext: 'x' }))).toEqual({
      kind: 'problem',
      problem: 'private',
    });
    expect(readKeyFile(JSON.stringify({ ...good, fingerprint: 'ABCD' }))).toEqual({
      kind: 'problem',
      problem: 'format',
    });
    expect(readKeyFile(JSON.stringify({ ...good, extra: true }))).toEqual({ kind: 'problem', problem: 'format' });
    expect(readKeyFile(' '.repeat(10) + 'x'.repeat(17_000))).toEqual({ kind: 'problem', problem: 'size' });
  });
});

describe('admin → compliance', () => {
  it('shows the organisation name, keys, scopes, policies and the last run', async () => {
    renderApp({ server: complianceServer(fullOverview()), path: '/admin/compliance' });

    expect(await screen.findByRole('heading', { level: 1, name: '合规存档' })).toBeInTheDocument();
    expect(await screen.findByRole('textbox', { name: '组织名称' })).toHaveValue('示例集团');

    const keys = screen.getByRole('table', { name: '合规密钥' });
    const keyRows = within(keys).getAllByRole('row').slice(1);
    expect(keyRows).toHaveLength(2);
    // Newest first; the retired key stays listed with the sessions wrapped to it.
    expect(keyRows[0]).toHaveTextContent(FP_ACTIVE);
    expect(keyRows[0]).toHaveTextContent('2026 年密钥');
    expect(keyRows[0]).toHaveTextContent('使用中');
    expect(keyRows[0]).toHaveTextContent('7 个');
    expect(keyRows[1]).toHaveTextContent(FP_OLD);
    expect(keyRows[1]).toHaveTextContent('已停用');
    expect(keyRows[1]).toHaveTextContent('42 个');
    expect(within(keyRows[0]!).getByRole('rowheader')).toHaveClass('mono');

    const scopes = screen.getByRole('table', { name: '留存范围' });
    const scopeRows = within(scopes).getAllByRole('row').slice(1);
    expect(scopeRows[0]).toHaveTextContent('整个组织');
    expect(scopeRows[0]).toHaveTextContent('生效中');
    expect(within(scopeRows[0]!).getByRole('button', { name: '结束留存：整个组织' })).toBeInTheDocument();
    expect(scopeRows[1]).toHaveTextContent('李雷');
    expect(scopeRows[1]).toHaveTextContent('法律保全');
    expect(scopeRows[1]).toHaveTextContent('案件 2026-17');
    expect(scopeRows[1]).toHaveTextContent(/已于 .+ 结束/);
    expect(within(scopeRows[1]!).queryByRole('button')).not.toBeInTheDocument();

    const policies = screen.getByRole('table', { name: '删除策略' });
    expect(within(policies).getAllByRole('row')[1]).toHaveTextContent(/整个组织\s*365 天/);
    expect(screen.getByText('法律保全中的人员参与的会话，其消息永远不会被删除。')).toBeInTheDocument();

    const lastRun = screen.getByRole('region', { name: '最近一次运行' });
    expect(within(lastRun).getByText('删除的消息').nextSibling).toHaveTextContent('120');
    expect(within(lastRun).getByText('因法律保全保留的消息').nextSibling).toHaveTextContent('33');
  });

  it('saves the organisation name', async () => {
    const server = complianceServer(fullOverview()).on(`PUT ${BASE}/settings`, (request) => ({
      status: 200,
      body: request.body,
    }));
    renderApp({ server, path: '/admin/compliance' });
    const name = await screen.findByRole('textbox', { name: '组织名称' });
    fireEvent.change(name, { target: { value: '   ' } });
    fireEvent.click(screen.getByRole('button', { name: '保存' }));
    expect(await screen.findByText('请输入组织名称。')).toBeInTheDocument();
    expect(server.requestsTo(`PUT ${BASE}/settings`)).toHaveLength(0);

    fireEvent.change(name, { target: { value: ' 示例控股 ' } });
    fireEvent.click(screen.getByRole('button', { name: '保存' }));
    expect(await screen.findByText('组织名称已保存。')).toBeInTheDocument();
    const put = server.requestsTo(`PUT ${BASE}/settings`)[0];
    expect(put?.body).toEqual({ organisationName: '示例控股' });
    expect(put?.headers['x-csrf-token']).toBe('csrf-token-1');
  });

  it('uploads the first key from its file, and refuses the private key file before sending', async () => {
    const overview = emptyOverview();
    const server = complianceServer(overview).on(`POST ${BASE}/keys`, (request) => {
      const body = request.body as { publicKey: CompliancePublicKeyFile; label?: string };
      const created = key({ fingerprint: body.publicKey.fingerprint, label: body.label ?? null });
      overview.keys = [created];
      return { status: 201, body: created };
    });
    renderApp({ server, path: '/admin/compliance' });

    expect(await screen.findByText('还没有合规密钥：上传密钥之前无法开启留存。')).toBeInTheDocument();
    chooseKeyFile(JSON.stringify({ format: 'miyu-compliance-private-key-v1', ciphertext: 'secret' }));
    const text = screen.getByRole('textbox', { name: '或粘贴文件内容' });
    await waitFor(() => expect(text).toHaveAccessibleDescription(expect.stringContaining('这是私钥文件！')));
    fireEvent.click(screen.getByRole('button', { name: '上传密钥' }));
    expect(server.requestsTo(`POST ${BASE}/keys`)).toHaveLength(0);

    const file = publicKeyFile();
    chooseKeyFile(JSON.stringify(file, null, 2));
    await waitFor(() => expect(text).toHaveValue(JSON.stringify(file, null, 2)));
    expect(screen.getByText(FP_NEW)).toBeInTheDocument();
    fireEvent.change(screen.getByRole('textbox', { name: /^备注名/ }), { target: { value: ' 2026 年密钥 ' } });
    fireEvent.click(screen.getByRole('button', { name: '上传密钥' }));

    expect(await screen.findByText(`已上传密钥 ${FP_NEW}，现已启用。`)).toBeInTheDocument();
    expect(server.requestsTo(`POST ${BASE}/keys`)[0]?.body).toEqual({ publicKey: file, label: '2026 年密钥' });
    // The overview is read again: the new key is listed, and the warning is gone.
    const keys = await screen.findByRole('table', { name: '合规密钥' });
    expect(within(keys).getAllByRole('row')[1]).toHaveTextContent(FP_NEW);
    expect(screen.queryByText('还没有合规密钥：上传密钥之前无法开启留存。')).not.toBeInTheDocument();
    expect(text).toHaveValue('');
  });

  it('confirms a rotation, saying the old key stays listed, and shows a refusal by its code', async () => {
    const server = complianceServer(fullOverview()).on(`POST ${BASE}/keys`, (request) => {
      const body = request.body as { publicKey: CompliancePublicKeyFile };
      if (body.publicKey.fingerprint === FP_ACTIVE) return apiError(409, 'COMPLIANCE_KEY_EXISTS');
      return { status: 201, body: key({ id: uuid('0a0a', 3), fingerprint: body.publicKey.fingerprint }) };
    });
    renderApp({ server, path: '/admin/compliance' });

    const text = await screen.findByRole('textbox', { name: '或粘贴文件内容' });
    fireEvent.change(text, { target: { value: JSON.stringify(publicKeyFile(FP_ACTIVE)) } });
    fireEvent.click(screen.getByRole('button', { name: '轮换密钥' }));
    fireEvent.click(
      within(screen.getByRole('dialog', { name: '轮换合规密钥？' })).getByRole('button', { name: '轮换密钥' }),
    );
    expect(await screen.findByText('这个合规密钥已经上传过了。')).toBeInTheDocument();

    fireEvent.change(text, { target: { value: JSON.stringify(publicKeyFile(FP_NEW)) } });
    fireEvent.click(screen.getByRole('button', { name: '轮换密钥' }));
    const dialog = screen.getByRole('dialog', { name: '轮换合规密钥？' });
    expect(dialog).toHaveTextContent(FP_NEW);
    expect(dialog).toHaveTextContent(`当前密钥 ${FP_ACTIVE} 会停用，但仍保留在列表中`);
    fireEvent.click(within(dialog).getByRole('button', { name: '取消' }));
    expect(server.requestsTo(`POST ${BASE}/keys`)).toHaveLength(1);

    fireEvent.click(screen.getByRole('button', { name: '轮换密钥' }));
    fireEvent.click(
      within(screen.getByRole('dialog', { name: '轮换合规密钥？' })).getByRole('button', { name: '轮换密钥' }),
    );
    expect(
      await screen.findByText(`已轮换：密钥 ${FP_NEW} 现已启用，原密钥已停用但仍保留在列表中。`),
    ).toBeInTheDocument();
    expect(server.requestsTo(`POST ${BASE}/keys`)).toHaveLength(2);
    expect(server.requestsTo(`POST ${BASE}/keys`)[1]?.body).toEqual({ publicKey: publicKeyFile(FP_NEW) });
  });

  it('puts a person under legal hold', async () => {
    const overview = fullOverview();
    const server = complianceServer(overview)
      .on('GET /api/admin/users', (request) => ({
        status: 200,
        body: {
          items:
            request.query.get('q') === '韩'
              ? [
                  makeUser({
                    id: PERSON,
                    login: 'han.meimei',
                    displayName: '韩梅梅',
                    role: 'member',
                    employeeNo: 'E2001',
                  }),
                ]
              : [],
          total: 1,
        },
      }))
      .on(`POST ${BASE}/scopes`, (request) => {
        const body = request.body as { targetId: string; note: string; startsAt?: string };
        const created = scope({
          id: uuid('0b0b', 3),
          kind: 'user',
          targetId: body.targetId,
          targetName: '韩梅梅',
          legalHold: true,
          note: body.note,
          startsAt: body.startsAt ?? '2026-11-25T00:00:00.000Z',
        });
        overview.scopes = [...overview.scopes, created];
        return { status: 201, body: created };
      });
    renderApp({ server, path: '/admin/compliance' });

    fireEvent.click(await screen.findByRole('radio', { name: /^个人/ }));
    fireEvent.click(screen.getByRole('button', { name: '添加法律保全' }));
    expect(await screen.findByText('请选择一个人员。')).toBeInTheDocument();
    expect(server.requestsTo(`POST ${BASE}/scopes`)).toHaveLength(0);

    fireEvent.change(screen.getByRole('searchbox', { name: '人员' }), { target: { value: '韩' } });
    fireEvent.click(await screen.findByRole('button', { name: /韩梅梅/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: '立即开始' }));
    const startsAt = screen.getByLabelText('开始时间');
    fireEvent.change(startsAt, { target: { value: '2026-12-01T09:30' } });
    fireEvent.change(screen.getByRole('textbox', { name: /^说明/ }), { target: { value: ' 案件 2026-21 ' } });
    fireEvent.click(screen.getByRole('button', { name: '添加法律保全' }));

    expect(await screen.findByText('已对 韩梅梅 启用法律保全。')).toBeInTheDocument();
    expect(server.requestsTo(`POST ${BASE}/scopes`)[0]?.body).toEqual({
      kind: 'user',
      targetId: PERSON,
      startsAt: new Date('2026-12-01T09:30').toISOString(),
      note: '案件 2026-21',
    });
    const scopes = screen.getByRole('table', { name: '留存范围' });
    await waitFor(() => expect(within(scopes).getAllByRole('row')).toHaveLength(4));
    expect(within(scopes).getByRole('rowheader', { name: /韩梅梅\s*法律保全/ })).toBeInTheDocument();
  });

  it('explains that a key is needed, and shows COMPLIANCE_KEY_REQUIRED translated', async () => {
    const server = complianceServer(emptyOverview()).on(
      `POST ${BASE}/scopes`,
      apiError(409, 'COMPLIANCE_KEY_REQUIRED'),
    );
    renderApp({ server, path: '/admin/compliance' });

    expect(await screen.findByText(/需要先上传合规密钥/)).toBeInTheDocument();
    expect(screen.getByText('还没有留存范围。')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: '添加留存' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      '请先上传合规密钥：留存会话的消息密钥要托管到这个密钥。',
    );
    expect(server.requestsTo(`POST ${BASE}/scopes`)[0]?.body).toEqual({ kind: 'org' });
  });

  it('ends a scope after confirmation', async () => {
    const overview = fullOverview();
    const server = complianceServer(overview).on(`DELETE ${BASE}/scopes/${SCOPE_ORG}`, () => {
      const ended = { ...overview.scopes[0]!, endedAt: '2026-11-25T00:00:00.000Z' };
      overview.scopes = [ended, overview.scopes[1]!];
      return { status: 200, body: ended };
    });
    renderApp({ server, path: '/admin/compliance' });

    fireEvent.click(await screen.findByRole('button', { name: '结束留存：整个组织' }));
    const dialog = screen.getByRole('dialog', { name: '结束这项留存？' });
    expect(dialog).toHaveTextContent('仅因“整个组织”而留存的会话不再留存新消息');
    fireEvent.click(within(dialog).getByRole('button', { name: '结束' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: '结束留存：整个组织' })).not.toBeInTheDocument());
    expect(server.requestsTo(`DELETE ${BASE}/scopes/${SCOPE_ORG}`)).toHaveLength(1);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('sets a department policy, removes one, and runs the deletion job', async () => {
    const overview = fullOverview();
    const sales: DepartmentNodeDto = {
      id: DEPT_SALES,
      parentId: null,
      name: '销售部',
      nameEn: null,
      code: null,
      sortOrder: 0,
      depth: 0,
      headUserId: null,
      hidden: false,
      memberCount: 4,
      recursiveMemberCount: 4,
      hasChildren: false,
    };
    const run: RetentionRunDto = { ...LAST_RUN, ranAt: '2026-11-25T03:00:00.000Z', deletedMessages: 9, keptForHold: 2 };
    const server = complianceServer(overview)
      .on('GET /api/directory/departments', { status: 200, body: [sales] })
      .on(`PUT ${BASE}/policies`, (request) => {
        const body = request.body as { days: number; departmentId: string };
        const policy = {
          id: uuid('0c0c', 2),
          scope: 'department' as const,
          departmentId: body.departmentId,
          departmentName: '销售部',
          days: body.days,
          updatedAt: '2026-11-25T00:00:00.000Z',
        };
        overview.policies = [...overview.policies, policy];
        return { status: 200, body: policy };
      })
      .on(`DELETE ${BASE}/policies/${POLICY_ORG}`, () => {
        overview.policies = overview.policies.filter((p) => p.id !== POLICY_ORG);
        return { status: 204 };
      })
      .on(`POST ${BASE}/retention/run`, () => {
        overview.lastRun = run;
        return { status: 200, body: run };
      });
    renderApp({ server, path: '/admin/compliance' });

    fireEvent.click(await screen.findByRole('radio', { name: '部门' }));
    fireEvent.change(screen.getByRole('spinbutton', { name: '保存天数' }), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: '保存策略' }));
    expect(await screen.findByText('请输入 1 到 36500 之间的整数。')).toBeInTheDocument();
    expect(screen.getAllByText('请选择一个部门。')).toHaveLength(1);

    const policyForm = screen.getByRole('form', { name: '设置删除策略' });
    fireEvent.click(within(policyForm).getByRole('button', { name: '选择部门' }));
    const picker = screen.getByRole('dialog', { name: '部门' });
    fireEvent.click(await within(picker).findByRole('button', { name: /销售部/ }));
    fireEvent.click(within(picker).getByRole('button', { name: '选择' }));
    expect(within(policyForm).getByText('销售部')).toBeInTheDocument();
    fireEvent.change(screen.getByRole('spinbutton', { name: '保存天数' }), { target: { value: '180' } });
    fireEvent.click(screen.getByRole('button', { name: '保存策略' }));
    expect(await screen.findByText('“销售部”的消息将保存 180 天。')).toBeInTheDocument();
    expect(server.requestsTo(`PUT ${BASE}/policies`)[0]?.body).toEqual({
      scope: 'department',
      departmentId: DEPT_SALES,
      days: 180,
    });
    const policies = screen.getByRole('table', { name: '删除策略' });
    await waitFor(() => expect(within(policies).getAllByRole('row')).toHaveLength(3));

    fireEvent.click(screen.getByRole('button', { name: '移除删除策略：整个组织' }));
    fireEvent.click(
      within(screen.getByRole('dialog', { name: '移除这条删除策略？' })).getByRole('button', { name: '移除' }),
    );
    await waitFor(() => expect(within(policies).getAllByRole('row')).toHaveLength(2));
    expect(within(policies).getAllByRole('row')[1]).toHaveTextContent('销售部');

    fireEvent.click(screen.getByRole('button', { name: '立即运行' }));
    const confirm = screen.getByRole('dialog', { name: '立即运行删除任务？' });
    expect(confirm).toHaveTextContent('法律保全中的会话不受影响');
    fireEvent.click(within(confirm).getByRole('button', { name: '立即运行' }));
    expect(await screen.findByText('删除任务已运行完毕。')).toBeInTheDocument();
    const lastRun = screen.getByRole('region', { name: '最近一次运行' });
    expect(within(lastRun).getByText('删除的消息').nextSibling).toHaveTextContent('9');
    expect(within(lastRun).getByText('因法律保全保留的消息').nextSibling).toHaveTextContent('2');
    expect(server.requestsTo(`POST ${BASE}/retention/run`)).toHaveLength(1);
  });

  it('is for admins only', async () => {
    const server = signedInServer({ role: 'auditor' })
      .on(`GET ${BASE}/overview`, apiError(403, 'FORBIDDEN'))
      .on('GET /api/audit/entries', { status: 200, body: { items: [], total: 0 } });
    renderApp({ server, path: '/admin/compliance' });
    expect(await screen.findByText('你没有执行此操作的权限。')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: '合规存档' })).not.toBeInTheDocument();
    expect(server.requestsTo(`GET ${BASE}/overview`)).toHaveLength(0);
  });
});
