import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { ADMIN, BASE_URL, createAccounts, ensureSetUp, newDevice, saveRecoveryKey, send } from './support';

test.use({ baseURL: BASE_URL });

const ALICE = { login: 'retain.alice', displayName: '郑琳', employeeNo: 'R5001', password: 'Retain-Alice-pw-2026' };
const BOB = { login: 'retain.bob', displayName: '冯涛', employeeNo: 'R5002', password: 'Retain-Bob-pw-2026' };
const CAROL = { login: 'retain.carol', displayName: '许静', employeeNo: 'R5003', password: 'Retain-Carol-pw-2026' };
const ORG = '示例合规集团';

/**
 * The public half of an org compliance key, as `npm run compliance:keygen` writes it: an X25519 key (sessions are
 * wrapped to it) and an Ed25519 key (export manifests), with the fingerprint over both (docs/compliance.md). The
 * private halves stay in this test: nothing here decrypts.
 */
function compliancePublicKeyFile() {
  const raw = (pair: { publicKey: KeyObject }) => Buffer.from(pair.publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const encryptionKey = raw(generateKeyPairSync('x25519'));
  const signingKey = raw(generateKeyPairSync('ed25519'));
  const fingerprint = createHash('sha256')
    .update(encryptionKey)
    .update(signingKey)
    .digest('hex')
    .slice(0, 32)
    .match(/.{4}/g)!
    .join(' ');
  return {
    format: 'miyu-compliance-public-key-v1',
    encryptionKey: encryptionKey.toString('base64url'),
    signingKey: signingKey.toString('base64url'),
    fingerprint,
    createdAt: new Date().toISOString(),
  };
}

/** The admin's API session: every unsafe call carries the CSRF token. */
async function adminApi(request: APIRequestContext) {
  const login = await request.post(`${BASE_URL}/api/auth/login`, {
    data: { login: ADMIN.login, password: ADMIN.password },
  });
  expect(login.status()).toBe(200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { 'x-csrf-token': csrfToken, origin: BASE_URL };
  const call = async (method: 'get' | 'post' | 'put' | 'delete', path: string, data?: unknown) => {
    const res = await request[method](`${BASE_URL}${path}`, { headers, ...(data === undefined ? {} : { data }) });
    expect(res.ok(), `${method.toUpperCase()} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
    return res.json() as Promise<Record<string, unknown>>;
  };
  return {
    call,
    userId: async (login: string) => {
      const page = (await call('get', `/api/admin/users?q=${encodeURIComponent(login)}`)) as {
        items: Array<{ id: string; login: string }>;
      };
      const user = page.items.find((u) => u.login === login);
      expect(user, login).toBeDefined();
      return user!.id;
    },
  };
}

/** Opens (creating it if needed) the direct chat with a colleague found in the directory. */
async function chatWith(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '通讯录' }).click();
  await page.getByRole('combobox', { name: '搜索同事' }).fill(name);
  await page
    .getByRole('listbox', { name: '搜索结果' })
    .getByRole('option', { name: new RegExp(name) })
    .click();
  await page.getByRole('button', { name: '发消息' }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

test('a conversation with a person under legal hold shows the retention banner and still delivers; others do not', async ({
  browser,
  request,
}) => {
  await ensureSetUp(request);
  await createAccounts(request, [ALICE, BOB, CAROL]);
  const admin = await adminApi(request);
  const bobId = await admin.userId(BOB.login);

  const alice = await newDevice(browser, ALICE);
  await saveRecoveryKey(alice.page);
  const bob = await newDevice(browser, BOB);
  await saveRecoveryKey(bob.page);
  const carol = await newDevice(browser, CAROL);
  await saveRecoveryKey(carol.page);

  // Before any retention: Alice and Bob chat, no banner.
  await chatWith(alice.page, BOB.displayName);
  await send(alice.page, '留存开始之前的消息');
  await bob.page
    .getByRole('list', { name: '会话列表' })
    .getByRole('button', { name: new RegExp(ALICE.displayName) })
    .click({ timeout: 20_000 });
  const bobLog = bob.page.getByRole('log');
  await expect(bobLog.getByText('留存开始之前的消息')).toBeVisible({ timeout: 20_000 });
  await expect(alice.page.getByTestId('retention-banner')).toHaveCount(0);
  await expect(bob.page.getByTestId('retention-banner')).toHaveCount(0);

  // The admin uploads the org's compliance public key, names the organisation and puts Bob under legal hold.
  const key = (await admin.call('post', '/api/compliance/keys', {
    publicKey: compliancePublicKeyFile(),
    label: 'e2e',
  })) as { id: string; active: boolean };
  expect(key.active).toBe(true);
  await admin.call('put', '/api/compliance/settings', { organisationName: ORG });
  const hold = (await admin.call('post', '/api/compliance/scopes', {
    kind: 'user',
    targetId: bobId,
    note: 'e2e legal hold',
  })) as { id: string; legalHold: boolean };
  expect(hold.legalHold).toBe(true);

  // Both sides of the open conversation learn it live (compliance:changed): the banner, and Bob's hold marker.
  const banner = `此会话中的消息由 ${ORG} 留存`;
  await expect(alice.page.getByTestId('retention-banner')).toContainText(banner);
  await expect(bob.page.getByTestId('retention-banner')).toContainText(banner);
  const aliceConversation = alice.page.getByRole('region', { name: BOB.displayName });
  await expect(aliceConversation.getByTestId('legal-hold-badge')).toHaveText('法律保全');
  await alice.page.getByTestId('retention-banner').getByRole('button', { name: '这是什么？' }).click();
  await expect(alice.page.getByTestId('retention-banner')).toContainText('离线合规私钥');

  // A message sent now carries the escrow wrap (the server refuses it otherwise), and arrives decrypted.
  await send(alice.page, '留存期间的消息');
  await expect(bobLog.getByText('留存期间的消息')).toBeVisible({ timeout: 20_000 });
  await send(bob.page, '收到，留存期间的回复');
  await expect(alice.page.getByRole('log').getByText('收到，留存期间的回复')).toBeVisible({ timeout: 20_000 });
  // Every wrap verified; the message from before the hold is not taken for one missing its copy.
  await expect(bobLog.getByTestId('escrow-warning')).toHaveCount(0);
  await expect(alice.page.getByRole('log').getByTestId('escrow-warning')).toHaveCount(0);
  const overview = (await admin.call('get', '/api/compliance/overview')) as {
    keys: Array<{ id: string; escrowedSessions: number }>;
  };
  expect(overview.keys.find((k) => k.id === key.id)?.escrowedSessions).toBeGreaterThanOrEqual(2);

  // A conversation without anyone in scope: no banner, no marker, delivered as usual.
  await chatWith(alice.page, CAROL.displayName);
  await send(alice.page, '这个会话不在留存范围内');
  await expect(alice.page.getByTestId('retention-banner')).toHaveCount(0);
  await expect(alice.page.getByRole('region', { name: CAROL.displayName }).getByTestId('legal-hold-badge')).toHaveCount(
    0,
  );
  await carol.page
    .getByRole('list', { name: '会话列表' })
    .getByRole('button', { name: new RegExp(ALICE.displayName) })
    .click({ timeout: 20_000 });
  await expect(carol.page.getByRole('log').getByText('这个会话不在留存范围内')).toBeVisible({ timeout: 20_000 });
  await expect(carol.page.getByTestId('retention-banner')).toHaveCount(0);
  // Bob's direct chat in Alice's list carries his marker too.
  await expect(
    alice.page
      .getByRole('list', { name: '会话列表' })
      .getByRole('button', { name: new RegExp(BOB.displayName) })
      .getByTestId('legal-hold-badge'),
  ).toBeVisible();

  // The hold ends: the banner goes, and the next message (a new session without a wrap) still arrives.
  await admin.call('delete', `/api/compliance/scopes/${hold.id}`);
  await expect(bob.page.getByTestId('retention-banner')).toHaveCount(0);
  await alice.page
    .getByRole('list', { name: '会话列表' })
    .getByRole('button', { name: new RegExp(BOB.displayName) })
    .click();
  await expect(alice.page.getByRole('heading', { name: BOB.displayName, level: 1 })).toBeVisible();
  await expect(alice.page.getByTestId('retention-banner')).toHaveCount(0);
  await send(alice.page, '留存结束之后的消息');
  await expect(bobLog.getByText('留存结束之后的消息')).toBeVisible({ timeout: 20_000 });
  await expect(bobLog.getByTestId('escrow-warning')).toHaveCount(0);

  expect([...alice.problems, ...bob.problems, ...carol.problems]).toEqual([]);
});
