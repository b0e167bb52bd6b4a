import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { ADMIN, BASE_URL, SETUP_TOKEN, signIn, signOut, watchConsole } from './support';

test.use({ baseURL: BASE_URL });

const screenshots = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

// The foundation issue's "done when": fresh install → setup → signed in → sign out → sign in → English → 中文.
test('first run: setup, sign out and in again, switch language both ways', async ({ page }) => {
  const problems = watchConsole(page);
  mkdirSync(screenshots, { recursive: true });

  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: '初始化密语' })).toBeVisible();

  await page.getByLabel('设置令牌').fill(SETUP_TOKEN);
  await page.getByLabel('账号').fill(ADMIN.login);
  await page.getByLabel('姓名').fill(ADMIN.displayName);
  await page.getByLabel('邮箱').fill('admin@example.com');
  await page.getByLabel('密码', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('确认密码').fill(ADMIN.password);
  await page.getByRole('button', { name: '创建管理员并登录' }).click();

  const nav = page.getByRole('navigation', { name: '主导航' });
  await expect(nav).toBeVisible();
  await expect(page).toHaveURL(/\/chats$/);
  await expect(nav.getByRole('link', { name: '管理后台' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '消息' })).toBeVisible();
  await page.screenshot({ path: join(screenshots, 'app-frame-zh-CN.png') });

  await signOut(page, ADMIN.displayName);
  await expect(page.getByRole('status')).toHaveText('你已退出登录。');

  await signIn(page, ADMIN.login, ADMIN.password);
  await expect(nav).toBeVisible();

  await page.getByRole('combobox', { name: '语言 (Language)' }).selectOption('en');
  const navEn = page.getByRole('navigation', { name: 'Main navigation' });
  await expect(navEn.getByRole('link', { name: 'Chats' })).toBeVisible();
  await expect(navEn.getByRole('link', { name: 'Directory' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Chats' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // Saved to the account: a reload (which re-reads the session) keeps English.
  await page.reload();
  await expect(navEn.getByRole('link', { name: 'Settings' })).toBeVisible();
  await navEn.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'admin', exact: true })).toBeVisible();
  await navEn.getByRole('link', { name: 'Chats' }).click();
  await expect(page.getByRole('heading', { name: 'Chats' })).toBeVisible();
  await page.screenshot({ path: join(screenshots, 'app-frame-en.png') });

  await page.getByRole('combobox', { name: 'Language (语言)' }).selectOption('zh-CN');
  await expect(nav.getByRole('link', { name: '消息' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '消息' })).toBeVisible();
  await page.reload();
  await expect(nav.getByRole('link', { name: '通讯录' })).toBeVisible();

  expect(problems).toEqual([]);
});
