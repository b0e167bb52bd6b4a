import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type {
  FilterHitDto,
  FilterHitStats,
  FilterImportPreview,
  FilterRuleDto,
  FilterTestResult,
  WordPolicyStatus,
} from '@miyu/protocol';
import { BUILT_IN_PATTERNS } from '@miyu/word-filter';
import { renderApp } from '../../../test/renderApp';
import { apiError, type FakeServer, signedInServer } from '../../../test/fakeServer';

const BASE = '/api/admin/word-policy';
const ruleId = (n: number) => `0190b0b0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const DEPARTMENT_ID = '0190c0c0-0000-7000-8000-000000000001';

function makeStatus(overrides: Partial<WordPolicyStatus> = {}): WordPolicyStatus {
  return {
    version: 7,
    publishedAt: '2026-11-20T08:00:00.000Z',
    ruleCount: 2,
    whitelistCount: 1,
    options: { foldTraditional: true, skipSeparators: false },
    keyFingerprint: '0123456789abcdef'.repeat(4),
    ...overrides,
  };
}

function makeRules(): FilterRuleDto[] {
  return [
    {
      id: ruleId(1),
      type: 'word',
      pattern: '赌博',
      validator: 'none',
      category: '违法',
      action: 'block',
      updatedAt: '2026-11-20T08:00:00.000Z',
    },
    {
      id: ruleId(2),
      type: 'pattern',
      pattern: BUILT_IN_PATTERNS[2]!.pattern,
      validator: 'luhn',
      category: '个人信息',
      action: 'mask',
      updatedAt: '2026-11-20T08:00:00.000Z',
    },
  ];
}

/** A server with a published policy and its rules, searchable by `q`, `category` and `action`. */
function policyServer(rules = makeRules(), status = makeStatus()): FakeServer {
  return signedInServer()
    .on(`GET ${BASE}`, () => ({ status: 200, body: status }))
    .on(`GET ${BASE}/rules`, (request) => {
      const q = request.query.get('q') ?? '';
      const category = request.query.get('category');
      const action = request.query.get('action');
      const limit = Number(request.query.get('limit'));
      const offset = Number(request.query.get('offset'));
      const hits = rules.filter(
        (r) => r.pattern.includes(q) && (!category || r.category === category) && (!action || r.action === action),
      );
      const counts = new Map<string, number>();
      for (const r of rules) counts.set(r.category, (counts.get(r.category) ?? 0) + 1);
      return {
        status: 200,
        body: {
          items: hits.slice(offset, offset + limit),
          total: hits.length,
          categories: [...counts].map(([c, count]) => ({ category: c, count })),
        },
      };
    });
}

describe('admin → sensitive words: rules', () => {
  it('shows the published version and the rules, and filters them', async () => {
    const server = policyServer();
    renderApp({ server, path: '/admin/policy' });

    expect(await screen.findByRole('heading', { name: '敏感词策略' })).toBeInTheDocument();
    const status = await screen.findByRole('region', { name: '当前策略' });
    expect(status).toHaveTextContent('版本 7');
    expect(status).toHaveTextContent('2 条规则');
    expect(status).toHaveTextContent('0123 4567 89ab cdef 0123');
    expect(screen.getByRole('tab', { name: '词库与规则' })).toHaveAttribute('aria-selected', 'true');

    const table = await screen.findByRole('table', { name: '敏感词规则' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('赌博');
    expect(rows[0]).toHaveTextContent('拦截');
    expect(rows[1]).toHaveTextContent('Luhn 校验（银行卡号）');
    expect(rows[1]).toHaveTextContent('替换');
    // Every action is explained in one line.
    expect(screen.getByText('命中的词替换为 * 后发出。')).toBeInTheDocument();

    fireEvent.change(screen.getByRole('combobox', { name: '分类' }), { target: { value: '违法' } });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2));
    expect(server.requests.at(-1)?.query.get('category')).toBe('违法');
    expect(screen.getByRole('option', { name: '违法（1）' })).toBeInTheDocument();

    fireEvent.change(screen.getByRole('combobox', { name: '处理方式' }), { target: { value: 'warn' } });
    expect(await screen.findByText('没有符合条件的规则。')).toBeInTheDocument();
    expect(server.requests.at(-1)?.query.get('action')).toBe('warn');
  });

  it('adds a rule, and shows a refusal next to the word', async () => {
    let version = 7;
    const server = policyServer().on(`POST ${BASE}/rules`, (request) => {
      const body = request.body as { pattern: string };
      if (body.pattern === '赌博') return apiError(409, 'FILTER_RULE_EXISTS');
      version += 1;
      return { status: 201, body: { id: ruleId(9), version } };
    });
    renderApp({ server, path: '/admin/policy' });

    fireEvent.click(await screen.findByRole('button', { name: '添加规则' }));
    const dialog = screen.getByRole('dialog', { name: '添加规则' });
    const word = within(dialog).getByRole('textbox', { name: '词语' });
    fireEvent.click(within(dialog).getByRole('button', { name: '保存' }));
    expect(word).toHaveAccessibleDescription(expect.stringContaining('必填。'));
    expect(server.requestsTo(`POST ${BASE}/rules`)).toHaveLength(0);

    fireEvent.change(word, { target: { value: ' 赌博 ' } });
    fireEvent.change(within(dialog).getByLabelText('分类'), { target: { value: '违法' } });
    fireEvent.click(within(dialog).getByLabelText(/^提醒/));
    fireEvent.click(within(dialog).getByRole('button', { name: '保存' }));
    await waitFor(() =>
      expect(word).toHaveAccessibleDescription(expect.stringContaining('这个词语或模式已经是一条规则。')),
    );
    expect(server.requestsTo(`POST ${BASE}/rules`)[0]?.body).toEqual({
      type: 'word',
      pattern: '赌博',
      category: '违法',
      action: 'warn',
    });

    fireEvent.change(word, { target: { value: '赌场' } });
    expect(word).not.toHaveAccessibleDescription(expect.stringContaining('已经是一条规则'));
    fireEvent.click(within(dialog).getByRole('button', { name: '保存' }));
    expect(await screen.findByText('已发布为版本 8。')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    // The status is fetched again after the change.
    await waitFor(() => expect(server.requestsTo(`GET ${BASE}`).length).toBeGreaterThan(1));
  });

  it('offers the built-in patterns and shows why the server refused one', async () => {
    const server = policyServer().on(
      `POST ${BASE}/rules`,
      apiError(400, 'FILTER_RULE_INVALID', { details: [{ path: 'pattern', message: 'nested quantifiers' }] }),
    );
    renderApp({ server, path: '/admin/policy' });
    fireEvent.click(await screen.findByRole('button', { name: '添加规则' }));
    const dialog = screen.getByRole('dialog', { name: '添加规则' });
    fireEvent.click(within(dialog).getByRole('radio', { name: '模式' }));
    fireEvent.click(within(dialog).getByRole('button', { name: '居民身份证号码' }));
    expect(within(dialog).getByRole('textbox', { name: '模式' })).toHaveValue(BUILT_IN_PATTERNS[1]!.pattern);
    expect(within(dialog).getByRole('combobox', { name: '校验' })).toHaveValue('cn-id-card');
    expect(within(dialog).getByLabelText('分类')).toHaveValue('个人信息');
    fireEvent.click(within(dialog).getByRole('button', { name: '保存' }));

    await waitFor(() =>
      expect(within(dialog).getByRole('textbox', { name: '模式' })).toHaveAccessibleDescription(
        expect.stringContaining('规则无效：nested quantifiers'),
      ),
    );
    expect(server.requestsTo(`POST ${BASE}/rules`)[0]?.body).toEqual({
      type: 'pattern',
      pattern: BUILT_IN_PATTERNS[1]!.pattern,
      validator: 'cn-id-card',
      category: '个人信息',
      action: 'block',
    });
  });

  it('edits a rule and deletes one after confirmation', async () => {
    const status = makeStatus();
    const server = policyServer(makeRules(), status)
      .on(`PUT ${BASE}/rules/${ruleId(1)}`, { status: 200, body: { id: ruleId(1), version: 8 } })
      .on(`DELETE ${BASE}/rules/${ruleId(1)}`, () => {
        status.version = 9;
        return { status: 200, body: { version: 9 } };
      });
    renderApp({ server, path: '/admin/policy' });

    fireEvent.click(await screen.findByRole('button', { name: '编辑 · 赌博' }));
    const dialog = screen.getByRole('dialog', { name: '编辑规则' });
    expect(within(dialog).getByRole('textbox', { name: '词语' })).toHaveValue('赌博');
    fireEvent.click(within(dialog).getByLabelText(/^标记/));
    fireEvent.click(within(dialog).getByRole('button', { name: '保存' }));
    expect(await screen.findByText('已发布为版本 8。')).toBeInTheDocument();
    expect(server.requestsTo(`PUT ${BASE}/rules/${ruleId(1)}`)[0]?.body).toEqual({
      type: 'word',
      pattern: '赌博',
      category: '违法',
      action: 'flag',
    });

    fireEvent.click(screen.getByRole('button', { name: '删除 · 赌博' }));
    const confirm = screen.getByRole('dialog', { name: '删除规则“赌博”？' });
    fireEvent.click(within(confirm).getByRole('button', { name: '删除' }));
    expect(await screen.findByText('已发布为版本 9。')).toBeInTheDocument();
    expect(server.requestsTo(`DELETE ${BASE}/rules/${ruleId(1)}`)).toHaveLength(1);
  });

  it('moves between tabs with the arrow keys and keeps the tab in the address', async () => {
    renderApp({ server: policyServer(), path: '/admin/policy?tab=whitelist' });
    const tab = await screen.findByRole('tab', { name: '白名单' });
    expect(tab).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel', { name: '白名单' })).toBeInTheDocument();
    fireEvent.keyDown(tab, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: '测试' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tab', { name: '测试' })).toHaveFocus();
    fireEvent.keyDown(screen.getByRole('tab', { name: '测试' }), { key: 'Home' });
    expect(screen.getByRole('tab', { name: '词库与规则' })).toHaveAttribute('aria-selected', 'true');
  });
});

describe('admin → sensitive words: bulk import', () => {
  const PREVIEW: FilterImportPreview = {
    format: 'csv',
    totalLines: 4,
    rows: [
      { line: 1, word: '赌博', category: '违法', action: 'block', exists: true },
      { line: 2, word: '代开发票', category: null, action: null, exists: false },
    ],
    errors: [{ line: 3, code: 'ACTION_UNKNOWN', message: 'Unknown action "屏蔽".', raw: '违禁品,违法,屏蔽' }],
  };

  function chooseFile(name: string, type = 'text/csv') {
    const file = new File(['赌博,违法,拦截\n'], name, { type });
    fireEvent.change(screen.getByLabelText('词库文件'), { target: { files: [file] } });
    return file;
  }

  it('previews a file with its row errors, then imports the rows with the defaults', async () => {
    const server = policyServer()
      .on(`POST ${BASE}/import/preview`, { status: 200, body: PREVIEW })
      .on(`POST ${BASE}/import`, { status: 200, body: { added: 1, updated: 1, version: 8 } });
    renderApp({ server, path: '/admin/policy?tab=import' });
    await screen.findByRole('heading', { name: '导入词库' });

    chooseFile('notes.docx');
    expect(screen.getByText('只支持 .txt、.csv 和 .xlsx 文件。')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '预览（不写入）' })).toBeDisabled();

    const file = chooseFile('词库.csv');
    fireEvent.click(screen.getByRole('button', { name: '预览（不写入）' }));

    const errors = await screen.findByRole('table', { name: '1 处错误' });
    const errorRow = within(errors).getAllByRole('row')[1]!;
    expect(errorRow).toHaveTextContent('3');
    expect(errorRow).toHaveTextContent('无法识别的处理方式');
    expect(errorRow).toHaveTextContent('违禁品,违法,屏蔽');
    const [request] = server.requestsTo(`POST ${BASE}/import/preview`);
    expect(request?.query.get('fileName')).toBe('词库.csv');
    expect(request?.headers['Content-Type']).toBe('text/csv');
    expect(request?.headers['x-csrf-token']).toBe('csrf-token-1');
    expect(request?.rawBody).toBe(file);

    const rows = screen.getByRole('table', { name: /可导入的词（2 个）/ });
    expect(within(rows).getByRole('rowheader', { name: '赌博' }).closest('tr')).toHaveTextContent('已在词库中');
    const second = within(rows).getByRole('rowheader', { name: '代开发票' }).closest('tr');
    expect(second).toHaveTextContent('默认：未分类');
    expect(second).toHaveTextContent('新词');

    fireEvent.change(screen.getByLabelText('默认分类'), { target: { value: '  ' } });
    expect(screen.getByRole('button', { name: '导入 2 个词' })).toBeDisabled();
    fireEvent.change(screen.getByLabelText('默认分类'), { target: { value: '税务' } });
    fireEvent.change(screen.getByLabelText('默认处理方式'), { target: { value: 'warn' } });
    expect(second).toHaveTextContent('默认：税务');
    expect(second).toHaveTextContent('默认：提醒');
    fireEvent.click(screen.getByRole('button', { name: '导入 2 个词' }));

    expect(await screen.findByText('已新增 1 个词、更新 1 个词，发布为版本 8。')).toBeInTheDocument();
    expect(server.requestsTo(`POST ${BASE}/import`)[0]?.body).toEqual({
      rows: [
        { word: '赌博', category: '违法', action: 'block' },
        { word: '代开发票', category: null, action: null },
      ],
      defaultCategory: '税务',
      defaultAction: 'warn',
    });
    expect(screen.queryByRole('table', { name: /可导入的词/ })).not.toBeInTheDocument();
  });

  it('draws only the first 200 rows of a large preview, and explains a refused file', async () => {
    const big: FilterImportPreview = {
      format: 'txt',
      totalLines: 50_000,
      rows: Array.from({ length: 50_000 }, (_, i) => ({
        line: i + 1,
        word: `词${i}`,
        category: null,
        action: null,
        exists: false,
      })),
      errors: [],
    };
    let refuse = true;
    const server = policyServer().on(`POST ${BASE}/import/preview`, () =>
      refuse ? apiError(413, 'IMPORT_TOO_LARGE') : { status: 200, body: big },
    );
    renderApp({ server, path: '/admin/policy?tab=import' });
    await screen.findByRole('heading', { name: '导入词库' });
    chooseFile('words.txt', '');
    fireEvent.click(screen.getByRole('button', { name: '预览（不写入）' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('文件超过 5 MB。');
    expect(server.requests.at(-1)?.headers['Content-Type']).toBe('application/octet-stream');

    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: '预览（不写入）' }));
    const rows = await screen.findByRole('table', { name: /可导入的词（50000 个）/ });
    expect(within(rows).getAllByRole('row')).toHaveLength(201);
    expect(within(rows).getByText('仅显示前 200 项，共 50000 项。')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '导入 50000 个词' })).toBeEnabled();
  });

  it('links the exports', async () => {
    renderApp({ server: policyServer(), path: '/admin/policy?tab=import' });
    expect(await screen.findByRole('link', { name: '导出 CSV' })).toHaveAttribute('href', `${BASE}/export?format=csv`);
    expect(screen.getByRole('link', { name: '导出 XLSX' })).toHaveAttribute('href', `${BASE}/export?format=xlsx`);
  });
});

describe('admin → sensitive words: allowed phrases', () => {
  it('lists, adds and deletes allowed phrases', async () => {
    const phrases = [{ id: ruleId(50), phrase: '学习' }];
    const status = makeStatus();
    const server = policyServer(makeRules(), status)
      .on(`GET ${BASE}/whitelist`, () => ({ status: 200, body: phrases }))
      .on(`POST ${BASE}/whitelist`, (request) => {
        const { phrase } = request.body as { phrase: string };
        if (phrases.some((p) => p.phrase === phrase)) return apiError(409, 'FILTER_RULE_EXISTS');
        phrases.push({ id: ruleId(51), phrase });
        return { status: 201, body: { id: ruleId(51), version: 8 } };
      })
      .on(`DELETE ${BASE}/whitelist/${ruleId(50)}`, () => {
        phrases.splice(0, 1);
        status.version = 9;
        return { status: 200, body: { version: 9 } };
      });
    renderApp({ server, path: '/admin/policy?tab=whitelist' });

    const table = await screen.findByRole('table', { name: '白名单短语' });
    expect(within(table).getByRole('rowheader', { name: '学习' })).toBeInTheDocument();
    const input = screen.getByLabelText('短语');
    fireEvent.change(input, { target: { value: '学习' } });
    fireEvent.click(screen.getByRole('button', { name: '添加' }));
    await waitFor(() => expect(input).toHaveAccessibleDescription('这个短语已在白名单中。'));

    fireEvent.change(input, { target: { value: '复习' } });
    fireEvent.click(screen.getByRole('button', { name: '添加' }));
    expect(await screen.findByText('已发布为版本 8。')).toBeInTheDocument();
    expect(await within(table).findByRole('rowheader', { name: '复习' })).toBeInTheDocument();
    expect(input).toHaveValue('');

    fireEvent.click(screen.getByRole('button', { name: '删除 · 学习' }));
    expect(await screen.findByText('已发布为版本 9。')).toBeInTheDocument();
    await waitFor(() => expect(within(table).queryByRole('rowheader', { name: '学习' })).not.toBeInTheDocument());
  });
});

describe('admin → sensitive words: test', () => {
  it('highlights each hit at its UTF-16 offsets and shows the masked text', async () => {
    const text = '😀明天去赌博，电话 13800138000';
    const result: FilterTestResult = {
      action: 'block',
      hits: [
        { ruleId: ruleId(1), pattern: '赌博', category: '违法', action: 'block', start: 5, end: 7, text: '赌博' },
        {
          ruleId: ruleId(2),
          pattern: '1[3-9]\\d{9}',
          category: '个人信息',
          action: 'mask',
          start: 11,
          end: 22,
          text: '13800138000',
        },
      ],
      masked: '😀明天去赌博，电话 ***********',
    };
    const server = policyServer().on(`POST ${BASE}/test`, { status: 200, body: result });
    renderApp({ server, path: '/admin/policy?tab=test' });

    const input = await screen.findByLabelText('要测试的文字');
    expect(screen.getByRole('button', { name: '测试' })).toBeDisabled();
    fireEvent.change(input, { target: { value: text } });
    fireEvent.click(screen.getByRole('button', { name: '测试' }));

    const region = await screen.findByRole('region', { name: '测试结果' });
    expect(server.requestsTo(`POST ${BASE}/test`)[0]?.body).toEqual({ text });
    expect(within(region).getByText('处理结果：')).toHaveTextContent('拦截');
    const marks = region.querySelectorAll('mark');
    expect([...marks].map((m) => [m.textContent, m.className])).toEqual([
      ['赌博', 'wp-mark wp-mark--block'],
      ['13800138000', 'wp-mark wp-mark--mask'],
    ]);
    expect(within(region).getByText('😀明天去赌博，电话 ***********')).toBeInTheDocument();
    const hits = within(region).getByRole('table', { name: '2 处命中' });
    expect(within(hits).getAllByRole('row')).toHaveLength(3);
    expect(within(hits).getByRole('rowheader', { name: '赌博' }).closest('tr')).toHaveTextContent('违法');
    expect(within(hits).getByRole('rowheader', { name: '13800138000' }).closest('tr')).toHaveTextContent(
      '1[3-9]\\d{9}',
    );
  });

  it('says when nothing matched', async () => {
    const server = policyServer().on(`POST ${BASE}/test`, {
      status: 200,
      body: { action: null, hits: [], masked: '你好' },
    });
    renderApp({ server, path: '/admin/policy?tab=test' });
    fireEvent.change(await screen.findByLabelText('要测试的文字'), { target: { value: '你好' } });
    fireEvent.click(screen.getByRole('button', { name: '测试' }));
    expect(await screen.findByText('没有命中：这段文字会照常发出。')).toBeInTheDocument();
  });
});

describe('admin → sensitive words: hit log', () => {
  const HIT: FilterHitDto = {
    id: '1',
    occurredAt: '2026-11-21T02:30:00.000Z',
    userId: '0190a0a0-0000-7000-8000-000000000101',
    userName: '李雷',
    departments: ['研发部', '平台组'],
    ruleId: ruleId(1),
    rulePattern: '赌博',
    category: '违法',
    action: 'flag',
    source: 'group_topic',
    conversationId: null,
    policyVersion: 7,
  };

  function stats(by: FilterHitStats['by']): FilterHitStats {
    if (by === 'department') {
      return {
        by,
        rows: [
          { key: DEPARTMENT_ID, label: '研发部', block: 1, warn: 0, mask: 0, flag: 2, total: 3 },
          { key: '', label: '', block: 0, warn: 1, mask: 0, flag: 0, total: 1 },
        ],
      };
    }
    return { by, rows: [{ key: ruleId(1), label: '赌博', block: 3, warn: 1, mask: 0, flag: 0, total: 4 }] };
  }

  it('shows statistics and the log, and narrows both with the filters', async () => {
    const server = policyServer()
      .on(`GET ${BASE}/hits/stats`, (request) => ({
        status: 200,
        body: stats(request.query.get('by') as FilterHitStats['by']),
      }))
      .on(`GET ${BASE}/hits`, { status: 200, body: { items: [HIT], total: 1 } });
    renderApp({ server, path: '/admin/policy?tab=hits' });

    const statsTable = await screen.findByRole('table', { name: '统计' });
    const statsRow = within(statsTable).getAllByRole('row')[1]!;
    expect(
      within(statsRow)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['3', '1', '0', '0', '4', '']);
    expect(server.requestsTo(`GET ${BASE}/hits/stats`)[0]?.query.get('by')).toBe('rule');

    const log = await screen.findByRole('table', { name: '命中记录' });
    const row = within(log).getByRole('rowheader', { name: '李雷' }).closest('tr')!;
    expect(row).toHaveTextContent('研发部 / 平台组');
    expect(row).toHaveTextContent('赌博');
    expect(row).toHaveTextContent('标记');
    expect(row).toHaveTextContent('群公告');

    fireEvent.change(screen.getByLabelText('开始日期'), { target: { value: '2026-11-01' } });
    fireEvent.change(screen.getByLabelText('结束日期'), { target: { value: '2026-11-30' } });
    fireEvent.change(screen.getByLabelText('处理方式'), { target: { value: 'flag' } });
    await waitFor(() => expect(server.requestsTo(`GET ${BASE}/hits`).at(-1)?.query.get('action')).toBe('flag'));
    const query = server.requestsTo(`GET ${BASE}/hits`).at(-1)!.query;
    expect(query.get('from')).toBe(new Date(2026, 10, 1).toISOString());
    expect(query.get('to')).toBe(new Date(2026, 11, 1).toISOString());
    expect(server.requestsTo(`GET ${BASE}/hits/stats`).at(-1)?.query.get('action')).toBe('flag');

    fireEvent.change(screen.getByRole('combobox', { name: '统计维度' }), { target: { value: 'department' } });
    fireEvent.click(await screen.findByRole('button', { name: '只看这一项 · 研发部' }));
    expect(screen.getByText('部门：研发部')).toBeInTheDocument();
    expect(within(screen.getByRole('table', { name: '统计' })).getByText('无部门')).toBeInTheDocument();
    await waitFor(() =>
      expect(server.requestsTo(`GET ${BASE}/hits`).at(-1)?.query.get('departmentId')).toBe(DEPARTMENT_ID),
    );
    const exportLink = screen.getByRole('link', { name: '导出 CSV' });
    expect(exportLink.getAttribute('href')).toContain(`${BASE}/hits/export?`);
    expect(exportLink.getAttribute('href')).toContain(`departmentId=${DEPARTMENT_ID}`);
    expect(exportLink.getAttribute('href')).toContain('action=flag');

    fireEvent.change(screen.getByLabelText('结束日期'), { target: { value: '2026-10-01' } });
    expect(screen.getByText('结束日期不能早于开始日期。')).toBeInTheDocument();
  });
});

describe('admin → sensitive words: matching settings', () => {
  it('publishes a new version when a switch is turned', async () => {
    const status = makeStatus();
    const server = policyServer(makeRules(), status).on(`PATCH ${BASE}/options`, (request) => {
      status.options = { ...status.options, ...(request.body as object) };
      status.version = 8;
      return { status: 200, body: { version: 8 } };
    });
    renderApp({ server, path: '/admin/policy?tab=settings' });

    const fold = await screen.findByRole('switch', { name: '繁体字按简体匹配' });
    const separators = screen.getByRole('switch', { name: '忽略字与字之间插入的分隔符' });
    expect(fold).toBeChecked();
    expect(separators).not.toBeChecked();
    expect(separators).toHaveAccessibleDescription('例如规则“敏感词”也能匹配“敏 感 词”和“敏*感*词”。');

    fireEvent.click(separators);
    expect(await screen.findByText('已发布为版本 8。')).toBeInTheDocument();
    expect(server.requestsTo(`PATCH ${BASE}/options`)[0]?.body).toEqual({ skipSeparators: true });
    expect(separators).toBeChecked();
  });
});
