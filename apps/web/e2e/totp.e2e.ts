import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { ADMIN, BASE_URL, currentStep, ensureSetUp, freshTotp, signIn, signOut, totpAt, watchConsole } from './support';

test.use({ baseURL: BASE_URL });

const screenshots = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
const MEMBER = { login: 'li.lei', displayName: '李雷', password: 'Li-Lei-initial-pw-1' };

test('an admin creates a member, who turns on two-factor and signs in with a code', async ({ page, request }) => {
  await ensureSetUp(request);
  const problems = watchConsole(page);

  // Admin → Users → New user.
  await signIn(page, ADMIN.login, ADMIN.password);
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '管理后台' }).click();
  await expect(page.getByRole('heading', { name: '用户管理' })).toBeVisible();
  await page.getByRole('button', { name: '新建用户' }).click();
  const dialog = page.getByRole('dialog', { name: '新建用户' });
  await dialog.getByLabel('账号').fill(MEMBER.login);
  await dialog.getByLabel('姓名').fill(MEMBER.displayName);
  await dialog.getByLabel('初始密码').fill(MEMBER.password);
  await dialog.getByLabel('工号').fill('E1002');
  await dialog.getByRole('button', { name: '新建用户' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `已创建用户 ${MEMBER.displayName}。` })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: new RegExp(MEMBER.displayName) })).toBeVisible();
  await page.getByRole('searchbox').fill('li.lei');
  await expect(page.getByRole('row')).toHaveCount(2); // header + the one match
  await signOut(page, ADMIN.displayName);

  // The member enrols an authenticator.
  await signIn(page, MEMBER.login, MEMBER.password);
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  await expect(page.getByRole('link', { name: '管理后台' })).toHaveCount(0);
  await page.getByRole('link', { name: '设置' }).click();
  await page.getByRole('link', { name: '账号安全' }).click();
  await page.getByRole('button', { name: '启用两步验证' }).click();

  const qr = page.getByRole('img', { name: '两步验证设置二维码' });
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  const secret = ((await page.locator('.totp-enroll__secret code').textContent()) ?? '').replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await page.screenshot({ path: join(screenshots, 'totp-enrol-zh-CN.png') });

  const enrolStep = currentStep();
  await page.getByLabel('输入应用中显示的 6 位验证码').fill(totpAt(secret, enrolStep));
  await page.getByRole('button', { name: '确认启用' }).click();

  const codes = page.getByRole('list', { name: '恢复码' });
  await expect(codes.getByRole('listitem').first()).toBeVisible();
  expect(await codes.getByRole('listitem').count()).toBeGreaterThanOrEqual(5);
  const done = page.getByRole('button', { name: '完成' });
  await expect(done).toBeDisabled();
  await page.getByLabel('我已妥善保存这些恢复码').check();
  await done.click();
  await expect(page.getByRole('status').filter({ hasText: '两步验证已启用。' })).toBeVisible();
  await expect(page.getByRole('button', { name: '停用两步验证' })).toBeVisible();
  await signOut(page, MEMBER.displayName);

  // Password first, then the code step.
  await signIn(page, MEMBER.login, MEMBER.password);
  await expect(page.getByRole('heading', { name: '两步验证' })).toBeVisible();
  await page.getByLabel('验证码').fill('000000' === totpAt(secret, currentStep()) ? '111111' : '000000');
  await page.getByRole('button', { name: '验证并登录' }).click();
  await expect(page.getByRole('alert')).toHaveText('验证码或恢复码不正确。');

  const { code } = await freshTotp(secret, enrolStep);
  await page.getByLabel('验证码').fill(code);
  await page.getByRole('button', { name: '验证并登录' }).click();
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  await expect(page).toHaveURL(/\/chats$/);
  expect(problems).toEqual([]);
});
