import { expect, test } from '@playwright/test';
import {
  ADMIN,
  BASE_URL,
  createAccounts,
  ensureSetUp,
  newDevice,
  saveRecoveryKey,
  send,
  watchConsole,
} from './support';

test.use({ baseURL: BASE_URL });

const ALICE = { login: 'chat.alice', displayName: '陈晓', employeeNo: 'C3001', password: 'Chat-Alice-pw-2026' };
const BOB = { login: 'chat.bob', displayName: '林峰', employeeNo: 'C3002', password: 'Chat-Bob-pw-2026' };

test('two people chat end to end encrypted; new devices get the history by pairing or with the recovery key', async ({
  browser,
  request,
}) => {
  await ensureSetUp(request);
  await createAccounts(request, [ALICE, BOB]);

  // Alice's first device: device keys, then the recovery key shown once.
  const alice = await newDevice(browser, ALICE);
  const aliceWords = await saveRecoveryKey(alice.page);
  await expect(alice.page.getByText('暂无会话', { exact: false })).toBeVisible();

  // Bob's first device too, so Alice's messages are encrypted to it.
  const bob = await newDevice(browser, BOB);
  await saveRecoveryKey(bob.page);

  // Alice finds Bob in the directory and messages him from his card.
  await alice.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '通讯录' }).click();
  await alice.page.getByRole('combobox', { name: '搜索同事' }).fill('linfeng');
  await alice.page.getByRole('listbox', { name: '搜索结果' }).getByRole('option', { name: /林峰/ }).click();
  await alice.page.getByRole('button', { name: '发消息' }).click();
  await expect(alice.page.getByRole('heading', { name: '林峰', level: 1 })).toBeVisible();
  await send(alice.page, '你好，林峰！这条消息是端到端加密的。');
  await send(alice.page, '第二行\n带换行');

  // Bob sees the conversation with its decrypted preview, opens it, reads and replies.
  const row = bob.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /陈晓/ });
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText('第二行');
  await row.click();
  let bobLog = bob.page.getByRole('log');
  await expect(bobLog.getByText('你好，林峰！这条消息是端到端加密的。')).toBeVisible();
  // Bob has the conversation open: Alice's messages show as read.
  await expect(alice.page.getByRole('log').getByText('已读', { exact: true }).first()).toBeVisible({ timeout: 20_000 });

  // Typing shows on the other side while Bob writes; Bob's presence shows as online.
  await bob.page.getByRole('textbox', { name: '输入消息' }).fill('收到');
  await expect(alice.page.getByText('林峰 正在输入…')).toBeVisible({ timeout: 10_000 });
  await expect(alice.page.getByRole('region', { name: '林峰' }).getByText('在线', { exact: true })).toBeVisible();
  await send(bob.page, '收到，谢谢！');
  await expect(alice.page.getByRole('log').getByText('收到，谢谢！')).toBeVisible({ timeout: 20_000 });

  // Alice sends a file: encrypted in her browser, uploaded in pieces, decrypted and saved by Bob.
  const report = '第三季度报告：收入增长 12%。\nEnd-to-end encrypted file.';
  await alice.page.getByLabel('选择要发送的文件').setInputFiles({
    name: '季度报告.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from(report),
  });
  await expect(alice.page.getByRole('log').getByText('季度报告.txt')).toBeVisible();
  await expect(alice.page.getByRole('log').getByText('发送中')).toHaveCount(0, { timeout: 20_000 });
  const saveButton = bobLog.getByRole('button', { name: '保存 季度报告.txt' });
  await expect(saveButton).toBeVisible({ timeout: 20_000 });
  const download = bob.page.waitForEvent('download');
  await saveButton.click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe('季度报告.txt');
  const chunks: Buffer[] = [];
  for await (const chunk of (await saved.createReadStream())!) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).toString()).toBe(report);

  // Bob reacts to Alice's first message; Alice sees the reaction.
  const first = bobLog.getByRole('listitem').filter({ hasText: '你好，林峰！这条消息是端到端加密的。' });
  await first.hover();
  await first.getByRole('button', { name: '回应 👍' }).click();
  await expect(
    alice.page
      .getByRole('log')
      .getByRole('listitem')
      .filter({ hasText: '你好，林峰！' })
      .getByRole('list', { name: '回应' }),
  ).toContainText('👍 1', { timeout: 20_000 });

  // Bob replies to Alice's first message; Alice edits it; both show on the other side.
  await first.hover();
  await first.getByRole('button', { name: '回复' }).click();
  await send(bob.page, '好的，马上看');
  const quoted = alice.page.getByRole('log').getByRole('listitem').filter({ hasText: '好的，马上看' });
  await expect(quoted.locator('blockquote')).toContainText('我: 你好，林峰！', { timeout: 20_000 });
  const own = alice.page.getByRole('log').getByRole('listitem').filter({ hasText: '你好，林峰！' }).first();
  await own.hover();
  await own.getByRole('button', { name: '编辑' }).click();
  const box = alice.page.getByRole('textbox', { name: '输入消息' });
  await expect(box).toHaveValue('你好，林峰！这条消息是端到端加密的。');
  await box.fill('你好，林峰！这条消息是端到端加密的（已更正）。');
  await box.press('Enter');
  await expect(bobLog.getByText(/这条消息是端到端加密的（已更正）。/).first()).toBeVisible({ timeout: 20_000 });
  await expect(bobLog.getByRole('listitem').filter({ hasText: '已更正' }).first()).toContainText('已编辑');

  // A second tab of the same browser (the same device) does not run a second copy of the device: it says so.
  const secondTab = await bob.page.context().newPage();
  await secondTab.goto('/chats');
  await expect(secondTab.getByText('密语已在本浏览器的另一个标签页中打开')).toBeVisible({ timeout: 20_000 });
  await secondTab.close();

  // Bob closes the tab; what Alice sends meanwhile arrives once when he comes back (catch-up from his cursor).
  const bobContext = bob.page.context();
  const bobUrl = bob.page.url();
  await bob.page.close();
  await send(alice.page, '你不在的时候发的消息');
  bob.page = await bobContext.newPage();
  bob.problems.push(...watchConsole(bob.page));
  await bob.page.goto(bobUrl);
  bobLog = bob.page.getByRole('log');
  await expect(bobLog.getByText('你不在的时候发的消息')).toHaveCount(1, { timeout: 30_000 });
  await expect(bobLog.getByText('收到，谢谢！')).toHaveCount(1);

  // Alice recalls her second message: it disappears on Bob's side.
  const secondLine = alice.page.getByRole('log').getByRole('listitem').filter({ hasText: '带换行' });
  await secondLine.hover();
  await secondLine.getByRole('button', { name: '撤回' }).click();
  await alice.page.getByRole('dialog', { name: '撤回这条消息？' }).getByRole('button', { name: '撤回' }).click();
  await expect(bobLog.getByText('带换行')).toHaveCount(0, { timeout: 20_000 });
  await expect(bobLog.getByText('消息已撤回')).toBeVisible();

  // Both compare the safety number; Alice marks Bob verified.
  await alice.page.getByRole('region', { name: '林峰' }).getByRole('button', { name: '安全码' }).click();
  const aliceSafety = alice.page.getByRole('dialog', { name: '与 林峰 的安全码' });
  const digits = aliceSafety.getByLabel('安全码数字');
  await expect(digits).toHaveText(/^(\d{5}){12}$/);
  await bob.page.getByRole('region', { name: '陈晓' }).getByRole('button', { name: '安全码' }).click();
  const bobSafety = bob.page.getByRole('dialog', { name: '与 陈晓 的安全码' });
  await expect(bobSafety.getByLabel('安全码数字')).toHaveText((await digits.textContent())!);
  await expect(bobSafety.getByRole('img', { name: '与 陈晓 的安全码二维码' })).toBeVisible();
  await bobSafety.getByRole('button', { name: '关闭' }).click();
  await aliceSafety.getByRole('button', { name: '标记为已验证' }).click();
  await expect(aliceSafety).toContainText('你已验证 林峰。');
  await aliceSafety.getByRole('button', { name: '关闭' }).click();
  await expect(alice.page.getByRole('region', { name: '林峰' }).getByRole('button', { name: '已验证' })).toBeVisible();

  // Search over the decrypted history on this device finds an earlier message by a CJK substring.
  await alice.page.getByRole('searchbox', { name: '搜索聊天记录' }).fill('端到端');
  const results = alice.page.getByRole('list', { name: '搜索结果' });
  await expect(results.getByRole('button')).toHaveCount(1);
  await expect(results).toContainText('这条消息是端到端加密的');
  await results.getByRole('button').first().click();
  await expect(alice.page.getByRole('heading', { name: '林峰', level: 1 })).toBeVisible();

  // Alice starts a group with Bob from the chat list.
  await alice.page.getByRole('button', { name: '发起群聊' }).click();
  const group = alice.page.getByRole('dialog', { name: '发起群聊' });
  await group.getByLabel('群名称').fill('发布小组');
  await group.getByLabel('添加成员：搜索姓名、拼音或工号').fill('lf');
  await group.getByRole('list', { name: '搜索结果' }).getByRole('button', { name: /^林峰/ }).click();
  await group.getByRole('button', { name: /创建/ }).click();
  await expect(alice.page.getByRole('heading', { name: '发布小组', level: 1 })).toBeVisible();
  await send(alice.page, '周五发布，大家准备一下');
  const groupRow = bob.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /发布小组/ });
  await expect(groupRow).toContainText('周五发布', { timeout: 20_000 });
  // Bob has not opened the group yet: Alice sees who has not read her message.
  await alice.page.getByRole('button', { name: '1 人未读' }).click();
  const readList = alice.page.getByRole('dialog', { name: '消息已读情况' });
  await expect(readList.getByRole('list', { name: '未读成员' })).toContainText('林峰');
  await alice.page.keyboard.press('Escape');
  // The owner renames the group; Bob sees the new name, then leaves.
  await alice.page.getByRole('button', { name: '成员（2）' }).click();
  const membersDialog = alice.page.getByRole('dialog', { name: '发布小组 · 2 位成员' });
  await expect(membersDialog.getByRole('list', { name: '成员列表' }).getByRole('listitem')).toHaveCount(2);
  await membersDialog.getByLabel('群名称').fill('发布小组（周五）');
  await membersDialog.getByRole('button', { name: '修改群名' }).click();
  await expect(
    bob.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /发布小组（周五）/ }),
  ).toBeVisible({ timeout: 20_000 });
  await alice.page.keyboard.press('Escape');
  await bob.page
    .getByRole('list', { name: '会话列表' })
    .getByRole('button', { name: /发布小组（周五）/ })
    .click();
  await bob.page.getByRole('button', { name: '成员（2）' }).click();
  await bob.page.getByRole('button', { name: '退出群聊' }).click();
  await expect(bob.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /发布小组/ })).toHaveCount(
    0,
    {
      timeout: 20_000,
    },
  );
  await bob.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /^陈晓/ }).click();

  // Notifications while Bob is elsewhere in the app: who and what, until an admin turns previews off.
  const shown = () =>
    bob.page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications);
  await bob.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '通讯录' }).click();
  await alice.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /^林峰/ }).click();
  await send(alice.page, '通知里能看到这句话');
  await expect.poll(shown, { timeout: 20_000 }).toContainEqual({ title: '陈晓', body: '通知里能看到这句话' });
  const adminLogin = await request.post(`${BASE_URL}/api/auth/login`, {
    data: { login: ADMIN.login, password: ADMIN.password },
  });
  const { csrfToken } = (await adminLogin.json()) as { csrfToken: string };
  const off = await request.put(`${BASE_URL}/api/admin/settings/messaging`, {
    headers: { 'x-csrf-token': csrfToken, origin: BASE_URL },
    data: { notificationPreviews: false },
  });
  expect(off.status()).toBe(200);
  await bob.page.reload();
  await bob.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '通讯录' }).click();
  await expect(bob.page.getByRole('heading', { name: '通讯录' }).first()).toBeVisible();
  await send(alice.page, '这句话不该出现在通知里');
  await expect.poll(shown, { timeout: 20_000 }).toContainEqual({ title: '密语', body: '你有一条新消息' });
  expect(JSON.stringify(await shown())).not.toContain('这句话不该出现在通知里');
  await bob.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '消息' }).click();
  await bob.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /^陈晓/ }).click();

  // The watermark names the viewer on the chat view.
  await expect(bob.page.locator('[data-watermark]')).toHaveAttribute(
    'data-watermark',
    `${BOB.displayName} ${BOB.employeeNo}`,
  );
  const image = await bob.page.locator('[data-watermark]').evaluate((el) => getComputedStyle(el).backgroundImage);
  expect(image).toContain('data:image/svg+xml');
  // Removing it in the page does not remove it.
  await bob.page.evaluate(() => document.querySelector('[data-watermark]')?.remove());
  await expect(bob.page.locator('[data-watermark]')).toHaveCount(1);

  // A second device of Alice pairs with her first device (both confirm the same code) and reads the history.
  const paired = await newDevice(browser, ALICE);
  await paired.page.getByRole('button', { name: '恢复聊天记录' }).click({ timeout: 30_000 });
  await paired.page
    .getByRole('dialog', { name: '恢复聊天记录' })
    .getByRole('button', { name: '与已登录的设备配对' })
    .click();
  const onNew = paired.page.getByRole('dialog', { name: '与已登录的设备配对' });
  await expect(onNew).toContainText('另一台设备上打开密语');
  const onOld = alice.page.getByRole('dialog', { name: '新设备请求配对' });
  await onOld.getByRole('button', { name: '开始配对' }).click({ timeout: 20_000 });
  const code = onNew.getByLabel('配对码');
  await expect(code).toHaveText(/^\d{3} \d{3}$/, { timeout: 20_000 });
  await expect(onOld.getByLabel('配对码')).toHaveText((await code.textContent())!);
  await onOld.getByRole('button', { name: '数字一致' }).click();
  await onNew.getByRole('button', { name: '数字一致' }).click();
  await expect(onNew).toContainText('配对完成，聊天记录已同步到本设备。', { timeout: 20_000 });
  await expect(onOld).toContainText('配对完成');
  await onOld.getByRole('button', { name: '关闭' }).click();
  await onNew.getByRole('button', { name: '关闭' }).click();
  // Alice's first device: her new device changed the safety number with Bob, whom she had verified.
  await alice.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /^林峰/ }).click();
  await expect(alice.page.getByRole('region', { name: '林峰' })).toContainText('林峰 的安全码已变化', {
    timeout: 20_000,
  });
  await paired.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /^林峰/ }).click();
  const pairedLog = paired.page.getByRole('log');
  await expect(pairedLog.getByText('你好，林峰！这条消息是端到端加密的（已更正）。').first()).toBeVisible({
    timeout: 20_000,
  });
  await expect(pairedLog.getByText('收到，谢谢！')).toBeVisible();
  await expect(pairedLog.getByText(/无法解密/)).toHaveCount(0);

  // Reading on one device clears the unread badge on the others.
  await alice.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '通讯录' }).click();
  await paired.page
    .getByRole('list', { name: '会话列表' })
    .getByRole('button', { name: /发布小组/ })
    .click();
  await send(bob.page, '两台设备都会收到');
  const pairedRow = paired.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /^林峰/ });
  await expect(pairedRow).toContainText('1 条未读', { timeout: 20_000 });
  await alice.page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '消息' }).click();
  await alice.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /^林峰/ }).click();
  await expect(alice.page.getByRole('log').getByText('两台设备都会收到')).toBeVisible({ timeout: 20_000 });
  await expect(pairedRow).not.toContainText('条未读', { timeout: 20_000 });

  // A third device of Alice restores the history with the recovery key instead.
  const second = await newDevice(browser, ALICE);
  await second.page.getByRole('button', { name: '恢复聊天记录' }).click({ timeout: 30_000 });
  const restore = second.page.getByRole('dialog', { name: '恢复聊天记录' });
  await restore.getByLabel('恢复密钥（34 个词，用空格分隔）').fill(aliceWords);
  await restore.getByRole('button', { name: '恢复', exact: true }).click();
  await expect(restore).toBeHidden({ timeout: 30_000 });
  await second.page.getByRole('list', { name: '会话列表' }).getByRole('button', { name: /^林峰/ }).click();
  const secondLog = second.page.getByRole('log');
  await expect(secondLog.getByText('你好，林峰！这条消息是端到端加密的（已更正）。').first()).toBeVisible({
    timeout: 20_000,
  });
  await expect(secondLog.getByText('收到，谢谢！')).toBeVisible();
  await expect(secondLog.getByText(/无法解密/)).toHaveCount(0);

  // On a shared computer: sign out and delete this device's keys and history.
  const databases = () => second.page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
  expect((await databases()).some((name) => name.startsWith('miyu-device-'))).toBe(true);
  await second.page.getByRole('button', { name: `当前账号：${ALICE.displayName}` }).click();
  await second.page.getByRole('button', { name: '退出并删除本设备数据' }).click();
  await second.page
    .getByRole('dialog', { name: '退出并删除本设备上的密钥和聊天记录？' })
    .getByRole('button', { name: '退出并删除本设备数据' })
    .click();
  await expect(second.page.getByRole('heading', { name: '登录密语' })).toBeVisible({ timeout: 20_000 });
  expect((await databases()).some((name) => name.startsWith('miyu-device-'))).toBe(false);

  expect([...alice.problems, ...bob.problems, ...paired.problems, ...second.problems]).toEqual([]);
});
