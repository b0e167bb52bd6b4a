import { en } from './en';
import { zhCN } from './zh-CN';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort();
}

describe('message catalogues', () => {
  it('have the same keys in Chinese and English', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort());
  });

  it('use the same placeholders in both languages', () => {
    const get = (root: unknown, path: string) =>
      path.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], root) as string;
    for (const key of keys(zhCN)) {
      expect([key, placeholders(get(en, key))]).toEqual([key, placeholders(get(zhCN, key))]);
    }
  });

  it('have no empty strings', () => {
    const get = (root: unknown, path: string) =>
      path.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], root) as string;
    for (const key of keys(zhCN)) {
      expect(get(zhCN, key).trim()).not.toBe('');
      expect(get(en, key).trim()).not.toBe('');
    }
  });
});
