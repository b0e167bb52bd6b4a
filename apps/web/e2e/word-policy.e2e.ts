import { expect, test, type Page } from '@playwright/test';
import {
  ADMIN,
  BASE_URL,
  createAccounts,
  ensureSetUp,
  newDevice,
  saveRecoveryKey,
  send,
  signIn,
  watchConsole,
} from './support';

test.use({ baseURL: BASE_URL });

const ALICE = { login: 'policy.alice', displayName: '周宁', employeeNo: 'P4001', password: 'Policy-Alice-pw-2026' };
const BOB = { login: 'policy.bob', displayName: '吴越', employeeNo: 'P4002', password: 'Policy-Bob-pw-2026' };

/** Adds a word rule in Admin → Sensitive words and waits for the new version to be published. */
async function addRule(page: Page, word: string, action: '拦截' | '替换' | '标记'): Promise<void> {
  await page.getByRole('button', { name: '添加规则' }).click();
  const dialog = page.getByRole('dialog', { name: '添加规则' });
  await dialog.getByRole('textbox', { name: '词语' }).fill(word);
  await dialog.getByLabel('分类', { exact: true }).fill('端到端测试');
  await dialog.getByRole('radio', { name: new RegExp(`^${action}`) }).check();
  await dialog.getByRole('button', { name: '保存' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('table', { name: '敏感词规则' }).getByText(word, { exact: true })).toBeVisible();
}

test('sensitive words are enforced before encryption: a block keeps the text, a mask arrives masked, a flag is logged', async ({
  browser,
  page,
  request,
}) => {
  await ensureSetUp(request);
  await createAccounts(request, [ALICE, BOB]);

  // The admin publishes a policy in the console.
  const adminProblems = watchConsole(page);
  await signIn(page, ADMIN.login, ADMIN.password);
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  await page.goto('/admin/policy');
  await addRule(page, '内部机密', '拦截');
  await addRule(page, '蠢货', '替换');
  await addRule(page, '竞品报价', '标记');

  const alice = await newDevice(browser, ALICE);
  await saveRecoveryKey(alice.page);
  const bob = await newDevice(browser, BOB);
  await saveRecoveryKey(bob.page);
  await alice.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '通讯录' }).click();
  await alice.page.getByRole('combobox', { name: '搜索同事' }).fill('吴越');
  await alice.page.getByRole('listbox', { name: '搜索结果' }).getByRole('option', { name: /吴越/ }).click();
  await alice.page.getByRole('button', { name: '发消息' }).click();
  await send(alice.page, '周五开会');
  await bob.page
    .getByRole('list', { name: '会话列表' })
    .getByRole('button', { name: /周宁/ })
    .click({ timeout: 20_000 });
  const bobLog = bob.page.getByRole('log');
  await expect(bobLog.getByText('周五开会')).toBeVisible({ timeout: 20_000 });

  // A blocked word stops the send, names the word, and leaves the text in the composer.
  const box = alice.page.getByRole('textbox', { name: '输入消息' });
  await box.fill('这份内 部 机 密请转发');
  await box.press('Enter');
  await expect(alice.page.getByRole('status').filter({ hasText: '组织不允许发送' })).toContainText('内 部 机 密');
  await expect(box).toHaveValue('这份内 部 机 密请转发');
  await box.fill('');

  // A masked word arrives masked; a flagged one arrives as written.
  await box.fill('别理那个蠢货');
  await box.press('Enter');
  await expect(bobLog.getByText('别理那个**', { exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(bobLog.getByText('蠢货')).toHaveCount(0);
  await send(alice.page, '竞品报价已发到你邮箱');
  await expect(bobLog.getByText('竞品报价已发到你邮箱')).toBeVisible({ timeout: 20_000 });

  // A rule published after Alice's client fetched the policy: the server refuses the stale send, her client fetches
  // the new policy, checks again and sends the masked text.
  await addRule(page, '胡说', '替换');
  await box.fill('不要胡说八道');
  await box.press('Enter');
  await expect(bobLog.getByText('不要**八道', { exact: true })).toBeVisible({ timeout: 20_000 });

  // The hit log shows who tripped which rule, and never the message.
  await page.getByRole('tab', { name: '命中记录' }).click();
  const log = page.getByRole('table', { name: '命中记录' });
  await expect(log.getByRole('row').filter({ hasText: '竞品报价' })).toContainText('周宁');
  await expect(log.getByRole('row').filter({ hasText: '竞品报价' })).toContainText('标记');
  await expect(log.getByRole('row').filter({ hasText: '内部机密' })).toContainText('拦截');
  await expect(log).not.toContainText('邮箱');

  expect([...adminProblems, ...alice.problems, ...bob.problems]).toEqual([]);
});
