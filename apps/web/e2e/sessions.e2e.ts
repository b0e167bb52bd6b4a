import { expect, test } from '@playwright/test';
import { ADMIN, BASE_URL, ensureSetUp, signIn, watchConsole } from './support';

test.use({ baseURL: BASE_URL });

test('sessions page lists this session and signs the other devices out', async ({ page, browser, request }) => {
  await ensureSetUp(request);
  const problems = watchConsole(page);

  // A second "device": its own browser context, its own cookie.
  const otherContext = await browser.newContext({ baseURL: BASE_URL, locale: 'zh-CN' });
  const other = await otherContext.newPage();
  await signIn(other, ADMIN.login, ADMIN.password);
  await expect(other.getByRole('navigation', { name: '主导航' })).toBeVisible();

  await signIn(page, ADMIN.login, ADMIN.password);
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  await page.getByRole('link', { name: '设置' }).click();
  await page.getByRole('link', { name: '登录设备' }).click();

  const list = page.getByRole('list', { name: '登录会话' });
  await expect(list.getByRole('listitem').first()).toContainText('当前设备');
  await expect.poll(() => list.getByRole('listitem').count()).toBeGreaterThanOrEqual(2);
  await expect(list.getByText('当前设备')).toHaveCount(1);

  await page.getByRole('button', { name: '退出其他所有设备' }).click();
  await expect(page.getByRole('status').filter({ hasText: /已退出 \d+ 个其他会话。/ })).toBeVisible();
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(page.getByText('没有其他设备登录你的账号。')).toBeVisible();

  // The other device is told over the socket and drops to the sign-in page with a notice.
  await expect(other.getByRole('heading', { name: '登录密语' })).toBeVisible();
  await expect(other.getByRole('status')).toHaveText('你的登录已在其他设备上被退出，请重新登录。');
  // And the server agrees: its cookie no longer works.
  const session = await other.request.get(`${BASE_URL}/api/auth/session`);
  expect(session.status()).toBe(401);

  // This device is still signed in.
  await page.reload();
  await expect(page.getByRole('list', { name: '登录会话' }).getByRole('listitem')).toHaveCount(1);
  expect(problems).toEqual([]);
  await otherContext.close();
});
