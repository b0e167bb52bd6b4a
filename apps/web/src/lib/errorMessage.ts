import type { i18n as I18n } from 'i18next';
import { isApiError } from './apiClient';

/** "45 seconds" or, from a minute on, whole minutes rounded up. */
export function formatDuration(i18n: I18n, seconds: number): string {
  if (seconds < 60) return i18n.t('time.seconds', { count: Math.max(1, Math.ceil(seconds)) });
  return i18n.t('time.minutes', { count: Math.ceil(seconds / 60) });
}

function fieldName(i18n: I18n, path: string): string {
  // Server paths look like "password" or "body.items.0.name": name the innermost field.
  const segment =
    path
      .split('.')
      .filter((s) => s !== '' && !/^\d+$/.test(s))
      .pop() ?? path;
  const key = `fields.${segment}`;
  return i18n.exists(key) ? i18n.t(key) : segment;
}

/**
 * What to tell a person about a failed call: translated by error code, never the server's own text.
 * Unknown codes still say which code it was, so support can find it.
 */
export function errorMessage(i18n: I18n, error: unknown): string {
  if (!isApiError(error)) {
    const code = error instanceof Error ? error.name : 'CLIENT';
    return i18n.t('errors.unknown', { code });
  }
  const key = `errors.${error.code}`;
  const parts = [i18n.exists(key) ? i18n.t(key) : i18n.t('errors.unknown', { code: error.code })];
  if (error.retryAfterSeconds !== null && error.retryAfterSeconds > 0) {
    parts.push(i18n.t('errors.retryAfter', { time: formatDuration(i18n, error.retryAfterSeconds) }));
  }
  if (error.details.length > 0) {
    const names = [...new Set(error.details.map((d) => fieldName(i18n, d.path)))];
    parts.push(i18n.t('errors.invalidFields', { fields: names.join(i18n.t('common.listSeparator')) }));
  }
  return parts.join(' ');
}
