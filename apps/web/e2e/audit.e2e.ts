import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test, type Download, type Page } from '@playwright/test';
import { ADMIN, BASE_URL, createAccounts, ensureSetUp, signIn, watchConsole } from './support';

test.use({ baseURL: BASE_URL });

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const VERIFIER = join(repoRoot, 'apps/server/dist/cli/audit-verify.js');
const screenshots = join(repoRoot, 'apps/web/test-results');

// Scenarios share one server: names whose pinyin (lin xiao, bai shen) no other scenario searches for.
const TARGET = { login: 'audit.lin', displayName: '林晓', employeeNo: 'A5001', password: 'Audit-Lin-pw-2026' };
const AUDITOR = { login: 'audit.bai', displayName: '白审', employeeNo: 'A5002', password: 'Audit-Bai-pw-2026' };

/** Runs the offline verifier on an exported file; resolves with its exit code and output. */
async function verify(file: string, key: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [VERIFIER, file, '--key', key]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Exports through the page and keeps the file the browser saved. */
async function exportFile(page: Page, button: string, dir: string): Promise<{ path: string; download: Download }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  const path = join(dir, `export${extname(download.suggestedFilename())}`);
  await download.saveAs(path);
  return { path, download };
}

test('audit log: a failed sign-in is found by the account tried, shown in detail, exported and verified offline', async ({
  browser,
  page,
  request,
}) => {
  expect(existsSync(VERIFIER), `build the server first (npm run build): ${VERIFIER}`).toBe(true);
  await ensureSetUp(request);
  await createAccounts(request, [TARGET]);

  // Someone tries the account with a wrong password.
  const failed = await request.post(`${BASE_URL}/api/auth/login`, {
    data: { login: TARGET.login, password: 'wrong' },
  });
  expect(failed.status()).toBe(401);

  const problems = watchConsole(page);
  await signIn(page, ADMIN.login, ADMIN.password);
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '管理后台' }).click();
  await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '审计日志' }).click();
  await expect(page.getByRole('heading', { name: '审计日志', level: 1 })).toBeVisible();

  // A failed sign-in has no known person as its actor: it is found by the account that was tried.
  await page.getByRole('combobox', { name: '对象类型' }).selectOption('user');
  await page.getByRole('searchbox', { name: '账号' }).fill(TARGET.displayName);
  await page
    .getByRole('list', { name: '搜索到的人员' })
    .getByRole('button', { name: new RegExp(TARGET.displayName) })
    .click();
  await expect(page.getByRole('button', { name: `移除账号筛选：${TARGET.displayName}` })).toBeVisible();
  await page.getByRole('combobox', { name: '操作' }).selectOption('auth.sign_in');
  await page.getByRole('combobox', { name: '结果' }).selectOption('failure');
  await expect(page).toHaveURL(/entityType=user&entityId=[0-9a-f-]{36}/);
  await expect(page).toHaveURL(/result=failure/);

  const table = page.getByRole('table', { name: '审计记录' });
  const rows = table.getByRole('row').filter({ hasText: '失败' });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('登录');
  await expect(rows.first()).toContainText('失败 · AUTH_INVALID_CREDENTIALS');
  await expect(rows.first()).toContainText(TARGET.login);

  // The detail: every field, and the entry checked against the signed checkpoint in this browser.
  await rows.first().getByRole('button', { name: /详情/ }).click();
  const dialog = page.getByRole('dialog', { name: /^审计记录 #\d+$/ });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('auth.sign_in');
  await expect(dialog).toContainText('AUTH_INVALID_CREDENTIALS');
  await expect(dialog).toContainText(TARGET.login);
  await dialog.getByRole('button', { name: '验证收录' }).click();
  await expect(dialog.getByText(/^已在本浏览器中验证：第 \d+ 条记录收录在 \d+ 条记录的签名树中/)).toBeVisible({
    timeout: 20_000,
  });
  await dialog.getByRole('button', { name: '关闭' }).click();
  await expect(dialog).toBeHidden();

  // The key's fingerprint, computed in the page, pins the verifier to the same key.
  const checkpoint = page.getByRole('region', { name: '签名检查点' });
  const fingerprint = (await checkpoint.locator('code.audit-hash').textContent({ timeout: 10_000 }))?.replace(
    /\s/g,
    '',
  );
  expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  await page.screenshot({ path: join(screenshots, 'audit-log-zh-CN.png'), fullPage: true });

  // Export the filtered log as CSV (zip) and as JSONL; the offline verifier accepts both.
  const dir = mkdtempSync(join(tmpdir(), 'miyu-e2e-audit-'));
  try {
    const exportCard = page.getByRole('region', { name: '导出' });
    const csv = await exportFile(page, '导出 CSV（zip）', dir);
    expect(csv.download.suggestedFilename()).toMatch(/\.zip$/);
    await expect(exportCard.getByText(/^已保存 .+\.zip（1 条记录）。$/)).toBeVisible();
    const csvResult = await verify(csv.path, fingerprint!);
    expect(csvResult.stderr).toBe('');
    expect(csvResult.stdout).toMatch(/^OK: 1 entries verified/m);
    expect(csvResult.code).toBe(0);

    const jsonl = await exportFile(page, '导出 JSONL', dir);
    expect(jsonl.download.suggestedFilename()).toMatch(/\.jsonl$/);
    await expect(exportCard.getByText(/^已保存 .+\.jsonl（1 条记录）。$/)).toBeVisible();
    const jsonlResult = await verify(jsonl.path, fingerprint!);
    expect(jsonlResult.stdout).toMatch(/^OK: 1 entries verified/m);
    expect(jsonlResult.code).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(problems).toEqual([]);

  // An auditor reads the audit log and nothing else of the console.
  const login = await request.post(`${BASE_URL}/api/auth/login`, {
    data: { login: ADMIN.login, password: ADMIN.password },
  });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const created = await request.post(`${BASE_URL}/api/admin/users`, {
    headers: { 'x-csrf-token': csrfToken, origin: BASE_URL },
    data: { ...AUDITOR, role: 'auditor' },
  });
  expect([201, 409]).toContain(created.status());
  const context = await browser.newContext({ baseURL: BASE_URL, locale: 'zh-CN' });
  const auditor = await context.newPage();
  const auditorProblems = watchConsole(auditor);
  await signIn(auditor, AUDITOR.login, AUDITOR.password);
  await auditor.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '管理后台' }).click();
  await expect(auditor.getByRole('heading', { name: '审计日志', level: 1 })).toBeVisible();
  await expect(auditor.getByRole('navigation', { name: '管理后台导航' }).getByRole('link')).toHaveText(['审计日志']);
  await expect(auditor.getByRole('table', { name: '审计记录' })).toBeVisible();
  await auditor.goto('/admin/users');
  await expect(auditor.getByText('你没有执行此操作的权限。')).toBeVisible();
  expect(auditorProblems).toEqual([]);
  await context.close();
});
