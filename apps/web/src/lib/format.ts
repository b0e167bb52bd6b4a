/** A date-time in the interface language, e.g. "2026年11月25日 14:05" or "Nov 25, 2026, 2:05 PM". */
export function formatDateTime(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** Up to two letters for an avatar: the first CJK character, or the initials of a Latin name. */
export function initials(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return '?';
  const first = Array.from(trimmed)[0] ?? '?';
  if (/[\u3400-\u9fff\uf900-\ufaff]/.test(first)) return Array.from(trimmed).slice(-2).join('');
  const words = trimmed.split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? (words[0]?.[0] ?? '') + (words[1]?.[0] ?? '') : trimmed.slice(0, 2);
  return letters.toUpperCase();
}
