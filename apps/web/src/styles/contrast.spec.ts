import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** WCAG 2.x relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const f = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const css = readFileSync(join(__dirname, 'app.css'), 'utf8');
const tokens = Object.fromEntries(
  [...css.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)].map((m) => [m[1]!, m[2]!.toLowerCase()]),
);

describe('colour contrast (WCAG AA, 4.5:1 for text)', () => {
  it.each([
    ['text', 'surface'],
    ['text', 'bg'],
    ['text-2', 'surface'],
    ['text-2', 'bg'],
    ['text-3', 'surface'],
    ['text-3', 'bg'],
    ['brand-strong', 'brand-soft'],
    ['danger-strong', 'surface'],
  ])('%s on %s', (fg, bg) => {
    expect(contrast(tokens[fg]!, tokens[bg]!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each([['brand'], ['danger']])('white text on %s (buttons, badges)', (bg) => {
    expect(contrast('#ffffff', tokens[bg]!)).toBeGreaterThanOrEqual(4.5);
  });
});
