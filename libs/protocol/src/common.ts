import { z } from 'zod';

export const uuidSchema = z.uuid();

/** Strings we accept from people: trimmed, no control characters (tabs and newlines excluded by callers). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function singleLine(min: number, max: number) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !CONTROL_CHARS.test(s), { message: 'must not contain control characters' });
}

export const localeSchema = z.enum(['zh-CN', 'en']);
export type Locale = z.infer<typeof localeSchema>;
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export const isoDateTime = z.string();

/** A socket ack. `retryAfterMs` is set on RATE_LIMITED (the per-connection event limit): when to try again. */
export type Ack<T> =
  { ok: true; data: T } | { ok: false; error: { code: string; message: string; retryAfterMs?: number } };
