import type { TFunction } from 'i18next';
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  displayNameSchema,
  emailSchema,
  employeeNoSchema,
  loginNameSchema,
  phoneSchema,
  recoveryCodeSchema,
  totpCodeSchema,
} from '@miyu/protocol';

// Client-side checks mirror the protocol schemas but speak the user's language; the server checks again.
export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export function required(t: TFunction, field: string, value: string): string | null {
  return value.trim() === '' ? t('validation.required', { field: t(`fields.${field}`) }) : null;
}

export function checkLoginName(t: TFunction, value: string): string | null {
  return required(t, 'login', value) ?? (loginNameSchema.safeParse(value).success ? null : t('validation.loginFormat'));
}

export function checkDisplayName(t: TFunction, value: string): string | null {
  return (
    required(t, 'displayName', value) ??
    (displayNameSchema.safeParse(value).success
      ? null
      : t('validation.tooLong', { field: t('fields.displayName'), max: 100 }))
  );
}

export function checkNewPassword(t: TFunction, value: string): string | null {
  if (value.length < PASSWORD_MIN_LENGTH) return t('validation.passwordTooShort', { min: PASSWORD_MIN_LENGTH });
  if (value.length > PASSWORD_MAX_LENGTH) {
    return t('validation.tooLong', { field: t('fields.password'), max: PASSWORD_MAX_LENGTH });
  }
  return null;
}

export function checkPasswordConfirm(t: TFunction, password: string, confirm: string): string | null {
  return password === confirm ? null : t('validation.passwordMismatch');
}

export function checkOptionalEmail(t: TFunction, value: string): string | null {
  return value.trim() === '' || emailSchema.safeParse(value.trim()).success ? null : t('validation.emailFormat');
}

export function checkOptionalPhone(t: TFunction, value: string): string | null {
  return value.trim() === '' || phoneSchema.safeParse(value).success ? null : t('validation.phoneFormat');
}

export function checkOptionalEmployeeNo(t: TFunction, value: string): string | null {
  return value.trim() === '' || employeeNoSchema.safeParse(value).success
    ? null
    : t('validation.tooLong', { field: t('fields.employeeNo'), max: 64 });
}

export function checkTotpCode(t: TFunction, value: string): string | null {
  return totpCodeSchema.safeParse(value.trim()).success ? null : t('validation.totpFormat');
}

export function checkRecoveryCode(t: TFunction, value: string): string | null {
  return recoveryCodeSchema.safeParse(value).success ? null : t('validation.recoveryFormat');
}

/** Optional text inputs: an empty box means "not given". */
export function optionalText(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function hasErrors(errors: Record<string, string | null | undefined>): boolean {
  return Object.values(errors).some(Boolean);
}
