import type { TFunction } from 'i18next';
import { ErrorCode } from '@miyu/protocol';
import { isApiError } from '../../../../lib/apiClient';

export interface PlacedErrors<F extends string> {
  /** Errors shown under a form field. */
  fields: Partial<Record<F, string>>;
  /** Anything that belongs to no single field (network, permissions, …). */
  form: string | null;
}

export interface PlaceOptions<F extends string> {
  /** Fields of the form, by the names the server uses in `details[].path`. */
  fields: readonly F[];
  /** The field a FILTER_RULE_EXISTS or FILTER_RULE_INVALID refusal is about. */
  subject: F;
  /** What to say when the word, pattern or phrase is already listed. */
  exists: string;
}

/**
 * Puts a refused save next to the field it is about: "already listed" and "not a valid rule" (with the server's
 * reason, which names the exact problem in a pattern) under the word, validation details under their fields.
 */
export function placeServerError<F extends string>(
  t: TFunction,
  describe: (error: unknown) => string,
  error: unknown,
  options: PlaceOptions<F>,
): PlacedErrors<F> {
  const none: PlacedErrors<F> = { fields: {}, form: null };
  if (!error) return none;
  if (!isApiError(error)) return { ...none, form: describe(error) };
  if (error.code === ErrorCode.FILTER_RULE_EXISTS)
    return { ...none, fields: fieldError(options.subject, options.exists) };
  if (error.code === ErrorCode.FILTER_RULE_INVALID) {
    const reason = error.details[0]?.message;
    const text = reason ? t('adminWordPolicy.invalidReason', { reason }) : t('errors.FILTER_RULE_INVALID');
    return { ...none, fields: fieldError(options.subject, text) };
  }
  if (error.code === ErrorCode.VALIDATION_FAILED && error.details.length > 0) {
    const fields: Partial<Record<F, string>> = {};
    for (const detail of error.details) {
      const field = options.fields.find((f) => f === detail.path.split('.').pop());
      if (!field) return { ...none, form: describe(error) };
      fields[field] ??= t('adminWordPolicy.invalidReason', { reason: detail.message });
    }
    return { fields, form: null };
  }
  return { ...none, form: describe(error) };
}

function fieldError<F extends string>(field: F, text: string): Partial<Record<F, string>> {
  const fields: Partial<Record<F, string>> = {};
  fields[field] = text;
  return fields;
}
