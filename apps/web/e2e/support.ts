import { createHmac } from 'node:crypto';
import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';

/** Set by playwright.config.ts from the line e2e/serve.mjs prints when the server is up. */
export const BASE_URL = process.env['MIYU_E2E_URL'] ?? 'http://127.0.0.1:8080';
export const SETUP_TOKEN = process.env['MIYU_E2E_SETUP_TOKEN'] ?? '';

export const ADMIN = { login: 'admin', displayName: '系统管理员', password: 'Miyu-e2e-Admin-2026!' };

export interface Person {
  login: string;
  displayName: string;
  employeeNo: string;
  password: string;
}

/** The first-run setup through the API, for scenarios that run without the setup scenario before them. */
export async function ensureSetUp(request: APIRequestContext): Promise<void> {
  const status = await request.get(`${BASE_URL}/api/setup/status`);
  const { needsSetup } = (await status.json()) as { needsSetup: boolean };
  if (!needsSetup) return;
  const res = await request.post(`${BASE_URL}/api/setup/admin`, {
    data: { token: SETUP_TOKEN, login: ADMIN.login, displayName: ADMIN.displayName, password: ADMIN.password },
  });
  expect(res.status()).toBe(201);
}

export async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

export async function signOut(page: Page, displayName: string): Promise<void> {
  await page.getByRole('button', { name: `当前账号：${displayName}` }).click();
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('heading', { name: '登录密语' })).toBeVisible();
}

function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = input.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits) for time step `step`. */
export function totpAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

export function currentStep(): number {
  return Math.floor(Date.now() / 1000 / 30);
}

/** A code from a time step after `usedStep` (servers refuse a code twice), waiting for the next step if needed. */
export async function freshTotp(secret: string, usedStep: number): Promise<{ code: string; step: number }> {
  while (currentStep() <= usedStep) await new Promise((r) => setTimeout(r, 500));
  const step = currentStep();
  return { code: totpAt(secret, step), step };
}

/** Collects CSP violations and page errors, which would mean the strict production CSP broke something. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/** Creates accounts through the admin API (the directory scenario covers the console). */
export async function createAccounts(request: APIRequestContext, people: readonly Person[]): Promise<void> {
  const login = await request.post(`${BASE_URL}/api/auth/login`, {
    data: { login: ADMIN.login, password: ADMIN.password },
  });
  expect(login.status()).toBe(200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  for (const person of people) {
    const res = await request.post(`${BASE_URL}/api/admin/users`, {
      headers: { 'x-csrf-token': csrfToken, origin: BASE_URL },
      data: {
        login: person.login,
        displayName: person.displayName,
        employeeNo: person.employeeNo,
        password: person.password,
      },
    });
    expect([201, 409]).toContain(res.status());
  }
}

/** Signs in on a fresh browser profile (a new device) and opens the chats. Notifications shown are recorded. */
export async function newDevice(browser: Browser, person: Person): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ baseURL: BASE_URL, locale: 'zh-CN' });
  await context.grantPermissions(['notifications']);
  await context.addInitScript(() => {
    const shown: Array<{ title: string; body: string }> = [];
    (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
    class Recorded {
      static permission = 'granted';
      static requestPermission = () => Promise.resolve('granted');
      onclick: (() => void) | null = null;
      constructor(title: string, options: { body?: string } = {}) {
        shown.push({ title, body: options.body ?? '' });
      }
      close() {}
    }
    (window as unknown as { Notification: unknown }).Notification = Recorded;
  });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await signIn(page, person.login, person.password);
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '消息' }).click();
  return { page, problems };
}

/** First device of an account: the recovery key is shown once; returns its words. */
export async function saveRecoveryKey(page: Page): Promise<string> {
  await page.getByRole('button', { name: '保存你的恢复密钥' }).click({ timeout: 30_000 });
  const dialog = page.getByRole('dialog', { name: '保存你的恢复密钥' });
  await expect(dialog).toBeVisible({ timeout: 30_000 });
  const words = (await dialog.getByRole('list', { name: '恢复密钥' }).getByRole('listitem').allTextContents()).join(
    ' ',
  );
  expect(words.split(' ')).toHaveLength(34);
  await expect(dialog.getByRole('button', { name: '完成' })).toBeDisabled();
  await dialog.getByLabel('我已妥善保存恢复密钥').check();
  await dialog.getByRole('button', { name: '完成' }).click();
  await expect(dialog).toBeHidden();
  return words;
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: '输入消息' });
  await box.fill(text);
  await box.press('Enter');
  const log = page.getByRole('log');
  await expect(log.getByText(text, { exact: true })).toBeVisible();
  await expect(log.getByText('发送中')).toHaveCount(0);
}
