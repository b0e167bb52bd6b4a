import { createHmac } from 'node:crypto';
import { expect, type APIRequestContext, type Page } from '@playwright/test';

/** Set by playwright.config.ts from the line e2e/serve.mjs prints when the server is up. */
export const BASE_URL = process.env['MIYU_E2E_URL'] ?? 'http://127.0.0.1:8080';
export const SETUP_TOKEN = process.env['MIYU_E2E_SETUP_TOKEN'] ?? '';

export const ADMIN = { login: 'admin', displayName: '系统管理员', password: 'Miyu-e2e-Admin-2026!' };

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
